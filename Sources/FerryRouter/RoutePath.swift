public import FerryCore

/// One path through the graph with its exact amounts: a whole route, or one part of a split.
public struct RoutePath: Sendable, Hashable {
    /// Hops from source to destination.
    public let hops: [RouteHop]
    /// Amount leaving the source.
    public let send: Amount
    /// Amount arriving at the destination.
    public let deliver: Amount
    /// Summed latency of the hops.
    public let latency: Latency

    /// Creates a path from hops (at least one).
    public init(hops: [RouteHop]) {
        self.hops = hops
        send = hops.first?.input ?? .zero
        deliver = hops.last?.output ?? .zero
        latency = hops.reduce(Latency.zero) { $0 + $1.latency }
    }

    /// Node ids from source to destination.
    public var nodes: [String] {
        guard let first = hops.first else { return [] }
        return [first.from] + hops.map(\.to)
    }

    /// Builds a path from lane indices and the amount at every node (source first).
    /// - Throws: ``RouteError/amountOverflow(lane:detail:)``.
    static func build(graph: RouteGraph, lanes: [Int32], amounts: [Amount]) throws(RouteError) -> RoutePath {
        var hops: [RouteHop] = []
        hops.reserveCapacity(lanes.count)
        for (i, index) in lanes.enumerated() {
            let lane = graph.lanes[Int(index)]
            let fees: FeeBreakdown
            do { fees = try lane.fee.breakdown(input: amounts[i], output: amounts[i + 1]) } catch {
                throw .amountOverflow(lane: lane.id, detail: error.description)
            }
            hops.append(RouteHop(lane: lane.id, from: lane.from, to: lane.to, input: amounts[i], output: amounts[i + 1],
                                 fees: fees, latency: lane.latency))
        }
        return RoutePath(hops: hops)
    }
}
