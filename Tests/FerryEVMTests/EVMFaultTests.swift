import FerryChains
import FerryCore
import FerryCrypto
import FerryTestSupport
import Foundation
import Testing

@testable import FerryEVM

/// Reorgs and outages of a real node, seen through `EVMAdapter`.
@Suite("EVM adapter faults", .serialized)
struct EVMFaultTests {
    func lock(_ adapter: EVMAdapter, _ signer: PrivateKeySigner, to remote: UInt64, amount: UInt64) async throws -> TxID {
        let now = try await adapter.head().timestampMillis / 1000
        let t = Transfer(sourceChain: adapter.info.id, destChain: ChainID(remote), nonce: 0, sender: Address(signer.address.bytes32),
                         receiver: Address(signer.address.bytes32), sourceAsset: .zero, destAsset: .zero, amount: Amount(amount),
                         fee: Amount(1), deadline: now + 3_600)
        return try await adapter.submit(.lock(t), signer: signer, priority: .median)
    }

    @Test("evm_snapshot / evm_revert replacing a delivered lock yields a reorg notice and the lock is not delivered again")
    func reorgNotice() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_501, remoteChain: 4_502)
        defer { bed.node.stop() }
        let adapter = try await bed.adapter(finalityDepth: 5)
        let signer = try await bed.fundedSigner(index: 1)
        let start = try await adapter.head().height
        let stream = adapter.events(from: start + 1)
        let snapshot = try await bed.rpc("evm_snapshot")
        let tx = try await lock(adapter, signer, to: 4_502, amount: 1_000)
        guard case let .included(height, true, _) = try await adapter.transaction(tx) else { Issue.record("lock failed"); return }
        let before = try await read(stream) { $0.contains { if case let .locked(_, _, _, t) = $0 { t == tx } else { false } } }
        #expect(before.contains { if case .locked = $0 { true } else { false } })

        // Back to the snapshot (the lock's block is gone), then a longer chain with other timestamps.
        #expect(try await bed.rpc("evm_revert", [snapshot]) == true)
        _ = try await bed.rpc("evm_increaseTime", ["0x10"])
        _ = try await bed.rpc("evm_mine", ["0x3"])
        let after = try await read(stream) { seen in
            seen.contains { if case let .head(ref) = $0 { ref.height >= height + 2 } else { false } }
        }
        let notices = after.compactMap { if case let .reorg(from) = $0 { from } else { nil } }
        #expect(notices == [height])
        #expect(!after.contains { if case let .locked(_, _, _, t) = $0 { t == tx } else { false } })
        #expect(try await adapter.transaction(tx) == .dropped)
    }

    @Test("a stopped node is .unreachable; restarted on the same port, reads and the event stream recover")
    func outageAndRecovery() async throws {
        var bed = try await EVMTestbed.start(chainId: 4_511, remoteChain: 4_512)
        defer { bed.node.stop() }
        var configuration = bed.adapterConfiguration()
        // A stopped node refuses connections at once; the timeout only bounds a slow (loaded) node's answers.
        configuration.rpc = .init(timeout: .seconds(5), retry: .init(maxAttempts: 2, initialBackoff: .milliseconds(20)))
        let adapter = try await EVMAdapter.connect(info: bed.info(), configuration: configuration)
        let stream = adapter.events(from: try await adapter.head().height + 1)
        let port = bed.node.port

        try await bed.node.stopAndWait()
        do {
            _ = try await adapter.head()
            Issue.record("a stopped node answered")
        } catch {
            guard case .unreachable(ChainID(4_511), _) = error else { Issue.record("expected .unreachable, got \(error)"); throw error }
            #expect(error.isTransient)
        }

        // Same chain id, same port, same deployer: the gateway is back at the same address. The port can stay
        // busy briefly while the client's side of old keep-alive connections closes, so retry the bind.
        var restarted: EVMTestbed?
        try await waitUntil("the node restarts on port \(port)", timeout: .seconds(20), every: .milliseconds(50)) {
            restarted = try? await EVMTestbed.start(chainId: 4_511, remoteChain: 4_512, port: port)
            return restarted != nil
        }
        bed = try #require(restarted)
        #expect(bed.info() == adapter.info)
        try await waitUntil("the adapter reads the restarted node", timeout: .seconds(20), every: .milliseconds(50)) { (try? await adapter.head()) != nil }
        let signer = try await bed.fundedSigner(index: 4)
        let tx = try await lock(adapter, signer, to: 4_512, amount: 2_000)
        let events = try await read(stream) { $0.contains { if case let .locked(_, _, _, t) = $0 { t == tx } else { false } } }
        #expect(events.contains { if case let .locked(_, _, _, t) = $0 { t == tx } else { false } })
    }
}
