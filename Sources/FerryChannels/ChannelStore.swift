import FerryCore
import FerryCrypto
internal import GRDB

/// The provider's durable record of its channels and of the best voucher held for each (SQLite via GRDB, WAL).
///
/// A voucher is acknowledged only after its row is committed, so a provider killed at any instant loses at
/// most vouchers it had not yet acknowledged. Amounts are stored as 64 fixed-width hex digits so SQLite's text
/// comparison is numeric comparison, and the best voucher only ever grows: the write is a compare-and-set in
/// SQL (`… WHERE cumulative < new`), never a read in Swift followed by a write.
public struct ChannelStore: Sendable {
    let writer: any DatabaseWriter
    /// Where the file is (":memory:" for in-memory stores).
    public let path: String

    /// Opens (creating if needed) a store file in WAL mode and applies pending migrations.
    /// - Throws: ``VoucherError/store(operation:reason:)``.
    public init(path: String) throws(VoucherError) {
        do {
            var config = Configuration()
            config.busyMode = .timeout(30)
            let pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
            writer = pool
            self.path = path
        } catch {
            throw .store(operation: "open \(path)", reason: String(describing: error))
        }
    }

    /// A store in memory (unit tests).
    public static func inMemory() throws(VoucherError) -> ChannelStore {
        do {
            let queue = try DatabaseQueue()
            try migrator.migrate(queue)
            return ChannelStore(writer: queue, path: ":memory:")
        } catch {
            throw .store(operation: "open :memory:", reason: String(describing: error))
        }
    }

    private init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    /// A channel with the best voucher held for it, as loaded from the store.
    struct Row: Sendable {
        var state: ChannelState
        var best: SignedVoucher?
    }

    /// Records `state`, or merges it into the stored row: deposit and paid only grow, an ended status stays.
    func upsert(_ state: ChannelState) async throws(VoucherError) {
        try await write("record channel") { db in
            try db.execute(sql: """
                INSERT INTO channel (id, chain_id, contract, agent, provider, asset, expiry, salt, deposit, paid, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    deposit = MAX(deposit, excluded.deposit),
                    paid = MAX(paid, excluded.paid),
                    status = CASE WHEN status = 'open' THEN excluded.status ELSE status END
                """, arguments: [
                    state.id.hex, Int64(bitPattern: state.contract.chainId), state.contract.address.lowercaseHex,
                    state.agent.lowercaseHex, state.provider.lowercaseHex, state.parameters.asset.hex,
                    Int64(bitPattern: state.expiry), state.parameters.salt.hex, Self.text(state.deposit),
                    Self.text(state.paid), state.status.rawValue,
                ])
        }
    }

    /// Stores `voucher` as its channel's best if it is above the best held; returns false (and writes
    /// nothing) otherwise.
    func raiseBest(_ voucher: SignedVoucher, atUnixSeconds now: UInt64) async throws(VoucherError) -> Bool {
        try await write("record voucher") { db in
            try db.execute(sql: """
                INSERT INTO best_voucher (channel_id, cumulative, signature, accepted_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(channel_id) DO UPDATE SET
                    cumulative = excluded.cumulative, signature = excluded.signature, accepted_at = excluded.accepted_at
                WHERE best_voucher.cumulative < excluded.cumulative
                """, arguments: [
                    voucher.voucher.channelId.hex, Self.text(voucher.voucher.cumulativeAmount),
                    voucher.signature.description, Int64(bitPattern: now),
                ])
            return db.changesCount > 0
        }
    }

    /// Every channel of `contract` with its best voucher.
    func load(contract: ChannelContract) async throws(VoucherError) -> [Row] {
        let chainId = Int64(bitPattern: contract.chainId), address = contract.address.lowercaseHex
        // Rows are decoded inside the read: GRDB rows are not Sendable, and a Sendable result selects the
        // asynchronous read rather than the one that blocks this thread.
        let fetch: @Sendable (Database) throws -> [Row] = { db in
            let rows = try GRDB.Row.fetchAll(db, sql: """
                SELECT c.*, v.cumulative AS best_cumulative, v.signature AS best_signature
                FROM channel c LEFT JOIN best_voucher v ON v.channel_id = c.id
                WHERE c.chain_id = ? AND c.contract = ?
                """, arguments: [chainId, address])
            return try rows.map { row throws(VoucherError) in try Self.decode(row, contract: contract) }
        }
        do {
            return try await writer.read(fetch)
        } catch let error as VoucherError {
            throw error
        } catch {
            throw .store(operation: "load channels", reason: String(describing: error))
        }
    }

