public import FerryCore

/// The JSON graph file read by `ferry route` (all amounts are decimal strings in one common smallest unit):
///
/// `{"nodes":[{"id":"base:USDC"}], "lanes":[{"from":"base:USDC","to":"arb:USDC","flat_fee":"1200","fee_ppm":300,
/// "latency_ms":4000,"capacity":"1000000000"}]}`
///
/// A lane delivering `out` needs `in = out + flat_fee + ceil(out * fee_ppm / 1_000_000)`, is usable only if
/// `out <= capacity` (omitted: unlimited), and adds `latency_ms`. Optional per lane: `id`, `bridge` (a name for
/// bridge filters), `latency_p95_ms` (defaults to `latency_ms`).
public struct GraphFile: Sendable, Hashable, Codable {
    /// A node entry.
    public struct Node: Sendable, Hashable, Codable {
        /// `"chain:ASSET"`.
        public var id: String
        /// Creates an entry.
        public init(id: String) { self.id = id }
    }

    /// A lane entry.
    public struct Lane: Sendable, Hashable, Codable {
        public var id: String?
        public var from: String
        public var to: String
        public var flatFee: Amount
        public var feePPM: UInt32
        public var latencyMs: UInt64
        public var latencyP95Ms: UInt64?
        public var capacity: Amount?
        public var bridge: String?

        enum CodingKeys: String, CodingKey {
            case id, from, to, capacity, bridge
            case flatFee = "flat_fee", feePPM = "fee_ppm", latencyMs = "latency_ms", latencyP95Ms = "latency_p95_ms"
        }

        /// Creates an entry.
        public init(id: String? = nil, from: String, to: String, flatFee: Amount, feePPM: UInt32, latencyMs: UInt64,
                    latencyP95Ms: UInt64? = nil, capacity: Amount? = nil, bridge: String? = nil) {
            self.id = id
            self.from = from
            self.to = to
            self.flatFee = flatFee
            self.feePPM = feePPM
            self.latencyMs = latencyMs
            self.latencyP95Ms = latencyP95Ms
            self.capacity = capacity
            self.bridge = bridge
        }
    }

    /// Nodes.
    public var nodes: [Node]
    /// Lanes.
    public var lanes: [Lane]

    /// Creates a file model.
    public init(nodes: [Node], lanes: [Lane]) {
        self.nodes = nodes
        self.lanes = lanes
    }

    /// The route graph this file describes. Lanes without an id get `from->to#position`.
    /// - Throws: ``RouteError/invalidGraph(reason:)``.
    public func graph() throws(RouteError) -> RouteGraph {
        var lanes: [RouteLane] = []
        lanes.reserveCapacity(self.lanes.count)
        for (i, l) in self.lanes.enumerated() {
            let fee: LaneFee
            do { fee = try LaneFee(flatFee: l.flatFee, feePPM: l.feePPM) } catch {
                throw .invalidGraph(reason: "lane \(i): \(error)")
            }
            let kind: RouteLane.Kind = if let b = l.bridge { .bridge(b) } else if RouteNode(id: l.from).chain == RouteNode(id: l.to).chain { .transfer } else { .bridge("default") }
            lanes.append(RouteLane(id: l.id ?? "\(l.from)->\(l.to)#\(i)", from: l.from, to: l.to, kind: kind, fee: .lane(fee),
                                   latency: Latency(p50Ms: l.latencyMs, p95Ms: l.latencyP95Ms ?? l.latencyMs), capacity: l.capacity))
        }
        return try RouteGraph(nodes: nodes.map { RouteNode(id: $0.id) }, lanes: lanes)
    }
}
