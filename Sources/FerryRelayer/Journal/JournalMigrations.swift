import Foundation
internal import GRDB

/// The journal's schema, as a list of migrations applied in order when a journal is opened.
extension Journal {
    // Shipped migrations are never edited; add new ones below.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE transfer (
                    message_id BLOB PRIMARY KEY NOT NULL CHECK (length(message_id) = 32),
                    source_chain INTEGER NOT NULL,
                    dest_chain INTEGER NOT NULL,
                    transfer_abi BLOB NOT NULL CHECK (length(transfer_abi) = 384),
                    state TEXT NOT NULL,
                    lock_height INTEGER NOT NULL,
                    lock_block_hash BLOB NOT NULL,
                    deadline INTEGER NOT NULL,
                    route_id BLOB,
                    hop_index INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX transfer_state ON transfer(state, updated_at);
                CREATE INDEX transfer_source ON transfer(source_chain, lock_height);
                CREATE INDEX transfer_route ON transfer(route_id, hop_index) WHERE route_id IS NOT NULL;

                CREATE TABLE transition (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    message_id BLOB NOT NULL,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    note TEXT
                );
                CREATE INDEX transition_message ON transition(message_id, id);

                CREATE TABLE attestation (
                    message_id BLOB NOT NULL,
                    kind TEXT NOT NULL,
                    signer BLOB NOT NULL CHECK (length(signer) = 20),
                    signature BLOB NOT NULL CHECK (length(signature) = 65),
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (message_id, kind, signer)
                ) WITHOUT ROWID;

                CREATE TABLE cursor (
                    chain INTEGER PRIMARY KEY NOT NULL,
                    height INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );

                CREATE TABLE submission (
                    idempotency_key TEXT PRIMARY KEY NOT NULL,
                    message_id BLOB NOT NULL,
                    chain INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    state TEXT NOT NULL,
                    tx_hash BLOB,
                    attempts INTEGER NOT NULL,
                    last_error TEXT,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX submission_message ON submission(message_id);
                """)
        }
        // v2: the history table without AUTOINCREMENT (which costs a write to sqlite_sequence on every insert);
        // a transfer's rows still get increasing ids (max + 1), which is all `history(of:)` orders by.
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE transition_v2 (
                    id INTEGER PRIMARY KEY,
                    message_id BLOB NOT NULL,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    note TEXT
                );
                INSERT INTO transition_v2 (id, message_id, from_state, to_state, at, note)
                    SELECT id, message_id, from_state, to_state, at, note FROM transition;
                DROP TABLE transition;
                ALTER TABLE transition_v2 RENAME TO transition;
                CREATE INDEX transition_message ON transition(message_id, id);
                """)
        }
        // v3: no index on the history by message id. Its entries landed on random pages (message ids are hashes), so
        // every state change of every transfer rewrote a page of it; `history(of:)` and pruning scan instead.
        m.registerMigration("v3") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS transition_message")
        }
        // v4: rows in the order transfers arrive. `transfer` becomes a rowid table (message ids move to a unique
        // index), and attestations and submissions are keyed by the transfer's row id instead of its message id.
        // Transfers in flight are the newest, so their rows, signatures and submissions share the last pages of
        // each table; only the message-id index still takes one random page per new transfer. Attestations and
        // submissions of transfers the journal does not hold are not carried over (nothing reads them).
        m.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE transfer_v4 (
                    id INTEGER PRIMARY KEY,
                    message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 32),
                    source_chain INTEGER NOT NULL,
                    dest_chain INTEGER NOT NULL,
                    transfer_abi BLOB NOT NULL CHECK (length(transfer_abi) = 384),
                    state TEXT NOT NULL,
                    lock_height INTEGER NOT NULL,
                    lock_block_hash BLOB NOT NULL,
                    deadline INTEGER NOT NULL,
                    route_id BLOB,
                    hop_index INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                INSERT INTO transfer_v4 (message_id, source_chain, dest_chain, transfer_abi, state, lock_height, lock_block_hash,
                                         deadline, route_id, hop_index, created_at, updated_at)
                    SELECT message_id, source_chain, dest_chain, transfer_abi, state, lock_height, lock_block_hash,
                           deadline, route_id, hop_index, created_at, updated_at FROM transfer ORDER BY created_at, message_id;

                CREATE TABLE attestation_v4 (
                    transfer_id INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    signer BLOB NOT NULL CHECK (length(signer) = 20),
                    signature BLOB NOT NULL CHECK (length(signature) = 65),
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (transfer_id, kind, signer)
                ) WITHOUT ROWID;
                INSERT INTO attestation_v4 (transfer_id, kind, signer, signature, received_at)
                    SELECT t.id, a.kind, a.signer, a.signature, a.received_at FROM attestation a JOIN transfer_v4 t ON t.message_id = a.message_id;

                CREATE TABLE submission_v4 (
                    transfer_id INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    chain INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    tx_hash BLOB,
                    attempts INTEGER NOT NULL,
                    last_error TEXT,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (transfer_id, action)
                ) WITHOUT ROWID;
                INSERT INTO submission_v4 (transfer_id, action, chain, state, tx_hash, attempts, last_error, updated_at)
                    SELECT t.id, s.action, s.chain, s.state, s.tx_hash, s.attempts, s.last_error, s.updated_at
                    FROM submission s JOIN transfer_v4 t ON t.message_id = s.message_id;

                DROP TABLE attestation;
                DROP TABLE submission;
                DROP TABLE transfer;
                ALTER TABLE transfer_v4 RENAME TO transfer;
                ALTER TABLE attestation_v4 RENAME TO attestation;
                ALTER TABLE submission_v4 RENAME TO submission;
                CREATE INDEX transfer_state ON transfer(state, updated_at);
                CREATE INDEX transfer_source ON transfer(source_chain, lock_height);
                CREATE INDEX transfer_route ON transfer(route_id, hop_index) WHERE route_id IS NOT NULL;
                """)
        }
        return m
    }
}
