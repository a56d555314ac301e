import AsyncHTTPClient
import FerryAgent
import FerryAPI
import FerryClient
import FerryCore
import FerryServer
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Logging
import Testing

/// The embedded Ferry behind its HTTP API, for tests: `live` serves it on a loopback port with the world driver
/// running, `router` exercises the router in process (the clock only moves when a test advances it).
struct ServerWorld {
    static let apiKey = "test-key-agent-1"
    static let otherKey = "test-key-agent-2"
    static let quiet = Logger(label: "ferry.test", factory: { _ in SwiftLogNoOpLogHandler() })
    let ferry: EmbeddedFerry

    static func make(policy: SpendingPolicy = SimulatedWorld.demoPolicy, limits: ServerLimits = .init(),
                     speed: Double = 200) async throws -> ServerWorld {
        var options = SimulatedWorld.Options()
        options.policy = policy
        let keys = try APIKeyStore(plaintext: ["agent-1": apiKey, "agent-2": otherKey])
        return ServerWorld(ferry: try await EmbeddedFerry(options: options, keys: keys, speed: speed, limits: limits, logger: quiet))
    }

    var world: SimulatedWorld { ferry.world }

    /// Runs `body` against a live server on loopback with a FerryClient for agent-1; the world driver runs.
    func live(_ body: @Sendable (FerryClient, Int) async throws -> Void) async throws {
        let app = ferry.application(logger: Self.quiet)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await body(FerryClient(baseURL: "http://127.0.0.1:\(port)", apiKey: Self.apiKey, httpClient: http), port)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
        await world.close()
    }

    /// Runs `body` with an in-process router client (no driver: time stands still unless the test moves it).
    func router(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = ferry.application(logger: Self.quiet)
        try await app.test(.router) { client in try await body(client) }
        await world.close()
    }
}

/// JSON helpers for raw requests.
enum Body {
    static func json(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    static func payment(amount: String = "5", fromChain: UInt64 = 1, fromAsset: String = "USDC", toChain: UInt64 = 8453,
                        toAsset: String = "USDC") -> [String: Any] {
        ["from": ["chain": fromChain, "asset": fromAsset], "to": ["chain": toChain, "asset": toAsset], "amount": amount,
         "receiver": "0x00000000000000000000000000000000000000aa"]
    }

    static func problem(_ buffer: ByteBuffer) throws -> APIProblem {
        try JSONDecoder().decode(APIProblem.self, from: Data(buffer.readableBytesView))
    }
}
