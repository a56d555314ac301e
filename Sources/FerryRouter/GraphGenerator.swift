import FerryCore

/// Seeded random graph files for tests and benchmarks (SplitMix64: same seed, same graph, on every platform).
public enum GraphGenerator {
    /// Shape presets.
    public enum Preset: String, Sendable, CaseIterable {
        /// Uniformly random lanes between `chains x 2` nodes (USDC and USDT per chain).
        case uniform
        /// Lightning-size: 8,000 chains x 2 assets = 16,000 nodes, 80,000 lanes, hub-heavy like the LN graph.
        case lightning
    }

    /// A graph file with `chains x assetsPerChain` nodes and `lanes` lanes.
    ///
    /// Fees: flat 0...5,000, ppm 0...3,000, latency 1 s...10 min (p95 up to 3x p50), capacity 10^6...10^12 or unlimited
    /// (one lane in five). Same-chain lanes are transfers, the rest bridges named `b0`...`b3`.
    /// The `lightning` preset ignores `chains` and `lanes` and draws half of all endpoints from 2% hub nodes.
    public static func generate(chains: Int, lanes: Int, seed: UInt64, assetsPerChain: Int = 2, preset: Preset = .uniform) -> GraphFile {
        var rng = SplitMix64(seed: seed)
        let chainCount = preset == .lightning ? 8_000 : max(1, chains)
        let laneCount = preset == .lightning ? 80_000 : max(0, lanes)
        let assets = ["USDC", "USDT", "DAI", "EURC"].prefix(max(1, min(4, assetsPerChain)))
        var nodes: [GraphFile.Node] = []
        for c in 0..<chainCount { for a in assets { nodes.append(.init(id: "c\(c):\(a)")) } }
        let n = UInt64(nodes.count)
        let hubs = max(1, n / 50)
        guard n >= 2 else { return GraphFile(nodes: nodes, lanes: []) }
        var out: [GraphFile.Lane] = []
        out.reserveCapacity(laneCount)
        func pick() -> Int {
            if preset == .lightning, rng.next() % 2 == 0 { return Int(rng.next() % hubs) * 7 % Int(n) }
            return Int(rng.next() % n)
        }
        while out.count < laneCount {
            let a = pick(), b = pick()
            if a == b { continue }
            let p50 = 1_000 + rng.next() % 599_000
            let capacity: Amount? = rng.next() % 5 == 0 ? nil : Amount(1_000_000 &* (1 + rng.next() % 1_000_000))
            let sameChain = RouteNode(id: nodes[a].id).chain == RouteNode(id: nodes[b].id).chain
            out.append(GraphFile.Lane(
                from: nodes[a].id, to: nodes[b].id, flatFee: Amount(rng.next() % 5_001), feePPM: UInt32(rng.next() % 3_001),
                latencyMs: p50, latencyP95Ms: p50 + rng.next() % (2 * p50 + 1), capacity: capacity,
                bridge: sameChain ? nil : "b\(rng.next() % 4)"))
        }
        return GraphFile(nodes: nodes, lanes: out)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and identical everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// A generator seeded with `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
