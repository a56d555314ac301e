import FerryCore
import FerryRouter
import Testing

/// Builders for hand-made graphs.
enum Build {
    static func lane(_ id: String, _ from: String, _ to: String, flat: UInt64 = 0, ppm: UInt32 = 0, ms: UInt64 = 1_000,
                     capacity: Amount? = nil, bridge: String = "b") throws -> RouteLane {
        RouteLane(id: id, from: from, to: to, kind: .bridge(bridge), fee: .lane(try LaneFee(flatFee: Amount(flat), feePPM: ppm)),
                  latency: Latency(ms: ms), capacity: capacity)
    }

    static func pool(_ id: String, _ from: String, _ to: String, reserveIn: UInt64, reserveOut: UInt64, ppm: UInt32) throws -> RouteLane {
        RouteLane(id: id, from: from, to: to, kind: .swap,
                  fee: .amm(try ConstantProductFee(reserveIn: Amount(reserveIn), reserveOut: Amount(reserveOut), feePPM: ppm)),
                  latency: Latency(ms: 500), capacity: nil)
    }

    static func graph(_ lanes: [RouteLane]) throws -> RouteGraph {
        let ids = Set(lanes.flatMap { [$0.from, $0.to] })
        return try RouteGraph(nodes: ids.map { RouteNode(id: $0) }, lanes: lanes)
    }
}

@Suite("Router behaviour")
struct RouterTests {
    @Test("flat vs proportional fees: the cheapest lane depends on the amount", arguments: [
        (UInt64(10_000), "percent"), (1_000_000, "flat"),
    ])
    func flatVersusProportional(amount: UInt64, expected: String) throws {
        let graph = try Build.graph([
            try Build.lane("flat", "a:USDC", "b:USDC", flat: 1_000),
            try Build.lane("percent", "a:USDC", "b:USDC", ppm: 10_000),
        ])
        let plan = try Router(graph: graph).route(.deliver(Amount(amount), from: "a:USDC", to: "b:USDC"))
        #expect(plan.parts[0].hops.map(\.lane) == [expected])
    }

    @Test("AMM price impact: a shallow cheap pool wins small trades, a deep pool wins large ones", arguments: [
        (UInt64(100), "shallow"), (200_000, "deep"),
    ])
    func priceImpact(amount: UInt64, expected: String) throws {
        let graph = try Build.graph([
            try Build.pool("shallow", "a:USDC", "a:USDT", reserveIn: 1_000_000, reserveOut: 1_000_000, ppm: 500),
            try Build.pool("deep", "a:USDC", "a:USDT", reserveIn: 1_000_000_000, reserveOut: 1_000_000_000, ppm: 3_000),
        ])
        let plan = try Router(graph: graph).route(.deliver(Amount(amount), from: "a:USDC", to: "a:USDT"))
        #expect(plan.parts[0].hops.map(\.lane) == [expected])
        let fees = plan.parts[0].hops[0].fees
        #expect(try fees.swapFee + fees.priceImpact <= plan.send)
    }

