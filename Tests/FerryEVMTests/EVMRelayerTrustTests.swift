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

/// Five relayers whose source node lies (`rpc_proxy.py` in front of a real py-evm node): forged and foreign
/// `Locked` logs must never be signed nor released, while a real lock still goes through.
@Suite("Relayers behind a lying source node", .serialized)
struct EVMRelayerTrustTests {
    @Test("invented and foreign Locked logs are never signed and release nothing; a real lock beside them is released")
    func forgedLocksReleaseNothing() async throws {
        let bed1 = try await EVMTestbed.start(chainId: 1_437, remoteChain: 1_438)
        let bed2 = try await EVMTestbed.start(chainId: 1_438, remoteChain: 1_437)
        defer { bed1.node.stop(); bed2.node.stop() }
        for relayer in EVMTestbed.relayers {
            for bed in [bed1, bed2] { try await bed.send(from: bed.owner, to: relayer.address, value: EVMTestbed.ether) }
        }
        let proxy = try RPCProxy(upstream: bed1.node.url)
        var configuration = bed1.adapterConfiguration()
        configuration.rpcURL = proxy.url
        let a1 = try await EVMAdapter.connect(info: bed1.info(finalityDepth: 2), configuration: configuration)
        let direct1 = try await bed1.adapter(finalityDepth: 2), a2 = try await bed2.adapter(finalityDepth: 2)

        // The attacker's forgeries, each paying 7 ETH (5 for the emitter's) to a receiver of its own on node 2.
        let attacker = try await bed1.fundedSigner(index: 2, ether: 5)
        let deadline = try await a2.head().timestampMillis / 1_000 + 3_600
        func forged(_ nonce: UInt64, receiver: UInt8, ether: UInt64) throws -> Transfer {
            Transfer(sourceChain: 1_437, destChain: 1_438, nonce: nonce, sender: Address(attacker.address.bytes32),
                     receiver: Address(try Bytes32(leftPadding: [0xF0, receiver])), sourceAsset: .zero, destAsset: .zero,
                     amount: try EVMTestbed.ether * Amount(ether), fee: Amount(1), deadline: deadline)
        }
        let foreign = try forged(500, receiver: 1, ether: 7), invented = try forged(501, receiver: 2, ether: 7)
        let emitted = try forged(502, receiver: 3, ether: 5)
        let emitter = try #require(try await bed1.send(from: attacker, to: nil, data: try EVMNodeTrustTests.emitterCode()).contractAddress)
        try await bed1.send(from: attacker, to: emitter, data: GatewayABI.lockedTopic.bytes + emitted.messageId.bytes + emitted.abiEncoded)
        let block = try await direct1.head().height
        try await proxy.configure([
            "forge_logs": .array([
                EVMNodeTrustTests.lockedLog(foreign, address: try EthereumAddress(hex: "0x000000000000000000000000000000000000dEaD"), block: block),
                EVMNodeTrustTests.lockedLog(invented, address: bed1.gateway, block: block, index: 1),
            ]),
            "ignore_address": true,
        ])
        let forgedIDs = [foreign.messageId, invented.messageId, emitted.messageId]

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-evm-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (nodes, gossip) = try await EVMRelayerEndToEndTests.relayers(adapters: [ChainID(1_437): a1, ChainID(1_438): a2], directory: directory)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.run() } }
            defer { group.cancelAll() }
            // A real lock after the forgeries: its release proves the relayers read past them.
            let sender = try await bed1.fundedSigner(index: 1, ether: 5)
            let receiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000e2")
            let amount = Amount(250_000_000_000_000_000)
            let real = Transfer(sourceChain: 1_437, destChain: 1_438, nonce: 0, sender: Address(sender.address.bytes32),
                                receiver: Address(receiver.bytes32), sourceAsset: .zero, destAsset: .zero, amount: amount,
                                fee: Amount(1_000_000_000_000), deadline: deadline)
            let lockTx = try await direct1.submit(.lock(real), signer: sender, priority: .median)
            guard case let .included(lockHeight, true, _) = try await direct1.transaction(lockTx) else {
                Issue.record("the real lock failed")
                return
            }
            try await waitUntil("the release of the real 0.25 ETH on node 2", timeout: .seconds(90), every: .milliseconds(50)) {
                _ = try? await bed1.rpc("evm_mine")
                return try await a2.balance(of: Address(receiver.bytes32), asset: "ETH") == amount
            }
            try await waitUntil("every relayer has processed the real lock's finality", timeout: .seconds(30), every: .milliseconds(50)) {
                nodes.allSatisfy { $0.stats.snapshot.processedHeight[1_437, default: 0] >= lockHeight + 2 }
            }
            group.cancelAll()
        }
        for g in gossip { await g.close() }
        #expect(try await proxy.stats()["forged", default: 0] >= 2, "the proxy served its forgeries")
        for (transfer, name) in [(foreign, "foreign"), (invented, "invented"), (emitted, "emitter")] {
            #expect(try await a2.balance(of: transfer.receiver, asset: "ETH") == .zero, "the \(name) lock was released")
            #expect(try await a2.gatewayState(of: transfer.messageId) == GatewayRecord.none)
        }
        for node in nodes {
            let states = try await node.journal.states(of: forgedIDs)
            #expect(states.isEmpty, "\(node.configuration.nodeID) journaled forged locks: \(states)")
            #expect(node.stats.snapshot.signed[.release, default: 0] <= 1, "only the real lock may be signed")
        }
    }
}
