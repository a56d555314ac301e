import FerryCore
public import FerryCrypto
import Foundation
internal import GRDB

/// Payments, their timelines and escrows in the agent database. A payment row and the events that explain its
/// new state are written in one transaction, before the action the state enables.
public struct PaymentStore: Sendable {
    /// The database.
    public let database: AgentDatabase

    /// A store over `database`.
    public init(database: AgentDatabase) { self.database = database }

    /// Returns the payment already holding `key`, or stores `fresh` under it. Atomic: concurrent claims of one
    /// key get the same payment and exactly one of them gets `created == true`.
    /// - Throws: ``PaymentError/idempotencyKeyReused(key:paymentID:)`` when the key holds a different request.
    ///   Keys are scoped to `owner`: the same key under two owners names two payments.
    public func claim(key: String, owner: String = "", requestHash: String, fresh: Payment) async throws(PaymentError) -> (payment: Payment, created: Bool) {
        var fresh = fresh
        fresh.owner = owner
        let record: String
        do { record = try Self.encode(fresh) } catch { throw .store(error) }
        let scoped = Self.scopedKey(owner: owner, key: key)
        let stored = fresh
        let result: Result<(Payment, Bool), PaymentError>
        do {
            result = try await database.write("claiming an idempotency key") { db in
                if let row = try Row.fetchOne(db, sql: "SELECT id, request_hash, record, owner FROM payment WHERE idempotency_key = ?",
                                              arguments: [scoped]) {
                    let id: String = row["id"]
                    guard (row["request_hash"] as String) == requestHash else {
                        return .failure(.idempotencyKeyReused(key: key, paymentID: id))
                    }
                    return .success((try Self.payment(row), false))
                }
                try db.execute(sql: """
                    INSERT INTO payment (id, idempotency_key, request_hash, state, message_id, record, created_at, updated_at, owner)
                    VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)
                    """, arguments: [stored.id, scoped, requestHash, stored.state.rawValue, record,
                                     Int64(clamping: stored.createdAtMs), Int64(clamping: stored.updatedAtMs), owner])
                return .success((stored, true))
            }
        } catch { throw .store(error) }
        return try result.get()
    }

    /// The unique key column's value for `key` under `owner`: length-prefixed, so no owner can spell another's.
    static func scopedKey(owner: String, key: String) -> String { "\(owner.utf8.count):\(owner)/\(key)" }

    /// A payment from a row with `record` and `owner`; the column wins over the record.
    static func payment(_ row: Row) throws -> Payment {
        var payment = try decode(Payment.self, row["record"], what: "payment")
        payment.owner = row["owner"]
        return payment
    }

    /// Writes `payment` and appends `events` to its timeline, in one transaction.
    /// - Throws: ``PaymentError/store(_:)``.
    public func save(_ payment: Payment, events: [PaymentEvent] = []) async throws(PaymentError) {
        let record: String
        var eventRecords: [(PaymentEvent, String)] = []
        do {
            record = try Self.encode(payment)
            for event in events { eventRecords.append((event, try Self.encode(event))) }
        } catch { throw .store(error) }
        let rows = eventRecords
        do {
            _ = try await database.write("saving payment \(payment.id)") { db in
                try Self.write(db, payment, record: record, events: rows)
                return true
            }
        } catch { throw .store(error) }
    }

    private static func write(_ db: Database, _ payment: Payment, record: String, events: [(PaymentEvent, String)]) throws {
        try db.execute(sql: "UPDATE payment SET state = ?, message_id = ?, record = ?, updated_at = ? WHERE id = ?",
                       arguments: [payment.state.rawValue, payment.messageId?.hex, record,
                                   Int64(clamping: payment.updatedAtMs), payment.id])
        guard db.changesCount == 1 else { throw AgentStoreError.corrupt(what: "payment \(payment.id)", reason: "no such row") }
        for (event, json) in events {
            try db.execute(sql: "INSERT INTO payment_event (payment_id, kind, at, record) VALUES (?, ?, ?, ?)",
                           arguments: [payment.id, event.kind.rawValue, Int64(clamping: event.atMs), json])
        }
    }

    /// The payment with `id`.
    /// - Throws: ``PaymentError/notFound(what:id:)``, ``PaymentError/store(_:)``.
    public func payment(_ id: String) async throws(PaymentError) -> Payment {
        let found: Payment?
        do {
            found = try await database.read("reading payment \(id)") { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT record, owner FROM payment WHERE id = ?", arguments: [id]) else { return nil }
                return try Self.payment(row)
            }
        } catch { throw .store(error) }
        guard let found else { throw .notFound(what: "payment", id: id) }
        return found
    }

