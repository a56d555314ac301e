import Benchmark
import FerryCore
import FerryRouter

/// Quote latency on generated graphs (same generator and seeds as `ferry route gen`).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5))

    for (name, file) in [
        ("route 50 chains / 2000 lanes", GraphGenerator.generate(chains: 50, lanes: 2_000, seed: 7)),
        ("route lightning 16k nodes / 80k lanes", GraphGenerator.generate(chains: 0, lanes: 0, seed: 7, preset: .lightning)),
    ] {
        guard let graph = try? file.graph() else { continue }
        let router = Router(graph: graph)
        var rng = SplitMix64(seed: 1)
        let queries = (0..<64).map { _ in
            RouteQuery.deliver(Amount(1_000_000 + rng.next() % 1_000_000_000),
                               from: graph.nodes[Int(rng.next() % UInt64(graph.nodes.count))].id,
                               to: graph.nodes[Int(rng.next() % UInt64(graph.nodes.count))].id,
                               constraints: .init(maxParts: 1))
        }
        Benchmark(name) { benchmark in
            for i in benchmark.scaledIterations {
                blackHole(try? router.route(queries[i % queries.count]))
            }
        }
    }
}
