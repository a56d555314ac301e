import FerryCore
@testable import FerryRelayer
import Foundation
import Testing

@Suite("Journal batches and the commit pipeline")
struct JournalBatchTests {
    static func tempPath() -> String { JournalTests.tempPath() }

    static func record(_ id: Bytes32, signer: UInt8) -> AttestationRecord {
        AttestationRecord(messageId: id, kind: .release, signer: Array(repeating: signer, count: 20),
                          signature: Array(repeating: 2, count: 65), receivedAtMillis: 3)
    }

    @Test("a group of batches is written in order in one transaction and reloads as open state after a restart")
    func groupAndReload() async throws {
        let path = Self.tempPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let t1 = JournalTests.transfer(nonce: 1), t2 = JournalTests.transfer(nonce: 2)
        do {
            let journal = try Journal(path: path)
            try await journal.commit([
                JournalBatch(atMillis: 1, changes: [
                    .lock(t1, height: 10, blockHash: Keccak256.hash("b10"), route: nil),
                    .lock(t2, height: 10, blockHash: Keccak256.hash("b10"), route: RouteLink(routeID: Keccak256.hash("route"), hop: 1)),
                    .cursor(1, height: 11),
                ]),
                // The second batch moves what the first one created: order within the group matters.
                JournalBatch(atMillis: 2, changes: [
                    .move(t1.messageId, from: .seen, to: .final, note: nil),
                    .move(t1.messageId, from: .final, to: .attested, note: nil),
                    .attestation(Self.record(t1.messageId, signer: 1)),
                    .intent(.release, t1.messageId, chain: 2),
                    .submission(.release, t1.messageId, state: .sent, txHash: Keccak256.hash("tx"), error: nil),
                    .move(t2.messageId, from: .seen, to: .orphaned, note: "reorg"),
                ]),
            ])
        }
        let journal = try Journal(path: path)
        let open = try await journal.openState()
        #expect(open.entries.map(\.messageId) == [t1.messageId], "the orphan is not open")
        #expect(open.entries.first?.state == .attested)
        #expect(open.attestations.count == 1)
        #expect(open.submissions.first?.state == .sent && open.submissions.first?.txHash == Keccak256.hash("tx"))
        #expect(try await journal.cursor(for: 1)?.height == 11)
        #expect(try await journal.history(of: t1.messageId).map(\.to) == [.seen, .final, .attested])
        #expect(try await journal.hops(of: Keccak256.hash("route")).map(\.hopIndex) == [1])
        // The orphan mined again is revived as seen; a lock already journaled in another state is left alone.
        try await journal.commit([JournalBatch(atMillis: 5, changes: [
            .lock(t2, height: 12, blockHash: Keccak256.hash("b12"), route: nil),
            .lock(t1, height: 99, blockHash: .zero, route: nil),
        ])])
        #expect(try await journal.entry(t2.messageId)?.state == .seen)
        #expect(try await journal.entry(t2.messageId)?.lockHeight == 12)
        #expect(try await journal.entry(t1.messageId)?.state == .attested)
        #expect(try await journal.entry(t1.messageId)?.lockHeight == 10)
        #expect(try await journal.states(of: [t1.messageId, t2.messageId, Keccak256.hash("unknown")]) == [t1.messageId: .attested, t2.messageId: .seen])
    }

    @Test("a move from a state the journal does not hold refuses the whole group and writes nothing")
    func inconsistentGroupWritesNothing() async throws {
        let journal = try Journal.inMemory()
        let t = JournalTests.transfer(nonce: 3)
        try await journal.commit([JournalBatch(atMillis: 1, changes: [.lock(t, height: 1, blockHash: .zero, route: nil)])])
        await #expect(throws: JournalError.self) {
            try await journal.commit([
                JournalBatch(atMillis: 2, changes: [.cursor(7, height: 3), .attestation(Self.record(t.messageId, signer: 9))]),
                JournalBatch(atMillis: 2, changes: [.move(t.messageId, from: .final, to: .attested, note: nil)]),
            ])
        }
        #expect(try await journal.entry(t.messageId)?.state == .seen)
        #expect(try await journal.cursor(for: 7) == nil)
        #expect(try await journal.attestations(for: t.messageId, kind: .release).isEmpty)
    }

    @Test("the pipeline commits batches in the order they were queued and reports each one durable")
    func pipelineOrder() async throws {
        let journal = try Journal.inMemory()
        let pipeline = JournalPipeline(journal: journal)
        let t = JournalTests.transfer(nonce: 4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            // Queued back to back without waiting: each move depends on the one before it.
            let states: [TransferState] = [.seen, .final, .attested, .submitted, .released]
            _ = pipeline.enqueue(JournalBatch(atMillis: 1, changes: [.lock(t, height: 1, blockHash: .zero, route: nil)]))
            var last: UInt64 = 0
            for (from, to) in zip(states, states.dropFirst()) {
                last = pipeline.enqueue(JournalBatch(atMillis: 2, changes: [.move(t.messageId, from: from, to: to, note: nil)]))
            }
            #expect(pipeline.enqueue(JournalBatch(atMillis: 3)) == 0, "an empty batch is durable at once")
            try await pipeline.durable(last)
            #expect(try await journal.entry(t.messageId)?.state == .released)
            #expect(try await journal.history(of: t.messageId).map(\.to) == states)
            group.cancelAll()
        }
    }

    @Test("after a refused group the pipeline stops and every waiter learns why")
    func pipelineFailure() async throws {
        let journal = try Journal.inMemory()
        let pipeline = JournalPipeline(journal: journal)
        let t = JournalTests.transfer(nonce: 5)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            let bad = pipeline.enqueue(JournalBatch(atMillis: 1, changes: [.move(t.messageId, from: .seen, to: .final, note: nil)]))
            await #expect(throws: JournalError.self) { try await pipeline.durable(bad) }
            await #expect(throws: JournalError.self) { try await group.next() }
        }
    }

    @Test("a forwarding hop whose next hop the journal lacks is a route tail a restart relinks; once the next hop is in, it is not")
    func routeTails() async throws {
        let path = Self.tempPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var next = JournalTests.transfer(nonce: 0, source: 2)
        next.destChain = 3
        var first = JournalTests.transfer(nonce: 4)
        first.receiver = .forward
        first.payloadHash = next.routeCommitment
        next.nonce = 8  // assigned by the forwarding gateway
        let route = RouteLink(routeID: first.messageId, hop: 0)
        let journal = try Journal(path: path)
        try await journal.commit([JournalBatch(atMillis: 1, changes: [
            .lock(first, height: 10, blockHash: Keccak256.hash("b10"), route: route),
            .move(first.messageId, from: .seen, to: .released, note: nil),
            .lock(JournalTests.transfer(nonce: 5), height: 10, blockHash: Keccak256.hash("b10"), route: nil),
        ])])
        #expect(try await journal.openState().routeTails.map(\.messageId) == [first.messageId], "released, next hop not seen yet")
        try await journal.commit([JournalBatch(atMillis: 2, changes: [
            .lock(next, height: 3, blockHash: Keccak256.hash("c3"), route: RouteLink(routeID: first.messageId, hop: 1)),
        ])])
        #expect(try await journal.openState().routeTails.isEmpty)
        #expect(try await journal.hops(of: first.messageId).map(\.messageId) == [first.messageId, next.messageId])
    }
}
