/// The three x402 v2 headers (`http/constants.py` in the SDK). Names are matched case-insensitively.
public enum X402Header: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Server to client on a 402: base64 JSON of ``PaymentRequired``.
    case paymentRequired = "PAYMENT-REQUIRED"
    /// Client to server on the retry: base64 JSON of ``PaymentPayload``.
    case paymentSignature = "PAYMENT-SIGNATURE"
    /// Server to client on the paid response: base64 JSON of ``SettleResponse``.
    case paymentResponse = "PAYMENT-RESPONSE"

    /// The header name as the SDK writes it.
    public var name: String { rawValue }

    public var description: String { rawValue }

    /// The header whose name is `name` in any letter case, or nil.
    public init?(name: String) {
        guard let header = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(name) }) else { return nil }
        self = header
    }
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { Self.lower($0) == Self.lower($1) }
    }

    private static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
}

/// Standard base64 (RFC 4648 section 4), the alphabet of Python's `base64.b64encode`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Encodes with padding.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let n = UInt32(input[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard base64; padding may be omitted, nothing else is tolerated (no spaces, no `-`/`_`).
    /// - Returns: the bytes, or a reason the text is not base64.
    static func decode(_ text: String) -> Result<[UInt8], Base64Failure> {
        var chars = Array(text.utf8)
        var padding = 0
        while chars.last == UInt8(ascii: "="), padding < 2 {
            chars.removeLast()
            padding += 1
        }
        guard padding == 0 || (chars.count + padding) % 4 == 0 else {
            return .failure(Base64Failure(reason: "padding does not complete a 4-character group"))
        }
        guard chars.count % 4 != 1 else { return .failure(Base64Failure(reason: "length \(text.utf8.count) is not a base64 length")) }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var buffer: UInt32 = 0, bits = 0
        for (i, c) in chars.enumerated() {
            let v = values[Int(c)]
            guard v != 0xFF else {
                return .failure(Base64Failure(reason: "character \(i + 1) is not in the standard base64 alphabet"))
            }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return .success(out)
    }

    struct Base64Failure: Error { let reason: String }
}
