import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing
import FerryTestSupport

/// The `ferry` executable built beside this test bundle, if it was built.
private let ferryBinary: URL? = {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidate = bundleDirectory.appendingPathComponent("ferry")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

@Suite("ferry devnet as a separate process", .timeLimit(.minutes(1)))
struct DevnetProcessTests {
    /// What `ferry devnet --json` prints once listening.
    struct Announcement: Decodable {
        struct Chain: Decodable {
            let id: UInt64
            let url: String
        }
        let url: String
        let port: Int
        let adminToken: String
        let chains: [Chain]
    }

    @Test("ferry devnet --port 0 --json serves other processes and exits 0 on SIGTERM, even with a long-poll open",
          .enabled(if: ferryBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                   "build the ferry product first (make test does); under CI a missing binary fails instead"))
    func separateProcess() async throws {
        let testnet = try await TestDevnet.make()
        let config = testnet.directory.appendingPathExtension("devnet.toml")
        try "chains_dir = \"\(testnet.directory.lastPathComponent)\"\nseed = 3\n".write(to: config, atomically: true, encoding: .utf8)
        let errors = testnet.directory.appendingPathExtension("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = ChildProcess()
        guard let binary = ferryBinary else { throw TestFailure("no ferry binary beside the test bundle") }
        process.executableURL = binary
        process.arguments = ["devnet", "--config", config.path, "--port", "0", "--json"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errors)
        let (lines, emit) = AsyncStream.makeStream(of: String.self)
        let buffer = LineBuffer()
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                emit.finish()
                handle.readabilityHandler = nil
            }
            for line in buffer.append(data) { emit.yield(line) }
        }
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var lineIterator = lines.makeAsyncIterator()
        let first = try #require(await lineIterator.next(),
                                 "ferry devnet printed nothing; stderr: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
        let announcement = try JSONDecoder().decode(Announcement.self, from: Data(first.utf8))
        #expect(announcement.port > 0 && announcement.url == "http://127.0.0.1:\(announcement.port)")
        #expect(announcement.chains.map(\.id) == [7001, 7002, 7003, 7004])

        // Another "process" (this one) talks to it through the remote adapter and the admin API.
        let remote = try await RemoteChainAdapter.connect(devnetURL: announcement.url, chain: 7003, requestTimeout: .seconds(5))
        let admin = DevnetAdminClient(devnetURL: announcement.url, adminToken: announcement.adminToken)
        let account = Address(Keccak256.hash("process test"))
        try await admin.fund(account, asset: "USDC", amount: 42, on: 7003)
        #expect(try await remote.balance(of: account, asset: "USDC") == Amount(42))

        // Hold a long-poll open across the shutdown: the server must end it rather than wait out its timeout.
        let slow = RemoteChainAdapter(info: remote.info, devnetURL: announcement.url, pollTimeout: .seconds(25))
        let head = try await slow.head().height
        let stream = slow.events(from: head + 1)
        let (firstEvent, signal) = AsyncStream.makeStream(of: Void.self)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // After the first event the stream asks again at once: that poll is open when SIGTERM arrives.
                for try await _ in stream { signal.yield() }
            }
            var events = firstEvent.makeAsyncIterator()
            await events.next()
            process.terminate()  // SIGTERM
            var exitIterator = exits.makeAsyncIterator()
            let status = try #require(await exitIterator.next())
            #expect(status == 0, "ferry devnet exited \(status) on SIGTERM")
            #expect(process.terminationReason == .exit)
            #expect(ContinuousClock.now - started < .seconds(15), "shutdown waited for the long-poll")
            group.cancelAll()
        }
    }
}

/// Splits a byte stream into lines (readability handlers run serially, but on their own thread).
final class LineBuffer: @unchecked Sendable {
    // Only touched from the pipe's readability handler, which FileHandle never runs concurrently with itself.
    private var pending = Data()

    func append(_ data: Data) -> [String] {
        pending.append(data)
        var lines: [String] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
            pending.removeSubrange(pending.startIndex...newline)
        }
        return lines
    }
}
