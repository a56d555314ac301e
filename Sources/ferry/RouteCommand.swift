import ArgumentParser
import FerryCore
import FerryRouter
import Foundation

/// `ferry route`: the router on a graph file, with no chains involved.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Find the cheapest route in a graph file (see docs/routing.md).",
        subcommands: [Find.self, Gen.self, Bench.self],
        defaultSubcommand: Find.self)

    /// `ferry route [find] --graph F --from A --to B --deliver D`.
    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "find", abstract: "Route one query (the default subcommand).")

        @Option(help: "Graph file (JSON, format in docs/routing.md).") var graph: String
        @Option(help: "Source node id, e.g. base:USDC.") var from: String
        @Option(help: "Destination node id.") var to: String
        @Option(parsing: .unconditional, help: "Exact output: amount to deliver, integer smallest units.") var deliver: String?
        @Option(parsing: .unconditional, help: "Exact input: amount to send, integer smallest units.") var send: String?
        @Option(name: .customLong("max-hops"), help: "Most lanes on the path.") var maxHops: Int?
        @Option(name: .customLong("max-latency-ms"), help: "Most summed p95 latency, milliseconds.") var maxLatencyMs: UInt64?
        @Option(name: .customLong("max-fee"), help: "Most send - deliver, smallest units.") var maxFee: String?
        @Option(name: .customLong("max-parts"), help: "Most parts in a capacity-forced split (1 disables splitting).") var maxParts: Int = 3
        @Flag(help: "Print JSON ({\"path\",\"send\",\"total_fee\",\"latency_ms\"} or {\"error\",\"reason\"}).") var json = false

        func validate() throws {
            guard (deliver == nil) != (send == nil) else { throw ValidationError("give exactly one of --deliver or --send") }
        }

        func run() async throws {
            do {
                let router = try RouteCommand.loadRouter(graph)
                var c = RouteConstraints(maxLatencyMs: maxLatencyMs, maxHops: maxHops, maxParts: maxParts)
                if let maxFee { c.maxTotalFee = try RouteCommand.amount(maxFee, "--max-fee") }
                let fixed: RouteQuery.Fixed = if let deliver { .deliver(try RouteCommand.amount(deliver, "--deliver")) }
                    else { .send(try RouteCommand.amount(send ?? "", "--send")) }
                let plan = try router.route(RouteQuery(from: from, to: to, amount: fixed, constraints: c))
                print(json ? RouteCommand.json(plan) : RouteCommand.text(plan))
            } catch {
                if json { print(RouteCommand.json(error)) } else { FileHandle.standardError.write(Data("error: \(error)\n".utf8)) }
                throw ExitCode(1)
            }
        }
    }

    /// `ferry route gen`: write a seeded random graph file.
    struct Gen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "gen", abstract: "Write a seeded random graph file.")

        @Option(help: "Number of chains (two assets each).") var chains: Int = 50
        @Option(help: "Number of lanes.") var lanes: Int = 2_000
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "Shape: uniform, or lightning (~16k nodes / 80k lanes; ignores --chains/--lanes).") var preset: String = "uniform"
        @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?

        func validate() throws {
            guard GraphGenerator.Preset(rawValue: preset) != nil else { throw ValidationError("--preset must be uniform or lightning") }
            guard chains >= 1, lanes >= 0 else { throw ValidationError("--chains must be >= 1 and --lanes >= 0") }
        }

        func run() async throws {
            let file = GraphGenerator.generate(chains: chains, lanes: lanes, seed: seed, preset: GraphGenerator.Preset(rawValue: preset) ?? .uniform)
            let data = try JSONEncoder().encode(file)
            if let output { try data.write(to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(data) }
        }
    }

    /// `ferry route bench`: answer many queries in one process and time each one.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench", abstract: "Route a JSON list of {from,to,deliver} queries; print one JSON line per query with its cost and time.")

        @Option(help: "Graph file.") var graph: String
        @Option(help: "Queries file: [{\"from\":..,\"to\":..,\"deliver\":\"..\"}].") var queries: String
        @Option(name: .customLong("repeat"), help: "Timed repetitions per query (the median is reported).") var repetitions: Int = 5

        struct Query: Decodable { let from: String; let to: String; let deliver: String }

        func run() async throws {
            let router = try RouteCommand.loadRouter(graph)
            let list = try JSONDecoder().decode([Query].self, from: Data(contentsOf: URL(fileURLWithPath: queries)))
            let clock = ContinuousClock()
            for (i, q) in list.enumerated() {
                let query = RouteQuery.deliver(try Amount(parsing: q.deliver), from: q.from, to: q.to, constraints: .init(maxParts: 1))
                var times: [Int64] = []
                var result = ""
                for _ in 0..<max(1, repetitions) {
                    let t0 = clock.now
                    do {
                        let plan = try router.route(query)
                        result = "\"send\":\"\(plan.send)\",\"hops\":\(plan.parts[0].hops.count)"
                    } catch {
                        result = "\"error\":\"\(error.code)\""
                    }
                    let d = clock.now - t0
                    times.append(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
                }
                times.sort()
                print("{\"i\":\(i),\(result),\"ns\":\(times[times.count / 2])}")
            }
        }
    }

    // MARK: Helpers

    static func loadRouter(_ path: String) throws(RouteError) -> Router {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .invalidGraph(reason: "cannot read \(path): \(error.localizedDescription)")
        }
        let file: GraphFile
        do { file = try JSONDecoder().decode(GraphFile.self, from: data) } catch let e as DecodingError {
            throw .invalidGraph(reason: describe(e))
        } catch {
            throw .invalidGraph(reason: "\(path) is not valid JSON: \(error.localizedDescription)")
        }
        return Router(graph: try file.graph())
    }

    static func describe(_ e: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case let .keyNotFound(key, ctx): return "missing \"\(key.stringValue)\" at \(at(ctx.codingPath))"
        case let .typeMismatch(_, ctx), let .valueNotFound(_, ctx): return "wrong type at \(at(ctx.codingPath)): \(ctx.debugDescription)"
        case let .dataCorrupted(ctx): return "bad value at \(at(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    static func amount(_ text: String, _ flag: String) throws(RouteError) -> Amount {
        do { return try Amount(parsing: text) } catch { throw .invalidAmount(reason: "\(flag) \(error)") }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    static func json(_ plan: RoutePlan) -> String {
        let path = plan.parts[0].nodes.map(quoted).joined(separator: ",")
        var s = "{\"path\":[\(path)],\"send\":\"\(plan.send)\",\"total_fee\":\"\(plan.totalFee)\",\"latency_ms\":\(plan.latency.p50Ms)"
        if plan.latency.p95Ms != plan.latency.p50Ms { s += ",\"latency_p95_ms\":\(plan.latency.p95Ms)" }
        if plan.isSplit {
            let parts = plan.parts.map { p in
                "{\"path\":[\(p.nodes.map(quoted).joined(separator: ","))],\"send\":\"\(p.send)\",\"deliver\":\"\(p.deliver)\",\"latency_ms\":\(p.latency.p50Ms)}"
            }
            s += ",\"parts\":[\(parts.joined(separator: ","))]"
        }
        return s + "}"
    }

    static func json(_ error: RouteError) -> String {
        "{\"error\":\(quoted(error.code)),\"reason\":\(quoted(error.reason))}"
    }

    static func text(_ plan: RoutePlan) -> String {
        var lines = ["send \(plan.send), deliver \(plan.deliver), total fee \(plan.totalFee), latency p50 \(plan.latency.p50Ms) ms / p95 \(plan.latency.p95Ms) ms"]
        for (i, part) in plan.parts.enumerated() {
            if plan.isSplit { lines.append("part \(i + 1): send \(part.send) -> deliver \(part.deliver)") }
            for hop in part.hops {
                lines.append("  \(hop.from) -> \(hop.to)  in \(hop.input)  out \(hop.output)  fee \(hop.fees.bridgeFee)  (\(hop.latency.p50Ms) ms)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
