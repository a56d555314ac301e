public import FerryCore

/// A constant-product AMM swap (`x * y = k`) with a fee in ppm taken from the input.
///
/// Exact output: `input = ceil(ceil(reserveIn * out / (reserveOut - out)) * 1e6 / (1e6 - feePPM))`;
/// both roundings go against the payer. Price impact grows with the amount, so the cheapest route can
/// change with the amount. Parts of a split are priced independently against the snapshot's reserves.
public struct ConstantProductFee: FeeModel, Hashable {
    /// Reserve of the asset paid in, smallest units.
    public let reserveIn: Amount
    /// Reserve of the asset paid out, smallest units.
    public let reserveOut: Amount
    /// Pool fee in ppm of the input; below 1_000_000.
    public let feePPM: UInt32

    /// Creates a pool.
    /// - Throws: ``AmountError/invalid(text:reason:)`` for an empty reserve or a fee of 100% or more.
    public init(reserveIn: Amount, reserveOut: Amount, feePPM: UInt32) throws(AmountError) {
        guard !reserveIn.isZero, !reserveOut.isZero else {
            throw .invalid(text: "\(reserveIn)/\(reserveOut)", reason: "an AMM pool needs two non-zero reserves")
        }
        guard feePPM < 1_000_000 else { throw .invalid(text: "\(feePPM)", reason: "a pool fee must be below 1000000 ppm") }
        self.reserveIn = reserveIn
        self.reserveOut = reserveOut
        self.feePPM = feePPM
    }

    /// Input before the pool fee: `ceil(reserveIn * out / (reserveOut - out))`, or nil when `out >= reserveOut`.
    public func inputBeforeFee(forOutput output: Amount) throws(AmountError) -> Amount? {
        guard output < reserveOut else { return nil }
        let rest = reserveOut.subtractingReportingOverflow(output).partialValue
        return try reserveIn.multiplied(by: output, dividedBy: rest, rounding: .up)
    }

    public func input(forOutput output: Amount) throws(AmountError) -> Amount? {
        guard let raw = try inputBeforeFee(forOutput: output) else { return nil }
        if feePPM == 0 { return raw }
        return try raw.multiplied(by: LaneFee.million, dividedBy: Amount(UInt64(1_000_000 - feePPM)), rounding: .up)
    }

    /// Spot-price value of `output` in the input asset, rounded down: the part of the input that is not impact or fee.
    public func spotInput(forOutput output: Amount) throws(AmountError) -> Amount {
        try output.multiplied(by: reserveIn, dividedBy: reserveOut, rounding: .down)
    }

    /// The largest output with `input(forOutput:) <= input`, found from the closed-form estimate and checked
    /// against the exact-output formula (binary search when the estimate is off by rounding).
    public func output(forInput input: Amount) throws(AmountError) -> Amount {
        let afterFee = try input.multiplied(by: Amount(UInt64(1_000_000 - feePPM)), dividedBy: LaneFee.million, rounding: .down)
        let denominator = try reserveIn + afterFee
        var guess = try reserveOut.multiplied(by: afterFee, dividedBy: denominator, rounding: .down)
        let one = Amount(1)
        if let need = try self.input(forOutput: guess), need <= input {
            let next = try guess + one
            guard let needNext = try self.input(forOutput: next), needNext <= input else { return guess }
            guess = next
        }
        // Binary search for the largest feasible output in [0, reserveOut - 1].
        var low = Amount.zero
        var high = reserveOut.subtractingReportingOverflow(one).partialValue
        while low < high {
            let span = high.subtractingReportingOverflow(low).partialValue
            let mid = try low + (try span + one).dividedRounding(by: 2, .down)
            if let need = try self.input(forOutput: mid), need <= input { low = mid } else { high = mid.subtractingReportingOverflow(one).partialValue }
        }
        return low
    }

    /// A pool never hands out more than it takes in when `reserveIn >= reserveOut` (then every unit costs at least one).
    public var isExpanding: Bool { reserveIn >= reserveOut }
}
