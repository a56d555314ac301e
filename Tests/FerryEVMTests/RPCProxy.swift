import FerryTestSupport
import Foundation
import Testing

@testable import FerryEVM

/// `Tests/vectors/rpc_proxy.py` in front of a real node: forwards every call and tampers with the answers as
/// told (forged or foreign logs, an ignored address filter, removed logs, a trickling body, huge answers, another
/// chain id, shifted timestamps). See the script's docstring for the modes.
final class RPCProxy: @unchecked Sendable {  // immutable after init; the process is only terminated
    let process: ChildProcess
    let input: Pipe
    let port: Int
    /// A client for the proxy's own control methods (no retries, short timeout).
    let control: JSONRPCClient

    init(upstream: String) throws {
        let peer = try startPythonLoopbackPeer("rpc_proxy.py", arguments: ["--upstream", upstream])
        port = peer.port
        process = peer.process
        self.input = peer.input
        control = JSONRPCClient(endpoint: "http://127.0.0.1:\(port)", configuration: .init(timeout: .seconds(10), retry: .none))
    }

    deinit { if process.isRunning { process.terminate() } }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Replaces the proxy's whole mode (`[:]` makes it honest again).
    func configure(_ mode: [String: JSONValue]) async throws {
        _ = try await control.call("proxy_configure", [.object(mode)])
    }

    /// The proxy's counters (`calls`, `trickled`, `huge`, `forged`).
    func stats() async throws -> [String: Int64] {
        guard case let .object(fields) = try await control.call("proxy_stats") else { return [:] }
        return fields.compactMapValues { if case let .integer(n) = $0 { n } else { nil } }
    }
}
