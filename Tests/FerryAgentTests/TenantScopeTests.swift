import FerryAgent
import FerryChains
import FerryCore
import FerryCrypto
import FerryTestSupport
import Foundation
import Testing

@Suite("Payments are scoped to their owner by a structured key")
struct TenantScopeTests {
    @Test("owner alice with key x/job-7 and owner alice/x with key job-7 are two payments, each owned by its own")
    func ownersDoNotShareKeys() async throws {
        let world = try await TestWorld.make()
        let request = world.request(5_000_000)
        let alice = try await world.service.pay(request, idempotencyKey: "x/job-7", owner: "alice")
        let other = try await world.service.pay(request, idempotencyKey: "job-7", owner: "alice/x")
        #expect(alice.id != other.id)
        #expect(try await world.service.payment(alice.id).owner == "alice")
        #expect(try await world.service.payment(other.id).owner == "alice/x")
        // A retry under the same owner returns the same payment; a different request under that key is a conflict
        // naming only the owner's own payment.
        #expect(try await world.service.pay(request, idempotencyKey: "job-7", owner: "alice/x").id == other.id)
        await #expect(throws: PaymentError.idempotencyKeyReused(key: "job-7", paymentID: other.id)) {
            _ = try await world.service.pay(world.request(6_000_000), idempotencyKey: "job-7", owner: "alice/x")
        }
    }

    @Test("a database written before owners existed is migrated: one-slash keys split into owner and key, others owned by no agent")
    func legacyMigration() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("agent.sqlite").path
        // A real record (from this version) stands in for the legacy ones; the owner field it carries is ignored.
        let world = try await TestWorld.make()
        let sample = try await world.service.pay(world.request(1_000_000), idempotencyKey: "KEY")
        let record = String(decoding: try JSONEncoder().encode(sample), as: UTF8.self)
        // The v1 schema, as shipped, with three legacy rows.
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.executescript('''
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE reservation (id TEXT PRIMARY KEY NOT NULL, payment_id TEXT NOT NULL, asset TEXT NOT NULL, value TEXT NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('active', 'committed', 'released')), reserved_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE TABLE payment (id TEXT PRIMARY KEY NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, request_hash TEXT NOT NULL,
              state TEXT NOT NULL, message_id TEXT, record TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE TABLE payment_event (id INTEGER PRIMARY KEY AUTOINCREMENT, payment_id TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, record TEXT NOT NULL);
            CREATE TABLE escrow (id TEXT PRIMARY KEY NOT NULL, payment_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, deadline INTEGER NOT NULL,
              record TEXT NOT NULL, updated_at INTEGER NOT NULL);
            ''')
            for pid, key in [('pay_a', 'alice/job-1'), ('pay_b', 'alice/x/job-7'), ('pay_c', 'plain-key')]:
                db.execute("INSERT INTO payment VALUES (?, ?, 'h', 'refused', NULL, ?, 1, 1)", (pid, key, sys.argv[2].replace(sys.argv[3], pid).replace('"KEY"', '"' + key + '"')))
            db.commit()
            """
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, record, sample.id]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let store = PaymentStore(database: try AgentDatabase(path: path))
        #expect(try await store.payment("pay_a").owner == "alice")
        #expect(try await store.payment("pay_b").owner == "", "ambiguous: belongs to no agent")
        #expect(try await store.payment("pay_c").owner == "")
    }
}
