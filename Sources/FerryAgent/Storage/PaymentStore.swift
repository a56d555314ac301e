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
    public func claim(key: String, requestHash: String, fresh: Payment) async throws(PaymentError) -> (payment: Payment, created: Bool) {
        let record: String
        do { record = try Self.encode(fresh) } catch { throw .store(error) }
        let result: Result<(Payment, Bool), PaymentError>
        do {
            result = try await database.write("claiming an idempotency key") { db in
                if let row = try Row.fetchOne(db, sql: "SELECT id, request_hash, record FROM payment WHERE idempotency_key = ?",
                                              arguments: [key]) {
                    let id: String = row["id"]
                    guard (row["request_hash"] as String) == requestHash else {
                        return .failure(.idempotencyKeyReused(key: key, paymentID: id))
                    }
                    return .success((try Self.decode(Payment.self, row["record"], what: "payment \(id)"), false))
                }
                try db.execute(sql: """
                    INSERT INTO payment (id, idempotency_key, request_hash, state, message_id, record, created_at, updated_at)
                    VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
                    """, arguments: [fresh.id, key, requestHash, fresh.state.rawValue, record,
                                     Int64(clamping: fresh.createdAtMs), Int64(clamping: fresh.updatedAtMs)])
                return .success((fresh, true))
            }
        } catch { throw .store(error) }
        return try result.get()
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
                try db.execute(sql: "UPDATE payment SET state = ?, message_id = ?, record = ?, updated_at = ? WHERE id = ?",
                               arguments: [payment.state.rawValue, payment.messageId?.hex, record,
                                           Int64(clamping: payment.updatedAtMs), payment.id])
                guard db.changesCount == 1 else { throw AgentStoreError.corrupt(what: "payment \(payment.id)", reason: "no such row") }
                for (event, json) in rows {
                    try db.execute(sql: "INSERT INTO payment_event (payment_id, kind, at, record) VALUES (?, ?, ?, ?)",
                                   arguments: [payment.id, event.kind.rawValue, Int64(clamping: event.atMs), json])
                }
                return true
            }
        } catch { throw .store(error) }
    }

    /// The payment with `id`.
    /// - Throws: ``PaymentError/notFound(what:id:)``, ``PaymentError/store(_:)``.
    public func payment(_ id: String) async throws(PaymentError) -> Payment {
        let found: Payment?
        do {
            found = try await database.read("reading payment \(id)") { db in
                guard let record = try String.fetchOne(db, sql: "SELECT record FROM payment WHERE id = ?", arguments: [id]) else { return nil }
                return try Self.decode(Payment.self, record, what: "payment \(id)")
            }
        } catch { throw .store(error) }
        guard let found else { throw .notFound(what: "payment", id: id) }
        return found
    }

    /// The payment whose lock has `messageId`, if any.
    public func payment(messageId: Bytes32) async throws(PaymentError) -> Payment? {
        do {
            return try await database.read("finding a payment by message id") { db in
                guard let record = try String.fetchOne(db, sql: "SELECT record FROM payment WHERE message_id = ?",
                                                       arguments: [messageId.hex]) else { return nil }
                return try Self.decode(Payment.self, record, what: "payment for \(messageId.hex)")
            }
        } catch { throw .store(error) }
    }

    /// Payments in any of `states`, oldest first.
    public func payments(in states: [PaymentState]) async throws(PaymentError) -> [Payment] {
        let names = states.map(\.rawValue)
        do {
            return try await database.read("listing payments") { db in
                let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
                let rows = try String.fetchAll(db, sql: "SELECT record FROM payment WHERE state IN (\(marks)) ORDER BY created_at, id",
                                               arguments: StatementArguments(names))
                return try rows.map { try Self.decode(Payment.self, $0, what: "payment") }
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

    /// Inserts or replaces an escrow record.
    func save(_ escrow: EscrowRecord) async throws(PaymentError) {
        let record: String
        do { record = try Self.encode(escrow) } catch { throw .store(error) }
        do {
            _ = try await database.write("saving escrow \(escrow.id)") { db in
                try db.execute(sql: """
                    INSERT INTO escrow (id, payment_id, state, deadline, record, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, record = excluded.record, updated_at = excluded.updated_at
                    """, arguments: [escrow.id, escrow.paymentID, escrow.state.rawValue, Int64(clamping: escrow.deadlineMs), record,
                                     Int64(clamping: escrow.updatedAtMs)])
                return true
            }
        } catch { throw .store(error) }
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
