public import FerryCrypto

/// An exact unsigned 256-bit integer: a quantity of an asset in its smallest unit (wei, satoshi, lamport, 10^-6 USDC).
///
/// Arithmetic is checked: `try a + b` throws ``AmountError/overflow(operation:)`` instead of wrapping, and
/// `try a - b` throws ``AmountError/underflow(minuend:subtrahend:)`` instead of going negative.
/// Divisions take an explicit ``Rounding``. Encodes to JSON as a base-10 string.
public struct Amount: Sendable, Hashable, Comparable {
    /// Little-endian 64-bit limbs: value = w0 + w1·2^64 + w2·2^128 + w3·2^192.
    public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// Zero.
    public static let zero = Amount(words: (0, 0, 0, 0))
    /// 2^256 - 1, the largest amount.
    public static let max = Amount(words: (.max, .max, .max, .max))

    /// Builds an amount from little-endian 64-bit limbs.
    @inlinable
    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        (w0, w1, w2, w3) = words
    }

    /// An amount from a machine integer.
    @inlinable
    public init(_ value: UInt64) {
        self.init(words: (value, 0, 0, 0))
    }

    /// True when the amount is zero.
    @inlinable
    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// The value as `UInt64`, or nil when it does not fit.
    @inlinable
    public var uint64: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }

    @inlinable
    public static func < (a: Amount, b: Amount) -> Bool {
        if a.w3 != b.w3 { return a.w3 < b.w3 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        return a.w0 < b.w0
    }

    // MARK: Checked arithmetic

    /// The sum, or `nil` on overflow.
    @inlinable
    public func addingReportingOverflow(_ b: Amount) -> (partialValue: Amount, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(b.w0)
        var (r1, c1) = w1.addingReportingOverflow(b.w1)
        var c = false
        if c0 { (r1, c) = r1.addingReportingOverflow(1); c1 = c1 || c }
        var (r2, c2) = w2.addingReportingOverflow(b.w2)
        if c1 { (r2, c) = r2.addingReportingOverflow(1); c2 = c2 || c }
        var (r3, c3) = w3.addingReportingOverflow(b.w3)
        if c2 { (r3, c) = r3.addingReportingOverflow(1); c3 = c3 || c }
        return (Amount(words: (r0, r1, r2, r3)), c3)
    }

    /// The difference, with `overflow` set when `b > self`.
    @inlinable
    public func subtractingReportingOverflow(_ b: Amount) -> (partialValue: Amount, overflow: Bool) {
        let (r0, b0) = w0.subtractingReportingOverflow(b.w0)
        var (r1, b1) = w1.subtractingReportingOverflow(b.w1)
        var o = false
        if b0 { (r1, o) = r1.subtractingReportingOverflow(1); b1 = b1 || o }
        var (r2, b2) = w2.subtractingReportingOverflow(b.w2)
        if b1 { (r2, o) = r2.subtractingReportingOverflow(1); b2 = b2 || o }
        var (r3, b3) = w3.subtractingReportingOverflow(b.w3)
        if b2 { (r3, o) = r3.subtractingReportingOverflow(1); b3 = b3 || o }
        return (Amount(words: (r0, r1, r2, r3)), b3)
    }

    /// Checked addition.
    /// - Throws: ``AmountError/overflow(operation:)`` when the sum exceeds 2^256-1.
    @inlinable
    public static func + (a: Amount, b: Amount) throws(AmountError) -> Amount {
        let (r, o) = a.addingReportingOverflow(b)
        guard !o else { throw .overflow(operation: "\(a) + \(b)") }
        return r
    }

    /// Checked subtraction.
    /// - Throws: ``AmountError/underflow(minuend:subtrahend:)`` when `b > a`.
    @inlinable
    public static func - (a: Amount, b: Amount) throws(AmountError) -> Amount {
        let (r, o) = a.subtractingReportingOverflow(b)
        guard !o else { throw .underflow(minuend: a.description, subtrahend: b.description) }
        return r
    }

    /// `self - b`, or zero when `b` is larger.
    @inlinable
    public func saturatingSubtract(_ b: Amount) -> Amount {
        let (r, o) = subtractingReportingOverflow(b)
        return o ? .zero : r
    }

    /// Checked multiplication.
    /// - Throws: ``AmountError/overflow(operation:)`` when the product exceeds 2^256-1.
    @inlinable
    public static func * (a: Amount, b: Amount) throws(AmountError) -> Amount {
        let p = Wide512.multiply(a, b)
        guard p.high.isZero else { throw .overflow(operation: "\(a) * \(b)") }
        return p.low
    }

    /// `self / divisor`, rounded as asked.
    /// - Throws: ``AmountError/divisionByZero(operation:)``.
    public func dividedRounding(by divisor: Amount, _ rounding: Rounding) throws(AmountError) -> Amount {
        guard !divisor.isZero else { throw .divisionByZero(operation: "\(self) / 0") }
        let (q, r) = Wide512(high: .zero, low: self).divided(by: divisor)
        return try Self.round(q.low, remainderIsZero: r.isZero, rounding, operation: "\(self) / \(divisor)")
    }

    /// `self * numerator / denominator` with an exact 512-bit intermediate, rounded as asked.
    /// - Throws: ``AmountError/divisionByZero(operation:)``, or ``AmountError/overflow(operation:)`` when
    ///   the quotient itself exceeds 2^256-1.
    public func multiplied(by numerator: Amount, dividedBy denominator: Amount, rounding: Rounding) throws(AmountError) -> Amount {
        guard !denominator.isZero else { throw .divisionByZero(operation: "\(self) * \(numerator) / 0") }
        let product = Wide512.multiply(self, numerator)
        let (q, r) = product.divided(by: denominator)
        guard q.high.isZero else { throw .overflow(operation: "\(self) * \(numerator) / \(denominator)") }
        return try Self.round(q.low, remainderIsZero: r.isZero, rounding, operation: "\(self) * \(numerator) / \(denominator)")
    }

    private static func round(_ q: Amount, remainderIsZero: Bool, _ rounding: Rounding, operation: String) throws(AmountError) -> Amount {
        guard rounding == .up, !remainderIsZero else { return q }
        let (r, o) = q.addingReportingOverflow(Amount(1))
        guard !o else { throw .overflow(operation: operation + " rounded up") }
        return r
    }

    /// `(quotient, remainder)` of division by a non-zero 64-bit divisor (fast path for decimal work).
    @inlinable
    func quotientAndRemainder(dividingBy d: UInt64) -> (Amount, UInt64) {
        var r: UInt64 = 0
        var q3: UInt64 = 0, q2: UInt64 = 0, q1: UInt64 = 0, q0: UInt64 = 0
        (q3, r) = d.dividingFullWidth((r, w3))
        (q2, r) = d.dividingFullWidth((r, w2))
        (q1, r) = d.dividingFullWidth((r, w1))
        (q0, r) = d.dividingFullWidth((r, w0))
        return (Amount(words: (q0, q1, q2, q3)), r)
    }

    // MARK: Bits

    /// Number of significant bits (0 for zero).
    @usableFromInline
    var bitWidth: Int {
        if w3 != 0 { return 256 - w3.leadingZeroBitCount }
        if w2 != 0 { return 192 - w2.leadingZeroBitCount }
        if w1 != 0 { return 128 - w1.leadingZeroBitCount }
        return 64 - w0.leadingZeroBitCount
    }

    /// Limb `i` (0 = least significant).
    @usableFromInline
    func word(_ i: Int) -> UInt64 {
        switch i { case 0: w0; case 1: w1; case 2: w2; default: w3 }
    }

    /// Bit `i` (0 = least significant).
    @usableFromInline
    func bit(_ i: Int) -> Bool {
        let word: UInt64 = switch i >> 6 { case 0: w0; case 1: w1; case 2: w2; default: w3 }
        return (word >> UInt64(i & 63)) & 1 == 1
    }

    // MARK: Bytes

    /// The 32-byte big-endian encoding (an ABI `uint256`).
    public var bigEndianBytes: Bytes32 { Bytes32(bigEndianWords: (w3, w2, w1, w0)) }

    /// Reads a big-endian `uint256`.
    public init(bigEndian bytes: Bytes32) {
        let w = bytes.bigEndianWords
        self.init(words: (w.3, w.2, w.1, w.0))
    }

    /// Reads a big-endian `uint256` of up to 32 bytes.
    /// - Throws: ``AmountError/invalid(text:reason:)`` when longer than 32 bytes.
    public init(bigEndian bytes: some Collection<UInt8>) throws(AmountError) {
        guard bytes.count <= 32 else { throw .invalid(text: "\(bytes.count) bytes", reason: "a uint256 has at most 32 bytes") }
        var words: [UInt64] = [0, 0, 0, 0]
        for (i, b) in bytes.reversed().enumerated() {
            words[i >> 3] |= UInt64(b) << UInt64(8 * (i & 7))
        }
        self.init(words: (words[0], words[1], words[2], words[3]))
    }
}

