import FerryCore
@testable import FerryRouter

/// Reference answers by enumerating every simple path (small graphs only).
struct BruteForce {
    let graph: RouteGraph

    /// Every simple path from `from` to `to` as lane indices, with at most `maxHops` lanes.
    func paths(from: String, to: String, maxHops: Int = .max) -> [[Int]] {
        var out: [[Int]] = []
        var path: [Int] = []
        var visited: Set<String> = [from]
        func dfs(_ node: String) {
            if node == to { out.append(path); return }
            if path.count >= maxHops { return }
            for (i, lane) in graph.lanes.enumerated() where lane.from == node && !visited.contains(lane.to) {
                visited.insert(lane.to); path.append(i)
                dfs(lane.to)
                path.removeLast(); visited.remove(lane.to)
            }
        }
        dfs(from)
        return out
    }

    /// Send needed to deliver `amount` along `path` (nil when a capacity or pool blocks it).
    func send(_ path: [Int], deliver amount: Amount) throws -> Amount? {
        var x = amount
        for i in path.reversed() {
            let lane = graph.lanes[i]
            if let cap = lane.capacity, x > cap { return nil }
            guard let input = try lane.fee.input(forOutput: x) else { return nil }
            x = input
        }
        return x
    }

    /// Amount delivered for `amount` sent along `path` (nil when blocked or nothing arrives).
    func deliver(_ path: [Int], send amount: Amount) throws -> Amount? {
        var x = amount
        for i in path {
            let lane = graph.lanes[i]
            x = try lane.fee.output(forInput: x)
            if x.isZero { return nil }
            if let cap = lane.capacity, x > cap { return nil }
        }
        return x
    }

    func p95(_ path: [Int]) -> UInt64 { path.reduce(0) { $0 + graph.lanes[$1].latency.p95Ms } }

    /// Path order: hop by hop, node reached then lane position.
    func pathLess(_ a: [Int], _ b: [Int]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            let nx = graph.index(of: graph.lanes[x].to) ?? 0, ny = graph.index(of: graph.lanes[y].to) ?? 0
            return nx != ny ? nx < ny : x < y
        }
        return a.count < b.count
    }

    struct Best { let path: [Int]; let amount: Amount }

    /// The optimum by the router's documented order: cost, hops, p95, path order.
    func best(from: String, to: String, deliver amount: Amount, maxHops: Int = .max, maxLatency: UInt64 = .max,
              maxSend: Amount? = nil) throws -> Best? {
        var best: Best?
        for p in paths(from: from, to: to, maxHops: maxHops) where p95(p) <= maxLatency {
            guard let s = try send(p, deliver: amount) else { continue }
            if let maxSend, s > maxSend { continue }
            if let b = best {
                let key = (s, p.count, p95(p)), bk = (b.amount, b.path.count, p95(b.path))
                if key > bk || (key == bk && !pathLess(p, b.path)) { continue }
            }
            best = Best(path: p, amount: s)
        }
        return best
    }

    /// Most delivered for an exact input.
    func bestDeliver(from: String, to: String, send amount: Amount, maxHops: Int = .max) throws -> Amount? {
        var best: Amount?
        for p in paths(from: from, to: to, maxHops: maxHops) {
            guard let d = try deliver(p, send: amount) else { continue }
            if best == nil || d > best! { best = d }
        }
        return best
    }

    /// Least total send over every split into 2...maxParts distinct paths and every positive integer division of `amount`.
    func bestSplit(from: String, to: String, deliver amount: UInt64, maxParts: Int, maxHops: Int = .max) throws -> Amount? {
        let all = paths(from: from, to: to, maxHops: maxHops)
        var best: Amount?
        func evaluate(_ chosen: [Int], _ amounts: [UInt64]) throws {
            var load: [Int: Amount] = [:]
            var total = Amount.zero
            for (p, a) in zip(chosen, amounts) {
                var x = Amount(a)
                for i in all[p].reversed() {
                    let lane = graph.lanes[i]
                    let l = try (load[i] ?? .zero) + x
                    if let cap = lane.capacity, l > cap { return }
                    load[i] = l
                    guard let input = try lane.fee.input(forOutput: x) else { return }
                    x = input
                }
                total = try total + x
            }
            if best == nil || total < best! { best = total }
        }
        func compositions(_ n: UInt64, _ k: Int) -> [[UInt64]] {
            if k == 1 { return n >= 1 ? [[n]] : [] }
            guard n >= UInt64(k) else { return [] }
            var out: [[UInt64]] = []
            for first in 1...(n - UInt64(k - 1)) { for rest in compositions(n - first, k - 1) { out.append([first] + rest) } }
            return out
        }
        func combos(_ k: Int, _ start: Int, _ acc: [Int]) throws {
            if acc.count == k {
                for split in compositions(amount, k) { try evaluate(acc, split) }
                return
            }
            guard start < all.count else { return }
            for i in start..<all.count { try combos(k, i + 1, acc + [i]) }
        }
        if maxParts >= 2 { for k in 2...maxParts { try combos(k, 0, []) } }
        return best
    }
}

