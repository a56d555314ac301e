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
            // Lock: senders on both chains, 50 transfers each.
            var submitted = 0
            for (source, dest) in [(RelayerNetwork.chainA, RelayerNetwork.chainB), (RelayerNetwork.chainB, RelayerNetwork.chainA)] {
                let senders = transfersPerDirection / 50
                for s in 0..<senders {
                    let sender = try await network.sender(UInt64(s) + (source == RelayerNetwork.chainA ? 0 : 10_000), on: source,
                                                          usdc: Amount(amountEach * 100))
                    for _ in 0..<50 {
                        _ = try await network.adapter(source).submit(
                            .lock(network.transfer(from: sender, on: source, to: dest, amount: amountEach, deadline: deadline)),
                            signer: sender, priority: .high)
                        submitted += 1
                    }
                }
            }
            // Drive time until every lock is released on its destination.
            var released = 0
            for step in 0..<3_000 {
                try await network.step(nodes)
                if step % 10 == 0 {
                    let a = await network.releaseCounts(on: RelayerNetwork.chainA).count
                    let b = await network.releaseCounts(on: RelayerNetwork.chainB).count
                    released = a + b
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
