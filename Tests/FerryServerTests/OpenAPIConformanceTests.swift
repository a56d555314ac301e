import FerryServer
import Foundation
import Testing
import FerryTestSupport

/// Runs schemathesis (pinned in Tests/requirements.txt, installed by `make setup` into .venv) against a live
/// server on a loopback port: every operation of docs/openapi.yaml with generated requests, checking status codes,
/// content types and response bodies against the document.
@Suite("OpenAPI conformance (schemathesis against a live server)")
struct OpenAPIConformanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["FERRY_PYTHON"], root.appendingPathComponent(".venv/bin/python").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("the running server matches docs/openapi.yaml")
    func conformance() async throws {
        let python = try #require(Self.python, "no Python virtualenv: run `make setup` (installs schemathesis into .venv)")
        let server = try await ServerWorld.make()
        try await server.live { _, port in
            let spec = Self.root.appendingPathComponent("docs/openapi.yaml").path
            let (status, output) = try await Self.run(python, [
                "-m", "schemathesis.cli", "run", spec, "--base-url", "http://127.0.0.1:\(port)",
                "-H", "Authorization: Bearer \(ServerWorld.apiKey)",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--hypothesis-max-examples", "25", "--hypothesis-seed", "7", "--hypothesis-derandomize",
                "--experimental", "openapi-3.1", "--exclude-path", "/v1/payments/{id}/events", "--request-timeout", "10000", "--no-color",
            ])
            #expect(status == 0, "schemathesis found problems:\n\(output.suffix(6_000))")
            if ProcessInfo.processInfo.environment["FERRY_TEST_TRACE"] != nil { print(output) }
        }
    }

    /// Runs a process to completion without blocking the cooperative pool; returns its status and combined output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEMATHESIS_TELEMETRY"] = "false"
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: output)
        return (status, text)
    }
}
