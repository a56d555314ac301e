import FerryCore
import FerryRouter
import Testing

@Suite("Fee models")
struct FeeModelTests {
    @Test("lane fee: output(forInput:) is the exact inverse of input(forOutput:)", arguments: [UInt32(0), 1, 300, 999_999, 2_500_000])
    func laneInverse(ppm: UInt32) throws {
        let fee = try LaneFee(flatFee: 1_200, feePPM: ppm)
        var rng = SplitMix64(seed: UInt64(ppm) + 1)
        for _ in 0..<2_000 {
            let input = Amount(rng.next() % 10_000_000_000)
            let out = try fee.output(forInput: input)
            if out.isZero { continue }
            #expect(try fee.input(forOutput: out)! <= input)
            #expect(try fee.input(forOutput: try out + 1)! > input)
        }
    }

    @Test("lane fee rounds the proportional part up", arguments: [(UInt64(1), UInt32(1), UInt64(1)), (1_000_000, 300, 300), (1_000_001, 300, 301), (0, 300, 0)])
    func ppmRoundsUp(out: UInt64, ppm: UInt32, fee: UInt64) throws {
        #expect(try LaneFee(flatFee: 0, feePPM: ppm).proportionalFee(forOutput: Amount(out)) == Amount(fee))
    }

    @Test("AMM: exact-output input is rounded against the payer and inverts exactly")
    func ammInverse() throws {
        let pool = try ConstantProductFee(reserveIn: 5_000_000, reserveOut: 3_000_000, feePPM: 3_000)
        // ceil(ceil(5e6 * 1000 / 2_999_000) * 1e6 / 997_000) = ceil(1668 * 1e6 / 997000) = 1674
        #expect(try pool.input(forOutput: 1_000) == 1_674)
        #expect(try pool.input(forOutput: 3_000_000) == nil)
        var rng = SplitMix64(seed: 9)
        for _ in 0..<1_000 {
            let input = Amount(1 + rng.next() % 50_000_000)
            let out = try pool.output(forInput: input)
            if !out.isZero { #expect(try pool.input(forOutput: out)! <= input) }
            if let next = try pool.input(forOutput: try out + 1) { #expect(next > input) }
        }
    }

    @Test("destination gas converts at the snapshot's rate, rounded up")
    func gasFromSnapshot() throws {
        // 21000 gas x 3 wei, 1 wei = 1/1000 unit: 63000 wei = 63 units exactly; 21001 gas -> 63.003 -> 64.
        let snapshot = FeeSnapshot(id: "s1", takenAtMs: 1_000, gasPrices: ["arb": 3],
                                   nativeRates: ["arb": try ExchangeRate(numerator: 1, denominator: 1_000)])
        let nodes = [RouteNode(id: "base:USDC"), RouteNode(id: "arb:USDC")]
        for (gas, expected) in [(UInt64(21_000), UInt64(63)), (21_001, 64)] {
            let spec = LaneSpec(id: "l", from: "base:USDC", to: "arb:USDC", kind: .bridge("cctp"),
                                pricing: .lane(flatFee: 100, feePPM: 0, gasUnits: gas), latency: Latency(ms: 1_000))
            let graph = try RouteGraph(specs: [spec], nodes: nodes, snapshot: snapshot)
            let quote = try Router(graph: graph).quote(.deliver(1_000, from: "base:USDC", to: "arb:USDC"), snapshot: snapshot)
            #expect(quote.send == Amount(1_100 + expected))
            #expect(quote.legs[0].hops[0].fees.gasFee == Amount(expected))
            #expect(quote.legs[0].hops[0].fees.gasNative == Amount(gas * 3))
            #expect(quote.snapshotID == "s1")
            #expect(quote.expiresAtMs == 31_000)
        }
        let missing = LaneSpec(id: "l", from: "base:USDC", to: "arb:USDC", kind: .transfer,
                               pricing: .lane(flatFee: 0, feePPM: 0, gasUnits: 1), latency: .zero)
        #expect(throws: RouteError.self) { try RouteGraph(specs: [missing], nodes: nodes, snapshot: FeeSnapshot(id: "s", takenAtMs: 0)) }
    }

    @Test("quotes explain why they beat the runner-up and have stable ids")
    func quoteReason() throws {
        let graph = try Build.graph([
            try Build.lane("cheap", "a:U", "b:U", flat: 10),
            try Build.lane("dear", "a:U", "b:U", flat: 25),
        ])
        let snapshot = FeeSnapshot(id: "s", takenAtMs: 0)
        let router = Router(graph: graph)
        let q = try router.quote(.deliver(100, from: "a:U", to: "b:U"), snapshot: snapshot)
        #expect(q.reason == "cheapest: sends 15 less than the runner-up via a:U -> b:U (125)")
        #expect(try router.quote(.deliver(100, from: "a:U", to: "b:U"), snapshot: snapshot).id == q.id)
        let only = try Router(graph: try Build.graph([try Build.lane("x", "a:U", "b:U")])).quote(.deliver(1, from: "a:U", to: "b:U"), snapshot: snapshot)
        #expect(only.reason.hasPrefix("only route"))
    }
}
