public import FerryCore

/// An edge's price as a function of the amount it moves.
///
/// Both directions must agree: `output(forInput: input(forOutput: x)!) >= x`, and `input(forOutput:)`
/// must be non-decreasing in its argument, which is what makes backward Dijkstra exact.
/// Implementations round against the payer: required inputs up, outputs down.
public protocol FeeModel: Sendable {
    /// The smallest input that makes the edge deliver exactly `output`, or nil when it cannot deliver that much
    /// (an AMM pool asked for its whole reserve).
    /// - Throws: ``AmountError`` when an intermediate exceeds 2^256-1.
    func input(forOutput output: Amount) throws(AmountError) -> Amount?

    /// The largest output the edge delivers for `input` (zero when the input does not even cover fixed fees).
    /// - Throws: ``AmountError`` when an intermediate exceeds 2^256-1.
    func output(forInput input: Amount) throws(AmountError) -> Amount

    /// True when `input(forOutput: x) >= x` for every `x` (the edge never turns a smaller amount into a larger one).
    /// Search can stop at the first settled answer only when every edge in the graph expands.
    var isExpanding: Bool { get }
}

extension FeeModel {
    /// Conservative default: custom models are assumed to possibly contract, so search runs to exhaustion.
    public var isExpanding: Bool { false }
}
