import FerryChains
import FerryCore
import FerryRelayer
@testable import FerryRelayerOps
import FerryWire
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

/// One relayer node on one simulated chain (virtual clock), with its probe and metrics; the node is not running
/// unless a test runs it.
struct OpsFixture {
    static let chain = ChainID(101)
    let clock = VirtualClock()
    let ledger: SimulatedLedger
    let node: RelayerNode
    let gossip: GossipNode
    let probe: ChainProbe
    let metrics: RelayerMetrics
    let directory: URL
    let logger = Logger(label: "ferry.test.ops")

    init() async throws {
        let key = try PrivateKeySigner(seed: 11, index: 0)
        let config = try SimulatedChainConfig.preset(.solana, id: Self.chain, relayers: RelayerSet(members: [key.address], threshold: 1),
                                                     finalityDepth: 2)
        ledger = SimulatedLedger(config: config, clock: .virtual(clock))
        let adapters: [ChainID: any ChainAdapter] = [Self.chain: SimulatedChainAdapter(ledger: ledger)]
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        gossip = try GossipNode(configuration: .init(keyPair: try CurveKeyPair.generate(), allowedPeers: []))
        node = RelayerNode(configuration: RelayerNodeConfiguration(nodeID: "ops-test", key: key.key, adapters: adapters),
                           journal: try Journal(path: directory.appendingPathComponent("journal.sqlite").path),
                           gossip: gossip, clock: .virtual(clock), logger: logger)
        // 400 ms blocks: a 2 s bound is five blocks of lag.
        probe = ChainProbe(nodeID: "ops-test", adapters: adapters, stats: node.stats, maxLagSeconds: 2, logger: logger)
        metrics = RelayerMetrics(node: node, gossip: gossip, probe: probe)
    }

