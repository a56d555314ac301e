public import FerryCore
import FerryCrypto

/// How much of one asset a simulated ledger has created and destroyed: the other side of the conservation check.
public struct SupplyAccount: Sendable, Hashable {
    /// Created at genesis or by the faucet.
    public var issued: Amount = .zero
    /// Minted by the gateway on burn/mint lanes (releases, and refunds of burned locks).
    public var bridgeMinted: Amount = .zero
    /// Burned by the gateway on burn/mint lanes (locks).
    public var bridgeBurned: Amount = .zero
    /// Fees destroyed (EIP-1559 base fee, L1 data fee, half the Solana signature fee).
    public var feesBurned: Amount = .zero

    public init() {}
}

/// Why a transaction or gateway call failed inside the ledger; mapped to ``ChainError`` at the adapter edge.
enum ExecutionFailure: Error, Sendable {
    case rejected(String)
    case insufficient(asset: String, needed: Amount, available: Amount)

    func chainError(_ chain: ChainID) -> ChainError {
        switch self {
        case let .rejected(reason): .rejected(chain, reason: reason)
        case let .insufficient(asset, needed, available): .insufficientFunds(chain, asset: asset, needed: needed, available: available)
        }
    }

    var reason: String {
        switch self {
        case let .rejected(reason): reason
        case let .insufficient(asset, needed, available): "insufficient \(asset): need \(needed), have \(available)"
        }
    }
}

/// The state at the head: balances, nonces, supply accounting, gateway and fee market.
///
/// Every change goes through a mutating method that first records, in ``journal``, the value it replaces, so the
/// ledger undoes changes without ever copying the state: ``rollBack(to:)`` undoes everything after a ``savepoint``
/// (a reverted call, a dry run), and the ledger moves each block's entries out with ``takeJournal()`` to undo that
/// block on a reorg with ``undo(_:)``. Reads are plain dictionary lookups.
struct LedgerState: Sendable {
    private(set) var balances: [Address: [String: Amount]] = [:]
    private(set) var nonces: [Address: UInt64] = [:]
    private(set) var supply: [String: SupplyAccount] = [:]
    private(set) var gateway = GatewayState()
    private(set) var market: any FeeMarket
    /// The values replaced by every change since the last ``takeJournal()``, oldest first.
    private(set) var journal: [StateChange] = []

    init(market: any FeeMarket) { self.market = market }

    func balance(of account: Address, _ asset: String) -> Amount { balances[account]?[asset] ?? .zero }