/// Small seeded random graphs for property tests.
enum SmallGraphs {
    static func lanes(seed: UInt64, nodes: Int, lanes: Int, tightCapacity: Bool = false) throws -> RouteGraph {
        var rng = SplitMix64(seed: seed)
        let ids = (0..<nodes).map { "c\($0):USDC" }
        var out: [RouteLane] = []
        while out.count < lanes {
            let a = Int(rng.next() % UInt64(nodes)), b = Int(rng.next() % UInt64(nodes))
            if a == b { continue }
            let fee = try LaneFee(flatFee: Amount(rng.next() % 50), feePPM: UInt32(rng.next() % 4) * 50_000)
            let cap: Amount? = tightCapacity ? Amount(3 + rng.next() % 20) : (rng.next() % 3 == 0 ? Amount(500 + rng.next() % 5_000) : nil)
            let p50 = 1 + rng.next() % 10
            out.append(RouteLane(id: "l\(out.count)", from: ids[a], to: ids[b], kind: .bridge("b\(rng.next() % 2)"), fee: .lane(fee),
                                 latency: Latency(p50Ms: p50, p95Ms: p50 + rng.next() % 5), capacity: cap))
        }
        return try RouteGraph(nodes: ids.map { RouteNode(id: $0) }, lanes: out)
    }

    /// Lanes and AMM pools mixed; `expanding` keeps every pool at reserveIn >= reserveOut. Not expanding: a DAG.
    static func mixed(seed: UInt64, nodes: Int, lanes: Int, expanding: Bool) throws -> RouteGraph {
        var rng = SplitMix64(seed: seed)
        let ids = (0..<nodes).map { "c\($0):T" }
        var out: [RouteLane] = []
        while out.count < lanes {
            var a = Int(rng.next() % UInt64(nodes)), b = Int(rng.next() % UInt64(nodes))
            if a == b { continue }
            if !expanding, a > b { swap(&a, &b) }
            let fee: EdgeFee
            if rng.next() % 2 == 0 {
                let rOut = 10_000 + rng.next() % 100_000
                let rIn = expanding ? rOut + rng.next() % 50_000 : 1_000 + rng.next() % 200_000
                fee = .amm(try ConstantProductFee(reserveIn: Amount(rIn), reserveOut: Amount(rOut), feePPM: UInt32(rng.next() % 10_000)))
            } else {
                fee = .lane(try LaneFee(flatFee: Amount(rng.next() % 100), feePPM: UInt32(rng.next() % 20_000)))
            }
            out.append(RouteLane(id: "l\(out.count)", from: ids[a], to: ids[b], kind: .swap, fee: fee,
                                 latency: Latency(ms: 1 + rng.next() % 10), capacity: nil))
        }
        return try RouteGraph(nodes: ids.map { RouteNode(id: $0) }, lanes: out)
    }
}
