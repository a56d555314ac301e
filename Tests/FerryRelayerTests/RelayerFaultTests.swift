import FerryChains
import FerryCore
@testable import FerryRelayer
import FerryWire
import FerryTestSupport
import Foundation
import Testing

private let a = RelayerNetwork.chainA
private let b = RelayerNetwork.chainB

/// Submits `count` locks from A to B with deadlines `deadlineIn` seconds ahead; the ids come from the chain.
private func lock(_ network: RelayerNetwork, count: Int, deadlineIn: UInt64, senderIndex: UInt64 = 1) async throws -> PrivateKeySigner {
    let sender = try await network.sender(senderIndex, on: a, usdc: Amount(UInt64(count) * 2_000_000))
    let deadline = network.clock.unixMillis / 1_000 + deadlineIn
    for _ in 0..<count {
        _ = try await network.adapter(a).submit(.lock(network.transfer(from: sender, on: a, to: b, amount: 1_000_000, deadline: deadline)),
                                                signer: sender, priority: .high)
    }
    return sender
}

@Suite("Relayer faults (real ZeroMQ, real SQLite)", .serialized)
struct RelayerFaultTests {

    @Test("a byzantine member and an outsider are rejected and counted; the honest k still release everything")
    func byzantine() async throws {
        let network = try await RelayerNetwork()
        let gossip = try await RelayerNetwork.mesh(5)
        // Relayers 0...3 are honest; relayer 4's socket is driven by the test as a byzantine member.
        let nodes = try (0..<4).map { try network.node($0, gossip: gossip[$0]) }
        let byzantine = gossip[4]
        let byzantineKey = network.keys[4].key
        let outsider = try GossipNode(configuration: .init(keyPair: try CurveKeyPair.generate(), allowedPeers: []))
        defer { Task { await outsider.close() } }
        try outsider.connect(to: .init(endpoint: gossip[0].endpoint, publicKey: gossip[0].publicKey))

        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            _ = try await lock(network, count: 20, deadlineIn: 86_400)
            var forged = 0
            for step in 0..<400 {
                try await network.step(nodes)
                let locks = try await network.lockedIDs(on: a)
                if step == 3 {
                    let domainB = network.adapter(b).info.attestationDomain
                    for (id, transfer) in locks {
                        // Wrong digest, wrong chain's domain, a claimed signer that did not sign, a stranger's key.
                        let wrongDigest = try byzantineKey.sign(digest: Keccak256.hash("not the release of \(id)"))
                        let wrongChain = try byzantineKey.sign(digest: FerryAttestation.release(messageId: id).digest(in: .ferry(chainId: 1, gateway: domainB.verifyingContract)))
                        let stranger = try PrivateKey.generate()
                        let strangerSig = try stranger.sign(digest: FerryAttestation.release(messageId: id).digest(in: domainB))
                        for (signer, signature) in [(byzantineKey.address, wrongDigest), (byzantineKey.address, wrongChain),
                                                    (network.keys[0].address, try byzantineKey.sign(digest: FerryAttestation.release(messageId: id).digest(in: domainB))),
                                                    (stranger.address, strangerSig)] {
                            try byzantine.publish(.attestation(try Attestation(
                                destChain: transfer.destChain, messageId: id, action: .release,
                                signer: SignerAddress(bytes: signer.bytes), signature: AttestationSignature(bytes: signature.rsv))))
                            forged += 1
                        }
                        // Malformed frames: truncated, wrong version, unknown kind, garbage.
                        let good = FrameCodec.encode(.attestation(try Attestation(
                            destChain: transfer.destChain, messageId: id, action: .release,
                            signer: SignerAddress(bytes: stranger.address.bytes), signature: AttestationSignature(bytes: strangerSig.rsv))))
                        for raw in [Array(good.dropLast(7)), [9] + good.dropFirst(), [good[0], 0xEE] + good.dropFirst(2), [UInt8](repeating: 0xA5, count: 300)] {
                            try byzantine.publish(rawParts: [raw])
                        }
                        // The outsider's frames never get past CURVE/ZAP.
                        try? outsider.publish(.attestation(try Attestation(
                            destChain: transfer.destChain, messageId: id, action: .release,
                            signer: SignerAddress(bytes: stranger.address.bytes), signature: AttestationSignature(bytes: strangerSig.rsv))))
                    }
                }
                if step > 3, await network.releaseCounts(on: b).count == 20 { break }
            }
            let released = await network.releaseCounts(on: b)
            #expect(released.count == 20 && released.values.allSatisfy { $0 == 1 })
            // A claimed signer outside the relayer set is refused on arrival, by every honest node. Signatures that do
            // not recover to their claimed member are found when an executor checks them (only as many as it needs);
            // none ever reached a gateway, which refuses the whole release for one bad signature.
            try await waitUntil("all non-member attestations to be counted", timeout: .seconds(60)) {
                nodes.allSatisfy { $0.stats.snapshot.rejected[.notMember, default: 0] >= 20 }
            }
            let stats = nodes.map(\.stats.snapshot)
            let mismatches = stats.reduce(0) { $0 + $1.rejected[.signerMismatch, default: 0] }
            #expect(mismatches >= 1, "executors met forged signatures and counted them: \(stats.map(\.rejected))")
            #expect(mismatches <= 60 * nodes.count)
            #expect(stats.allSatisfy { $0.failedSubmissions[.release, default: 0] == 0 }, "no release carried a forged signature: \(stats.map(\.failedSubmissions))")
            #expect(forged == 80)
            try await waitUntil("malformed frames to be counted", timeout: .seconds(60)) {
                gossip.prefix(4).allSatisfy { $0.rejections.snapshot.total >= 80 }
            }
        }
        #expect(gossip[0].authenticator.statistics.rejected >= 1, "the outsider's CURVE key was refused by ZAP")
        for ledger in network.ledgers.values { for line in await ledger.conservation() { #expect(line.holds, "\(line)") } }
    }

    @Test("a destination outage past the deadline ends in cancel and refund, never in both release and refund")
    func outageRefunds() async throws {
        let network = try await RelayerNetwork()
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0], graceMillis: 1_000) }
        let ledgerA = network.ledgers[a].unsafelyUnwrapped, ledgerB = network.ledgers[b].unsafelyUnwrapped
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            try await network.step(nodes)  // every node is up and reading both chains
            try await ledgerB.apply(.outage(durationSeconds: nil))
            let sender = try await lock(network, count: 10, deadlineIn: 60)
            // Two minutes of chain time with the destination unreachable: the deadline passes.
            for _ in 0..<300 { try await network.step(nodes) }
            await ledgerB.endOutage()
            var refunded = 0
            for _ in 0..<1_500 {
                try await network.step(nodes)
                refunded = try await network.lockedIDs(on: a).keys.asyncCount { Self.isRefunded(try await ledgerA.gatewayState(of: $0)) }
                if refunded == 10 { break }
            }
            #expect(refunded == 10, "refunded \(refunded) of 10")
            let released = await network.releaseCounts(on: b)
            #expect(released.isEmpty, "nothing may be released after its cancel: \(released.count)")
            for id in try await network.lockedIDs(on: a).keys {
                guard case .cancelled = try await ledgerB.gatewayState(of: id) else {
                    Issue.record("destination has no cancel for \(id)"); continue
                }
            }
            // The sender got back amount + fee for every transfer: its USDC is what it was funded with.
            let balance = try await ledgerA.balance(of: Address(sender.address.bytes32), asset: "USDC")
            #expect(balance == Amount(10 * 2_000_000))
        }
        for ledger in network.ledgers.values { for line in await ledger.conservation() { #expect(line.holds, "\(line)") } }
    }

    static func isRefunded(_ record: GatewayRecord) -> Bool {
        if case .refunded = record { return true }
        return false
    }

    @Test("a lock reorged away before finality is never released")
    func reorgedLockNeverReleased() async throws {
        let network = try await RelayerNetwork()
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0]) }
        let ledgerA = network.ledgers[a].unsafelyUnwrapped
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            _ = try await lock(network, count: 5, deadlineIn: 86_400)
            try await network.step(nodes)
            try await network.step(nodes)
            let doomed = try await network.lockedIDs(on: a)
            #expect(doomed.count == 5)
            // Finality depth on A is 8 blocks: a reorg of 2 replaces the lock blocks and drops their transactions.
            try await ledgerA.reorg(depth: 2, dropTransactions: true)
            let survivor = try await lock(network, count: 1, deadlineIn: 86_400, senderIndex: 2)
            _ = survivor
            for _ in 0..<200 { try await network.step(nodes) }
            let released = await network.releaseCounts(on: b)
            #expect(Set(released.keys).isDisjoint(with: Set(doomed.keys)), "a reorged-away lock was released")
            #expect(released.count == 1, "the lock made after the reorg is released")
            for node in nodes {
                for id in doomed.keys {
                    let state = try await node.journal.entry(id)?.state
                    #expect(state == .orphaned || state == nil, "\(node.configuration.nodeID): \(String(describing: state))")
                }
                #expect(node.stats.snapshot.signed[.release, default: 0] == 1, "only the surviving lock is ever signed")
            }
        }
    }
}

extension Collection where Element: Sendable {
    func asyncCount(_ predicate: (Element) async throws -> Bool) async rethrows -> Int {
        var n = 0
        for e in self where try await predicate(e) { n += 1 }
        return n
    }
}
