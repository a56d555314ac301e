import FerryChains
import FerryCore
@testable import FerryRelayer
import FerryWire
import FerryTestSupport
import Foundation
import Logging
import Testing

/// Two simulated chains of different families (three for multi-hop routes), `n` relayers with real ZeroMQ
/// gossip (CURVE) and real SQLite journals, on one virtual clock.
final class RelayerNetwork: Sendable {
    static let chainA = ChainID(101)  // Solana-like
    static let chainB = ChainID(202)  // rollup-like
    static let chainC = ChainID(303)  // EVM-like L1, reached from A only through B
    let clock = VirtualClock()
    let ledgers: [ChainID: SimulatedLedger]
    let keys: [PrivateKeySigner]
    let threshold: Int
    let directory: URL
    let usdc: AssetInfo
    let logger: Logger = {
        var logger = Logger(label: "ferry.test.relayer")
        logger.logLevel = .warning  // per-transfer lines would drown the test output
        return logger
    }()

    /// - Parameter remoteAssetAB: what chain A's gateway pairs its USDC with on B (nil: B's USDC).
    init(relayers n: Int = 5, threshold: Int = 3, seed: UInt64 = 7, withChainC: Bool = false, remoteAssetAB: Bytes32? = nil) async throws {
        keys = try (0..<UInt64(n)).map { try PrivateKeySigner(seed: seed, index: $0) }
        self.threshold = threshold
        usdc = try AssetInfo.token(symbol: "USDC", decimals: 6)
        let set = RelayerSet(members: keys.map(\.address), threshold: threshold)
        let gatewayA = try SimulatedChainConfig.defaultGateway(for: Self.chainA)
        let gatewayB = try SimulatedChainConfig.defaultGateway(for: Self.chainB)
        let gatewayC = try SimulatedChainConfig.defaultGateway(for: Self.chainC)
        var lanesB = [LaneConfig(remoteChain: Self.chainA, asset: "USDC", remoteDecimals: 6)]
        var remotesB = [Self.chainA: gatewayA]
        if withChainC {
            lanesB.append(LaneConfig(remoteChain: Self.chainC, asset: "USDC", remoteDecimals: 6))
            remotesB[Self.chainC] = gatewayC
        }
        let configA = try SimulatedChainConfig.preset(
            .solana, id: Self.chainA, tokens: [usdc], relayers: set,
            lanes: [LaneConfig(remoteChain: Self.chainB, asset: "USDC", remoteDecimals: 6, remoteAsset: remoteAssetAB.map { Address($0) })],
            remoteGateways: [Self.chainB: gatewayB], finalityDepth: 8, seed: seed)
        let configB = try SimulatedChainConfig.preset(
            .rollup, id: Self.chainB, tokens: [usdc], relayers: set,
            lanes: lanesB, remoteGateways: remotesB, finalityDepth: 3, seed: seed)
        let a = SimulatedLedger(config: configA, clock: .virtual(clock))
        let b = SimulatedLedger(config: configB, clock: .virtual(clock))
        var ledgers = [Self.chainA: a, Self.chainB: b]
        if withChainC {
            let configC = try SimulatedChainConfig.preset(
                .evm, id: Self.chainC, tokens: [usdc], relayers: set,
                lanes: [LaneConfig(remoteChain: Self.chainB, asset: "USDC", remoteDecimals: 6)],
                remoteGateways: [Self.chainB: gatewayB], finalityDepth: 4, seed: seed)
            ledgers[Self.chainC] = SimulatedLedger(config: configC, clock: .virtual(clock))
        }
        self.ledgers = ledgers
        for ledger in ledgers.values {
            try await ledger.addLiquidity("USDC", amount: Amount(1_000_000_000_000_000))
            for key in keys {
                try await ledger.fund(Address(key.address.bytes32), asset: ledger.config.info.nativeAsset.symbol,
                                      amount: try Amount(decimal: "1000", decimals: ledger.config.info.nativeAsset.decimals))
            }
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-relayers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func adapter(_ chain: ChainID) -> SimulatedChainAdapter {
        // Force-unwrap-free: the two ids are fixed above.
        SimulatedChainAdapter(ledger: ledgers[chain] ?? ledgers[Self.chainA].unsafelyUnwrapped)
    }

    func journalPath(_ index: Int) -> String { directory.appendingPathComponent("relayer-\(index).sqlite").path }

    /// Gossip nodes for every relayer, fully meshed, each admitting only the others' keys.
    static func mesh(_ count: Int) async throws -> [GossipNode] {
        let pairs = try (0..<count).map { _ in try CurveKeyPair.generate() }
        var nodes: [GossipNode] = []
        for (i, pair) in pairs.enumerated() {
            let allowed = Set(pairs.enumerated().filter { $0.offset != i }.map(\.element.publicKey))
            nodes.append(try GossipNode(configuration: .init(keyPair: pair, listenEndpoint: "tcp://127.0.0.1:*", allowedPeers: allowed)))
        }
        for (i, node) in nodes.enumerated() {
            for (j, peer) in nodes.enumerated() where i != j {
                try node.connect(to: .init(endpoint: peer.endpoint, publicKey: peer.publicKey))
            }
        }
        // Wait until every node's publisher has all its subscribers, so nothing is published into the void.
        for node in nodes {
            for await subscribers in node.subscriptions where subscribers >= count - 1 { break }
        }
        return nodes
    }

    /// - Parameter wrap: replaces a chain's adapter (a lying RPC node, say) in this node's view.
    func node(_ index: Int, gossip: GossipNode, graceMillis: UInt64 = 3_000,
              wrap: (ChainID, any ChainAdapter) -> any ChainAdapter = { $1 }) throws -> RelayerNode {
        var adapters: [ChainID: any ChainAdapter] = [:]
        for (id, ledger) in ledgers { adapters[id] = wrap(id, SimulatedChainAdapter(ledger: ledger)) }
        var configuration = RelayerNodeConfiguration(nodeID: "relayer-\(index)", key: keys[index].key, adapters: adapters)
        configuration.graceMillis = graceMillis
        return RelayerNode(configuration: configuration, journal: try Journal(path: journalPath(index)), gossip: gossip,
                           clock: .virtual(clock), logger: logger)
    }

    /// A funded sender on `chain`.
    func sender(_ index: UInt64, on chain: ChainID, usdc: Amount) async throws -> PrivateKeySigner {
        let signer = try PrivateKeySigner(seed: 0xA11CE, index: index)
        let ledger = ledgers[chain].unsafelyUnwrapped
        try await ledger.fund(Address(signer.address.bytes32), asset: ledger.config.info.nativeAsset.symbol,
                              amount: try Amount(decimal: "1000", decimals: ledger.config.info.nativeAsset.decimals))
        try await ledger.fund(Address(signer.address.bytes32), asset: "USDC", amount: usdc)
        return signer
    }

    func transfer(from sender: PrivateKeySigner, on source: ChainID, to dest: ChainID, amount: UInt64, deadline: UInt64) -> Transfer {
        Transfer(sourceChain: source, destChain: dest, nonce: 0, sender: Address(sender.address.bytes32),
                 receiver: Address(Keccak256.hash("receiver \(sender.address)")), sourceAsset: usdc.gatewayID,
                 destAsset: usdc.gatewayID, amount: Amount(amount), fee: Amount(100), deadline: deadline)
    }

    /// Advances the clock by one short block and waits until every node has processed both chains' heads.
    func step(_ nodes: [RelayerNode], by millis: Int64 = 400) async throws {
        clock.advance(by: .milliseconds(millis))
        var heads: [UInt64: UInt64] = [:]
        // A chain in an outage cannot be read by anyone, the relayers included: only wait for reachable ones.
        for (id, ledger) in ledgers { if let head = try? await ledger.head() { heads[id.rawValue] = head.height } }
        try await waitUntil("relayers to process height \(heads)", timeout: .seconds(30)) {
            nodes.allSatisfy { node in
                let processed = node.stats.snapshot.processedHeight
                return heads.allSatisfy { processed[$0.key, default: 0] >= $0.value }
            }
        }
    }

    /// Every lock event's message id on `chain`.
    func lockedIDs(on chain: ChainID) async throws -> [Bytes32: Transfer] {
        var out: [Bytes32: Transfer] = [:]
        let ledger = ledgers[chain].unsafelyUnwrapped
        var cursor = EventCursor(from: 0)
        while true {
            let batch = await ledger.poll(cursor, maxBlocks: 100_000)
            for case let .locked(id, transfer, _, _) in batch.events { out[id] = transfer }
            if batch.cursor.nextHeight == cursor.nextHeight { break }
            cursor = batch.cursor
        }
        return out
    }

    /// How many release events each id has on `chain`.
    func releaseCounts(on chain: ChainID) async -> [Bytes32: Int] {
        var out: [Bytes32: Int] = [:]
        let ledger = ledgers[chain].unsafelyUnwrapped
        var cursor = EventCursor(from: 0)
        while true {
            let batch = await ledger.poll(cursor, maxBlocks: 100_000)
            for case let .released(id, _, _) in batch.events { out[id, default: 0] += 1 }
            if batch.cursor.nextHeight == cursor.nextHeight { break }
            cursor = batch.cursor
        }
        return out
    }
}
