public import FerryCore

/// The fee model of one lane. Built-in models are enum cases so the search loop dispatches
/// without an existential call; ``custom(_:)`` takes any ``FeeModel``.
public enum EdgeFee: Sendable {
    /// Flat + ppm + gas (bridges and same-chain transfers).
    case lane(LaneFee)
    /// Constant-product swap.
    case amm(ConstantProductFee)
    /// Any other monotone model.
    case custom(any FeeModel)

    /// See ``FeeModel/input(forOutput:)``.
    @inlinable
    public func input(forOutput output: Amount) throws(AmountError) -> Amount? {
        switch self {
        case let .lane(f): try f.input(forOutput: output)
        case let .amm(f): try f.input(forOutput: output)
        case let .custom(f): try f.input(forOutput: output)
        }
    }

    /// See ``FeeModel/output(forInput:)``.
    public func output(forInput input: Amount) throws(AmountError) -> Amount {
        switch self {
        case let .lane(f): try f.output(forInput: input)
        case let .amm(f): try f.output(forInput: input)
        case let .custom(f): try f.output(forInput: input)
        }
    }

    /// See ``FeeModel/isExpanding``.
    public var isExpanding: Bool {
        switch self {
        case let .lane(f): f.isExpanding
        case let .amm(f): f.isExpanding
        case let .custom(f): f.isExpanding
        }
    }

    /// Splits the cost of moving `output` (for `input`) into its parts.
    /// - Throws: ``AmountError`` on overflow.
    public func breakdown(input: Amount, output: Amount) throws(AmountError) -> FeeBreakdown {
        switch self {
        case let .lane(f):
            let proportional = try f.proportionalFee(forOutput: output)
            return FeeBreakdown(
                bridgeFee: try f.flatFee + proportional, gasNative: try f.gas?.nativeCost() ?? .zero,
                gasFee: f.gasFee, swapFee: .zero, priceImpact: .zero)
        case let .amm(f):
            let raw = try f.inputBeforeFee(forOutput: output) ?? input
            let spot = try f.spotInput(forOutput: output)
            return FeeBreakdown(
                bridgeFee: .zero, gasNative: .zero, gasFee: .zero,
                swapFee: input.saturatingSubtract(raw), priceImpact: raw.saturatingSubtract(spot))
        case .custom:
            return FeeBreakdown(
                bridgeFee: input.saturatingSubtract(output), gasNative: .zero, gasFee: .zero, swapFee: .zero, priceImpact: .zero)
        }
    }
}
