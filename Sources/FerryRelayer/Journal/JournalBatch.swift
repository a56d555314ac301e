public import FerryCore
import Foundation
internal import GRDB

/// A group of journal changes written in one SQLite transaction, in order.
///
/// A relayer node describes every state change as a batch before it acts on it; the node's ``JournalPipeline``
/// commits batches in the order they were made, several per transaction (group commit), so a busy node pays
/// for one commit per group rather than one per change.
public struct JournalBatch: Sendable {
    /// One change.
    public enum Change: Sendable {
        /// A lock seen on the source chain: a new `seen` entry, or an `orphaned` one seen again.
        case lock(Transfer, height: UInt64, blockHash: Bytes32, route: RouteLink?)
        /// A state change the caller has checked against the state machine; `from` must be the journaled state.
        case move(Bytes32, from: TransferState, to: TransferState, note: String?)
        /// A signature: this node's own, or a peer's that verified (one per id, kind and signer; repeats are ignored).
        case attestation(AttestationRecord)
        /// The next height to read on a chain.
        case cursor(ChainID, height: UInt64)
        /// The intent to submit `action` (before anything is sent): a new submission, or another attempt.
        case intent(SubmissionAction, Bytes32, chain: ChainID)
        /// What happened to a submission.
        case submission(SubmissionAction, Bytes32, state: SubmissionState, txHash: Bytes32?, error: String?)
    }

    public var changes: [Change] = []
    /// Unix milliseconds the changes are stamped with.
    public var atMillis: UInt64

    public init(atMillis: UInt64, changes: [Change] = []) {
        self.atMillis = atMillis
        self.changes = changes
    }

    public var isEmpty: Bool { changes.isEmpty }

    public mutating func append(_ change: Change) { changes.append(change) }
}

/// Where a transfer sits in a multi-hop route.
public struct RouteLink: Sendable, Hashable {
    /// The route's id (shared by all its hops).
    public let routeID: Bytes32
    /// This hop's position, 0-based.
    public let hop: Int

    public init(routeID: Bytes32, hop: Int) {
        self.routeID = routeID
        self.hop = hop
    }
}

/// What a restarted node reloads: every transfer still in progress, with its signatures and submissions.
public struct JournalOpenState: Sendable {
    public var entries: [JournalEntry] = []
    /// Signatures held for those transfers (own, and peers' that verified).
    public var attestations: [AttestationRecord] = []
    public var submissions: [SubmissionRecord] = []
    /// Forwarding hops of multi-hop routes whose next hop the journal does not hold yet (not refunded): a
    /// restarted node links the next hop's lock to them when it sees it.
    public var routeTails: [JournalEntry] = []
}

extension Journal {
    /// Writes `batches` in one transaction, in order.
    /// - Throws: ``JournalError/inconsistent(_:)`` when a move's `from` state is not the journaled one (nothing
    ///   of the group is written), or ``JournalError/database(_:)``.
    public func commit(_ batches: [JournalBatch]) async throws(JournalError) {
        guard batches.contains(where: { !$0.isEmpty }) else { return }
        try await write { db in try Self.apply(batches, db) }
    }

