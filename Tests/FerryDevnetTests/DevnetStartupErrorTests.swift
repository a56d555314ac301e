import FerryTestSupport
import Foundation
import Testing

/// The `ferry` executable built beside this test bundle, if it was built.
private let ferryExecutable: URL? = {
    let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ferry")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

@Suite("ferry devnet start-up errors reach the user", .timeLimit(.minutes(1)),
       .enabled(if: ferryExecutable != nil, "build the ferry product first"))
struct DevnetStartupErrorTests {
    /// Runs `ferry devnet` with `arguments` in `directory`; its exit status and stderr.
    static func run(_ arguments: [String], in directory: URL) async throws -> (Int32, String) {
        let errors = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = ChildProcess()
        guard let executable = ferryExecutable else { throw TestFailure("no ferry binary beside the test bundle") }
        process.executableURL = executable
        process.arguments = ["devnet"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                done.resume()
            }
        }
        return (process.terminationStatus, (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    @Test("a missing config, malformed TOML, a bad chains_dir, a port in use, and no config at all each print the real problem")
    func startupErrors() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-devnet-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "[[[".write(to: directory.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
        try "chains_dir = \"nowhere\"\n".write(to: directory.appendingPathComponent("nochains.toml"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--config", "missing.toml"], "missing.toml"),
            (["--config", "bad.toml"], "line 1"),
            (["--config", "nochains.toml"], "nowhere"),
            ([], "chains/devnet.toml"),
        ]
        for (arguments, expected) in cases {
            let (status, stderr) = try await Self.run(arguments, in: directory)
            #expect(status != 0, "\(arguments)")
            #expect(stderr.contains(expected), "\(arguments): \(stderr)")
            #expect(!stderr.contains("Can't read a value"), "\(arguments): \(stderr)")
        }
    }

    @Test("a port already in use is reported as such, with a non-zero exit")
    func portInUse() async throws {
        let testnet = try await TestDevnet.make()
        let config = testnet.directory.appendingPathExtension("devnet.toml")
        try "chains_dir = \"\(testnet.directory.lastPathComponent)\"\n".write(to: config, atomically: true, encoding: .utf8)
        try await testnet.serve { served in
            let (status, stderr) = try await Self.run(["--config", config.path, "--port", "\(served.port)"], in: testnet.directory)
            #expect(status != 0)
            #expect(stderr.contains("cannot listen on 127.0.0.1:\(served.port): the address is in use"), "\(stderr)")
            #expect(!stderr.contains("bind(descriptor"), "NIO's internals leaked into the message: \(stderr)")
            #expect(!stderr.contains("Can't read a value"))
        }
    }
}