    private static func decode(_ row: GRDB.Row, contract: ChannelContract) throws(VoucherError) -> Row {
        func corrupt(_ what: String) -> VoucherError { .store(operation: "load channels", reason: "unreadable \(what)") }
        // `row[...]` traps on a value of the wrong type; a store edited by hand must fail with an error instead.
        func column<Value: DatabaseValueConvertible>(_ name: String, _: Value.Type) -> Value? {
            (try? row.decode(Value?.self, forColumn: name)) ?? nil
        }
        guard let id = column("id", String.self), let agentText = column("agent", String.self),
              let providerText = column("provider", String.self), let assetText = column("asset", String.self),
              let saltText = column("salt", String.self), let expiry = column("expiry", Int64.self),
              let depositText = column("deposit", String.self), let paidText = column("paid", String.self),
              let statusText = column("status", String.self), let status = ChannelState.Status(rawValue: statusText)
        else { throw corrupt("channel row") }
        guard let agent = try? EthereumAddress(hex: agentText), let provider = try? EthereumAddress(hex: providerText),
              let asset = try? Bytes32(hex: assetText), let salt = try? Bytes32(hex: saltText),
              let deposit = amount(depositText), let paid = amount(paidText)
        else { throw corrupt("channel \(id)") }
        let state = ChannelState(
            contract: contract,
            parameters: ChannelParameters(agent: agent, provider: provider, asset: asset,
                                          expiry: UInt64(bitPattern: expiry), salt: salt),
            deposit: deposit, paid: paid, status: status)
        guard state.id.hex == id else { throw corrupt("channel \(id) (its parameters hash to \(state.id.hex))") }
        var best: SignedVoucher?
        if let cumulativeText = column("best_cumulative", String.self), let signatureText = column("best_signature", String.self) {
            guard let cumulative = amount(cumulativeText), let signature = try? Signature(hex: signatureText)
            else { throw corrupt("voucher of channel \(id)") }
            best = SignedVoucher(voucher: Voucher(channelId: state.id, cumulativeAmount: cumulative), signature: signature)
        }
        return Row(state: state, best: best)
    }

    /// 64 hex digits, zero-padded: text order is numeric order.
    static func text(_ amount: Amount) -> String { Hex.encode(amount.bigEndianBytes.bytes) }

    static func amount(_ text: String) -> Amount? {
        guard text.utf8.count == 64, let word = try? Bytes32(hex: text) else { return nil }
        return Amount(bigEndian: word)
    }

    private func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(VoucherError) -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw .store(operation: operation, reason: String(describing: error))
        }
    }

    // Shipped migrations are never edited; add new ones below.
    private static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE channel (
                    id TEXT PRIMARY KEY NOT NULL,
                    chain_id INTEGER NOT NULL,
                    contract TEXT NOT NULL,
                    agent TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    asset TEXT NOT NULL,
                    expiry INTEGER NOT NULL,
                    salt TEXT NOT NULL,
                    deposit TEXT NOT NULL CHECK (length(deposit) = 64),
                    paid TEXT NOT NULL CHECK (length(paid) = 64),
                    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'refunded'))
                );
                CREATE INDEX channel_contract ON channel(chain_id, contract, status, expiry);

                CREATE TABLE best_voucher (
                    channel_id TEXT PRIMARY KEY NOT NULL REFERENCES channel(id),
                    cumulative TEXT NOT NULL CHECK (length(cumulative) = 64),
                    signature TEXT NOT NULL,
                    accepted_at INTEGER NOT NULL
                );
                """)
        }
        return m
    }
}
