import FerryAPI
import Foundation
import Testing
import FerryTestSupport

/// The `ferry` executable built beside this test bundle, if it was built.
private let ferryBinary: URL? = {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidate = bundleDirectory.appendingPathComponent("ferry")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

private let binaryBuilt = Testing.ConditionTrait.enabled(
    if: ferryBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
    "build the ferry product first (make test does); under CI a missing binary fails instead")

/// What one `ferry` run printed and how it exited.
struct FerryRun: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }

    /// Runs the built `ferry` with `arguments` against the server on `port`. Output goes to temporary files (not
    /// pipes) so nothing blocks a cooperative thread while the process runs.
    static func run(_ arguments: [String], port: Int, apiKey: String? = ServerWorld.apiKey) async throws -> FerryRun {
        guard let binary = ferryBinary else { throw CLITestFailure("no ferry binary beside the test bundle") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout")
        let err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = ChildProcess()
        process.executableURL = binary
        process.arguments = arguments + ["--server", "http://127.0.0.1:\(port)"]
        var environment = ProcessInfo.processInfo.environment
        environment["FERRY_API_KEY"] = apiKey
        environment["FERRY_SERVER"] = nil
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        var iterator = exits.makeAsyncIterator()
        let status = await iterator.next() ?? -1
        return FerryRun(status: status, stdout: try String(contentsOf: out, encoding: .utf8),
                        stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// stdout as one API body, checking it is exactly the server's encoding (one line of `FerryJSON`).
    func json<T: Codable>(_ type: T.Type) throws -> T {
        let text = stdout.trimmingCharacters(in: .newlines)
        let value = try JSONDecoder().decode(type, from: Data(text.utf8))
        #expect(String(decoding: try FerryJSON.encoder().encode(value), as: UTF8.self) == text, "not the server's JSON")
        return value
    }
}

struct CLITestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite("ferry quote, pay and status against a live server", .serialized, .timeLimit(.minutes(3)), binaryBuilt)
struct CLITests {
    static let route = ["--from", "1:USDC", "--to", "8453:USDC", "--receiver", "0x00000000000000000000000000000000000000aa"]

    @Test("quote prints a table of hops and totals, --json the server's quote; bad input and a wrong key fail in one line")
    func quoteAndErrors() async throws {
        let server = try await ServerWorld.make()
        try await server.live { _, port in
            let table = try await FerryRun.run(["quote"] + Self.route + ["--amount", "25"], port: port)
            #expect(table.status == 0, "\(table)")
            for text in ["Quote quo", "HOP", "LANE", "BRIDGE FEE", "GAS FEE", "ETA", "send", "deliver", "fee", "approved"] {
                #expect(table.stdout.contains(text), "\(text) missing:\n\(table.stdout)")
            }
            let json = try await FerryRun.run(["quote"] + Self.route + ["--amount", "25", "--json"], port: port)
            #expect(json.status == 0, "\(json)")
            let quote = try json.json(APIQuote.self)
            #expect(quote.deliver == "25" && !quote.hops.isEmpty && quote.policy.decision == "approved")
            #expect(table.stdout.contains(quote.hops[0].lane) && table.stdout.contains(quote.send))

            // Too many decimals for USDC: the server's problem, naming the field.
            let decimals = try await FerryRun.run(["quote"] + Self.route + ["--amount", "1.0000001"], port: port)
            #expect(decimals.status == 1 && decimals.stdout.isEmpty, "\(decimals)")
            #expect(decimals.stderr.contains("[field: amount]") && decimals.stderr.split(separator: "\n").count == 1, "\(decimals)")
            let problem = try await FerryRun.run(["pay"] + Self.route + ["--amount", "1.0000001", "--json", "--idempotency-key", "bad"], port: port)
            #expect(problem.status == 1, "\(problem)")
            let body = try problem.json(APIProblem.self)
            #expect(body.field == "amount" && body.status == 422)
            // Not a number at all: refused before any request, naming the option.
            let syntax = try await FerryRun.run(["quote"] + Self.route + ["--amount", "12,5"], port: port)
            #expect(syntax.status == 64 && syntax.stderr.contains("--amount"), "\(syntax)")

            let wrongKey = try await FerryRun.run(["quote"] + Self.route + ["--amount", "1"], port: port, apiKey: "not-a-key")
            #expect(wrongKey.status == 1 && wrongKey.stderr.contains("Missing or wrong API key") && wrongKey.stderr.contains("401"), "\(wrongKey)")
            #expect(!wrongKey.stderr.contains("not-a-key"), "the key is never echoed")
            let noKey = try await FerryRun.run(["status", "pay_x"], port: port, apiKey: nil)
            #expect(noKey.status == 64 && noKey.stderr.contains("FERRY_API_KEY"), "\(noKey)")
        }
    }

    @Test("pay --wait --json reaches delivered, a retry with the printed key returns the same payment, status shows the timeline")
    func payRetryStatus() async throws {
        let server = try await ServerWorld.make()
        try await server.live { _, port in
            let paid = try await FerryRun.run(["pay"] + Self.route + ["--amount", "25", "--wait", "--json"], port: port)
            #expect(paid.status == 0, "\(paid)")
            let payment = try paid.json(APIPayment.self)
            #expect(payment.state == "delivered" && payment.finished)
            // The generated key is on stderr (stdout is only the payment); paying again with it pays once.
            let key = try #require(paid.stderr.split(separator: "\n").first { $0.hasPrefix("idempotency key: ") }?
                .dropFirst("idempotency key: ".count).split(separator: " ").first.map(String.init), "\(paid)")
            let retry = try await FerryRun.run(["pay"] + Self.route + ["--amount", "25", "--idempotency-key", key, "--json"], port: port)
            #expect(retry.status == 0, "\(retry)")
            #expect(try retry.json(APIPayment.self).id == payment.id)
            let retryText = try await FerryRun.run(["pay"] + Self.route + ["--amount", "25", "--idempotency-key", key], port: port)
            #expect(retryText.status == 0 && retryText.stdout.contains("Payment \(payment.id)"), "\(retryText)")

            // Not a terminal: plain timeline lines, then the final payment.
            let waited = try await FerryRun.run(["pay"] + Self.route + ["--amount", "20", "--wait"], port: port)
            #expect(waited.status == 0, "\(waited)")
            #expect(waited.stdout.contains("idempotency key: ") && waited.stdout.contains("attested") && !waited.stdout.contains("\r"), "\(waited)")
            #expect(waited.stdout.contains("delivered (finished)"), "\(waited)")

            let status = try await FerryRun.run(["status", payment.id], port: port)
            #expect(status.status == 0, "\(status)")
            for text in ["Payment \(payment.id)", "delivered", "Timeline", "+0.0s", "quoted", "locked", "released"] {
                #expect(status.stdout.contains(text), "\(text) missing:\n\(status.stdout)")
            }
            let statusJSON = try await FerryRun.run(["status", payment.id, "--json", "--follow"], port: port)
            #expect(try statusJSON.json(APIPayment.self).id == payment.id, "\(statusJSON)")
            let missing = try await FerryRun.run(["status", "pay_missing"], port: port)
            #expect(missing.status == 1 && missing.stderr.contains("Not found"), "\(missing)")
        }
    }
}
