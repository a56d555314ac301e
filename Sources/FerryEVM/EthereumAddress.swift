public import FerryCrypto

// INTERIM: FerryCrypto's `EthereumAddress` (branch `crypto`) replaces this file when that branch lands.
// The public API here is the subset of it that FerryEVM uses, with the same names, so deleting this file
// is the whole migration.

/// A 20-byte Ethereum address.
public struct EthereumAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address left-padded with 12 zero bytes, as in an ABI word.
    public let bytes32: Bytes32

    /// Copies exactly 20 bytes.
    /// - Throws: `CryptoError.invalidLength` when `bytes` is not 20 bytes long.
    public init(bytes: some Collection<UInt8>) throws(CryptoError) {
        guard bytes.count == 20 else { throw .invalidLength(what: "Ethereum address", expected: 20, actual: bytes.count) }
        bytes32 = try Bytes32(leftPadding: bytes)
    }

    /// Parses 40 hex digits, with or without `0x` (checksum not verified in this interim type).
    /// - Throws: `CryptoError.invalidHex` or `CryptoError.invalidLength`.
    public init(hex text: String) throws(CryptoError) {
        try self.init(bytes: Hex.decode(text))
    }

    /// The 20 bytes.
    public var bytes: [UInt8] { Array(bytes32.bytes[12...]) }

    /// Lower-case hex with `0x`.
    public var lowercaseHex: String { "0x" + Hex.encode(bytes32.bytes[12...]) }

    /// Lower-case hex with `0x`.
    public var description: String { lowercaseHex }

    /// Numeric (byte-wise) order.
    public static func < (a: EthereumAddress, b: EthereumAddress) -> Bool { a.bytes32 < b.bytes32 }
}
