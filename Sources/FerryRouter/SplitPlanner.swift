import FerryCore

/// Splits an exact-output amount across several paths when no single path has the capacity.
///
/// Guarantee: the returned split has the least total `send` among all splits into at most `maxParts` distinct
/// candidate paths in which every part but one is a whole number of shares (`q = ceil(D / splitShares)`) and one
/// part takes the rest; the candidates are the `splitCandidates` cheapest simple paths (priced at one share)
/// that meet the hop, latency and chain/bridge limits. When `D <= splitShares` the share is 1, so every integer
/// split is considered, and when the graph has at most `splitCandidates` simple paths the candidates are all
/// of them: on such instances the answer equals brute force over all splits. Parts share lane capacity
/// (outputs summed per lane) and are priced independently on the snapshot; two parts never share an AMM pool.
struct SplitPlanner {
    let router: Router
    let prepared: Router.Prepared
    let constraints: RouteConstraints
    let total: Amount
    let share: Amount
    let maxOtherShares: Int

    init(router: Router, prepared: Router.Prepared, constraints: RouteConstraints) {
        self.router = router
        self.prepared = prepared
        self.constraints = constraints
        total = prepared.amount
        let shares = Amount(UInt64(constraints.splitShares))
        share = (try? total.dividedRounding(by: shares, .up)) ?? Amount(1)  // shares >= 1, so this cannot fail
        // Other parts take at most floor((D - 1) / q) shares in total, which is below splitShares.
        let limit = (try? total.saturatingSubtract(Amount(1)).dividedRounding(by: share, .down))?.uint64 ?? 0
        maxOtherShares = Int(min(limit, UInt64(constraints.splitShares)))
    }

    private struct Candidate {
        let lanes: [Int32]
        /// send[k] for an amount of k shares (index 0 unused), nil when the path cannot carry it.
        var sendForShares: [Amount?]
        /// send for the rest `D - T * q`, indexed by T.
        var sendForRest: [Amount?]
        var hasPool: Bool
        var p95: UInt64
    }

    private struct Best {
        var send: Amount
        var parts: [(candidate: Int, amount: Amount)]
        var p95: UInt64
    }

    mutating func plan() throws(RouteError) -> RoutePlan? {
        let candidates = try findCandidates()
        guard candidates.count >= 2 else { return nil }
        var best: Best?
        let maxParts = min(constraints.maxParts, candidates.count)
        guard maxParts >= 2 else { return nil }
        for m in 2...maxParts {
            var combo: [Int] = []
            try choose(m, from: 0, candidates, &combo, &best)
        }
        guard let best else { return nil }
        var paths: [RoutePath] = []
        for part in best.parts {
            guard let amounts = try amounts(candidates[part.candidate].lanes, deliver: part.amount, residual: nil) else { return nil }
            paths.append(try RoutePath.build(graph: router.graph, lanes: candidates[part.candidate].lanes, amounts: amounts))
        }
        return try RoutePlan(parts: paths)
    }

    /// Chooses `m` candidates in index order, then every absorber and share assignment.
    private func choose(_ m: Int, from: Int, _ c: [Candidate], _ combo: inout [Int], _ best: inout Best?) throws(RouteError) {
        if combo.count == m {
            for absorber in combo {
                let others = combo.filter { $0 != absorber }
                var shares: [Int] = []
                try assign(others, absorber, c, &shares, used: 0, cost: .zero, &best)
            }
            return
        }
        guard from < c.count else { return }
        for i in from..<c.count {
            combo.append(i)
            try choose(m, from: i + 1, c, &combo, &best)
            combo.removeLast()
        }
    }

    private func assign(_ others: [Int], _ absorber: Int, _ c: [Candidate], _ shares: inout [Int], used: Int, cost: Amount,
                        _ best: inout Best?) throws(RouteError) {
        if let b = best, cost > b.send { return }
        if shares.count == others.count {
            guard let rest = c[absorber].sendForRest[used] else { return }
            let (sum, overflow) = cost.addingReportingOverflow(rest)
            guard !overflow else { throw .amountOverflow(lane: "split", detail: "total send of a split exceeds 2^256-1") }
            var parts: [(Int, Amount)] = []
            for (i, k) in zip(others, shares) { parts.append((i, try sharesAmount(k))) }
            parts.append((absorber, try sharesAmount(-used)))
            parts.sort { $0.0 < $1.0 }
            let p95 = parts.map { c[$0.0].p95 }.max() ?? 0
            if let b = best {
                // Least send, then fewer parts, then lower p95, then the earlier-enumerated split.
                if (sum, parts.count, p95) >= (b.send, b.parts.count, b.p95) { return }
            }
            guard try fitsCapacity(parts, c) else { return }
            best = Best(send: sum, parts: parts, p95: p95)
            return
        }
        let remaining = others.count - shares.count - 1
        let candidate = others[shares.count]
        var k = 1
        while used + k + remaining <= maxOtherShares {
            if let s = c[candidate].sendForShares[k] {
                let (sum, overflow) = cost.addingReportingOverflow(s)
                guard !overflow else { throw .amountOverflow(lane: "split", detail: "total send of a split exceeds 2^256-1") }
                shares.append(k)
                try assign(others, absorber, c, &shares, used: used + k, cost: sum, &best)
                shares.removeLast()
            }
            k += 1
        }
    }

