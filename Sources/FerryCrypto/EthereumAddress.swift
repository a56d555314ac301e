/// A 20-byte Ethereum address.
///
/// Parse with `EthereumAddress(hex:)` (EIP-55 checksum enforced on mixed-case input), print with
/// `checksummed`. Stored inline as a left-padded `Bytes32`, so it is cheap to copy, hash and compare.
public struct EthereumAddress: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The address left-padded with 12 zero bytes, as it appears in an ABI word or a `bytes32` field.
    public let bytes32: Bytes32

    /// Copies exactly 20 bytes.
    /// - Throws: `CryptoError.invalidLength` when `bytes` is not 20 bytes long.
    public init(bytes: some Collection<UInt8>) throws(CryptoError) {
        guard bytes.count == 20 else { throw .invalidLength(what: "Ethereum address", expected: 20, actual: bytes.count) }
        bytes32 = try Bytes32(leftPadding: bytes)
    }

    /// Parses 40 hex digits, with or without `0x`.
    ///
    /// All-lower-case and all-upper-case input is accepted as is; mixed case must carry a correct
    /// EIP-55 checksum.
    /// - Throws: `CryptoError.invalidHex`, `CryptoError.invalidLength`, or `CryptoError.badChecksum`
    ///   (whose message shows the correctly checksummed form).
    public init(hex text: String) throws(CryptoError) {
        let raw = try Hex.decode(text)
        try self.init(bytes: raw)
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        let hasLower = digits.utf8.contains { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        let hasUpper = digits.utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
        if hasLower && hasUpper {
            let expected = checksummed
            guard expected.utf8.dropFirst(2).elementsEqual(digits.utf8) else {
                throw .badChecksum(text: Hex.clipped(text), expected: expected)
            }
        }
    }

    /// The address in the last 20 bytes of a 32-byte hash (how Ethereum derives it from keccak256(x || y)).
    init(lastTwentyBytesOf hash: Bytes32) {
        let word1 = UInt64(bigEndian: hash.storage.1) & 0x0000_0000_FFFF_FFFF
        bytes32 = Bytes32(storage: (0, word1.bigEndian, hash.storage.2, hash.storage.3))
    }

    /// The 20 bytes.
    public var bytes: [UInt8] { Array(bytes32.bytes[12...]) }

    /// Lower-case hex with `0x`.
    public var lowercaseHex: String { "0x" + Hex.encode(bytes32.bytes[12...]) }

    /// The EIP-55 mixed-case checksummed form, with `0x`.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes32.bytes[12...]).utf8)
        let hash = Keccak256.hash(lower).bytes
        var out = [UInt8]("0x".utf8)
        out.reserveCapacity(42)
        for (i, c) in lower.enumerated() {
            let nibble = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0x0F
            if c >= UInt8(ascii: "a"), nibble >= 8 {
                out.append(c - 32)  // ASCII upper case
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The checksummed form.
    public var description: String { checksummed }

    /// Numeric (byte-wise) order.
    public static func < (a: EthereumAddress, b: EthereumAddress) -> Bool { a.bytes32 < b.bytes32 }

    /// Decodes from a hex string (checksum rules as `init(hex:)`).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(hex: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes as the checksummed hex string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(checksummed)
    }
}
