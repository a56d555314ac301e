import FerryChains
import FerryCore
import FerryCrypto
import FerryRelayer
import FerryRelayerOps
import FerryWire
import Foundation
import Logging
import ServiceLifecycle

/// Assembles a relayer node from its config file and runs it in a `ServiceGroup` until SIGTERM/SIGINT.
struct RelayerLauncher {
    let configPath: String
    let logger: Logger

    func run() async throws {
        let config = try RelayerConfig.load(path: configPath)
        var logger = logger
        logger[metadataKey: "node"] = "\(config.nodeID)"

        let password = try readPassword(config)
        let keystore = try KeystoreFile.read(config.keystorePath)
        let key = try await Self.offCooperativePool { try Keystore.decrypt(json: keystore, password: password) }
        logger.info("attestation key loaded", metadata: ["address": "\(key.address.checksummed)"])

        let registry = try config.loadRegistry()
        let adapters = try await AdapterFactory.adapters(for: config.chains, registry: registry, providers: config.rpc, logger: logger)

        let secret = try SecretFile.read(config.curveSecretFile, what: "CURVE secret key file", logger: logger)
        let keyPair = try CurveKeyPair(secretKey: try CurveSecretKey(z85: secret))
        let peers = try config.peers.map { GossipNode.Peer(endpoint: $0.endpoint, publicKey: try CurvePublicKey(z85: $0.curvePublicKey)) }
        let gossip = try GossipNode(configuration: .init(keyPair: keyPair, listenEndpoint: config.listen,
                                                         allowedPeers: Set(peers.map(\.publicKey))))
        for peer in peers { try gossip.connect(to: peer) }
        logger.info("gossip listening", metadata: ["endpoint": "\(gossip.endpoint)", "curve_public_key": "\(keyPair.publicKey.z85)",
                                                   "peers": "\(peers.count)"])

        let journal = try Journal(path: config.journalPath)
        var nodeConfig = RelayerNodeConfiguration(nodeID: config.nodeID, key: key, adapters: adapters)
        nodeConfig.graceMillis = config.graceMillis
        nodeConfig.pruneAfterMillis = config.pruneAfterHours * 3_600_000
        nodeConfig.maxClockDriftMillis = config.maxClockDriftMillis
        let node = RelayerNode(configuration: nodeConfig, journal: journal, gossip: gossip, clock: .wall, logger: logger)
        let probe = ChainProbe(nodeID: config.nodeID, adapters: adapters, stats: node.stats,
                               maxLagSeconds: config.maxLagSeconds, logger: logger)

        // Dependencies first: the group stops services in reverse, so the relayer drains while /healthz still answers.
        var services: [any Service] = []
        if let address = config.metrics {
            let metrics = RelayerMetrics(node: node, gossip: gossip, probe: probe)
            let log = logger
            services.append(try OpsServer.application(address: address, metrics: metrics, probe: probe, logger: logger) { port in
                log.info("serving /metrics and /healthz", metadata: ["address": "\(address)", "port": "\(port)"])
            })
        }
        services.append(probe)
        services.append(RelayerService(node: node, probe: probe, logger: logger))
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func readPassword(_ config: RelayerConfig) throws -> String {
        if let password = ProcessInfo.processInfo.environment["FERRY_PASSWORD"] { return password }
        guard let file = config.passwordFile else {
            throw CLIError("no keystore password: set FERRY_PASSWORD or node.password_file in \(configPath)")
        }
        return try SecretFile.read(file, what: "password file", logger: logger)
    }

    /// Runs CPU-heavy `body` (scrypt) on a Dispatch thread so the cooperative pool keeps serving.
    static func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