    /// Writes `batches` in one transaction, blocking the calling thread: the final flush of a stopping node, whose
    /// cancelled task GRDB's asynchronous writes refuse to start in.
    /// - Throws: as ``commit(_:)``.
    func commitBlocking(_ batches: [JournalBatch]) throws(JournalError) {
        guard batches.contains(where: { !$0.isEmpty }) else { return }
        do {
            try writer.write { db in try Self.apply(batches, db) }
        } catch let error as JournalError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    /// The journaled state of each of `ids` that the journal holds.
    public func states(of ids: [Bytes32]) async throws(JournalError) -> [Bytes32: TransferState] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            var out: [Bytes32: TransferState] = [:]
            let statement = try db.cachedStatement(sql: "SELECT state FROM transfer WHERE message_id = ?")
            for id in ids {
                if let text = try String.fetchOne(statement, arguments: [id.data]) { out[id] = try Self.state(text) }
            }
            return out
        }
    }

    /// Every transfer not yet settled (seen, final, attested, submitted, cancelled), with its attestations and
    /// submissions: what a node reloads on start.
    public func openState() async throws(JournalError) -> JournalOpenState {
        try await read { db in
            let live = "('seen', 'final', 'attested', 'submitted', 'cancelled')"
            var out = JournalOpenState()
            out.entries = try Row.fetchAll(db, sql: "SELECT * FROM transfer WHERE state IN \(live) ORDER BY lock_height, message_id")
                .map(Self.entry)
            out.attestations = try Row.fetchAll(db, sql: """
                SELECT a.*, t.message_id FROM attestation a JOIN transfer t ON t.id = a.transfer_id WHERE t.state IN \(live)
                """).map { row in
                let kind: String = row["kind"]
                guard let k = AttestationKind(rawValue: kind) else {
                    throw JournalError.corruptRow(table: "attestation", reason: "unknown kind \(kind)")
                }
                return AttestationRecord(messageId: try Self.bytes32(row["message_id"]), kind: k, signer: [UInt8](row["signer"] as Data),
                                         signature: [UInt8](row["signature"] as Data), receivedAtMillis: UInt64(row["received_at"] as Int64))
            }
            out.submissions = try Row.fetchAll(db, sql: """
                SELECT s.*, t.message_id FROM submission s JOIN transfer t ON t.id = s.transfer_id WHERE t.state IN \(live)
                """).map(Self.submission)
            out.routeTails = try Row.fetchAll(db, sql: """
                SELECT * FROM transfer t WHERE t.route_id IS NOT NULL AND t.state NOT IN ('refunded', 'orphaned')
                AND NOT EXISTS (SELECT 1 FROM transfer n WHERE n.route_id = t.route_id AND n.hop_index = t.hop_index + 1)
                """).map(Self.entry).filter(\.transfer.forwards)
            return out
        }
    }

    /// Applies `batches` in order inside the caller's transaction.
    static func apply(_ batches: [JournalBatch], _ db: Database) throws {
        for batch in batches {
            for change in batch.changes { try apply(change, at: batch.atMillis, db) }
        }
    }

    static func apply(_ change: JournalBatch.Change, at now: UInt64, _ db: Database) throws {
        let at = Int64(clamping: now)
        switch change {
        case let .lock(transfer, height, blockHash, route):
            let id = transfer.messageId
            let revived = try db.cachedStatement(sql: """
                UPDATE transfer SET state = 'seen', lock_height = ?, lock_block_hash = ?, updated_at = ? WHERE message_id = ? AND state = 'orphaned'
                """)
            try revived.execute(arguments: [Int64(bitPattern: height), blockHash.data, at, id.data])
            if db.changesCount > 0 {
                try logTransition(db, id, from: .orphaned, to: .seen, at: now, note: "lock mined again at \(height)")
                return
            }
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO transfer (message_id, source_chain, dest_chain, transfer_abi, state, lock_height, lock_block_hash,
                                                deadline, route_id, hop_index, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'seen', ?, ?, ?, ?, ?, ?, ?)
                """)
            try insert.execute(arguments: [
                id.data, Int64(bitPattern: transfer.sourceChain.rawValue), Int64(bitPattern: transfer.destChain.rawValue),
                Data(transfer.abiEncoded), Int64(bitPattern: height), blockHash.data, Int64(bitPattern: transfer.deadline),
                route?.routeID.data, route?.hop, at, at])
            if db.changesCount > 0 { try logTransition(db, id, from: nil, to: .seen, at: now, note: "locked at \(height)") }
        case let .move(id, from, to, note):
            let update = try db.cachedStatement(sql: "UPDATE transfer SET state = ?, updated_at = ? WHERE message_id = ? AND state = ?")
            try update.execute(arguments: [to.rawValue, at, id.data, from.rawValue])
            guard db.changesCount == 1 else {
                let actual = try String.fetchOne(db, sql: "SELECT state FROM transfer WHERE message_id = ?", arguments: [id.data])
                throw JournalError.inconsistent("move \(from.rawValue) -> \(to.rawValue) of \(id.hex): the journal holds \(actual ?? "no such transfer")")
            }
            try logTransition(db, id, from: from, to: to, at: now, note: note)
        case let .attestation(a):
            try insertAttestation(db, a)
        case let .cursor(chain, height):
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO cursor (chain, height, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(chain) DO UPDATE SET height = excluded.height, updated_at = excluded.updated_at
                """)
            try upsert.execute(arguments: [Int64(bitPattern: chain.rawValue), Int64(bitPattern: height), at])
        case let .intent(action, id, chain):
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO submission (transfer_id, chain, action, state, attempts, updated_at)
                SELECT id, ?, ?, 'intended', 1, ? FROM transfer WHERE message_id = ?
                ON CONFLICT(transfer_id, action) DO UPDATE SET state = 'intended', attempts = attempts + 1, updated_at = excluded.updated_at
                """)
            try upsert.execute(arguments: [Int64(bitPattern: chain.rawValue), action.rawValue, at, id.data])
            guard db.changesCount == 1 else { throw JournalError.unknownTransfer(id) }
        case let .submission(action, id, state, txHash, error):
            try updateSubmission(db, action, id, state: state, txHash: txHash, error: error, at: now)
        }
    }
}
