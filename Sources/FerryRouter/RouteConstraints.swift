public import FerryCore

/// Hard limits on a route. Every limit is enforced exactly (no route that breaks one is ever returned).
public struct RouteConstraints: Sendable, Hashable {
    /// Most `send - deliver` may be (both in smallest units; meaningful when source and destination share a unit).
    public var maxTotalFee: Amount?
    /// Most the route's summed p95 latency may be, in milliseconds.
    public var maxLatencyMs: UInt64?
    /// Most lanes a path may use.
    public var maxHops: Int?
    /// If set, only nodes on these chains may be used (source and destination included).
    public var allowedChains: Set<String>?
    /// Nodes on these chains are never used.
    public var deniedChains: Set<String>
    /// If set, bridge lanes must belong to one of these bridges (swaps and transfers are unaffected).
    public var allowedBridges: Set<String>?
    /// Bridge lanes of these bridges are never used.
    public var deniedBridges: Set<String>
    /// Most parts a capacity-forced split may have; 1 disables splitting.
    public var maxParts: Int
    /// Granularity of splits: part amounts are multiples of `ceil(amount / splitShares)` (one part takes the rest).
    public var splitShares: Int
    /// How many cheapest simple paths the split search considers.
    public var splitCandidates: Int

    /// No limits; splits of up to 3 parts in 1/32 shares over the 12 cheapest paths.
    public init(maxTotalFee: Amount? = nil, maxLatencyMs: UInt64? = nil, maxHops: Int? = nil,
                allowedChains: Set<String>? = nil, deniedChains: Set<String> = [],
                allowedBridges: Set<String>? = nil, deniedBridges: Set<String> = [],
                maxParts: Int = 3, splitShares: Int = 32, splitCandidates: Int = 12) {
        self.maxTotalFee = maxTotalFee
        self.maxLatencyMs = maxLatencyMs
        self.maxHops = maxHops
        self.allowedChains = allowedChains
        self.deniedChains = deniedChains
        self.allowedBridges = allowedBridges
        self.deniedBridges = deniedBridges
        self.maxParts = maxParts
        self.splitShares = splitShares
        self.splitCandidates = splitCandidates
    }

    /// True when a node or lane filter is set.
    var filters: Bool {
        allowedChains != nil || !deniedChains.isEmpty || allowedBridges != nil || !deniedBridges.isEmpty
    }
}
