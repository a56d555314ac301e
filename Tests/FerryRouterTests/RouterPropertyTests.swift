import FerryCore
import FerryRouter
import Testing

/// The plan, or the error, of one query (keeps typed-throw catches out of loops).
func attempt(_ router: Router, _ query: RouteQuery) -> (RoutePlan?, RouteError?) {
    do { return (try router.route(query), nil) } catch { return (nil, error) }
}

@Suite("Router matches brute force on random graphs")
struct RouterPropertyTests {
    struct Limits: Sendable, CustomTestStringConvertible {
        let maxHops: Int?
        let maxLatency: UInt64?
        var testDescription: String { "hops \(maxHops.map(String.init) ?? "any"), latency \(maxLatency.map(String.init) ?? "any")" }
    }

    static let limits = [Limits(maxHops: nil, maxLatency: nil), Limits(maxHops: 2, maxLatency: nil),
                         Limits(maxHops: nil, maxLatency: 12), Limits(maxHops: 3, maxLatency: 15)]

    @Test("exact-output cost and path equal brute force over all simple paths (300 graphs per limit set)", arguments: limits)
    func exactOutput(limits: Limits) throws {
        for seed in UInt64(1)...300 {
            let graph = try SmallGraphs.lanes(seed: seed, nodes: 4 + Int(seed % 4), lanes: 6 + Int(seed % 11))
            let router = Router(graph: graph)
            let brute = BruteForce(graph: graph)
            let amount = Amount(1 + (seed * 7919) % 20_000)
            for (from, to) in [("c0:USDC", "c1:USDC"), ("c2:USDC", "c0:USDC"), ("c3:USDC", "c1:USDC")] {
                let query = RouteQuery.deliver(amount, from: from, to: to, constraints: .init(
                    maxLatencyMs: limits.maxLatency, maxHops: limits.maxHops, maxParts: 1))
                let expected = try brute.best(from: from, to: to, deliver: amount, maxHops: limits.maxHops ?? .max,
                                              maxLatency: limits.maxLatency ?? .max)
                let (plan, error) = attempt(router, query)
                if let plan {
                    #expect(plan.send == expected?.amount, "seed \(seed) \(from)->\(to)")
                    #expect(plan.parts[0].hops.map(\.lane) == expected?.path.map { graph.lanes[$0].id }, "tie-break, seed \(seed)")
                    #expect(plan.deliver == amount)
                } else {
                    #expect(expected == nil, "seed \(seed) \(from)->\(to): router said \(String(describing: error))")
                    #expect(error?.code == "no_route", "seed \(seed)")
                }
            }
        }
    }

    @Test("max total fee prunes exactly", arguments: [UInt64(0), 30, 200, 5_000])
    func maxFee(fee: UInt64) throws {
        for seed in UInt64(1)...200 {
            let graph = try SmallGraphs.lanes(seed: seed, nodes: 6, lanes: 12)
            let amount = Amount(1_000 + seed)
            let expected = try BruteForce(graph: graph).best(from: "c0:USDC", to: "c1:USDC", deliver: amount, maxSend: try amount + Amount(fee))
            let plan = try? Router(graph: graph).route(.deliver(amount, from: "c0:USDC", to: "c1:USDC",
                                                                 constraints: .init(maxTotalFee: Amount(fee), maxParts: 1)))
            #expect(plan?.send == expected?.amount, "seed \(seed)")
        }
    }

    @Test("exact-input delivered amount equals brute force", arguments: [nil, 2] as [Int?])
    func exactInput(maxHops: Int?) throws {
        for seed in UInt64(1)...300 {
            let graph = try SmallGraphs.lanes(seed: seed, nodes: 5 + Int(seed % 3), lanes: 8 + Int(seed % 9))
            let amount = Amount(100 + (seed * 104_729) % 10_000)
            let expected = try BruteForce(graph: graph).bestDeliver(from: "c0:USDC", to: "c1:USDC", send: amount, maxHops: maxHops ?? .max)
            let plan = try? Router(graph: graph).route(.send(amount, from: "c0:USDC", to: "c1:USDC", constraints: .init(maxHops: maxHops)))
            #expect(plan?.deliver == expected, "seed \(seed)")
            if let plan { #expect(plan.send == amount) }
        }
    }

    @Test("graphs with AMM pools: exact when pools expand, and on DAGs when they do not", arguments: [true, false])
    func pools(expanding: Bool) throws {
        for seed in UInt64(1)...200 {
            let graph = try SmallGraphs.mixed(seed: seed, nodes: 5 + Int(seed % 3), lanes: 8 + Int(seed % 8), expanding: expanding)
            #expect(graph.allExpanding == expanding || graph.allExpanding)
            let amount = Amount(1 + (seed * 31) % 5_000)
            for hops in [nil, 2] as [Int?] {
                let expected = try BruteForce(graph: graph).best(from: "c0:T", to: "c4:T", deliver: amount, maxHops: hops ?? .max)
                let plan = try? Router(graph: graph).route(.deliver(amount, from: "c0:T", to: "c4:T", constraints: .init(maxHops: hops, maxParts: 1)))
                #expect(plan?.send == expected?.amount, "seed \(seed) hops \(String(describing: hops))")
            }
        }
    }

    @Test("capacity-forced splits equal brute force over all splits into at most 3 paths (400 graphs)")
    func splits() throws {
        var splitCount = 0
        for seed in UInt64(1)...400 {
            let graph = try SmallGraphs.lanes(seed: seed &* 977, nodes: 4 + Int(seed % 2), lanes: 8 + Int(seed % 5), tightCapacity: true)
            let amount = UInt64(10 + seed % 21)  // <= 32 shares, so every integer split is a candidate
            let brute = BruteForce(graph: graph)
            let single = try brute.best(from: "c0:USDC", to: "c1:USDC", deliver: Amount(amount))
            guard single == nil else { continue }
            let expected = try brute.bestSplit(from: "c0:USDC", to: "c1:USDC", deliver: amount, maxParts: 3)
            let plan = try? Router(graph: graph).route(.deliver(Amount(amount), from: "c0:USDC", to: "c1:USDC",
                                                                 constraints: .init(maxParts: 3, splitShares: 32, splitCandidates: 1_000)))
            #expect(plan?.send == expected, "seed \(seed)")
            if let plan {
                splitCount += 1
                #expect(plan.deliver == Amount(amount))
                #expect(plan.isSplit)
            }
        }
        #expect(splitCount >= 20, "too few instances needed a split: \(splitCount)")
    }
}