    /// `k * q` for k > 0; for k <= 0 the rest `D - |k| * q`.
    private func sharesAmount(_ k: Int) throws(RouteError) -> Amount {
        do {
            if k > 0 { return try share * Amount(UInt64(k)) }
            return try total - (try share * Amount(UInt64(-k)))
        } catch {
            throw .amountOverflow(lane: "split", detail: error.description)
        }
    }

    /// Checks summed per-lane outputs against capacities, and that no AMM pool is used twice.
    private func fitsCapacity(_ parts: [(Int, Amount)], _ c: [Candidate]) throws(RouteError) -> Bool {
        var load: [Int32: Amount] = [:]
        var pools = Set<Int32>()
        for (i, amount) in parts {
            guard let amounts = try amounts(c[i].lanes, deliver: amount, residual: nil) else { return false }
            for (h, lane) in c[i].lanes.enumerated() {
                if case .amm = router.graph.lanes[Int(lane)].fee, !pools.insert(lane).inserted { return false }
                let (sum, overflow) = (load[lane] ?? .zero).addingReportingOverflow(amounts[h + 1])
                guard !overflow else { return false }
                if let cap = router.graph.lanes[Int(lane)].capacity, sum > cap { return false }
                load[lane] = sum
            }
        }
        return true
    }

    /// Amount at every node (source first) to deliver `deliver` along `lanes`, or nil when a lane cannot carry it.
    private func amounts(_ lanes: [Int32], deliver: Amount, residual: [Amount]?) throws(RouteError) -> [Amount]? {
        var out = [Amount](repeating: .zero, count: lanes.count + 1)
        out[lanes.count] = deliver
        var x = deliver
        for h in stride(from: lanes.count - 1, through: 0, by: -1) {
            let lane = router.graph.lanes[Int(lanes[h])]
            if let cap = lane.capacity, x > cap { return nil }
            do {
                guard let input = try lane.fee.input(forOutput: x) else { return nil }
                x = input
            } catch {
                throw .amountOverflow(lane: lane.id, detail: error.description)
            }
            out[h] = x
        }
        if let bound = prepared.bound, x > bound { return nil }
        return out
    }

    /// The cheapest simple paths at one share, best first: Lawler-style enumeration where each found path
    /// spawns searches that ban one more of its lanes. Every simple path avoids some lane of any other path
    /// to the same ends, so the enumeration is complete and, taken cheapest first, exact.
    private func findCandidates() throws(RouteError) -> [Candidate] {
        struct Pending { let send: Amount; let hops: Int; let order: Int; let banned: Set<Int32>; let found: PathSearch.Found }
        let base = prepared.laneAllowed ?? [Bool](repeating: true, count: router.graph.lanes.count)
        let probe = min(share, total)
        var pending: [Pending] = []
        var seen = Set<[Int32]>()
        var triedBans = Set<Set<Int32>>()
        var result: [Candidate] = []
        var order = 0
        let budget = 64 * constraints.splitCandidates + 256  // searches; bounds the enumeration on huge graphs
        var searches = 0
        func searchBanned(_ banned: Set<Int32>) throws(RouteError) -> PathSearch.Found? {
            var mask = base
            for b in banned { mask[Int(b)] = false }
            searches += 1
            return try router.search(prepared, residual: nil, bound: nil, constraints: constraints, amount: probe, laneAllowed: .some(mask))
        }
        triedBans.insert([])
        if let f = try searchBanned([]) { pending.append(Pending(send: f.amounts[0], hops: f.lanes.count, order: order, banned: [], found: f)) }
        while !pending.isEmpty, result.count < constraints.splitCandidates, searches < budget {
            let i = pending.indices.min { a, b in
                (pending[a].send, pending[a].hops, pending[a].order) < (pending[b].send, pending[b].hops, pending[b].order)
            } ?? 0
            let next = pending.remove(at: i)
            if seen.insert(next.found.lanes).inserted {
                result.append(try candidate(next.found))
            }
            for lane in next.found.lanes {
                var banned = next.banned
                banned.insert(lane)
                guard triedBans.insert(banned).inserted, searches < budget else { continue }
                if let f = try searchBanned(banned) {
                    order += 1
                    pending.append(Pending(send: f.amounts[0], hops: f.lanes.count, order: order, banned: banned, found: f))
                }
            }
        }
        return result
    }

    private func candidate(_ f: PathSearch.Found) throws(RouteError) -> Candidate {
        var byShares: [Amount?] = [nil]
        for k in 1...max(1, maxOtherShares) {
            byShares.append(try amounts(f.lanes, deliver: try sharesAmount(k), residual: nil)?[0])
        }
        var byRest: [Amount?] = []
        for t in 0...max(0, maxOtherShares) {
            byRest.append(try amounts(f.lanes, deliver: try sharesAmount(-t), residual: nil)?[0])
        }
        let hasPool = f.lanes.contains { if case .amm = router.graph.lanes[Int($0)].fee { true } else { false } }
        return Candidate(lanes: f.lanes, sendForShares: byShares, sendForRest: byRest, hasPool: hasPool, p95: f.p95)
    }
}