    @Test("capacity forces a split into two parts that together deliver the exact amount")
    func capacitySplit() throws {
        let graph = try Build.graph([
            try Build.lane("x", "a:USDC", "b:USDC", flat: 10, capacity: 600),
            try Build.lane("y", "a:USDC", "b:USDC", flat: 20, capacity: 600),
        ])
        let plan = try Router(graph: graph).route(.deliver(1_000, from: "a:USDC", to: "b:USDC"))
        #expect(plan.isSplit)
        #expect(plan.deliver == 1_000)
        #expect(plan.send == 1_030)
        #expect(plan.parts.allSatisfy { $0.deliver <= 600 })
        #expect(throws: RouteError.self) {
            try Router(graph: graph).route(.deliver(1_000, from: "a:USDC", to: "b:USDC", constraints: .init(maxParts: 1)))
        }
        #expect(throws: RouteError.self) { try Router(graph: graph).route(.deliver(1_201, from: "a:USDC", to: "b:USDC")) }
    }

    @Test("amounts near 2^256-1 overflow into amount_overflow naming the lane")
    func overflow() throws {
        let almostMax = try Amount.max - Amount(5)
        let graph = try Build.graph([try Build.lane("big", "a:X", "b:X", flat: 10)])
        #expect(throws: RouteError.amountOverflow(lane: "big", detail: "amount overflow: \(almostMax) + 10 + 0 exceeds 2^256-1")) {
            try Router(graph: graph).route(.deliver(almostMax, from: "a:X", to: "b:X"))
        }
        let ppm = try Build.graph([try Build.lane("ppm", "a:X", "b:X", ppm: 2_000_000)])
        let half = try Amount.max.dividedRounding(by: 2, .down)
        let error = attempt(Router(graph: ppm), .deliver(half, from: "a:X", to: "b:X")).1
        #expect(error?.code == "amount_overflow")
        #expect(throws: AmountError.self) { try LaneFee(flatFee: .max, feePPM: 0, gas: GasCost(gasUnits: 2, gasPrice: 1, nativeToAsset: .identity)) }
    }

    @Test("bad input gives clear errors", arguments: [
        ("nowhere:USDC", "b:USDC", UInt64(5), "unknown_node"),
        ("a:USDC", "nowhere:USDC", 5, "unknown_node"),
        ("a:USDC", "b:USDC", 0, "invalid_amount"),
        ("a:USDC", "a:USDC", 5, "invalid_query"),
        ("b:USDC", "a:USDC", 5, "no_route"),
    ])
    func badInput(from: String, to: String, amount: UInt64, code: String) throws {
        let graph = try Build.graph([try Build.lane("l", "a:USDC", "b:USDC")])
        let error = attempt(Router(graph: graph), .deliver(Amount(amount), from: from, to: to)).1
        #expect(error?.code == code)
        #expect(error?.reason.isEmpty == false)
    }

    @Test("malformed graphs are rejected with the offending node or lane")
    func malformedGraph() throws {
        #expect(throws: RouteError.invalidGraph(reason: "node \"a\" is listed twice")) {
            try RouteGraph(nodes: [RouteNode(id: "a"), RouteNode(id: "a")], lanes: [])
        }
        #expect(throws: RouteError.invalidGraph(reason: "lane l goes to unknown node \"z\"")) {
            try RouteGraph(nodes: [RouteNode(id: "a")], lanes: [try Build.lane("l", "a", "z")])
        }
        #expect(throws: RouteError.self) { try RouteGraph(nodes: [RouteNode(id: "a")], lanes: [try Build.lane("l", "a", "a")]) }
    }

    @Test("unreachable and over-limit queries say why")
    func reasons() throws {
        let graph = try Build.graph([try Build.lane("l1", "a:U", "b:U", ms: 5_000), try Build.lane("l2", "b:U", "c:U", ms: 5_000)])
        let router = Router(graph: graph)
        let hops = attempt(router, .deliver(5, from: "a:U", to: "c:U", constraints: .init(maxHops: 1))).1
        #expect(hops?.reason.contains("at most 1 hops") == true)
        let latency = attempt(router, .deliver(5, from: "a:U", to: "c:U", constraints: .init(maxLatencyMs: 9_999))).1
        #expect(latency?.reason.contains("9999 ms") == true)
        let denied = attempt(router, .deliver(5, from: "a:U", to: "c:U", constraints: .init(deniedChains: ["b"]))).1
        #expect(denied?.reason.contains("not reachable") == true)
        let bridge = attempt(router, .deliver(5, from: "a:U", to: "c:U", constraints: .init(deniedBridges: ["b"]))).1
        #expect(bridge?.code == "no_route")
        #expect(attempt(router, .deliver(5, from: "a:U", to: "c:U", constraints: .init(allowedBridges: ["b"]))).0 != nil)
    }

    @Test("fastest and value-of-time objectives trade cost for time")
    func objectives() throws {
        let graph = try Build.graph([
            try Build.lane("slow", "a:U", "b:U", flat: 10, ms: 600_000),
            try Build.lane("fast", "a:U", "b:U", flat: 500, ms: 2_000),
        ])
        let router = Router(graph: graph)
        #expect(try router.route(.deliver(1_000, from: "a:U", to: "b:U")).parts[0].hops[0].lane == "slow")
        #expect(try router.route(.deliver(1_000, from: "a:U", to: "b:U", objective: .fastest)).parts[0].hops[0].lane == "fast")
        // 1 unit per second of waiting: slow costs 10 + 600, fast 500 + 2.
        #expect(try router.route(.deliver(1_000, from: "a:U", to: "b:U", objective: .cheapestWithTimeValue(perSecond: 1))).parts[0].hops[0].lane == "fast")
        #expect(try router.route(.deliver(1_000, from: "a:U", to: "b:U", objective: .cheapestWithTimeValue(perSecond: 0))).parts[0].hops[0].lane == "slow")
    }
}
