/// Hex encoding and strict decoding.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, without a prefix.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case hex with a `0x` prefix.
    public static func prefixed(_ bytes: some Sequence<UInt8>) -> String { "0x" + encode(bytes) }

    /// Decodes hex digits (either case), with or without a `0x` prefix.
    /// - Throws: `CryptoError.invalidHex` naming the first bad character or an odd length.
    public static func decode(_ text: String) throws(CryptoError) -> [UInt8] {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X") {
            utf8.removeFirst(2)
        }
        guard utf8.count % 2 == 0 else { throw .invalidHex(text: clipped(text), reason: "odd number of hex digits (\(utf8.count))") }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]) else { throw .invalidHex(text: clipped(text), reason: "character \(i + 1) after any 0x is not a hex digit") }
            guard let lo = nibble(utf8[i + 1]) else { throw .invalidHex(text: clipped(text), reason: "character \(i + 2) after any 0x is not a hex digit") }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Keeps error messages short when someone pastes a huge blob.
    static func clipped(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "..."
    }
}
