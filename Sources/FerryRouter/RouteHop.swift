public import FerryCore

/// One lane of a chosen path with the exact amounts that cross it.
public struct RouteHop: Sendable, Hashable {
    /// Lane id.
    public let lane: String
    /// Node the hop leaves.
    public let from: String
    /// Node the hop reaches.
    public let to: String
    /// What the payer puts in at `from` (smallest units of `from`'s asset).
    public let input: Amount
    /// What arrives at `to`.
    public let output: Amount
    /// How `input - output` (or the swap's price) splits into fees.
    public let fees: FeeBreakdown
    /// The hop's latency.
    public let latency: Latency

    /// Creates a hop.
    public init(lane: String, from: String, to: String, input: Amount, output: Amount, fees: FeeBreakdown, latency: Latency) {
        self.lane = lane
        self.from = from
        self.to = to
        self.input = input
        self.output = output
        self.fees = fees
        self.latency = latency
    }
}