    mutating func credit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure) {
        let new: Amount
        do { new = try balance(of: account, asset) + amount } catch {
            throw .rejected("balance overflow crediting \(amount) \(asset)")
        }
        setBalance(account, asset, new)
    }

    mutating func debit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure) {
        let have = balance(of: account, asset)
        guard have >= amount else { throw .insufficient(asset: asset, needed: amount, available: have) }
        setBalance(account, asset, have.saturatingSubtract(amount))
    }

    mutating func updateSupply(_ asset: String, _ change: (inout SupplyAccount) throws(AmountError) -> Void) throws(ExecutionFailure) {
        var account = supply[asset] ?? SupplyAccount()
        do { try change(&account) } catch { throw .rejected("supply accounting overflow for \(asset): \(error)") }
        journal.append(.supply(asset, supply.updateValue(account, forKey: asset)))
    }

    /// Counts one more transaction from `account`.
    mutating func incrementNonce(of account: Address) {
        journal.append(.nonce(account, nonces.updateValue((nonces[account] ?? 0) + 1, forKey: account)))
    }

    /// Moves the gateway's lock nonce on by one.
    mutating func advanceLockNonce() {
        journal.append(.nextLockNonce(gateway.nextNonce))
        gateway.nextNonce += 1
    }

    mutating func setRecord(_ record: GatewayRecord, for messageId: Bytes32) {
        journal.append(.record(messageId, gateway.records.updateValue(record, forKey: messageId)))
    }

    /// Stores or (with nil) removes the refund information of a lock.
    mutating func setLock(_ entry: LockEntry?, for messageId: Bytes32) {
        let old = if let entry { gateway.locks.updateValue(entry, forKey: messageId) } else { gateway.locks.removeValue(forKey: messageId) }
        journal.append(.lock(messageId, old))
    }

    mutating func setPool(_ amount: Amount, for asset: String) {
        journal.append(.pool(asset, gateway.pools.updateValue(amount, forKey: asset)))
    }

    mutating func setReserved(_ amount: Amount, for asset: String) {
        journal.append(.reserved(asset, gateway.reserved.updateValue(amount, forKey: asset)))
    }

    mutating func setCommitment(_ commitment: Commitment, for root: Bytes32) {
        journal.append(.commitment(root, gateway.commitments.updateValue(commitment, forKey: root)))
    }

    mutating func setCommittedThrough(_ lastNonce: UInt64, for source: ChainID) {
        journal.append(.committedThrough(source, gateway.committedThrough.updateValue(lastNonce, forKey: source)))
    }

    mutating func setBucket(_ bucket: TokenBucket, for key: String) {
        journal.append(.bucket(key, gateway.buckets.updateValue(bucket, forKey: key)))
    }

    /// Changes the fee market (a block's price update, a fault).
    mutating func updateMarket(_ change: (inout any FeeMarket) -> Void) {
        journal.append(.market(market))
        change(&market)
    }

    /// A point to roll back to: the journal's length.
    var savepoint: Int { journal.count }

    /// Undoes every change made after `savepoint`.
    mutating func rollBack(to savepoint: Int) {
        while journal.count > savepoint, let change = journal.popLast() { restore(change) }
    }

    /// Hands over the journal (the changes since the last call) and starts an empty one.
    mutating func takeJournal() -> [StateChange] {
        let taken = journal
        journal = []
        return taken
    }

    /// Undoes `changes`, a journal taken earlier, provided everything changed after it has been undone already.
    mutating func undo(_ changes: [StateChange]) {
        for change in changes.reversed() { restore(change) }
    }

    private mutating func setBalance(_ account: Address, _ asset: String, _ amount: Amount) {
        journal.append(.balance(account, asset: asset, balances[account, default: [:]].updateValue(amount, forKey: asset)))
    }

    private mutating func restore(_ change: StateChange) {
        switch change {
        case let .balance(account, asset, old?):
            balances[account, default: [:]][asset] = old
        case let .balance(account, asset, nil):
            // The account got its first balance in the undone change: forget the account, as it was before.
            balances[account]?[asset] = nil
            if balances[account]?.isEmpty == true { balances[account] = nil }
        case let .nonce(account, old): nonces[account] = old
        case let .supply(asset, old): supply[asset] = old
        case let .nextLockNonce(old): gateway.nextNonce = old
        case let .record(messageId, old): gateway.records[messageId] = old
        case let .lock(messageId, old): gateway.locks[messageId] = old
        case let .pool(asset, old): gateway.pools[asset] = old
        case let .reserved(asset, old): gateway.reserved[asset] = old
        case let .bucket(key, old): gateway.buckets[key] = old
        case let .commitment(root, old): gateway.commitments[root] = old
        case let .committedThrough(source, old): gateway.committedThrough[source] = old
        case let .market(old): market = old
        }
    }

    /// Every asset's balances + pool + burned against issued + minted.
    func conservation(assets: [String]) -> [AssetConservation] {
        assets.map { asset in
            var held = UInt256Sum()
            for (_, perAsset) in balances { held.add(perAsset[asset] ?? .zero) }
            let pool = gateway.pools[asset] ?? .zero
            let s = supply[asset] ?? SupplyAccount()
            return AssetConservation(asset: asset, balances: held.value, pool: pool, supply: s)
        }
    }
}

/// One change to a ``LedgerState``, as the value it replaced (nil: the key was absent).
enum StateChange: Sendable {
    case balance(Address, asset: String, Amount?)
    case nonce(Address, UInt64?)
    case supply(String, SupplyAccount?)
    case nextLockNonce(UInt64)
    // Records and lock entries carry a whole transfer: boxed, so they do not make every entry that large.
    indirect case record(Bytes32, GatewayRecord?)
    indirect case lock(Bytes32, LockEntry?)
    case pool(String, Amount?)
    case reserved(String, Amount?)
    case bucket(String, TokenBucket?)
    case commitment(Bytes32, Commitment?)
    case committedThrough(ChainID, UInt64?)
    case market(any FeeMarket)
}

/// A sum that saturates instead of throwing (conservation reports must not fail to print).
struct UInt256Sum {
    var value: Amount = .zero
    mutating func add(_ a: Amount) { value = (try? value + a) ?? .max }
}

/// The conservation check for one asset on one ledger:
/// `balances + pool + feesBurned + bridgeBurned == issued + bridgeMinted`, to the unit.
public struct AssetConservation: Sendable, Hashable, CustomStringConvertible {
    public let asset: String
    /// Sum of all account balances (block producer included).
    public let balances: Amount
    /// Held by the gateway (locked value, liquidity, relay fees).
    public let pool: Amount
    public let supply: SupplyAccount

    /// Left side of the equation: where the value is now.
    public var accountedFor: Amount {
        var sum = UInt256Sum()
        for part in [balances, pool, supply.feesBurned, supply.bridgeBurned] { sum.add(part) }
        return sum.value
    }

    /// Right side: all value ever created on this ledger.
    public var created: Amount {
        var sum = UInt256Sum()
        sum.add(supply.issued)
        sum.add(supply.bridgeMinted)
        return sum.value
    }

    /// True when nothing was created or destroyed unaccounted.
    public var holds: Bool { accountedFor == created }

    public var description: String {
        "\(asset): balances \(balances) + pool \(pool) + fees burned \(supply.feesBurned) + bridge burned \(supply.bridgeBurned) = \(accountedFor); "
            + "issued \(supply.issued) + bridge minted \(supply.bridgeMinted) = \(created)" + (holds ? "" : "  <-- NOT CONSERVED")
    }
}
