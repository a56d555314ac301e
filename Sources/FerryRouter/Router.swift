import FerryCore

/// Finds exact cheapest (or fastest) routes in a ``RouteGraph``.
///
/// A `Router` is an immutable value: build one per fee snapshot and call it from any number of tasks.
/// Every amount is an exact integer; an intermediate that would exceed 2^256-1 ends the query with
/// ``RouteError/amountOverflow(lane:detail:)`` rather than a wrong route.
public struct Router: Sendable {
    /// The graph routes are searched in.
    public let graph: RouteGraph

    /// A router over `graph`.
    public init(graph: RouteGraph) {
        self.graph = graph
    }

    /// The best route for `query`: a single path when one can carry the amount, otherwise (exact output only)
    /// the cheapest split into at most `constraints.maxParts` parts.
    /// - Throws: ``RouteError`` naming the unknown node, bad amount, broken limit or overflowing lane.
    public func route(_ query: RouteQuery) throws(RouteError) -> RoutePlan {
        let prepared = try prepare(query)
        if let found = try search(prepared, residual: nil, bound: prepared.bound, constraints: query.constraints) {
            return try RoutePlan(parts: [RoutePath.build(graph: graph, lanes: found.lanes, amounts: found.amounts)])
        }
        return try routeWithoutSinglePath(query, prepared)
    }

    /// The best route whose first lane differs from `excludingFirstLane` (the runner-up of a quote), or nil.
    func runnerUp(_ query: RouteQuery, excludingFirstLane lane: String) throws(RouteError) -> RoutePlan? {
        var prepared = try prepare(query)
        guard let banned = graph.lanes.firstIndex(where: { $0.id == lane }) else { return nil }
        var allowed = prepared.laneAllowed ?? [Bool](repeating: true, count: graph.lanes.count)
        allowed[banned] = false
        prepared.laneAllowed = allowed
        guard let found = try search(prepared, residual: nil, bound: prepared.bound, constraints: query.constraints) else { return nil }
        return try RoutePlan(parts: [RoutePath.build(graph: graph, lanes: found.lanes, amounts: found.amounts)])
    }

    struct Prepared {
        var source: Int32
        var destination: Int32
        var amount: Amount
        var backward: Bool
        var nodeAllowed: [Bool]?
        var laneAllowed: [Bool]?
        var bound: Amount?
        var objective: RouteObjective
    }

    private func prepare(_ query: RouteQuery) throws(RouteError) -> Prepared {
        guard let source = graph.nodeIndex[query.from] else { throw .unknownNode(query.from) }
        guard let destination = graph.nodeIndex[query.to] else { throw .unknownNode(query.to) }
        guard source != destination else { throw .invalidQuery(reason: "source and destination are both \(query.from)") }
        let c = query.constraints
        if let hops = c.maxHops, hops < 1 { throw .invalidQuery(reason: "max hops must be at least 1, not \(hops)") }
        guard c.maxParts >= 1, c.splitShares >= 1, c.splitCandidates >= 1 else {
            throw .invalidQuery(reason: "maxParts, splitShares and splitCandidates must be at least 1")
        }
        let (amount, backward): (Amount, Bool) = switch query.amount {
        case let .deliver(a): (a, true)
        case let .send(a): (a, false)
        }
        guard !amount.isZero else { throw .invalidAmount(reason: "the amount must be greater than zero") }
        if !backward, case .cheapestWithTimeValue = query.objective {
            throw .invalidQuery(reason: "the value-of-time objective needs an exact-output (deliver) query")
        }
        var bound: Amount?
        if let fee = c.maxTotalFee {
            if backward {
                let (b, overflow) = amount.addingReportingOverflow(fee)
                bound = overflow ? nil : b
            } else {
                bound = amount.saturatingSubtract(fee)
            }
        }
        var nodeAllowed: [Bool]?
        var laneAllowed: [Bool]?
        if c.allowedChains != nil || !c.deniedChains.isEmpty {
            let mask = graph.nodes.map { node in
                (c.allowedChains?.contains(node.chain) ?? true) && !c.deniedChains.contains(node.chain)
            }
            for (end, index) in [(query.from, source), (query.to, destination)] where !mask[Int(index)] {
                throw .noRoute(from: query.from, to: query.to, reason: "\(end) is on a chain the constraints exclude")
            }
            nodeAllowed = mask
        }
        if c.allowedBridges != nil || !c.deniedBridges.isEmpty {
            laneAllowed = graph.lanes.map { lane in
                guard let bridge = lane.bridge else { return true }
                return (c.allowedBridges?.contains(bridge) ?? true) && !c.deniedBridges.contains(bridge)
            }
        }
        return Prepared(source: source, destination: destination, amount: amount, backward: backward,
                        nodeAllowed: nodeAllowed, laneAllowed: laneAllowed, bound: bound, objective: query.objective)
    }

    func search(_ p: Prepared, residual: [Amount]?, bound: Amount?, constraints: RouteConstraints,
                amount: Amount? = nil, laneAllowed: [Bool]?? = nil) throws(RouteError) -> PathSearch.Found? {
        var s = PathSearch(graph: graph, backward: p.backward, source: p.source, destination: p.destination,
                           amount: amount ?? p.amount, objective: p.objective, constraints: constraints,
                           nodeAllowed: p.nodeAllowed, laneAllowed: laneAllowed ?? p.laneAllowed, residual: residual, bound: bound)
        return try s.run()
    }

    /// No single path qualifies: find out which limit bites, and split when capacity is the reason.
    private func routeWithoutSinglePath(_ query: RouteQuery, _ p: Prepared) throws(RouteError) -> RoutePlan {
        let c = query.constraints
        let unlimited = [Amount](repeating: .max, count: graph.lanes.count)
        let capacityFree = try search(p, residual: unlimited, bound: p.bound, constraints: c, amount: p.backward ? p.amount : nil)
        if capacityFree != nil {
            if p.backward, c.maxParts > 1 {
                var planner = SplitPlanner(router: self, prepared: p, constraints: c)
                if let plan = try planner.plan() { return plan }
                throw .noRoute(from: query.from, to: query.to, reason:
                    "no single path has capacity for \(p.amount), and no split into at most \(c.maxParts) parts "
                    + "(shares of 1/\(c.splitShares) over the \(c.splitCandidates) cheapest paths) fits the lane capacities")
            }
            throw .noRoute(from: query.from, to: query.to, reason: p.backward
                ? "no single path has capacity for \(p.amount) and splitting is disabled (max parts 1)"
                : "no single path has capacity to carry what \(p.amount) buys; exact-input queries are not split")
        }
        let open = RouteConstraints(allowedChains: c.allowedChains, deniedChains: c.deniedChains,
                                    allowedBridges: c.allowedBridges, deniedBridges: c.deniedBridges)
        let reachable = try search(p, residual: unlimited, bound: nil, constraints: open) != nil
        guard reachable else {
            let filtered = c.filters ? " with the allowed/denied chains and bridges" : ""
            return try fail(query, "\(query.to) is not reachable from \(query.from)\(filtered)")
        }
        var limits: [String] = []
        if let h = c.maxHops { limits.append("at most \(h) hops") }
        if let l = c.maxLatencyMs { limits.append("p95 latency at most \(l) ms") }
        if let f = c.maxTotalFee { limits.append("total fee at most \(f)") }
        return try fail(query, "every path breaks a limit (\(limits.joined(separator: ", ")))")
    }

    private func fail(_ query: RouteQuery, _ reason: String) throws(RouteError) -> RoutePlan {
        throw .noRoute(from: query.from, to: query.to, reason: reason)
    }
}