    /// The payment whose lock has `messageId`, if any.
    public func payment(messageId: Bytes32) async throws(PaymentError) -> Payment? {
        do {
            return try await database.read("finding a payment by message id") { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT record, owner FROM payment WHERE message_id = ?",
                                                 arguments: [messageId.hex]) else { return nil }
                return try Self.payment(row)
            }
        } catch { throw .store(error) }
    }

    /// Payments in any of `states`, oldest first.
    public func payments(in states: [PaymentState]) async throws(PaymentError) -> [Payment] {
        let names = states.map(\.rawValue)
        do {
            return try await database.read("listing payments") { db in
                let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
                let rows = try Row.fetchAll(db, sql: "SELECT record, owner FROM payment WHERE state IN (\(marks)) ORDER BY created_at, id",
                                            arguments: StatementArguments(names))
                return try rows.map { try Self.payment($0) }
            }
        } catch { throw .store(error) }
    }

    /// The timeline of payment `id`, in the order it happened.
    public func events(of id: String) async throws(PaymentError) -> [PaymentEvent] {
        do {
            return try await database.read("reading the timeline of \(id)") { db in
                try String.fetchAll(db, sql: "SELECT record FROM payment_event WHERE payment_id = ? ORDER BY id", arguments: [id])
                    .map { try Self.decode(PaymentEvent.self, $0, what: "event of \(id)") }
            }
        } catch { throw .store(error) }
    }

    // MARK: Escrows

    /// Stores a new escrow record; when one already exists for its id (a second funding of the same payment),
    /// the stored one is kept and returned, so funding never resets an escrow that has moved on.
    func insert(_ escrow: EscrowRecord) async throws(PaymentError) -> EscrowRecord {
        let record: String
        do { record = try Self.encode(escrow) } catch { throw .store(error) }
        let stored: String
        do {
            stored = try await database.write("creating escrow \(escrow.id)") { db in
                try db.execute(sql: """
                    INSERT INTO escrow (id, payment_id, state, deadline, record, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """, arguments: [escrow.id, escrow.paymentID, escrow.state.rawValue, Int64(clamping: escrow.deadlineMs), record,
                                     Int64(clamping: escrow.updatedAtMs)])
                return try String.fetchOne(db, sql: "SELECT record FROM escrow WHERE id = ?", arguments: [escrow.id]) ?? record
            }
        } catch { throw .store(error) }
        do { return try Self.decode(EscrowRecord.self, stored, what: "escrow \(escrow.id)") } catch { throw .store(Self.storeError(error)) }
    }

    /// Writes `escrow` only if the stored escrow is still in state `expected`: one compare-and-set, so of several
    /// callers moving the same escrow out of one state exactly one succeeds. With `payment`, the payment and
    /// `events` are written in the same transaction, and only when the compare-and-set succeeded.
    /// - Returns: false when the stored escrow is in another state (or missing); nothing was written then.
    func update(_ escrow: EscrowRecord, expecting expected: EscrowState, payment: Payment? = nil,
                events: [PaymentEvent] = []) async throws(PaymentError) -> Bool {
        let record: String
        var paymentRecord: String?
        var eventRecords: [(PaymentEvent, String)] = []
        do {
            record = try Self.encode(escrow)
            if let payment { paymentRecord = try Self.encode(payment) }
            for event in events { eventRecords.append((event, try Self.encode(event))) }
        } catch { throw .store(error) }
        let rows = eventRecords
        let paymentRow = paymentRecord
        do {
            return try await database.write("updating escrow \(escrow.id)") { db in
                try db.execute(sql: "UPDATE escrow SET state = ?, record = ?, updated_at = ? WHERE id = ? AND state = ?",
                               arguments: [escrow.state.rawValue, record, Int64(clamping: escrow.updatedAtMs), escrow.id,
                                           expected.rawValue])
                guard db.changesCount == 1 else { return false }
                if let payment, let paymentRow {
                    try Self.write(db, payment, record: paymentRow, events: rows)
                }
                return true
            }
        } catch { throw .store(error) }
    }

    static func storeError(_ error: any Error) -> AgentStoreError {
        (error as? AgentStoreError) ?? .io(operation: "decoding", reason: String(describing: error))
    }

    /// The escrow with `id`.
    public func escrow(_ id: String) async throws(PaymentError) -> EscrowRecord {
        let found: EscrowRecord?
        do {
            found = try await database.read("reading escrow \(id)") { db in
                guard let record = try String.fetchOne(db, sql: "SELECT record FROM escrow WHERE id = ?", arguments: [id]) else { return nil }
                return try Self.decode(EscrowRecord.self, record, what: "escrow \(id)")
            }
        } catch { throw .store(error) }
        guard let found else { throw .notFound(what: "escrow", id: id) }
        return found
    }

    /// Escrows in any of `states`.
    public func escrows(in states: [EscrowState]) async throws(PaymentError) -> [EscrowRecord] {
        let names = states.map(\.rawValue)
        do {
            return try await database.read("listing escrows") { db in
                let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
                return try String.fetchAll(db, sql: "SELECT record FROM escrow WHERE state IN (\(marks)) ORDER BY deadline, id",
                                           arguments: StatementArguments(names))
                    .map { try Self.decode(EscrowRecord.self, $0, what: "escrow") }
            }
        } catch { throw .store(error) }
    }

    // MARK: Coding

    static func encode(_ value: some Encodable) throws(AgentStoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            throw .io(operation: "encoding a record", reason: String(describing: error))
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw AgentStoreError.corrupt(what: what, reason: String(describing: error))
        }
    }
}
