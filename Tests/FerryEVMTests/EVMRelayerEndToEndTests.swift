import FerryChains
import FerryCore
import FerryCrypto
@testable import FerryEVM
import FerryRelayer
import FerryWire
import FerryTestSupport
import Foundation
import Logging
import Testing

/// Relayers carrying value between two real EVM nodes, and from a simulated Solana-like chain to an EVM node:
/// the gateways are the compiled Vyper contract, the gossip is real ZeroMQ with CURVE, the journals real SQLite.
@Suite("Relayers between real EVM nodes", .serialized)
struct EVMRelayerEndToEndTests {
    static let solana = ChainID(101)

    /// Five relayer nodes (the testbed's relayer keys, threshold 3) over `adapters`, fully meshed.
    static func relayers(adapters: [ChainID: any ChainAdapter], directory: URL) async throws -> (nodes: [RelayerNode], gossip: [GossipNode]) {
        let pairs = try (0..<5).map { _ in try CurveKeyPair.generate() }
        var gossip: [GossipNode] = []
        for (i, pair) in pairs.enumerated() {
            let allowed = Set(pairs.enumerated().filter { $0.offset != i }.map(\.element.publicKey))
            gossip.append(try GossipNode(configuration: .init(keyPair: pair, allowedPeers: allowed)))
        }
        for (i, node) in gossip.enumerated() {
            for (j, peer) in gossip.enumerated() where i != j { try node.connect(to: .init(endpoint: peer.endpoint, publicKey: peer.publicKey)) }
        }
        for node in gossip { for await n in node.subscriptions where n >= 4 { break } }
        var logger = Logger(label: "ferry.test.evm-relayers")
        logger.logLevel = .warning
        let nodes = try (0..<5).map { i in
            var configuration = RelayerNodeConfiguration(nodeID: "relayer-\(i)", key: EVMTestbed.relayers[i].key, adapters: adapters)
            configuration.graceMillis = 1_500
            return RelayerNode(configuration: configuration,
                               journal: try Journal(path: directory.appendingPathComponent("relayer-\(i).sqlite").path),
                               gossip: gossip[i], clock: .wall, logger: logger)
        }
        return (nodes, gossip)
    }

    @Test("lock on EVM node 1, 3-of-5 relayers over ZeroMQ, release on EVM node 2; and Solana-like sim to EVM node 2")
    func endToEnd() async throws {
        let bed1 = try await EVMTestbed.start(chainId: 1337, remoteChain: 1338)
        let bed2 = try await EVMTestbed.start(chainId: 1338, remoteChain: 1337)
        defer { bed1.node.stop(); bed2.node.stop() }
        // Node 2 also accepts the simulated chain's transfers of the test token.
        let sig = GatewayABI.functionSignatures
        let simGateway = try SimulatedChainConfig.defaultGateway(for: Self.solana)
        try await bed2.send(from: bed2.owner, to: bed2.gateway, data: ABI.call(sig["setDestinationGateway"] ?? "", [.uint64(Self.solana.rawValue), .address(simGateway)]))
        try await bed2.send(from: bed2.owner, to: bed2.gateway, data: ABI.call(sig["setLaneLimit"] ?? "", [
            .uint64(Self.solana.rawValue), .bytes32(bed2.token.bytes32), .uint(Amount(1_000_000_000_000)), .uint(Amount(1_000_000_000))]))
        // The simulated chain's TUSD (its own token id) pairs with node 2's test token, 6 decimals on both sides.
        let usdc = try AssetInfo.token(symbol: "TUSD", decimals: 6)
        try await bed2.send(from: bed2.owner, to: bed2.gateway, data: GatewayABI.setAssetPair(
            remoteChain: Self.solana, localAsset: bed2.token.bytes32, remoteAsset: usdc.gatewayID, localDecimals: 6, remoteDecimals: 6))
        // Relayers pay gas on the EVM chains.
        for relayer in EVMTestbed.relayers {
            for bed in [bed1, bed2] { try await bed.send(from: bed.owner, to: relayer.address, value: EVMTestbed.ether) }
        }
        // The simulated Solana-like chain on wall-clock time, with a TUSD lane to node 2's test token.
        let simConfig = try SimulatedChainConfig.preset(
            .solana, id: Self.solana, tokens: [usdc],
            relayers: RelayerSet(members: EVMTestbed.relayers.map(\.address), threshold: Int(EVMTestbed.threshold)),
            lanes: [LaneConfig(remoteChain: ChainID(1338), asset: "TUSD", remoteDecimals: 6, remoteAsset: Address(bed2.token.bytes32))],
            remoteGateways: [ChainID(1338): bed2.gateway], finalityDepth: 2)
        let sim = SimulatedLedger(config: simConfig, clock: .wall)
        let simAdapter = SimulatedChainAdapter(ledger: sim)

        let a1 = try await bed1.adapter(finalityDepth: 2), a2 = try await bed2.adapter(finalityDepth: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-evm-relayers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (nodes, gossip) = try await Self.relayers(adapters: [ChainID(1337): a1, ChainID(1338): a2, Self.solana: simAdapter], directory: directory)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.run() } }
            defer { group.cancelAll() }

