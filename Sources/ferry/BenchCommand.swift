import ArgumentParser
import FerryRelayerBench
import Foundation
import Logging

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that run in this process.",
        subcommands: [Relayer.self])

    struct Relayer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End-to-end relayer throughput: in-process chains, real ZeroMQ gossip, real SQLite journals.",
            discussion: """
                Prints transfers/s, p50/p99 lock-to-release latency, peak memory and the raw crypto bound (n signatures + \
                k recoveries per transfer on the same cores) measured in the same run. Build with -c release.
                """)

        @Option(name: .long, help: "Transfers to lock and release (split across both directions).")
        var transfers = 20_000

        @Option(name: .long, help: "Relayer nodes.")
        var relayers = 5

        @Option(name: .long, help: "Signatures a release needs.")
        var threshold = 3

        @Option(name: .long, help: "Transfers in flight at most (closed-loop load).")
        var window = 4_000

        @Option(name: .long, help: "Locks submitted per 400 ms clock step at most.")
        var locksPerStep = 400

        @Option(name: .long, help: "Give up after this many seconds of wall time.")
        var timeout = 600

        @Flag(name: .long, help: "Print the report as JSON.")
        var json = false

        func validate() throws {
            guard transfers >= 2 else { throw ValidationError("--transfers must be at least 2") }
            guard (1...32).contains(relayers) else { throw ValidationError("--relayers must be 1...32") }
            guard (1...relayers).contains(threshold) else { throw ValidationError("--threshold must be 1...\(relayers)") }
            guard window >= 1, locksPerStep >= 1, timeout >= 1 else {
                throw ValidationError("--window, --locks-per-step and --timeout must be positive")
            }
        }

        func run() async throws {
            var options = RelayerBench.Options()
            options.transfers = transfers
            options.relayers = relayers
            options.threshold = threshold
            options.window = window
            options.locksPerStep = locksPerStep
            options.timeout = .seconds(timeout)
            var logger = Logger(label: "ferry.bench")
            logger.logLevel = .error
            let report = try await RelayerBench(options: options, logger: logger).run { line in
                FileHandle.standardError.write(Data("bench: \(line)\n".utf8))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text)
            }
        }
    }
}
