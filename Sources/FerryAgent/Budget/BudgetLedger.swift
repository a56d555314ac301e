import FerryCore
import Foundation
internal import GRDB

/// One budget reservation: value held against the policy's budgets while a payment is in flight.
public struct Reservation: Sendable, Hashable, Codable {
    /// Reservation id.
    public let id: String
    /// The payment it belongs to.
    public let paymentID: String
    /// What is reserved.
    public let spend: SpendValue
    /// When it was made (unix ms); it counts against the window that contains this instant.
    public let reservedAtMs: UInt64
}

/// The result of trying to reserve budget.
public enum ReservationOutcome: Sendable, Hashable {
    case reserved(Reservation)
    case refused(PolicyRefusal)
}

/// Rolling-window budget accounting in SQLite.
///
/// A reservation is checked and written in one IMMEDIATE transaction: active reservations plus committed
/// spending in the window plus the new value must fit every budget the asset falls under, so concurrent payments
/// can never together exceed a budget. Reservations are committed on delivery, released on refund or failure,
/// and drop out of the budget when the window passes their reservation time. Safe to use from many tasks.
public struct BudgetLedger: Sendable {
    /// The database.
    public let database: AgentDatabase
    /// The policy whose budgets and window apply.
    public let policy: SpendingPolicy

    /// A ledger over `database` for `policy`.
    public init(database: AgentDatabase, policy: SpendingPolicy) {
        self.database = database
        self.policy = policy
    }

    /// Budget used in the window ending at `nowMs`, per asset symbol and `"*"` for all assets.
    /// - Throws: ``AgentStoreError``.
    public func usage(nowMs: UInt64) async throws(AgentStoreError) -> BudgetUsage {
        let since = windowStart(nowMs)
        return try await database.read("reading budget usage") { db in try Self.usage(db, since: since, excluding: nil) }
    }

    /// Reserves `spend` for `paymentID` if it fits every budget; otherwise returns the budget refusal.
    /// - Throws: ``AgentStoreError``.
    public func reserve(_ spend: SpendValue, paymentID: String, nowMs: UInt64) async throws(AgentStoreError) -> ReservationOutcome {
        let policy = self.policy
        let since = windowStart(nowMs)
        return try await database.write("reserving budget") { db in
            let used = try Self.usage(db, since: since, excluding: nil)
            if let refusal = PolicyEngine.budgetRefusal(policy: policy, for: spend, usage: used) { return .refused(refusal) }
            let reservation = Reservation(id: UUID().uuidString.lowercased(), paymentID: paymentID, spend: spend, reservedAtMs: nowMs)
            try db.execute(sql: """
                INSERT INTO reservation (id, payment_id, asset, value, state, reserved_at, updated_at)
                VALUES (?, ?, ?, ?, 'active', ?, ?)
                """, arguments: [reservation.id, paymentID, spend.asset, spend.value.description, Int64(clamping: nowMs), Int64(clamping: nowMs)])
            return .reserved(reservation)
        }
    }

    /// Changes an active reservation to `spend` (after a re-quote) if the new value fits with everything else
    /// in the window; the old value is kept when it does not. Lowering always fits.
    /// - Throws: ``AgentStoreError``, or `.corrupt` when the reservation is not active.
    public func resize(_ reservation: Reservation, to spend: SpendValue, nowMs: UInt64) async throws(AgentStoreError) -> ReservationOutcome {
        let policy = self.policy
        let since = windowStart(nowMs)
        return try await database.write("resizing a reservation") { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM reservation WHERE id = ?", arguments: [reservation.id]),
                  state == "active" else {
                throw AgentStoreError.corrupt(what: "reservation \(reservation.id)", reason: "it is not active")
            }
            let others = try Self.usage(db, since: since, excluding: reservation.id)
            if let refusal = PolicyEngine.budgetRefusal(policy: policy, for: spend, usage: others) { return .refused(refusal) }
            try db.execute(sql: "UPDATE reservation SET asset = ?, value = ?, updated_at = ? WHERE id = ?",
                           arguments: [spend.asset, spend.value.description, Int64(clamping: nowMs), reservation.id])
            return .reserved(Reservation(id: reservation.id, paymentID: reservation.paymentID, spend: spend,
                                         reservedAtMs: reservation.reservedAtMs))
        }
    }

    /// Marks a reservation spent (the payment was delivered). Idempotent.
    /// - Throws: ``AgentStoreError``.
    public func commit(_ reservationID: String, nowMs: UInt64) async throws(AgentStoreError) {
        try await settle(reservationID, to: "committed", nowMs: nowMs)
    }

    /// Gives a reservation back (the payment failed or was refunded). Idempotent; a committed one stays spent.
    /// - Throws: ``AgentStoreError``.
    public func release(_ reservationID: String, nowMs: UInt64) async throws(AgentStoreError) {
        try await settle(reservationID, to: "released", nowMs: nowMs)
    }

    /// Counts reservations by state (tests and metrics).
    public func counts() async throws(AgentStoreError) -> [String: Int] {
        try await database.read("counting reservations") { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM reservation GROUP BY state") {
                out[row["state"]] = row["n"]
            }
            return out
        }
    }

    private func settle(_ id: String, to state: String, nowMs: UInt64) async throws(AgentStoreError) {
        _ = try await database.write("settling a reservation") { db in
            try db.execute(sql: "UPDATE reservation SET state = ?, updated_at = ? WHERE id = ? AND state = 'active'",
                           arguments: [state, Int64(clamping: nowMs), id])
            return true
        }
    }

    private func windowStart(_ nowMs: UInt64) -> Int64 {
        let window = policy.windowSeconds.multipliedReportingOverflow(by: 1_000)
        return Int64(clamping: window.overflow || window.partialValue > nowMs ? 0 : nowMs - window.partialValue)
    }

    /// Sums active and committed reservations made after `since`, per asset and in total.
    static func usage(_ db: Database, since: Int64, excluding: String?) throws -> BudgetUsage {
        var out: BudgetUsage = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, asset, value FROM reservation WHERE state IN ('active', 'committed') AND reserved_at > ?
            """, arguments: [since])
        for row in rows {
            let id: String = row["id"]
            if id == excluding { continue }
            let asset: String = row["asset"]
            let text: String = row["value"]
            guard let value = Amount(text) else { throw AgentStoreError.corrupt(what: "reservation \(id)", reason: "value \"\(text)\"") }
            out[asset] = (try? (out[asset] ?? .zero) + value) ?? .max
            out["*"] = (try? (out["*"] ?? .zero) + value) ?? .max
        }
        return out
    }
}
