import FerryCore

/// An immutable route graph: nodes `(chain, asset)` and directed lanes between them.
///
/// Built once per fee snapshot and shared freely (`Sendable`, value semantics). Nodes are kept sorted by id,
/// so node order is the lexicographic order used for tie-breaking.
public struct RouteGraph: Sendable {
    /// Nodes sorted by id.
    public let nodes: [RouteNode]
    /// Lanes in the order given; a lane's position breaks ties between parallel lanes.
    public let lanes: [RouteLane]
    /// True when every lane's fee satisfies ``FeeModel/isExpanding`` (search may stop at the first answer).
    public let allExpanding: Bool

    let nodeIndex: [String: Int32]
    /// Lanes grouped by destination node (CSR): `incoming[inStart[v] ..< inStart[v + 1]]`.
    let inStart: [Int32]
    let incoming: [HotLane]
    /// Lanes grouped by source node (CSR).
    let outStart: [Int32]
    let outgoing: [HotLane]

    /// Builds a graph.
    /// - Throws: ``RouteError/invalidGraph(reason:)`` for duplicate node ids, lanes naming unknown nodes,
    ///   self-loops or duplicate lane ids.
    public init(nodes: [RouteNode], lanes: [RouteLane]) throws(RouteError) {
        let sorted = nodes.sorted { $0.id < $1.id }
        var index: [String: Int32] = [:]
        index.reserveCapacity(sorted.count)
        for (i, node) in sorted.enumerated() {
            guard !node.id.isEmpty else { throw .invalidGraph(reason: "a node has an empty id") }
            guard index.updateValue(Int32(i), forKey: node.id) == nil else {
                throw .invalidGraph(reason: "node \"\(node.id)\" is listed twice")
            }
        }
        guard sorted.count < Int(Int32.max), lanes.count < Int(Int32.max) else {
            throw .invalidGraph(reason: "more than 2^31 nodes or lanes")
        }
        var hot: [HotLane] = []
        hot.reserveCapacity(lanes.count)
        var laneIDs = Set<String>()
        var expanding = true
        for (i, lane) in lanes.enumerated() {
            guard let from = index[lane.from] else { throw .invalidGraph(reason: "lane \(lane.id) leaves unknown node \"\(lane.from)\"") }
            guard let to = index[lane.to] else { throw .invalidGraph(reason: "lane \(lane.id) goes to unknown node \"\(lane.to)\"") }
            guard from != to else { throw .invalidGraph(reason: "lane \(lane.id) goes from \(lane.from) to itself") }
            guard laneIDs.insert(lane.id).inserted else { throw .invalidGraph(reason: "lane id \"\(lane.id)\" is used twice") }
            expanding = expanding && lane.fee.isExpanding
            hot.append(HotLane(lane: Int32(i), from: from, to: to, lane: lane))
        }
        self.nodes = sorted
        self.lanes = lanes
        self.nodeIndex = index
        self.allExpanding = expanding
        (inStart, incoming) = Self.group(hot, nodeCount: sorted.count) { $0.to }
        (outStart, outgoing) = Self.group(hot, nodeCount: sorted.count) { $0.from }
    }

    /// Counting sort into CSR form, stable in lane order.
    private static func group(_ lanes: [HotLane], nodeCount: Int, by key: (HotLane) -> Int32) -> ([Int32], [HotLane]) {
        var start = [Int32](repeating: 0, count: nodeCount + 1)
        for lane in lanes { start[Int(key(lane)) + 1] += 1 }
        for i in 0..<nodeCount { start[i + 1] += start[i] }
        var cursor = start
        var out = lanes
        for lane in lanes {
            let k = Int(key(lane))
            out[Int(cursor[k])] = lane
            cursor[k] += 1
        }
        return (start, out)
    }

    /// The position of a node id, or nil.
    public func index(of id: String) -> Int? { nodeIndex[id].map(Int.init) }

    /// The node with an id.
    /// - Throws: ``RouteError/unknownNode(_:)``.
    public func node(_ id: String) throws(RouteError) -> RouteNode {
        guard let i = nodeIndex[id] else { throw .unknownNode(id) }
        return nodes[Int(i)]
    }
}

/// The search loop's compact copy of a lane: indices, the flat+ppm fast path, capacity, latency.
struct HotLane: Sendable {
    let lane: Int32
    let from: Int32
    let to: Int32
    /// 0: `input = out + fixed + ceil(out * ppm / 1e6)` (a ``LaneFee``); 1: ask the ``EdgeFee``.
    let isSimple: Bool
    let ppm: UInt32
    let fixed: Amount
    /// `Amount.max` when unlimited.
    let capacity: Amount
    let p50: UInt64
    let p95: UInt64

    init(lane index: Int32, from: Int32, to: Int32, lane: RouteLane) {
        self.lane = index
        self.from = from
        self.to = to
        if case let .lane(fee) = lane.fee {
            isSimple = true
            ppm = fee.feePPM
            fixed = fee.fixedFee
        } else {
            isSimple = false
            ppm = 0
            fixed = .zero
        }
        capacity = lane.capacity ?? .max
        p50 = lane.latency.p50Ms
        p95 = lane.latency.p95Ms
    }
}
