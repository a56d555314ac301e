import ArgumentParser
import FerryAgent
import FerryServer
import Foundation
import Logging
import ServiceLifecycle

/// `ferry serve`: the HTTP API over the embedded simulated world (two chains, three relayers), with a policy file,
/// an API keys file of hashes and a listen address. Stops gracefully on SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the agent payments HTTP API (docs/openapi.yaml) over the embedded simulated chains and relayers.")

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one).")
    var port = 8080

    @Option(name: .customLong("api-keys"), help: "File of `agent-name 0x<keccak256 of the key>` lines. Without it a key is generated and printed.")
    var apiKeys: String?

    @Option(help: "Spending policy file (TOML, or JSON for .json; see docs/agents.md). Default: the demo policy.")
    var policy: String?

    @Option(help: "SQLite file for payments and budget reservations (default: a temporary file).")
    var database: String?

    @Option(help: "Virtual seconds per real second for the simulated chains.")
    var speed: Double = 1

    @Option(help: "Seed for keys and the simulated chains.")
    var seed: UInt64 = 7

    @Option(name: .customLong("max-connections"), help: "Most connections open at once (also capped below the descriptor limit).")
    var maxConnections = 1_000

    @Option(name: .customLong("max-streams-per-agent"), help: "Most event streams one API key may hold open; the next gets 429.")
    var maxStreamsPerAgent = 16

    @Option(name: .customLong("max-streams"), help: "Most event streams open over all keys (default: half the connection cap).")
    var maxStreams: Int?

    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay idle or spend sending a request head.")
    var idleTimeout = 30

    @Option(name: .customLong("request-timeout"), help: "Seconds a client may take to send one whole request.")
    var requestTimeout = 30

    /// Seconds graceful shutdown may take (docs/operators.md).
    static let drainSeconds: Int64 = 10

    @Option(name: .customLong("hash-api-key"), help: "Print the API keys file line for this key (agent `agent`) and exit.")
    var hashAPIKey: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535, not \(port)") }
        guard speed > 0, speed <= 1_000 else { throw ValidationError("--speed must be in (0, 1000], not \(speed)") }
        guard (1...1_000_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1...1000000, not \(maxConnections)") }
        guard (1...1_000_000).contains(maxStreamsPerAgent) else { throw ValidationError("--max-streams-per-agent must be 1...1000000, not \(maxStreamsPerAgent)") }
        if let maxStreams, !(1...1_000_000).contains(maxStreams) { throw ValidationError("--max-streams must be 1...1000000, not \(maxStreams)") }
        guard (1...3_600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be 1...3600 seconds, not \(idleTimeout)") }
        guard (1...3_600).contains(requestTimeout) else { throw ValidationError("--request-timeout must be 1...3600 seconds, not \(requestTimeout)") }
    }

    func run() async throws {
        if let key = hashAPIKey {
            print(APIKeyStore.line(agent: "agent", key: key))
            return
        }
        try await reportingErrors(json: false) { try await serve() }
    }

    private func serve() async throws {
        ServerLimits.raiseDescriptorLimit()
        let logger = Logger(label: "ferry.serve")
        let keys: APIKeyStore
        if let path = apiKeys {
            keys = try APIKeyStore.load(path: path)
        } else {
            let key = "ferry-" + UUID().uuidString.lowercased()
            keys = try APIKeyStore(plaintext: ["agent": key])
            say("No --api-keys file: agent \"agent\" may use `Authorization: Bearer \(key)` (only its hash is kept).")
        }
        var options = SimulatedWorld.Options()
        options.seed = seed
        options.databasePath = database
        if let policy { options.policy = try SpendingPolicy.load(path: policy) }
        let limits = ServerLimits(idleTimeout: .seconds(idleTimeout), requestReadTimeout: .seconds(requestTimeout),
                                  maxConnections: maxConnections, maxStreamsPerAgent: maxStreamsPerAgent, maxStreams: maxStreams)
        let ferry = try await EmbeddedFerry(options: options, keys: keys, speed: speed, limits: limits, logger: logger)
        let app = ferry.application(host: host, port: port, logger: logger, onServerRunning: { bound in
            say("Ferry API on http://\(host):\(bound)  (chains \(SimulatedWorld.chainA.rawValue) and \(SimulatedWorld.chainB.rawValue), \(ferry.world.relayers.count) relayers, \(speed)x time)")
        })
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Event streams and requests get this long to finish after SIGTERM/SIGINT; then they are cancelled.
        configuration.maximumGracefulShutdownDuration = .seconds(Self.drainSeconds)
        configuration.maximumCancellationDuration = .seconds(5)
        try await runListening(host: host, port: port) { try await ServiceGroup(configuration: configuration).run() }
    }
}
