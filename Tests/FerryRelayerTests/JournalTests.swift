import FerryCore
@testable import FerryRelayer
import Foundation
import Testing

@Suite("Journal")
struct JournalTests {
    static func transfer(nonce: UInt64, source: ChainID = 1, deadline: UInt64 = 2_000_000_000) -> Transfer {
        Transfer(sourceChain: source, destChain: 2, nonce: nonce,
                 sender: Address(Keccak256.hash("sender")), receiver: Address(Keccak256.hash("receiver")),
                 sourceAsset: .zero, destAsset: .zero, amount: Amount(1_000 + nonce), fee: 10, deadline: deadline)
    }

    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ferry-journal-\(UUID().uuidString).sqlite").path
    }

    @Test("a file journal survives reopening with states, attestations, cursors and submissions intact")
    func survivesRestart() async throws {
        let path = Self.tempPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let t = Self.transfer(nonce: 1)
        do {
            let journal = try Journal(path: path)
            #expect(try await journal.recordLock(t, height: 10, blockHash: Keccak256.hash("b10"), atMillis: 1))
            try await journal.move(t.messageId, to: .final, atMillis: 2)
            try await journal.addAttestation(AttestationRecord(messageId: t.messageId, kind: .release,
                                                               signer: Array(repeating: 1, count: 20), signature: Array(repeating: 2, count: 65), receivedAtMillis: 3))
            try await journal.setCursor(1, height: 11, atMillis: 3)
            _ = try await journal.beginSubmission(.release, for: t.messageId, on: 2, atMillis: 4)
            try await journal.updateSubmission(.release, for: t.messageId, state: .sent, txHash: Keccak256.hash("tx"), atMillis: 5)
        }
        let reopened = try Journal(path: path)
        let entry = try #require(try await reopened.entry(t.messageId))
        #expect(entry.state == .final)
        #expect(entry.transfer == t)
        #expect(try await reopened.attestations(for: t.messageId, kind: .release).count == 1)
        #expect(try await reopened.cursor(for: 1)?.height == 11)
        let (record, isNew) = try await reopened.beginSubmission(.release, for: t.messageId, on: 2, atMillis: 6)
        #expect(!isNew, "a sent submission must not be sent again after a restart")
        #expect(record.txHash == Keccak256.hash("tx"))
        #expect(try await reopened.history(of: t.messageId).map(\.to) == [.seen, .final])
    }

    @Test("recording the same lock twice is a no-op")
    func idempotentLock() async throws {
        let journal = try Journal.inMemory()
        let t = Self.transfer(nonce: 2)
        #expect(try await journal.recordLock(t, height: 5, blockHash: .zero, atMillis: 1))
        #expect(try await !journal.recordLock(t, height: 5, blockHash: .zero, atMillis: 2))
        #expect(try await journal.countsByState() == [.seen: 1])
    }

    @Test("illegal transitions are refused and change nothing", arguments: [
        (TransferState.seen, TransferState.attested), (.seen, .submitted), (.final, .seen), (.final, .orphaned),
    ])
    func illegalTransitions(from: TransferState, to: TransferState) async throws {
        let journal = try Journal.inMemory()
        let t = Self.transfer(nonce: 3)
        try await journal.recordLock(t, height: 1, blockHash: .zero, atMillis: 1)
        if from == .final { try await journal.move(t.messageId, to: .final, atMillis: 2) }
        await #expect(throws: JournalError.illegalTransition(messageId: t.messageId, from: from, to: to)) {
            try await journal.move(t.messageId, to: to, atMillis: 3)
        }
        #expect(try await journal.entry(t.messageId)?.state == from)
    }

    @Test("release and refund exclude each other in the state machine")
    func releaseExcludesRefund() async throws {
        let journal = try Journal.inMemory()
        let t = Self.transfer(nonce: 4)
        try await journal.recordLock(t, height: 1, blockHash: .zero, atMillis: 1)
        for s in [TransferState.final, .attested, .submitted, .released] { try await journal.move(t.messageId, to: s, atMillis: 2) }
        await #expect(throws: JournalError.self) { try await journal.move(t.messageId, to: .cancelled, atMillis: 3) }
        await #expect(throws: JournalError.self) { try await journal.move(t.messageId, to: .refunded, atMillis: 3) }
    }

    @Test("a reorg orphans only non-final locks at or above its height, and a re-mined lock comes back")
    func reorgOrphans() async throws {
        let journal = try Journal.inMemory()
        let low = Self.transfer(nonce: 5), high = Self.transfer(nonce: 6), finalHigh = Self.transfer(nonce: 7), other = Self.transfer(nonce: 8, source: 9)
        try await journal.recordLock(low, height: 9, blockHash: .zero, atMillis: 1)
        try await journal.recordLock(high, height: 10, blockHash: .zero, atMillis: 1)
        try await journal.recordLock(finalHigh, height: 11, blockHash: .zero, atMillis: 1)
        try await journal.move(finalHigh.messageId, to: .final, atMillis: 2)
        try await journal.recordLock(other, height: 12, blockHash: .zero, atMillis: 1)
        let orphaned = try await journal.orphanLocks(on: 1, fromHeight: 10, atMillis: 3)
        #expect(orphaned == [high.messageId])
        #expect(try await journal.recordLock(high, height: 13, blockHash: Keccak256.hash("new"), atMillis: 4))
        #expect(try await journal.entry(high.messageId)?.lockHeight == 13)
        #expect(try await journal.entry(high.messageId)?.state == .seen)
    }

    @Test("attestations count distinct signers and ignore repeats, also under concurrency")
    func attestationsDistinct() async throws {
        let journal = try Journal.inMemory()
        let id = Self.transfer(nonce: 9).messageId
        // Attestations belong to a journaled transfer: one of an unknown id is refused, and nothing is stored.
        await #expect(throws: JournalError.unknownTransfer(id)) {
            try await journal.addAttestation(AttestationRecord(messageId: id, kind: .release, signer: Array(repeating: 1, count: 20),
                                                               signature: Array(repeating: 1, count: 65), receivedAtMillis: 0))
        }
        try await journal.recordLock(Self.transfer(nonce: 9), height: 1, blockHash: .zero, atMillis: 0)
        #expect(try await journal.attestations(for: id, kind: .release).isEmpty)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    try await journal.addAttestation(AttestationRecord(messageId: id, kind: .release, signer: Array(repeating: UInt8(i % 5), count: 20),
                                                                       signature: Array(repeating: UInt8(i), count: 65), receivedAtMillis: UInt64(i)))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await journal.attestations(for: id, kind: .release).count == 5)
        #expect(try await journal.attestations(for: id, kind: .cancel).isEmpty)
    }

    @Test("pruning removes old terminal transfers and everything attached, and keeps the rest")
    func pruning() async throws {
        let journal = try Journal.inMemory()
        let done = Self.transfer(nonce: 10), live = Self.transfer(nonce: 11)
        for t in [done, live] { try await journal.recordLock(t, height: 1, blockHash: .zero, atMillis: 1) }
        try await journal.move(done.messageId, to: .final, atMillis: 2)
        try await journal.move(done.messageId, to: .released, atMillis: 3)
        try await journal.addAttestation(AttestationRecord(messageId: done.messageId, kind: .release, signer: Array(repeating: 1, count: 20),
                                                           signature: Array(repeating: 1, count: 65), receivedAtMillis: 1))
        #expect(try await journal.prune(terminalBefore: 3) == 0)
        #expect(try await journal.prune(terminalBefore: 4) == 1)
        #expect(try await journal.entry(done.messageId) == nil)
        #expect(try await journal.attestations(for: done.messageId, kind: .release).isEmpty)
        #expect(try await journal.history(of: done.messageId).isEmpty)
        #expect(try await journal.entry(live.messageId)?.state == .seen)
    }

    @Test("a file that is not a database is refused with the path named")
    func notADatabase() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 4096)))
        let error = #expect(throws: JournalError.self) { try Journal(path: path) }
        #expect(error?.description.contains(path) == true)
    }

    @Test("migration v4 keeps every transfer with its attestations and submissions, in arrival order")
    func migrationToRowOrder() async throws {
        let path = Self.tempPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let older = Self.transfer(nonce: 1), newer = Self.transfer(nonce: 2)
        do {
            let v3 = try Journal(path: path, migratingUpTo: "v3")
            for (t, at) in [(newer, 20), (older, 10)] {
                let abi = t.abiEncoded.map { String(format: "%02x", $0) }.joined()
                try await v3.execute(sql: """
                    INSERT INTO transfer (message_id, source_chain, dest_chain, transfer_abi, state, lock_height, lock_block_hash, deadline,
                                          route_id, hop_index, created_at, updated_at)
                    VALUES (x'\(t.messageId.hex.dropFirst(2))', 1, 2, x'\(abi)', 'attested', 5, x'\(Bytes32.zero.hex.dropFirst(2))',
                            \(t.deadline), NULL, NULL, \(at), \(at))
                    """)
            }
            try await v3.execute(sql: """
                INSERT INTO attestation (message_id, kind, signer, signature, received_at)
                VALUES (x'\(older.messageId.hex.dropFirst(2))', 'release', x'\(String(repeating: "11", count: 20))', x'\(String(repeating: "22", count: 65))', 7);
                INSERT INTO attestation (message_id, kind, signer, signature, received_at)
                VALUES (x'\(Keccak256.hash("unknown").hex.dropFirst(2))', 'release', x'\(String(repeating: "11", count: 20))', x'\(String(repeating: "22", count: 65))', 7);
                INSERT INTO submission (idempotency_key, message_id, chain, action, state, tx_hash, attempts, last_error, updated_at)
                VALUES ('release:\(newer.messageId.hex)', x'\(newer.messageId.hex.dropFirst(2))', 2, 'release', 'sent', NULL, 2, NULL, 30);
                """)
        }
        let journal = try Journal(path: path)
        let open = try await journal.openState()
        #expect(open.entries.map(\.messageId).sorted() == [older.messageId, newer.messageId].sorted())
        #expect(open.attestations.map(\.messageId) == [older.messageId], "the orphan attestation is not carried over")
        #expect(try await journal.attestations(for: older.messageId, kind: .release).first?.signature == Array(repeating: 0x22, count: 65))
        let submission = try #require(try await journal.submission(.release, for: newer.messageId))
        #expect(submission.state == .sent && submission.attempts == 2 && submission.idempotencyKey == "release:\(newer.messageId.hex)")
        // The migrated journal takes new locks, and keeps the old ones' times.
        try await journal.recordLock(Self.transfer(nonce: 3), height: 6, blockHash: .zero, atMillis: 40)
        #expect(try await journal.entries(in: [.attested, .seen]).map(\.messageId)
                == [older.messageId, newer.messageId, Self.transfer(nonce: 3).messageId])
        let (again, isNew) = try await journal.beginSubmission(.release, for: newer.messageId, on: 2, atMillis: 50)
        #expect(!isNew && again.state == .sent, "a sent submission survives the migration and is not re-sent")
    }
}
