public import FerryCore
public import FerryCrypto

/// Ethereum JSON-RPC hex encodings, parsed strictly.
///
/// A *quantity* is `0x` followed by the shortest hex form of an unsigned integer: `0x0`, `0x1f4`.
/// Ferry **rejects** leading zeros (`0x01`), an empty `0x`, a missing prefix, upper-case `0X`, signs and
/// spaces, as the Ethereum JSON-RPC specification requires of a node's answers; every mainstream node
/// (geth, Nethermind, Erigon, Reth) emits only the canonical form, so a non-canonical one signals a
/// broken or hostile endpoint. Hex digits themselves may be upper or lower case.
/// *Data* is `0x` followed by an even number of hex digits (`0x` alone is empty data).
public enum HexQuantity {
    /// Why a hex string was refused.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case missingPrefix
        case empty
        case leadingZero
        case notHex(character: Character)
        case tooLarge(bits: Int)
        case oddLength
        case wrongLength(expected: Int, got: Int)

        public var description: String {
            switch self {
            case .missingPrefix: "expected a 0x prefix"
            case .empty: "no digits after 0x"
            case .leadingZero: "leading zero digits (quantities must be minimal, e.g. 0x1 not 0x01)"
            case let .notHex(c): "'\(c)' is not a hex digit"
            case let .tooLarge(bits): "more than \(bits) bits"
            case .oddLength: "odd number of hex digits in data"
            case let .wrongLength(expected, got): "expected \(expected) bytes, got \(got)"
            }
        }
    }

    static func digits(_ text: String) throws(Failure) -> Substring.UTF8View {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "0"), utf8.dropFirst().first == UInt8(ascii: "x") else {
            throw .missingPrefix
        }
        let body = Substring(text).utf8.dropFirst(2)
        guard !body.isEmpty else { throw .empty }
        if body.count > 1, body.first == UInt8(ascii: "0") { throw .leadingZero }
        return body
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Parses a quantity that fits 64 bits (block numbers, nonces, gas, chain ids).
    public static func uint64(_ text: String) throws(Failure) -> UInt64 {
        let body = try digits(text)
        guard body.count <= 16 else { throw .tooLarge(bits: 64) }
        var value: UInt64 = 0
        for c in body {
            guard let n = nibble(c) else { throw .notHex(character: Character(Unicode.Scalar(c))) }
            value = value << 4 | UInt64(n)
        }
        return value
    }

    /// Parses a quantity of up to 256 bits (balances, fees).
    public static func amount(_ text: String) throws(Failure) -> Amount {
        let body = try digits(text)
        guard body.count <= 64 else { throw .tooLarge(bits: 256) }
        var nibbles = [UInt8]()
        nibbles.reserveCapacity(body.count + 1)
        if body.count % 2 == 1 { nibbles.append(0) }
        for c in body {
            guard let n = nibble(c) else { throw .notHex(character: Character(Unicode.Scalar(c))) }
            nibbles.append(n)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(nibbles.count / 2)
        var i = 0
        while i < nibbles.count {
            bytes.append(nibbles[i] << 4 | nibbles[i + 1])
            i += 2
        }
        // At most 32 bytes by the digit count check above.
        return (try? Amount(bigEndian: bytes)) ?? .zero
    }

    /// Parses data (`0x` + an even number of hex digits); `length` pins the byte count.
    public static func data(_ text: String, length: Int? = nil) throws(Failure) -> [UInt8] {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "0"), utf8.dropFirst().first == UInt8(ascii: "x") else {
            throw .missingPrefix
        }
        let body = Array(utf8.dropFirst(2))
        guard body.count % 2 == 0 else { throw .oddLength }
        var out = [UInt8]()
        out.reserveCapacity(body.count / 2)
        var i = 0
        while i < body.count {
            guard let hi = nibble(body[i]) else { throw .notHex(character: Character(Unicode.Scalar(body[i]))) }
            guard let lo = nibble(body[i + 1]) else { throw .notHex(character: Character(Unicode.Scalar(body[i + 1]))) }
            out.append(hi << 4 | lo)
            i += 2
        }
        if let length, out.count != length { throw .wrongLength(expected: length, got: out.count) }
        return out
    }

    /// The canonical quantity text of `value`: `0x0`, `0x1f4`.
    public static func encode(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// The canonical quantity text of `value`.
    public static func encode(_ value: Amount) -> String {
        let hex = Hex.encode(value.bigEndianBytes.bytes).drop { $0 == "0" }
        return hex.isEmpty ? "0x0" : "0x" + hex
    }
}