            // 1. EVM -> EVM, native ETH.
            let sender = try await bed1.fundedSigner(index: 1, ether: 5)
            let receiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000e2")
            let amount = Amount(250_000_000_000_000_000)  // 0.25 ETH
            let head = try await a1.head()
            let transfer = Transfer(sourceChain: 1337, destChain: 1338, nonce: 0, sender: Address(sender.address.bytes32),
                                    receiver: Address(receiver.bytes32), sourceAsset: .zero, destAsset: .zero,
                                    amount: amount, fee: Amount(1_000_000_000_000), deadline: head.timestampMillis / 1_000 + 3_600)
            _ = try await a1.submit(.lock(transfer), signer: sender, priority: .median)
            try await waitUntil("the release of 0.25 ETH on node 2", timeout: .seconds(60), every: .milliseconds(50)) {
                _ = try? await bed1.rpc("evm_mine")  // the dev node mines on demand: give the lock its finality depth
                return try await a2.balance(of: Address(receiver.bytes32), asset: "ETH") == amount
            }

            // 2. Simulated Solana-like chain -> EVM node 2, USDC into the test token.
            let simSender = try PrivateKeySigner(seed: 0x501A, index: 1)
            try await sim.fund(Address(simSender.address.bytes32), asset: "SOL", amount: Amount(10_000_000_000))
            try await sim.fund(Address(simSender.address.bytes32), asset: "TUSD", amount: Amount(50_000_000))
            let tokenReceiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000e3")
            let simHead = try await simAdapter.head()
            let simTransfer = Transfer(sourceChain: Self.solana, destChain: 1338, nonce: 0, sender: Address(simSender.address.bytes32),
                                       receiver: Address(tokenReceiver.bytes32), sourceAsset: usdc.gatewayID, destAsset: bed2.token.bytes32,
                                       amount: Amount(12_500_000), fee: Amount(10_000), deadline: simHead.timestampMillis / 1_000 + 3_600)
            _ = try await simAdapter.submit(.lock(simTransfer), signer: simSender, priority: .high)
            try await waitUntil("the release of 12.5 TUSD on node 2", timeout: .seconds(60), every: .milliseconds(50)) {
                try await a2.balance(of: Address(tokenReceiver.bytes32), asset: "TUSD") == Amount(12_500_000)
            }
            // The sender paid amount + fee on the simulated chain.
            #expect(try await sim.balance(of: Address(simSender.address.bytes32), asset: "TUSD") == Amount(50_000_000 - 12_510_000))
            group.cancelAll()
        }
        for g in gossip { await g.close() }
        // Exactly one release each, read back from node 2's gateway logs over JSON-RPC.
        let head2 = try await a2.head().height
        var released: [Bytes32: Int] = [:]
        for try await event in a2.events(from: 0) {
            if case let .released(id, _, _) = event { released[id, default: 0] += 1 }
            if case let .head(block) = event, block.height >= head2 { break }
        }
        #expect(released.count == 2 && released.values.allSatisfy { $0 == 1 }, "\(released)")
        for line in await sim.conservation() { #expect(line.holds, "\(line)") }
    }

    @Test("a transfer the destination will not release is cancelled there after its deadline and refunded on the source by the relayers")
    func cancelAndRefund() async throws {
        let bed1 = try await EVMTestbed.start(chainId: 1337, remoteChain: 1338)
        let bed2 = try await EVMTestbed.start(chainId: 1338, remoteChain: 1337)
        defer { bed1.node.stop(); bed2.node.stop() }
        // Node 2's ETH lane is closed: every release reverts, so the transfer can only time out.
        try await bed2.send(from: bed2.owner, to: bed2.gateway, data: ABI.call(GatewayABI.functionSignatures["setLaneLimit"] ?? "", [
            .uint64(1337), .bytes32(.zero), .uint(.zero), .uint(.zero)]))
        for relayer in EVMTestbed.relayers {
            for bed in [bed1, bed2] { try await bed.send(from: bed.owner, to: relayer.address, value: EVMTestbed.ether) }
        }
        let a1 = try await bed1.adapter(finalityDepth: 2), a2 = try await bed2.adapter(finalityDepth: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-evm-refund-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (nodes, gossip) = try await Self.relayers(adapters: [ChainID(1337): a1, ChainID(1338): a2], directory: directory)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.run() } }
            defer { group.cancelAll() }
            let sender = try await bed1.fundedSigner(index: 4, ether: 5)
            let head = try await a1.head()
            let transfer = Transfer(sourceChain: 1337, destChain: 1338, nonce: 0, sender: Address(sender.address.bytes32),
                                    receiver: Address(sender.address.bytes32), sourceAsset: .zero, destAsset: .zero,
                                    amount: Amount(100_000_000_000_000_000), fee: Amount(1_000), deadline: head.timestampMillis / 1_000 + 6)
            let tx = try await a1.submit(.lock(transfer), signer: sender, priority: .median)
            guard case let .included(height, true, _) = try await a1.transaction(tx) else { Issue.record("lock failed"); return }
            let logs = try await a1.client.logs(address: bed1.gateway, from: height, to: height, topic0: [GatewayABI.lockedTopic])
            let id = try #require(logs.first?.topics[1])
            // Blocks about once a second, so the dev nodes' times follow the wall clock the relayers trust.
            try await waitUntil("the cancel on node 2 and the refund on node 1", timeout: .seconds(120), every: .seconds(1)) {
                _ = try? await bed1.rpc("evm_mine")
                _ = try? await bed2.rpc("evm_mine")
                guard case .refunded = try await a1.gatewayState(of: id) else { return false }
                return true
            }
            guard case .cancelled = try await a2.gatewayState(of: id) else { Issue.record("node 2 shows no cancel"); return }
            let reserved = try GatewayABI.decodeUInt(try await bed1.client.call(EVMCall(to: bed1.gateway, data: ABI.call(
                GatewayABI.functionSignatures["refundable"] ?? "", [.bytes32(.zero)]))))
            #expect(reserved == .zero, "the refund released the reserved value")
            for node in nodes {
                let stats = node.stats.snapshot
                #expect(stats.untrustedHeads == 0)
            }
            let signedRefunds = nodes.map { $0.stats.snapshot.signed[.refund, default: 0] }.reduce(0, +)
            #expect(signedRefunds >= Int(EVMTestbed.threshold))
            group.cancelAll()
        }
        for g in gossip { await g.close() }
    }
}
