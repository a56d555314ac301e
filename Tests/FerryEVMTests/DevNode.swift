import FerryTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `scripts/evm_node.py` as a child process on a free loopback port, with a minimal JSON-RPC caller.
/// Tests only: Ferry's own client is the async-http-client one.
final class DevNode: @unchecked Sendable {  // immutable after init; Process is only terminated
    let process: ChildProcess
    let port: Int
    let chainId: UInt64

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// - Parameter port: 0 for a free port; a fixed one to restart a stopped node where it was.
    init(chainId: UInt64, port: Int = 0) throws {
        let p = ChildProcess()
        p.executableURL = URL(fileURLWithPath: PythonVectors.python)
        p.arguments = [PythonVectors.packageRoot.appendingPathComponent("scripts/evm_node.py").path,
                       "--chain-id", "\(chainId)", "--idle-timeout", "120", "--port", "\(port)"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw Failure(description: "evm_node.py exited before printing its port (run `make setup`)")
            }
            line.append(chunk)
        }
        guard let info = try JSONSerialization.jsonObject(with: line) as? [String: Any], let port = info["port"] as? Int else {
            throw Failure(description: "evm_node.py printed an unexpected first line: \(String(decoding: line, as: UTF8.self))")
        }
        process = p
        self.port = port
        self.chainId = chainId
    }

    deinit { stop() }

    func stop() {
        if process.isRunning { process.terminate() }
    }

    /// Stops the node and polls until its process has exited (so its port is free), for at most 10 s.
    func stopAndWait() async throws {
        stop()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Calls `method`; returns `result`, or throws the JSON-RPC error object's message and data.
    func call(_ method: String, _ params: [Any]) async throws -> Any {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)")!)  // literal URL: cannot fail
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": 1, "method": method, "params": params])
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let reply = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "not a JSON object")
        }
        if let error = reply["error"] as? [String: Any] {
            throw RPCFailure(code: error["code"] as? Int ?? 0, message: error["message"] as? String ?? "",
                             data: error["data"] as? String)
        }
        return reply["result"] ?? NSNull()
    }

    struct RPCFailure: Error {
        let code: Int
        let message: String
        let data: String?
    }
}
