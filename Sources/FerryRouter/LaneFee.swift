public import FerryCore

/// A bridge or transfer lane's fee: flat fee + proportional fee (ppm of the delivered amount, rounded up)
/// + destination gas converted into the input asset (rounded up).
///
/// `input = output + flatFee + ceil(output * feePPM / 1_000_000) + gas`, strictly increasing in `output`.
public struct LaneFee: FeeModel, Hashable {
    /// Fixed fee per transfer, in the input asset's smallest unit.
    public let flatFee: Amount
    /// Proportional fee in parts per million of the delivered amount.
    public let feePPM: UInt32
    /// Destination gas, if the lane charges it separately.
    public let gas: GasCost?
    /// `flatFee + gas` precomputed, since neither depends on the amount.
    public let fixedFee: Amount
    /// Gas already converted into the input asset (zero without gas).
    public let gasFee: Amount

    @usableFromInline static let million = Amount(1_000_000)

    /// Creates a lane fee.
    /// - Throws: ``AmountError/overflow(operation:)`` when `flatFee + gas` exceeds 2^256-1.
    public init(flatFee: Amount, feePPM: UInt32, gas: GasCost? = nil) throws(AmountError) {
        self.flatFee = flatFee
        self.feePPM = feePPM
        self.gas = gas
        gasFee = try gas?.assetCost() ?? .zero
        fixedFee = try flatFee + gasFee
    }

    /// `ceil(output * feePPM / 1e6)`, on machine words when the product fits.
    @inlinable
    public func proportionalFee(forOutput output: Amount) throws(AmountError) -> Amount {
        if feePPM == 0 { return .zero }
        if let small = output.uint64 {
            let (hi, lo) = small.multipliedFullWidth(by: UInt64(feePPM))
            if hi < 1_000_000 {
                let (q, r) = UInt64(1_000_000).dividingFullWidth((hi, lo))
                // q < 2^64 - 1 here because hi < 1e6 bounds the quotient below 2^64; +1 cannot wrap for q < 2^64-1.
                return r == 0 ? Amount(q) : Amount(q).addingReportingOverflow(Amount(1)).partialValue
            }
        }
        return try output.multiplied(by: Amount(UInt64(feePPM)), dividedBy: Self.million, rounding: .up)
    }

    /// The input needed to deliver `output`; never nil (capacity is the lane's business, not the fee's).
    @inlinable
    public func input(forOutput output: Amount) throws(AmountError) -> Amount? {
        let p = try proportionalFee(forOutput: output)
        let (a, o1) = output.addingReportingOverflow(fixedFee)
        let (b, o2) = a.addingReportingOverflow(p)
        guard !o1, !o2 else { throw .overflow(operation: "\(output) + \(fixedFee) + \(p)") }
        return b
    }

    /// The largest output whose required input is at most `input`:
    /// `floor((input - fixed) * 1e6 / (1e6 + ppm))`, which is exact because `ceil` of the forward formula
    /// stays within the budget exactly when the unrounded value does.
    public func output(forInput input: Amount) throws(AmountError) -> Amount {
        guard input > fixedFee else { return .zero }
        let rest = input.subtractingReportingOverflow(fixedFee).partialValue
        return try rest.multiplied(by: Self.million, dividedBy: Amount(1_000_000 + UInt64(feePPM)), rounding: .down)
    }

    /// Lanes always take at least what they deliver.
    public var isExpanding: Bool { true }
}
