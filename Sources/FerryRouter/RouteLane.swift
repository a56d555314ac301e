public import FerryCore

/// One directed edge of the route graph: a bridge lane, an AMM swap, or a same-chain transfer.
public struct RouteLane: Sendable {
    /// What kind of edge this is.
    public enum Kind: Sendable, Hashable {
        /// A cross-chain bridge operated by `bridge` (constraints can allow or deny bridges by name).
        case bridge(String)
        /// A swap in an AMM pool on one chain.
        case swap
        /// A plain transfer on one chain.
        case transfer
    }

    /// Unique id (in graph files: `from->to#index` unless the file names it).
    public let id: String
    /// Node the value leaves.
    public let from: String
    /// Node the value arrives at.
    public let to: String
    /// Edge kind.
    public let kind: Kind
    /// Fee model.
    public let fee: EdgeFee
    /// Latency of the hop.
    public let latency: Latency
    /// Most this lane can deliver (pool liquidity, rate-limit headroom); nil means unlimited.
    public let capacity: Amount?

    /// Creates a lane.
    public init(id: String, from: String, to: String, kind: Kind, fee: EdgeFee, latency: Latency, capacity: Amount?) {
        self.id = id
        self.from = from
        self.to = to
        self.kind = kind
        self.fee = fee
        self.latency = latency
        self.capacity = capacity
    }

    /// The bridge name, if this is a bridge lane.
    public var bridge: String? {
        if case let .bridge(name) = kind { return name }
        return nil
    }
}
