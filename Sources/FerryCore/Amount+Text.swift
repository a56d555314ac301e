extension Amount: CustomStringConvertible, ExpressibleByIntegerLiteral, LosslessStringConvertible {
    /// Longest accepted text; 2^256-1 has 78 digits, so anything longer is rejected before parsing.
    static let maxTextLength = 100

    /// An amount from an integer literal.
    public init(integerLiteral value: UInt64) {
        self.init(value)
    }

    /// Parses a base-10 integer string of smallest units ("1500000").
    ///
    /// Only ASCII digits: no sign, no decimal point, no spaces, no underscores.
    /// - Throws: ``AmountError/invalid(text:reason:)`` or ``AmountError/overflow(operation:)`` above 2^256-1.
    public init(parsing text: String) throws(AmountError) {
        guard !text.isEmpty else { throw .invalid(text: text, reason: "empty") }
        guard text.utf8.count <= Self.maxTextLength else { throw .invalid(text: String(text.prefix(40)) + "...", reason: "too long") }
        if text.hasPrefix("-") { throw .invalid(text: text, reason: "amounts cannot be negative") }
        var value = Amount.zero
        for (i, c) in text.utf8.enumerated() {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else {
                let reason = c == UInt8(ascii: ".") ? "expected an integer number of smallest units, found a decimal point"
                    : "character \(i + 1) is not a digit"
                throw .invalid(text: text, reason: reason)
            }
            value = try value.timesTenPlus(UInt64(c - UInt8(ascii: "0")), text: text)
        }
        self = value
    }

    /// Parses a decimal string in whole units of an asset with `decimals` fractional digits.
    ///
    /// `Amount(decimal: "12.5", decimals: 6)` is 12500000. Trailing zeros beyond `decimals` are accepted
    /// ("1.50" with 1 decimal); non-zero digits beyond it are an error, never rounded away.
    /// - Throws: ``AmountError/tooManyDecimals(text:allowed:)``, ``AmountError/invalid(text:reason:)``,
    ///   ``AmountError/overflow(operation:)``.
    public init(decimal text: String, decimals: Int) throws(AmountError) {
        guard decimals >= 0, decimals <= 77 else { throw .invalid(text: text, reason: "an asset has 0...77 decimals, not \(decimals)") }
        guard !text.isEmpty else { throw .invalid(text: text, reason: "empty") }
        guard text.utf8.count <= Self.maxTextLength else { throw .invalid(text: String(text.prefix(40)) + "...", reason: "too long") }
        if text.hasPrefix("-") { throw .invalid(text: text, reason: "amounts cannot be negative") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw .invalid(text: text, reason: "more than one decimal point") }
        let whole = parts[0]
        var fraction = parts.count == 2 ? Substring(parts[1]) : ""
        guard !whole.isEmpty || !fraction.isEmpty else { throw .invalid(text: text, reason: "no digits") }
        // The API's documented form (docs/openapi.yaml, ^[0-9]+(\.[0-9]+)?$): a digit before the point.
        guard !whole.isEmpty else { throw .invalid(text: text, reason: "no digits before the decimal point (write 0\(text))") }
        guard parts.count == 1 || !fraction.isEmpty else { throw .invalid(text: text, reason: "no digits after the decimal point") }
        while fraction.count > decimals, fraction.last == "0" { fraction.removeLast() }
        guard fraction.count <= decimals else { throw .tooManyDecimals(text: text, allowed: decimals) }
        var value = Amount.zero
        for (i, c) in (whole + fraction + String(repeating: "0", count: decimals - fraction.count)).utf8.enumerated() {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else {
                throw .invalid(text: text, reason: "character \(i + 1 + (i >= whole.count ? 1 : 0)) is not a digit")
            }
            value = try value.timesTenPlus(UInt64(c - UInt8(ascii: "0")), text: text)
        }
        self = value
    }

    /// For `LosslessStringConvertible`: nil where ``init(parsing:)`` throws.
    public init?(_ description: String) {
        guard let v = try? Amount(parsing: description) else { return nil }
        self = v
    }

    private func timesTenPlus(_ digit: UInt64, text: String) throws(AmountError) -> Amount {
        let p = Wide512.multiply(self, Amount(10))
        guard p.high.isZero else { throw .overflow(operation: "parsing \"\(text)\"") }
        let (r, o) = p.low.addingReportingOverflow(Amount(digit))
        guard !o else { throw .overflow(operation: "parsing \"\(text)\"") }
        return r
    }

    /// Base-10 digits of the smallest-unit count.
    public var description: String {
        if let small = uint64 { return String(small) }
        var chunks: [UInt64] = []
        var rest = self
        let base: UInt64 = 10_000_000_000_000_000_000  // 10^19, the largest power of ten in a UInt64
        while !rest.isZero {
            let (q, r) = rest.quotientAndRemainder(dividingBy: base)
            chunks.append(r)
            rest = q
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }

    /// The amount in whole units of an asset with `decimals` places, without trailing zeros ("12.5").
    public func formatted(decimals: Int) -> String {
        let digits = description
        guard decimals > 0 else { return digits }
        let padded = digits.count <= decimals ? String(repeating: "0", count: decimals - digits.count + 1) + digits : digits
        let cut = padded.index(padded.endIndex, offsetBy: -decimals)
        var fraction = padded[cut...]
        while fraction.last == "0" { fraction.removeLast() }
        return fraction.isEmpty ? String(padded[..<cut]) : "\(padded[..<cut]).\(fraction)"
    }
}

extension Amount: Codable {
    /// Decodes a base-10 string ("1500000"); JSON numbers are refused because they lose precision in most tools.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let text = try? container.decode(String.self) else {
            throw DecodingError.typeMismatch(Amount.self, .init(codingPath: decoder.codingPath,
                debugDescription: "amounts are base-10 strings of smallest units, e.g. \"1500000\""))
        }
        do {
            self = try Amount(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes as a base-10 string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