    func cleanUp() async {
        await gossip.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("Relayer operator endpoint (real HTTP on loopback)")
struct OpsServerTests {
    @Test("/metrics and /healthz answer over HTTP; an outage or a lagging journal turns /healthz into 503")
    func metricsAndHealth() async throws {
        let f = try await OpsFixture()
        await f.probe.refresh()
        let app = try OpsServer.application(address: "127.0.0.1:0", metrics: f.metrics, probe: f.probe, logger: f.logger)
        try await app.test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { res in
                #expect(res.status == .ok)
                #expect(res.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: res.body)
                for line in [
                    #"ferry_relayer_transfers{state="seen"} 0"#,
                    #"ferry_relayer_attestations_rejected_total{reason="signer_mismatch"} 0"#,
                    #"ferry_relayer_submissions_failed_total{action="release"} 0"#,
                    #"ferry_wire_frames_rejected_total{reason="wrongVersion"} 0"#,
                    #"ferry_wire_zap_rejected_total 0"#,
                    #"ferry_relayer_chain_reachable{chain="101"} 1"#,
                    #"ferry_relayer_journal_lag_blocks{chain="101"} 0"#,
                    #"ferry_relayer_release_latency_seconds_count 0"#,
                ] {
                    #expect(text.contains(line), "missing \(line) in:\n\(text)")
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { res in
                #expect(res.status == .ok)
                let report = try JSONDecoder().decode(ChainProbe.Report.self, from: Data(buffer: res.body))
                #expect(report.status == "ok" && report.chains.map(\.chain) == [101] && report.chains[0].reachable)
            }

            // Ten blocks the node never processed (it is not running): lag 10 blocks = 4 s > 2 s.
            f.clock.advance(by: .seconds(4))
            await f.probe.refresh()
            try await client.execute(uri: "/healthz", method: .get) { res in
                #expect(res.status == .serviceUnavailable)
                let report = try JSONDecoder().decode(ChainProbe.Report.self, from: Data(buffer: res.body))
                #expect(report.status == "unhealthy" && report.chains[0].lagBlocks == 10, "\(report)")
                #expect(report.problems.first?.contains("lags 10 blocks") == true, "\(report.problems)")
            }
            try await client.execute(uri: "/metrics", method: .get) { res in
                #expect(String(buffer: res.body).contains(#"ferry_relayer_journal_lag_blocks{chain="101"} 10"#))
            }

            try await f.ledger.apply(.outage(durationSeconds: nil))
            await f.probe.refresh()
            try await client.execute(uri: "/healthz", method: .get) { res in
                #expect(res.status == .serviceUnavailable)
                let report = try JSONDecoder().decode(ChainProbe.Report.self, from: Data(buffer: res.body))
                #expect(!report.chains[0].reachable && report.problems.first?.contains("unreachable") == true, "\(report)")
            }
            try await client.execute(uri: "/metrics", method: .get) { res in
                #expect(String(buffer: res.body).contains(#"ferry_relayer_chain_reachable{chain="101"} 0"#))
            }
        }
        await f.cleanUp()
    }

    @Test("a graceful shutdown stops the node, reports draining and checkpoints the journal")
    func gracefulShutdown() async throws {
        let f = try await OpsFixture()
        let service = RelayerService(node: f.node, probe: f.probe, logger: f.logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: f.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // The node is up once it has processed a head (virtual time: advance, then wait on the condition). The
            // clock keeps moving while it waits, so a node that starts reading late still finds a new block.
            let deadline = ContinuousClock.now + .seconds(60)
            while f.node.stats.snapshot.processedHeight[101, default: 0] < 1 {
                try #require(ContinuousClock.now < deadline, "the node never processed a block")
                f.clock.advance(by: .milliseconds(400))
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()  // run() returns normally: a graceful stop is not a failure
        }
        #expect(f.probe.report.status == "draining")
        let cursor = try await f.node.journal.cursor(for: OpsFixture.chain)
        #expect((cursor?.height ?? 0) >= 1)
        await f.cleanUp()
    }

    @Test("probes running concurrently with /healthz and /metrics only ever report the configured chains, each probed")
    func concurrentProbesReportConfiguredChains() async throws {
        let clock = VirtualClock()
        let key = try PrivateKeySigner(seed: 12, index: 0)
        var adapters: [ChainID: any ChainAdapter] = [:]
        var ledgers: [SimulatedLedger] = []
        for id in [ChainID(201), ChainID(202), ChainID(203)] {
            let config = try SimulatedChainConfig.preset(.solana, id: id, relayers: RelayerSet(members: [key.address], threshold: 1),
                                                         finalityDepth: 2)
            let ledger = SimulatedLedger(config: config, clock: .virtual(clock))
            ledgers.append(ledger)
            adapters[id] = SimulatedChainAdapter(ledger: ledger)
        }
        try await ledgers[2].apply(.outage(durationSeconds: nil))  // one chain fails every probe
        let stats = RelayerStats()
        let logger = Logger(label: "ferry.test.ops.race")
        let probe = ChainProbe(nodeID: "race", adapters: adapters, stats: stats, maxLagSeconds: 60, timeout: .milliseconds(200), logger: logger)
        let f = try await OpsFixture()
        let metrics = RelayerMetrics(node: f.node, gossip: nil, probe: probe)
        let expected: [UInt64] = [201, 202, 203]
        let app = try OpsServer.application(address: "127.0.0.1:0", metrics: metrics, probe: probe, logger: logger)
        try await app.test(.live) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { for _ in 0..<40 { await probe.refresh() } }
                }
                group.addTask {
                    for _ in 0..<400 {
                        let ids = probe.report.chains.map(\.chain)
                        #expect(ids == expected, "report named \(ids)")
                        _ = try await metrics.render()
                    }
                }
                for _ in 0..<40 {
                    try await client.execute(uri: "/healthz", method: .get) { res in
                        let report = try JSONDecoder().decode(ChainProbe.Report.self, from: Data(buffer: res.body))
                        #expect(report.chains.map(\.chain) == expected, "/healthz named \(report.chains.map(\.chain))")
                    }
                }
                try await group.waitForAll()
            }
        }
        let chains = probe.report.chains
        #expect(chains.map(\.chain) == expected)
        #expect(chains.allSatisfy { $0.error != "not probed yet" }, "\(chains)")
        #expect(chains.map(\.reachable) == [true, true, false])
        await f.cleanUp()
    }

    @Test("metrics addresses parse as host:port", arguments: [
        ("127.0.0.1:9401", "127.0.0.1", 9401), ("[::1]:0", "::1", 0), ("localhost:80", "localhost", 80),
    ])
    func addresses(text: String, host: String, port: Int) throws {
        let (h, p) = try OpsServer.parse(text)
        #expect(h == host && p == port)
    }

    @Test("bad metrics addresses are refused with the address in the message", arguments: ["9401", ":9401", "host:99999", "host:x"])
    func badAddresses(text: String) {
        let error = #expect(throws: OpsAddressError.self) { try OpsServer.parse(text) }
        #expect(error?.description.contains(text) == true)
    }
}

@Suite("Operator kit")
struct OperatorKitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the sample Relayer/relayer.toml parses and names its registry")
    func sampleConfigParses() throws {
        let config = try RelayerConfig.load(path: Self.root.appendingPathComponent("Relayer/relayer.toml").path)
        #expect(config.nodeID == "relayer-1" && config.peers.count == 2 && config.metrics == "127.0.0.1:9401")
        #expect(config.registryPath.hasSuffix("chains/devnet.toml"))
        let registry = try config.loadRegistry()
        #expect(config.chains.allSatisfy { registry[$0] != nil })
    }
}
