import FerryChains
import FerryCore
@testable import FerryRelayer
import FerryWire
import FerryTestSupport
import Foundation
import Synchronization
import Testing

private let a = RelayerNetwork.chainA
private let b = RelayerNetwork.chainB

/// A chain adapter whose node lies about time: every block it reports is `shiftMillis` later than it is.
struct TimeShiftedAdapter: ChainAdapter {
    let inner: any ChainAdapter
    let shiftMillis: UInt64

    var info: ChainInfo { inner.info }
    func shifted(_ block: BlockRef) -> BlockRef {
        BlockRef(height: block.height, hash: block.hash, timestampMillis: block.timestampMillis + shiftMillis)
    }
    func head() async throws(ChainError) -> BlockRef { shifted(try await inner.head()) }
    func finalizedHeight() async throws(ChainError) -> UInt64 { try await inner.finalizedHeight() }
    func balance(of account: Address, asset: String) async throws(ChainError) -> Amount { try await inner.balance(of: account, asset: asset) }
    func feeEstimate() async throws(ChainError) -> FeeEstimate { try await inner.feeEstimate() }
    func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        try await inner.submit(call, signer: signer, priority: priority)
    }
    func transaction(_ id: TxID) async throws(ChainError) -> TxStatus { try await inner.transaction(id) }
    func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord { try await inner.gatewayState(of: messageId) }
    func relayerSet() async throws(ChainError) -> RelayerSet { try await inner.relayerSet() }
    func onwardHops(of messageId: Bytes32) async throws(ChainError) -> [Transfer] { try await inner.onwardHops(of: messageId) }
    var forwardsRoutes: Bool { inner.forwardsRoutes }
    func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> {
        let upstream = inner.events(from: height)
        let shift = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in upstream {
                        switch event {
                        case let .head(block): continuation.yield(.head(shift.shifted(block)))
                        case let .locked(id, t, block, tx): continuation.yield(.locked(messageId: id, transfer: t, block: shift.shifted(block), tx: tx))
                        case let .released(id, block, tx): continuation.yield(.released(messageId: id, block: shift.shifted(block), tx: tx))
                        case let .cancelled(id, block, tx): continuation.yield(.cancelled(messageId: id, block: shift.shifted(block), tx: tx))
                        case let .refunded(id, block, tx): continuation.yield(.refunded(messageId: id, block: shift.shifted(block), tx: tx))
                        case .reorg: continuation.yield(event)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A chain adapter whose finalized height can be held back (a destination whose finality stalls).
struct StalledFinalityAdapter: ChainAdapter {
    final class Gate: Sendable {
        let frozenAt = Mutex<UInt64?>(nil)
    }
    let inner: any ChainAdapter
    let gate: Gate

    var info: ChainInfo { inner.info }
    func head() async throws(ChainError) -> BlockRef { try await inner.head() }
    func finalizedHeight() async throws(ChainError) -> UInt64 {
        let real = try await inner.finalizedHeight()
        return gate.frozenAt.withLock { $0.map { min($0, real) } } ?? real
    }
    func balance(of account: Address, asset: String) async throws(ChainError) -> Amount { try await inner.balance(of: account, asset: asset) }
    func feeEstimate() async throws(ChainError) -> FeeEstimate { try await inner.feeEstimate() }
    func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        try await inner.submit(call, signer: signer, priority: priority)
    }
    func transaction(_ id: TxID) async throws(ChainError) -> TxStatus { try await inner.transaction(id) }
    func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord { try await inner.gatewayState(of: messageId) }
    func relayerSet() async throws(ChainError) -> RelayerSet { try await inner.relayerSet() }
    func onwardHops(of messageId: Bytes32) async throws(ChainError) -> [Transfer] { try await inner.onwardHops(of: messageId) }
    var forwardsRoutes: Bool { inner.forwardsRoutes }
    func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> { inner.events(from: height) }
}

@Suite("Relayer signing rules (real ZeroMQ, real SQLite)", .serialized)
struct RelayerSafetyTests {
    @Test("a destination node that shifts block times 2 h ahead gets no Cancel signed before the deadline; the transfer is released")
    func lyingTimestampsSignNoCancel() async throws {
        let network = try await RelayerNetwork()
        let gossip = try await RelayerNetwork.mesh(5)
        let twoHours: UInt64 = 2 * 3_600_000
        let nodes = try (0..<5).map { i in
            try network.node(i, gossip: gossip[i], graceMillis: 1_000) { id, adapter in
                id == b ? TimeShiftedAdapter(inner: adapter, shiftMillis: twoHours) : adapter
            }
        }
        let ledgerB = network.ledgers[b].unsafelyUnwrapped
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            try await network.step(nodes)
            let sender = try await network.sender(1, on: a, usdc: Amount(5_000_000))
            let deadline = network.clock.unixMillis / 1_000 + 3_600  // an hour ahead: the lie puts B past it
            let transfer = network.transfer(from: sender, on: a, to: b, amount: 1_000_000, deadline: deadline)
            _ = try await network.adapter(a).submit(.lock(transfer), signer: sender, priority: .high)
            var released = false
            for _ in 0..<400 {
                try await network.step(nodes)
                if await !network.releaseCounts(on: b).isEmpty { released = true; break }
            }
            #expect(released, "the transfer was not released")
            // A few more heads of B, all claiming to be past the deadline.
            for _ in 0..<20 { try await network.step(nodes) }
            for node in nodes {
                let stats = node.stats.snapshot
                #expect(stats.signed[.cancel, default: 0] == 0, "a node signed Cancel on a lying head: \(stats.signed)")
                #expect(stats.untrustedHeads > 0)
            }
            for id in try await network.lockedIDs(on: a).keys {
                guard case .released = try await ledgerB.gatewayState(of: id) else { Issue.record("not released: \(id)"); continue }
            }
        }
    }

    @Test("a lock whose destination asset the registry does not list is never attested (a misconfigured source gateway)")
    func unlistedPairIsNotAttested() async throws {
        // The source gateway pairs A's USDC with B's native coin (an operator's mistake): the relayers' registry
        // pairs USDC only with USDC.
        let network = try await RelayerNetwork(remoteAssetAB: .zero)
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0], graceMillis: 1_000) }
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            try await network.step(nodes)
            let sender = try await network.sender(2, on: a, usdc: Amount(5_000_000))
            var transfer = network.transfer(from: sender, on: a, to: b, amount: 1_000_000, deadline: network.clock.unixMillis / 1_000 + 3_600)
            transfer.destAsset = .zero
            _ = try await network.adapter(a).submit(.lock(transfer), signer: sender, priority: .high)
            for _ in 0..<60 { try await network.step(nodes) }
            for node in nodes {
                let stats = node.stats.snapshot
                #expect(stats.signed[.release, default: 0] == 0, "a node attested an unlisted pair")
                #expect(stats.unlistedPairs > 0)
            }
            #expect(await network.releaseCounts(on: b).isEmpty)
        }
    }

    @Test("no refund on the source while the destination's cancel is not final; once it is, Refund is signed and the sender refunded")
    func refundWaitsForFinalCancel() async throws {
        let network = try await RelayerNetwork()
        let gossip = try await RelayerNetwork.mesh(5)
        let gate = StalledFinalityAdapter.Gate()
        let nodes = try (0..<5).map { i in
            try network.node(i, gossip: gossip[i], graceMillis: 1_000) { id, adapter in
                id == b ? StalledFinalityAdapter(inner: adapter, gate: gate) : adapter
            }
        }
        let ledgerA = network.ledgers[a].unsafelyUnwrapped, ledgerB = network.ledgers[b].unsafelyUnwrapped
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            try await network.step(nodes)
            // B is down past the deadline, so the transfer is cancelled rather than released.
            try await ledgerB.apply(.outage(durationSeconds: nil))
            let sender = try await network.sender(3, on: a, usdc: Amount(2_000_000))
            let transfer = network.transfer(from: sender, on: a, to: b, amount: 1_000_000, deadline: network.clock.unixMillis / 1_000 + 60)
            _ = try await network.adapter(a).submit(.lock(transfer), signer: sender, priority: .high)
            for _ in 0..<300 { try await network.step(nodes) }
            // From here on B's finality stalls (in the relayers' view) where it is now.
            await ledgerB.endOutage()
            let stalledAt = try await ledgerB.finalizedHeight()
            gate.frozenAt.withLock { $0 = stalledAt }
            let id = try #require(try await network.lockedIDs(on: a).keys.first)
            var cancelledAt: UInt64?
            for _ in 0..<600 {
                try await network.step(nodes)
                if case let .cancelled(height) = try await ledgerB.gatewayState(of: id) { cancelledAt = height; break }
            }
            let cancelHeight = try #require(cancelledAt, "B never cancelled the transfer")
            #expect(cancelHeight > stalledAt)
            for _ in 0..<100 { try await network.step(nodes) }
            guard case .locked = try await ledgerA.gatewayState(of: id) else {
                Issue.record("refunded on A before B's cancel was final"); return
            }
            for node in nodes { #expect(node.stats.snapshot.signed[.refund, default: 0] == 0) }
            // Finality resumes: Refund is signed and the sender gets back amount + fee.
            gate.frozenAt.withLock { $0 = nil }
            var refunded = false
            for _ in 0..<600 {
                try await network.step(nodes)
                if case .refunded = try await ledgerA.gatewayState(of: id) { refunded = true; break }
            }
            #expect(refunded)
            #expect(try await ledgerA.balance(of: Address(sender.address.bytes32), asset: "USDC") == Amount(2_000_000))
        }
        for ledger in network.ledgers.values { for line in await ledger.conservation() { #expect(line.holds, "\(line)") } }
    }
}