/// A 512-bit product, only for exact multiply-then-divide.
@usableFromInline
struct Wide512: Sendable {
    @usableFromInline var high: Amount
    @usableFromInline var low: Amount

    @usableFromInline
    init(high: Amount, low: Amount) {
        self.high = high
        self.low = low
    }

    /// The full product of two 256-bit values (schoolbook, no heap allocation).
    @usableFromInline
    static func multiply(_ a: Amount, _ b: Amount) -> Wide512 {
        if (a.w1 | a.w2 | a.w3 | b.w1 | b.w2 | b.w3) == 0 {
            let (hi, lo) = a.w0.multipliedFullWidth(by: b.w0)
            return Wide512(high: .zero, low: Amount(words: (lo, hi, 0, 0)))
        }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 8) { r in
            r.initialize(repeating: 0)
            for i in 0..<4 {
                let xi = a.word(i)
                if xi == 0 { continue }
                var carry: UInt64 = 0
                for j in 0..<4 {
                    let (hi, lo) = xi.multipliedFullWidth(by: b.word(j))
                    let (s1, c1) = lo.addingReportingOverflow(r[i + j])
                    let (s2, c2) = s1.addingReportingOverflow(carry)
                    r[i + j] = s2
                    // x*y + r + c <= 2^128 - 1, so the high word absorbs both carries without overflow.
                    carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
                }
                r[i + 4] = carry
            }
            return Wide512(high: Amount(words: (r[4], r[5], r[6], r[7])), low: Amount(words: (r[0], r[1], r[2], r[3])))
        }
    }

    /// Quotient (512-bit) and remainder of division by a non-zero divisor.
    @usableFromInline
    func divided(by d: Amount) -> (quotient: Wide512, remainder: Amount) {
        if let small = d.uint64 {
            let (qh, rh) = high.quotientAndRemainder(dividingBy: small)
            // Continue the long division into the low half with the high remainder carried in.
            var r = rh
            var q = [UInt64](repeating: 0, count: 4)
            for (i, w) in [low.w3, low.w2, low.w1, low.w0].enumerated() {
                (q[3 - i], r) = small.dividingFullWidth((r, w))
            }
            return (Wide512(high: qh, low: Amount(words: (q[0], q[1], q[2], q[3]))), Amount(r))
        }
        // Binary long division: the divisor has more than 64 bits, which is rare (only huge rates).
        var rem = Amount.zero
        var qHigh = [UInt64](repeating: 0, count: 4), qLow = [UInt64](repeating: 0, count: 4)
        let top = high.isZero ? low.bitWidth : 256 + high.bitWidth
        var i = top - 1
        while i >= 0 {
            // rem = rem << 1 | bit; rem < d < 2^256 before the shift, so the shifted value fits in 257 bits.
            let carryOut = rem.w3 >> 63 == 1
            rem = Amount(words: (rem.w0 << 1 | (i >= 256 ? (high.bit(i - 256) ? 1 : 0) : (low.bit(i) ? 1 : 0)),
                                 rem.w1 << 1 | rem.w0 >> 63, rem.w2 << 1 | rem.w1 >> 63, rem.w3 << 1 | rem.w2 >> 63))
            if carryOut || rem >= d {
                rem = rem.subtractingReportingOverflow(d).partialValue
                if i >= 256 { qHigh[(i - 256) >> 6] |= 1 << UInt64(i & 63) } else { qLow[i >> 6] |= 1 << UInt64(i & 63) }
            }
            i -= 1
        }
        return (Wide512(high: Amount(words: (qHigh[0], qHigh[1], qHigh[2], qHigh[3])),
                        low: Amount(words: (qLow[0], qLow[1], qLow[2], qLow[3]))), rem)
    }
}
