public import FerryCore
import Foundation
internal import GRDB

/// The relayer's write-ahead journal: transfers and their state machine, attestations, per-chain cursors,
/// and outgoing submissions with idempotency keys, in SQLite (WAL) through GRDB.
///
/// Every state change is written here before the action it enables (a signature is journaled before it
/// is gossiped, a submission intent before the transaction is sent), so a restarted node resumes from the
/// journal and reconciles against the chains instead of guessing. Methods are safe to call concurrently.
public struct Journal: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) a journal file in WAL mode and applies pending migrations.
    /// - Throws: ``JournalError/cannotOpen(path:reason:)``.
    public init(path: String) throws(JournalError) {
        try self.init(path: path, migratingUpTo: nil)
    }

    /// Opens a journal file, applying migrations up to `target` (all when nil): tests build older schemas with it.
    init(path: String, migratingUpTo target: String?) throws(JournalError) {
        do {
            var config = Configuration()
            config.busyMode = .timeout(10)
            config.prepareDatabase { db in
                guard !db.configuration.readonly else { return }
                // The writer keeps a busy node's hot pages (open transfers and their indexes) cached: 8 MiB instead of
                // SQLite's 2 MiB, bounded, so memory stays flat however long the node runs. The WAL is folded into
                // the database every 8,192 pages (32 MiB) rather than 1,000: a page rewritten many times in between
                // is copied once.
                try db.execute(sql: "PRAGMA cache_size = -8192")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
            }
            let pool = try DatabasePool(path: path, configuration: config)
            if let target { try Self.migrator.migrate(pool, upTo: target) } else { try Self.migrator.migrate(pool) }
            writer = pool
        } catch {
            throw .cannotOpen(path: path, reason: String(describing: error))
        }
    }

    /// A journal in memory, for tests and the in-process demo.
    public static func inMemory() throws(JournalError) -> Journal {
        do {
            let queue = try DatabaseQueue()
            try migrator.migrate(queue)
            return Journal(writer: queue)
        } catch {
            throw .cannotOpen(path: ":memory:", reason: String(describing: error))
        }
    }

    private init(writer: any DatabaseWriter) { self.writer = writer }

    /// Copies the write-ahead log into the database file and truncates it (a clean stop; committed entries are
    /// durable without it). Waits for writes in progress.
    /// - Throws: ``JournalError`` when SQLite refuses (another connection holds a read transaction; retry later).
    public func checkpoint() async throws(JournalError) {
        do {
            try await writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw .database(String(describing: error))
        }
    }

    // MARK: Transfers

    /// Records a lock seen on the source chain, in state `seen`. Idempotent: a lock already journaled is left
    /// as it is (an `orphaned` one is revived as `seen` at its new height).
    /// - Returns: true when this call created or revived the entry.
    @discardableResult
    public func recordLock(_ transfer: Transfer, height: UInt64, blockHash: Bytes32,
                           route: (id: Bytes32, hop: Int)? = nil, atMillis now: UInt64) async throws(JournalError) -> Bool {
        let id = transfer.messageId
        return try await write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT state FROM transfer WHERE message_id = ?", arguments: [id.data]) {
                let state: String = row["state"]
                guard state == TransferState.orphaned.rawValue else { return false }
                try db.execute(sql: """
                    UPDATE transfer SET state = 'seen', lock_height = ?, lock_block_hash = ?, updated_at = ? WHERE message_id = ?
                    """, arguments: [Int64(bitPattern: height), blockHash.data, Int64(now), id.data])
                try Self.logTransition(db, id, from: .orphaned, to: .seen, at: now, note: "lock mined again at \(height)")
                return true
            }
            try Self.insertLock(db, transfer, height: height, blockHash: blockHash, route: route, at: now)
            return true
        }
    }

    /// Moves a transfer to `state` if the state machine allows it. Moving to the state it is already in is a no-op.
    /// - Throws: ``JournalError/illegalTransition(messageId:from:to:)`` or ``JournalError/unknownTransfer(_:)``.
    public func move(_ id: Bytes32, to state: TransferState, atMillis now: UInt64, note: String? = nil) async throws(JournalError) {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state FROM transfer WHERE message_id = ?", arguments: [id.data]) else {
                throw JournalError.unknownTransfer(id)
            }
            let current = try Self.state(row["state"])
            guard current != state else { return }
            guard current.canMove(to: state) else { throw JournalError.illegalTransition(messageId: id, from: current, to: state) }
            try db.execute(sql: "UPDATE transfer SET state = ?, updated_at = ? WHERE message_id = ?",
                           arguments: [state.rawValue, Int64(now), id.data])
            try Self.logTransition(db, id, from: current, to: state, at: now, note: note)
        }
    }

    /// Marks every not-yet-final lock on `chain` at or above `height` as orphaned (their blocks were replaced).
    /// - Returns: the ids orphaned.
    public func orphanLocks(on chain: ChainID, fromHeight height: UInt64, atMillis now: UInt64) async throws(JournalError) -> [Bytes32] {
        try await write { db in
            let ids = try Data.fetchAll(db, sql: """
                SELECT message_id FROM transfer WHERE source_chain = ? AND lock_height >= ? AND state = 'seen'
                """, arguments: [Int64(bitPattern: chain.rawValue), Int64(bitPattern: height)])
            for id in ids {
                try db.execute(sql: "UPDATE transfer SET state = 'orphaned', updated_at = ? WHERE message_id = ?", arguments: [Int64(now), id])
                try Self.logTransition(db, try Self.bytes32(id), from: .seen, to: .orphaned, at: now, note: "reorg from \(height)")
            }
            return try ids.map { try Self.bytes32($0) }
        }
    }

    /// The journaled transfer with this id.
    public func entry(_ id: Bytes32) async throws(JournalError) -> JournalEntry? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM transfer WHERE message_id = ?", arguments: [id.data]).map(Self.entry)
        }
    }

    /// Transfers in any of `states`, oldest change first.
    public func entries(in states: Set<TransferState>, limit: Int = 10_000) async throws(JournalError) -> [JournalEntry] {
        let names = states.map(\.rawValue)
        return try await read { db in
            let marks = Array(repeating: "?", count: names.count).joined(separator: ",")
            return try Row.fetchAll(db, sql: "SELECT * FROM transfer WHERE state IN (\(marks)) ORDER BY updated_at, message_id LIMIT ?",
                                    arguments: StatementArguments(names + [String(limit)])).map(Self.entry)
        }
    }

    /// Number of transfers in each state.
    public func countsByState() async throws(JournalError) -> [TransferState: Int] {
        try await read { db in
            var out: [TransferState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM transfer GROUP BY state") {
                out[try Self.state(row["state"])] = row["n"]
            }
            return out
        }
    }

    /// The transfers of route `route`, in hop order.
    public func hops(of route: Bytes32) async throws(JournalError) -> [JournalEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM transfer WHERE route_id = ? ORDER BY hop_index", arguments: [route.data]).map(Self.entry)
        }
    }

    /// A transfer's history, oldest first.
    public func history(of id: Bytes32) async throws(JournalError) -> [TransitionRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM transition WHERE message_id = ? ORDER BY id", arguments: [id.data]).map { row in
                let from: String? = row["from_state"]
                return TransitionRecord(messageId: id, from: try from.map(Self.state), to: try Self.state(row["to_state"]),
                                        atMillis: UInt64(row["at"] as Int64), note: row["note"])
            }
        }
    }

    // MARK: Attestations

    /// Stores an attestation of a journaled transfer (one per signer, kind and id; a repeat is ignored).
    /// - Returns: how many distinct signers now attest `kind` for this id.
    /// - Throws: ``JournalError/unknownTransfer(_:)`` when the journal does not hold the transfer.
    @discardableResult
    public func addAttestation(_ a: AttestationRecord) async throws(JournalError) -> Int {
        try await write { db in
            try Self.insertAttestation(db, a)
            let stored = db.changesCount == 1
            guard try stored || Self.rowID(db, a.messageId) != nil else { throw JournalError.unknownTransfer(a.messageId) }
            return try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM attestation WHERE transfer_id = (SELECT id FROM transfer WHERE message_id = ?) AND kind = ?
                """, arguments: [a.messageId.data, a.kind.rawValue]) ?? 0
        }
    }

    /// The attestations held for an id and kind, ordered by signer.
    public func attestations(for id: Bytes32, kind: AttestationKind) async throws(JournalError) -> [AttestationRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM attestation WHERE transfer_id = (SELECT id FROM transfer WHERE message_id = ?) AND kind = ? ORDER BY signer
                """, arguments: [id.data, kind.rawValue]).map { row in
                AttestationRecord(messageId: id, kind: kind, signer: [UInt8](row["signer"] as Data),
                                  signature: [UInt8](row["signature"] as Data), receivedAtMillis: UInt64(row["received_at"] as Int64))
            }
        }
    }

    // MARK: Cursors

    /// The next height to read on `chain`, if the node has read it before.
    public func cursor(for chain: ChainID) async throws(JournalError) -> ChainCursor? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cursor WHERE chain = ?", arguments: [Int64(bitPattern: chain.rawValue)]).map { row in
                ChainCursor(chain: chain, height: UInt64(bitPattern: row["height"]), updatedAtMillis: UInt64(row["updated_at"] as Int64))
            }
        }
    }

    /// Sets the next height to read on `chain` (lower after a reorg, higher as blocks are processed).
    public func setCursor(_ chain: ChainID, height: UInt64, atMillis now: UInt64) async throws(JournalError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO cursor (chain, height, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(chain) DO UPDATE SET height = excluded.height, updated_at = excluded.updated_at
                """, arguments: [Int64(bitPattern: chain.rawValue), Int64(bitPattern: height), Int64(now)])
        }
    }

    // MARK: Submissions

    /// Records the intent to submit `action` for `id` on `chain` before anything is sent.
    ///
    /// - Returns: `(record, isNew)`. When a record with the same idempotency key exists and is `sent` or
    ///   `confirmed`, it is returned unchanged with `isNew == false`: the caller must check the chain instead of
    ///   sending again. An `intended` or `failed` one is taken over (attempts + 1).
    public func beginSubmission(_ action: SubmissionAction, for id: Bytes32, on chain: ChainID,
                                atMillis now: UInt64) async throws(JournalError) -> (record: SubmissionRecord, isNew: Bool) {
        try await write { db in
            guard let transfer = try Self.rowID(db, id) else { throw JournalError.unknownTransfer(id) }
            if let existing = try Self.fetchSubmission(db, action, id) {
                if existing.state == .sent || existing.state == .confirmed { return (existing, false) }
                try db.execute(sql: """
                    UPDATE submission SET state = 'intended', attempts = attempts + 1, updated_at = ? WHERE transfer_id = ? AND action = ?
                    """, arguments: [Int64(now), transfer, action.rawValue])
            } else {
                try db.execute(sql: """
                    INSERT INTO submission (transfer_id, chain, action, state, attempts, updated_at) VALUES (?, ?, ?, 'intended', 1, ?)
                    """, arguments: [transfer, Int64(bitPattern: chain.rawValue), action.rawValue, Int64(now)])
            }
            guard let record = try Self.fetchSubmission(db, action, id) else {
                throw JournalError.corruptRow(table: "submission", reason: "row \(SubmissionRecord.key(action, id)) vanished inside its transaction")
            }
            return (record, true)
        }
    }

    /// Records what happened to a submission.
    public func updateSubmission(_ action: SubmissionAction, for id: Bytes32, state: SubmissionState, txHash: Bytes32? = nil,
                                 error: String? = nil, atMillis now: UInt64) async throws(JournalError) {
        try await write { db in
            try Self.updateSubmission(db, action, id, state: state, txHash: txHash, error: error, at: now)
        }
    }

    /// The submission for `action` on `id`, if any.
    public func submission(_ action: SubmissionAction, for id: Bytes32) async throws(JournalError) -> SubmissionRecord? {
        try await read { db in
            try Self.fetchSubmission(db, action, id)
        }
    }

    // MARK: Pruning

    /// Deletes terminal transfers last changed before `cutoffMillis`, with their attestations, submissions and
    /// history, so the file does not grow without bound.
    /// - Returns: the number of transfers removed.
    @discardableResult
    public func prune(terminalBefore cutoffMillis: UInt64) async throws(JournalError) -> Int {
        try await write { db in
            let terminal = "FROM transfer WHERE state IN ('released', 'refunded', 'orphaned') AND updated_at < ?"
            let args: StatementArguments = [Int64(cutoffMillis)]
            try db.execute(sql: "DELETE FROM attestation WHERE transfer_id IN (SELECT id \(terminal))", arguments: args)
            try db.execute(sql: "DELETE FROM submission WHERE transfer_id IN (SELECT id \(terminal))", arguments: args)
            try db.execute(sql: "DELETE FROM transition WHERE message_id IN (SELECT message_id \(terminal))", arguments: args)
            try db.execute(sql: "DELETE FROM transfer WHERE state IN ('released', 'refunded', 'orphaned') AND updated_at < ?", arguments: args)
            return db.changesCount
        }
    }

    // MARK: Plumbing

    /// Runs raw SQL in one transaction (tests: rows in an older schema).
    func execute(sql: String) async throws(JournalError) {
        try await write { db in try db.execute(sql: sql) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(JournalError) -> T {
        do {
            return try await writer.write(body)
        } catch let error as JournalError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(JournalError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as JournalError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    static func insertLock(_ db: Database, _ transfer: Transfer, height: UInt64, blockHash: Bytes32,
                                   route: (id: Bytes32, hop: Int)?, at now: UInt64) throws {
        let id = transfer.messageId
        try db.execute(sql: """
            INSERT INTO transfer (message_id, source_chain, dest_chain, transfer_abi, state, lock_height, lock_block_hash,
                                  deadline, route_id, hop_index, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'seen', ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id.data, Int64(bitPattern: transfer.sourceChain.rawValue), Int64(bitPattern: transfer.destChain.rawValue),
                             Data(transfer.abiEncoded), Int64(bitPattern: height), blockHash.data,
                             Int64(bitPattern: transfer.deadline), route?.id.data, route?.hop, Int64(now), Int64(now)])
        try logTransition(db, id, from: nil, to: .seen, at: now, note: "locked at \(height)")
    }

    static func logTransition(_ db: Database, _ id: Bytes32, from: TransferState?, to: TransferState, at: UInt64, note: String?) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO transition (message_id, from_state, to_state, at, note) VALUES (?, ?, ?, ?, ?)")
        try insert.execute(arguments: [id.data, from?.rawValue, to.rawValue, Int64(clamping: at), note])
    }

    static func state(_ text: String) throws(JournalError) -> TransferState {
        guard let s = TransferState(rawValue: text) else { throw .corruptRow(table: "transfer", reason: "unknown state \(text)") }
        return s
    }

    static func bytes32(_ data: Data) throws(JournalError) -> Bytes32 {
        do { return try Bytes32(data) } catch { throw .corruptRow(table: "transfer", reason: "id of \(data.count) bytes") }
    }

    static func entry(_ row: Row) throws -> JournalEntry {
        let abi: Data = row["transfer_abi"]
        let route: Data? = row["route_id"]
        let hop: Int? = row["hop_index"]
        return JournalEntry(
            messageId: try bytes32(row["message_id"]),
            transfer: try Transfer(abiEncoded: abi),
            state: try state(row["state"]),
            lockHeight: UInt64(bitPattern: row["lock_height"]),
            lockBlockHash: try bytes32(row["lock_block_hash"]),
            routeID: try route.map(bytes32),
            hopIndex: hop,
            createdAtMillis: UInt64(row["created_at"] as Int64),
            updatedAtMillis: UInt64(row["updated_at"] as Int64))
    }

    /// The row id of the journaled transfer `id` (what its attestations and submissions are keyed by).
    static func rowID(_ db: Database, _ id: Bytes32) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM transfer WHERE message_id = ?"), arguments: [id.data])
    }

    /// Stores an attestation of a journaled transfer; nothing when the journal does not hold it or the signer repeats.
    static func insertAttestation(_ db: Database, _ a: AttestationRecord) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO attestation (transfer_id, kind, signer, signature, received_at)
            SELECT id, ?, ?, ?, ? FROM transfer WHERE message_id = ?
            """)
        try insert.execute(arguments: [a.kind.rawValue, Data(a.signer), Data(a.signature), Int64(clamping: a.receivedAtMillis), a.messageId.data])
    }

    static func updateSubmission(_ db: Database, _ action: SubmissionAction, _ id: Bytes32, state: SubmissionState, txHash: Bytes32?,
                                 error: String?, at now: UInt64) throws {
        let update = try db.cachedStatement(sql: """
            UPDATE submission SET state = ?, tx_hash = COALESCE(?, tx_hash), last_error = ?, updated_at = ?
            WHERE transfer_id = (SELECT id FROM transfer WHERE message_id = ?) AND action = ?
            """)
        try update.execute(arguments: [state.rawValue, txHash?.data, error, Int64(clamping: now), id.data, action.rawValue])
    }

    static func fetchSubmission(_ db: Database, _ action: SubmissionAction, _ id: Bytes32) throws -> SubmissionRecord? {
        try Row.fetchOne(db, sql: """
            SELECT s.*, t.message_id FROM submission s JOIN transfer t ON t.id = s.transfer_id WHERE t.message_id = ? AND s.action = ?
            """, arguments: [id.data, action.rawValue]).map(submission)
    }

    /// A `submission` row joined with its transfer's `message_id`.
    static func submission(_ row: Row) throws -> SubmissionRecord {
        let tx: Data? = row["tx_hash"]
        let actionText: String = row["action"], stateText: String = row["state"]
        guard let action = SubmissionAction(rawValue: actionText), let state = SubmissionState(rawValue: stateText) else {
            throw JournalError.corruptRow(table: "submission", reason: "unknown action \(actionText) or state \(stateText)")
        }
        let messageId = try bytes32(row["message_id"])
        return SubmissionRecord(
            idempotencyKey: SubmissionRecord.key(action, messageId), messageId: messageId,
            chain: ChainID(UInt64(bitPattern: row["chain"])), action: action, state: state,
            txHash: try tx.map(bytes32), attempts: row["attempts"], lastError: row["last_error"],
            updatedAtMillis: UInt64(row["updated_at"] as Int64))
    }
}

extension Bytes32 {
    /// The 32 bytes as `Data`, for SQLite blobs.
    var data: Data { withUnsafeBytes { Data($0) } }
}
