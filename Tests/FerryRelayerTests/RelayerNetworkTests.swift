import FerryChains
import FerryCore
@testable import FerryRelayer
import FerryWire
import Foundation
import Testing

@Suite("Relayer network (real ZeroMQ, real SQLite)", .serialized)
struct RelayerNetworkTests {
    /// Runs `body` with all relayer nodes running; cancels them afterwards.
    static func withNodes(_ network: RelayerNetwork, gossip: [GossipNode], nodes: [RelayerNode],
                          _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.run() } }
            do {
                try await body()
            } catch {
                group.cancelAll()
                for g in gossip { await g.close() }
                throw error
            }
            group.cancelAll()
            for g in gossip { await g.close() }
            while let _ = try? await group.next() {}
        }
    }

    @Test("5 relayers with threshold 3 release every transfer exactly once, both directions, and value is conserved")
    func releasesExactlyOnce() async throws {
        let transfersPerDirection = Int(ProcessInfo.processInfo.environment["FERRY_RELAYER_TEST_TRANSFERS"] ?? "") ?? 1_000
        let network = try await RelayerNetwork()
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0]) }
        let deadline = network.clock.unixMillis / 1_000 + 86_400
        let amountEach: UInt64 = 1_000_000
        try await Self.withNodes(network, gossip: gossip, nodes: nodes) {
            // Senders on both chains, 50 transfers each, locking a steady 20 per short block (a burst of thousands
            // in one block would price the senders' own locks out of the simulated fee market).
            var pending: [(PrivateKeySigner, ChainID, ChainID)] = []
            for (source, dest) in [(RelayerNetwork.chainA, RelayerNetwork.chainB), (RelayerNetwork.chainB, RelayerNetwork.chainA)] {
                for s in 0..<(transfersPerDirection / 50) {
                    let sender = try await network.sender(UInt64(s) + (source == RelayerNetwork.chainA ? 0 : 10_000), on: source,
                                                          usdc: Amount(amountEach * 100))
                    pending += Array(repeating: (sender, source, dest), count: 50)
                }
            }
            pending.sort { ($0.0.address, $0.1) < ($1.0.address, $1.1) }
            let submitted = pending.count
            var next = 0
            // Drive time until every lock is released on its destination.
            var released = 0
            for step in 0..<3_000 {
                for (sender, source, dest) in pending[next..<min(next + 20, pending.count)] {
                    _ = try await network.adapter(source).submit(
                        .lock(network.transfer(from: sender, on: source, to: dest, amount: amountEach, deadline: deadline)),
                        signer: sender, priority: .high)
                }
                next = min(next + 20, pending.count)
                try await network.step(nodes)
                if step % 10 == 0 {
                    let a = await network.releaseCounts(on: RelayerNetwork.chainA).count
                    let b = await network.releaseCounts(on: RelayerNetwork.chainB).count
                    released = a + b
                    if ProcessInfo.processInfo.environment["FERRY_TEST_TRACE"] != nil {
                        let s = nodes[0].stats.snapshot
                        let counts = try await nodes[0].journal.countsByState()
                        let pendingA = await network.ledgers[RelayerNetwork.chainA].unsafelyUnwrapped.pendingCount
                        let pendingB = await network.ledgers[RelayerNetwork.chainB].unsafelyUnwrapped.pendingCount
                        print("step \(step) released \(released)/\(submitted) mempool A \(pendingA) B \(pendingB) node0 \(counts) signed \(s.signed) accepted \(s.accepted) submitted \(s.submitted) failed \(s.failedSubmissions) queue \(nodes[0].queue.count)")
                    }
                    if released == submitted { break }
                }
            }
            #expect(released == submitted, "released \(released) of \(submitted)")
        }
        // Exactly once, and only what was locked.
        let lockedA = try await network.lockedIDs(on: RelayerNetwork.chainA)
        let lockedB = try await network.lockedIDs(on: RelayerNetwork.chainB)
        let releasedOnB = await network.releaseCounts(on: RelayerNetwork.chainB)
        let releasedOnA = await network.releaseCounts(on: RelayerNetwork.chainA)
        #expect(lockedA.count == transfersPerDirection && lockedB.count == transfersPerDirection)
        #expect(Set(releasedOnB.keys) == Set(lockedA.keys))
        #expect(Set(releasedOnA.keys) == Set(lockedB.keys))
        #expect(releasedOnA.values.allSatisfy { $0 == 1 } && releasedOnB.values.allSatisfy { $0 == 1 })
        for ledger in network.ledgers.values {
            for line in await ledger.conservation() { #expect(line.holds, "\(line)") }
        }
        // Cross-chain: each pool's USDC moved by exactly the locked amounts (plus fees) in and the released amounts out.
        let poolA = await network.ledgers[RelayerNetwork.chainA].unsafelyUnwrapped.pool("USDC")
        let poolB = await network.ledgers[RelayerNetwork.chainB].unsafelyUnwrapped.pool("USDC")
        let start = Amount(1_000_000_000_000_000)
        let lockedIn = try Amount(UInt64(transfersPerDirection)) * Amount(amountEach + 100)
        let paidOut = try Amount(UInt64(transfersPerDirection)) * Amount(amountEach)
        #expect(poolA == (try (start + lockedIn) - paidOut))
        #expect(poolB == (try (start + lockedIn) - paidOut))
        let stats = nodes.map(\.stats.snapshot)
        #expect(stats.allSatisfy { $0.rejected.isEmpty }, "honest nodes reject nothing: \(stats.map(\.rejected))")
        #expect(stats.reduce(0) { $0 + $1.signed[.release, default: 0] } == 5 * 2 * transfersPerDirection)
    }
}
