/// An exact price between two assets as an integer ratio of smallest units:
/// one smallest unit of the source is worth `numerator / denominator` smallest units of the target.
///
/// Conversions never use floating point; the caller chooses the rounding (``Rounding/up`` when the
/// result is something a payer must cover, ``Rounding/down`` when it is something a payer receives).
public struct ExchangeRate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Target units per `denominator` source units.
    public let numerator: Amount
    /// Source units the numerator is quoted against; never zero.
    public let denominator: Amount

    /// A rate of `numerator / denominator`.
    /// - Throws: ``AmountError/divisionByZero(operation:)`` when `denominator` is zero.
    public init(numerator: Amount, denominator: Amount) throws(AmountError) {
        guard !denominator.isZero else { throw .divisionByZero(operation: "exchange rate \(numerator)/0") }
        self.numerator = numerator
        self.denominator = denominator
    }

    /// One-to-one.
    public static let identity = ExchangeRate(unchecked: 1, 1)

    private init(unchecked numerator: Amount, _ denominator: Amount) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// `amount * numerator / denominator`, rounded as asked.
    /// - Throws: ``AmountError/overflow(operation:)`` when the result exceeds 2^256-1.
    public func convert(_ amount: Amount, rounding: Rounding) throws(AmountError) -> Amount {
        try amount.multiplied(by: numerator, dividedBy: denominator, rounding: rounding)
    }

    /// The rate the other way round (`denominator / numerator`).
    /// - Throws: ``AmountError/divisionByZero(operation:)`` when the numerator is zero.
    public func inverted() throws(AmountError) -> ExchangeRate {
        try ExchangeRate(numerator: denominator, denominator: numerator)
    }

    public var description: String { "\(numerator)/\(denominator)" }

    private enum CodingKeys: String, CodingKey { case numerator, denominator }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let n = try c.decode(Amount.self, forKey: .numerator)
        let d = try c.decode(Amount.self, forKey: .denominator)
        do { try self.init(numerator: n, denominator: d) } catch {
            throw DecodingError.dataCorruptedError(forKey: .denominator, in: c, debugDescription: error.description)
        }
    }
}
