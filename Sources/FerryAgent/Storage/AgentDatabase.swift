import Foundation
internal import GRDB

/// Why the agent's SQLite store failed.
public enum AgentStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file could not be opened or migrated.
    case cannotOpen(path: String, reason: String)
    /// A read or write failed.
    case io(operation: String, reason: String)
    /// A stored row could not be decoded (the file was edited or written by a newer version).
    case corrupt(what: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open the agent database at \(path): \(reason)"
        case let .io(operation, reason): "agent database \(operation) failed: \(reason)"
        case let .corrupt(what, reason): "agent database holds an unreadable \(what): \(reason)"
        }
    }
}

/// The agent's SQLite database (GRDB, WAL): budget reservations, payments with their timelines and
/// idempotency keys, escrows. One file serves ``BudgetLedger`` and ``PaymentStore``; safe to share across tasks.
public struct AgentDatabase: Sendable {
    let writer: any DatabaseWriter
    /// Where the file is (":memory:" for in-memory databases).
    public let path: String

    /// Opens (creating if needed) a database file in WAL mode and applies pending migrations.
    /// - Throws: ``AgentStoreError/cannotOpen(path:reason:)``.
    public init(path: String) throws(AgentStoreError) {
        do {
            var config = Configuration()
            config.busyMode = .timeout(30)
            let pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
            writer = pool
            self.path = path
        } catch {
            throw .cannotOpen(path: path, reason: String(describing: error))
        }
    }

    /// A database in memory (unit tests).
    public static func inMemory() throws(AgentStoreError) -> AgentDatabase {
        do {
            let queue = try DatabaseQueue()
            try migrator.migrate(queue)
            return AgentDatabase(writer: queue, path: ":memory:")
        } catch {
            throw .cannotOpen(path: ":memory:", reason: String(describing: error))
        }
    }

    private init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    /// Runs `body` in one IMMEDIATE write transaction (the write lock is taken up front, so a read-check-write
    /// sequence inside it is atomic even against other processes sharing the file).
    func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(AgentStoreError) -> T {
        do {
            return try await writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw AgentStoreError.io(operation: operation, reason: "transaction produced no result") }
                return result
            }
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw .io(operation: operation, reason: String(describing: error))
        }
    }

    /// Runs `body` as a read.
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(AgentStoreError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw .io(operation: operation, reason: String(describing: error))
        }
    }

    // Shipped migrations are never edited; add new ones below.
    private static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE reservation (
                    id TEXT PRIMARY KEY NOT NULL,
                    payment_id TEXT NOT NULL,
                    asset TEXT NOT NULL,
                    value TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('active', 'committed', 'released')),
                    reserved_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX reservation_window ON reservation(state, reserved_at);
                CREATE INDEX reservation_payment ON reservation(payment_id);

                CREATE TABLE payment (
                    id TEXT PRIMARY KEY NOT NULL,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    request_hash TEXT NOT NULL,
                    state TEXT NOT NULL,
                    message_id TEXT,
                    record TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX payment_state ON payment(state, updated_at);
                CREATE INDEX payment_message ON payment(message_id) WHERE message_id IS NOT NULL;

                CREATE TABLE payment_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    payment_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    record TEXT NOT NULL
                );
                CREATE INDEX payment_event_payment ON payment_event(payment_id, id);

                CREATE TABLE escrow (
                    id TEXT PRIMARY KEY NOT NULL,
                    payment_id TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL,
                    deadline INTEGER NOT NULL,
                    record TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX escrow_state ON escrow(state, deadline);
                """)
        }
        // Payments get a structured owner: before v2 the HTTP API scoped payments by an "agent/" prefix of the
        // idempotency key, which agent names containing "/" could impersonate. A legacy key with exactly one "/" is
        // split into owner and key; any other legacy key belongs to no agent (owner ''). The unique key column then
        // holds "<byte length of owner>:<owner>/<key>", which no two (owner, key) pairs share.
        m.registerMigration("v2-payment-owner") { db in
            try db.execute(sql: """
                ALTER TABLE payment ADD COLUMN owner TEXT NOT NULL DEFAULT '';
                UPDATE payment SET owner = substr(idempotency_key, 1, instr(idempotency_key, '/') - 1)
                    WHERE instr(idempotency_key, '/') > 1
                      AND instr(substr(idempotency_key, instr(idempotency_key, '/') + 1), '/') = 0;
                UPDATE payment SET idempotency_key = CASE
                    WHEN owner = '' THEN '0:/' || idempotency_key
                    ELSE length(CAST(owner AS BLOB)) || ':' || idempotency_key END;
                CREATE INDEX payment_owner ON payment(owner, created_at);
                """)
        }
        return m
    }
}
