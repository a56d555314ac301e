public import FerryCore
public import FerryCrypto

/// An in-process ledger of one chain family: accounts, native and token balances, a mempool, blocks produced
/// on a ``LedgerClock``, the Ferry gateway program, and scriptable faults.
///
/// Blocks are produced lazily: every call first produces all blocks due by the clock's "now", so with a
/// ``VirtualClock`` the chain advances exactly when a test advances time, and the outcome depends only on the
/// seed and the calls made. Value is conserved and checkable with ``conservation()``.
public actor SimulatedLedger {
    /// The chain's configuration (static).
    public nonisolated let config: SimulatedChainConfig
    /// The clock blocks are produced on.
    public nonisolated let clock: LedgerClock
    /// Unix milliseconds of block 0.
    public nonisolated let genesisMillis: UInt64
    nonisolated let program: GatewayProgram
    nonisolated let notifier = ChangeNotifier()

    /// The state at the head. Never copied: changes are journaled, and undone through the journal.
    var state: LedgerState
    var blocks: [SimBlock] = []
    /// The end of the last stretch of time the chain skipped instead of producing blocks (see `catchUp()`); 0 if none.
    var skippedUntilMillis: UInt64 = 0
    /// How to take back each of the last `maxReorgDepth` blocks, oldest first (a reorg undoes them newest first and
    /// returns their transactions to the mempool).
    var history: [BlockUndo] = []
    var mempool = Mempool()
    var arrivalCounter: UInt64 = 0
    /// The status of every transaction ever submitted here (small, and ``transaction(_:)`` must answer for old ids).
    var statuses: [TxID: TxStatus] = [:]
    var forks: UInt64 = 0
    var faults = ActiveFaults()
    var scheduled: [ScheduledFault] = []
    var rng: SeededGenerator

    /// A ledger at genesis (block 0 at the clock's current time).
    public init(config: SimulatedChainConfig, clock: LedgerClock) {
        self.config = config
        self.clock = clock
        self.program = GatewayProgram(config: config)
        self.genesisMillis = clock.unixMillis
        self.state = LedgerState(market: config.feeMarket)
        self.rng = SeededGenerator(seed: config.seed)
        let hash = Keccak256.hash(Array("ferry.sim.genesis".utf8) + be(config.info.id.rawValue) + be(genesisMillis))
        let genesis = SimBlock(ref: BlockRef(height: 0, hash: hash, timestampMillis: genesisMillis), transactions: [], events: [], usedUnits: 0)
        blocks = [genesis]
    }

    public nonisolated var chain: ChainID { config.info.id }

    // MARK: Reading

    /// The newest block. Throws `.unreachable` during an outage.
    public func head() throws(ChainError) -> BlockRef {
        try reachable()
        return headRef
    }

    /// `head - finalityDepth` (0 early on). Throws `.unreachable` during an outage.
    public func finalizedHeight() throws(ChainError) -> UInt64 {
        try reachable()
        return finalized
    }

    /// Balance of `account` in `asset`. Throws `.unknown` for an asset the chain does not have.
    public func balance(of account: Address, asset: String) throws(ChainError) -> Amount {
        try reachable()
        guard config.info.asset(asset) != nil else { throw .unknown(chain, what: "asset \"\(asset)\" (known: \(assetList))") }
        return state.balance(of: account, asset)
    }

    /// The cost of a lock now at low / median / high priority, in native smallest units.
    public func feeEstimate() throws(ChainError) -> FeeEstimate {
        try reachable()
        return state.market.estimate(takenAtMillis: clock.unixMillis)
    }

    /// Where transaction `id` stands. Throws `.unknown` for an id never submitted here.
    public func transaction(_ id: TxID) throws(ChainError) -> TxStatus {
        try reachable()
        guard let status = statuses[id] else { throw .unknown(chain, what: "transaction \(id)") }
        return status
    }

    /// The gateway's record of `messageId`.
    public func gatewayState(of messageId: Bytes32) throws(ChainError) -> GatewayRecord {
        try reachable()
        return state.gateway.records[messageId] ?? GatewayRecord.none
    }

    /// The rest of the route locked with `messageId` when it is the forwarding hop of a multi-hop route; empty
    /// otherwise (and once the lock is refunded).
    public func onwardHops(of messageId: Bytes32) throws(ChainError) -> [Transfer] {
        try reachable()
        return state.gateway.locks[messageId]?.onward ?? []
    }

    /// The relayer set the gateway verifies against.
    public func relayerSet() throws(ChainError) -> RelayerSet {
        try reachable()
        return config.relayers
    }

    /// Gateway pool (locked value plus liquidity) of `asset`. Not subject to outages (an operator's view).
    public func pool(_ asset: String) -> Amount {
        catchUp()
        return state.gateway.pools[asset] ?? .zero
    }

    /// The conservation equation for every asset of the chain, at the current head.
    public func conservation() -> [AssetConservation] {
        catchUp()
        return state.conservation(assets: config.info.assets.map(\.symbol))
    }

    /// Transactions waiting in the mempool.
    public var pendingCount: Int {
        catchUp()
        return mempool.count
    }

    // MARK: Writing

    /// Signs `call` with `signer` at the next free nonce and puts it in the mempool.
    ///
    /// The call is first dry-run against the state the next block will start from; a call that would fail
    /// there is refused with the gateway's reason instead of being mined as a revert.
    /// - Throws: `.unreachable` (outage), `.rejected` (gateway rule, bad signature), `.insufficientFunds` (fees).
    /// Signs and queues `call`. Submitting a release, cancel or refund identical to one still pending from the same
    /// signer replaces it (same nonce, a bid at least 12.5% higher): how a caller unsticks a transaction priced below
    /// the market. Locks are never replaced: two identical locks are two payments.
    public func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) throws(ChainError) -> TxID {
        try reachable()
        let call = call.withSignaturesOrdered(in: config.info.attestationDomain)
        let from = Address(signer.address.bytes32)
        var bid = state.market.bid(for: call.kind, priority: priority)
        if call.isIdempotent, let pending = mempool.first(from: from, calling: call) {
            // Replace-by-fee: the same call again from the same sender takes the pending one's nonce with a bid at
            // least 1/8 higher, so a transaction stuck below a rising base fee (and everything queued behind it) moves.
            let old = pending.tx
            bid.maxBasePerUnit = max(bid.maxBasePerUnit, old.bid.maxBasePerUnit + old.bid.maxBasePerUnit / 8 + 1)
            bid.tipPerUnit = max(bid.tipPerUnit, old.bid.tipPerUnit + old.bid.tipPerUnit / 8 + 1)
            let hash = SimTransaction.signingHash(chain: chain, from: from, nonce: old.nonce, call: call, bid: bid)
            let signature: Signature
            do { signature = try signer.sign(digest: hash) } catch {
                throw .rejected(chain, reason: "the signer failed to sign the transaction: \(error)")
            }
            let replacement = SimTransaction(chain: chain, from: from, nonce: old.nonce, call: call, bid: bid, signature: signature)
            let native = config.info.nativeAsset.symbol
            let maximum = state.market.maximumCost(of: bid)
            let have = state.balance(of: from, native)
            guard have >= maximum else { throw .insufficientFunds(chain, asset: native, needed: maximum, available: have) }
            let id = TxID(hash)  // replacement.id, without hashing again
            arrivalCounter += 1
            mempool.replace(pending.id, with: replacement, id: id, arrival: arrivalCounter)
            statuses[pending.id] = .dropped
            statuses[id] = .pending
            return id
        }
        let nonce = pendingNonce(of: from)
        let hash = SimTransaction.signingHash(chain: chain, from: from, nonce: nonce, call: call, bid: bid)
        let signature: Signature
        do { signature = try signer.sign(digest: hash) } catch {
            throw .rejected(chain, reason: "the signer failed to sign the transaction: \(error)")
        }
        return try accept(SimTransaction(chain: chain, from: from, nonce: nonce, call: call, bid: bid, signature: signature))
    }

    /// Accepts an already signed transaction (the devnet server's entry point).
    public func submit(signed tx: SimTransaction) throws(ChainError) -> TxID {
        try reachable()
        return try accept(tx)
    }

    /// The nonce the next transaction from `account` must carry (counting pending ones).
    public func pendingNonce(of account: Address) -> UInt64 {
        catchUp()
        let pending = mempool.highestNonce(of: account).map { $0 + 1 } ?? 0
        return max(state.nonces[account] ?? 0, pending)
    }

    /// The nonce and fee bid the next transaction from `account` for a `kind` call at `priority` must carry
    /// (what a client that signs for itself, like ``RemoteChainAdapter``, asks the devnet server before signing).
    /// - Throws: `.unreachable` during an outage.
    public func transactionTemplate(from account: Address, kind: GatewayCallKind,
                                    priority: FeePriority) throws(ChainError) -> (nonce: UInt64, bid: FeeBid) {
        try reachable()
        return (pendingNonce(of: account), state.market.bid(for: kind, priority: priority))
    }

    /// Creates `amount` of `asset` in `account` (a faucet; counted as issued supply).
    public func fund(_ account: Address, asset: String, amount: Amount) throws(ChainError) {
        catchUp()
        guard config.info.asset(asset) != nil else { throw .unknown(chain, what: "asset \"\(asset)\" (known: \(assetList))") }
        let savepoint = state.savepoint
        do throws(ExecutionFailure) {
            try state.credit(account, asset, amount)
            try state.updateSupply(asset) { (s: inout SupplyAccount) throws(AmountError) in s.issued = try s.issued + amount }
        } catch {
            state.rollBack(to: savepoint)
            throw error.chainError(chain)
        }
        checkpointHead()
    }

    /// Adds `amount` of `asset` to the gateway pool (liquidity for releases; counted as issued supply).
    public func addLiquidity(_ asset: String, amount: Amount) throws(ChainError) {
        catchUp()
        guard config.info.asset(asset) != nil else { throw .unknown(chain, what: "asset \"\(asset)\" (known: \(assetList))") }
        guard let pool = try? (state.gateway.pools[asset] ?? .zero) + amount else {
            throw .rejected(chain, reason: "pool overflow adding \(amount) \(asset)")
        }
        let savepoint = state.savepoint
        state.setPool(pool, for: asset)
        do throws(ExecutionFailure) {
            try state.updateSupply(asset) { (s: inout SupplyAccount) throws(AmountError) in s.issued = try s.issued + amount }
        } catch {
            state.rollBack(to: savepoint)
            throw error.chainError(chain)
        }
        checkpointHead()
    }

    // MARK: Internals

    /// Makes the changes since the last block part of the head block's undo information, as a snapshot of the head
    /// taken now would have included them: a reorg that keeps the head keeps them, one that replaces it undoes them.
    /// At genesis (or with no reorg history kept) they are permanent.
    func checkpointHead() {
        let changes = state.takeJournal()
        guard !changes.isEmpty, let last = history.indices.last, history[last].height == headRef.height else { return }
        history[last].changes.append(contentsOf: changes)
    }

    var headRef: BlockRef { blocks[blocks.count - 1].ref }
    var finalized: UInt64 { headRef.height > config.info.finalityDepth ? headRef.height - config.info.finalityDepth : 0 }
    var assetList: String { config.info.assets.map(\.symbol).joined(separator: ", ") }

    /// When the next block is due, unix ms.
    public var nextBlockDueMillis: UInt64 { max(headRef.timestampMillis, skippedUntilMillis) + max(1, config.info.blockTimeMillis) }

    func reachable() throws(ChainError) {
        catchUp()
        if let until = faults.outageUntilMillis, clock.unixMillis < until {
            throw .unreachable(chain, underlying: until == .max
                ? "simulated outage (until ended)"
                : "simulated outage for another \(until - clock.unixMillis) ms")
        }
    }

    private func accept(_ tx: SimTransaction) throws(ChainError) -> TxID {
        guard tx.chain == chain else { throw .rejected(chain, reason: "transaction is for \(tx.chain)") }
        // The id is the signing hash: hash the transaction once for both.
        let hash = tx.signingHash
        let signer: EthereumAddress
        do { signer = try tx.signature.recoverAddress(digest: hash) } catch {
            throw .rejected(chain, reason: "transaction signature does not recover: \(error)")
        }
        guard Address(signer.bytes32) == tx.from else {
            throw .rejected(chain, reason: "transaction signed by \(signer.checksummed), not by its sender \(tx.from)")
        }
        let id = TxID(hash)
        guard statuses[id] == nil else { throw .rejected(chain, reason: "transaction \(id) already known") }
        let stateNonce = state.nonces[tx.from] ?? 0
        guard tx.nonce >= stateNonce else { throw .rejected(chain, reason: "nonce too low: \(tx.nonce) < \(stateNonce)") }
        guard !mempool.contains(nonce: tx.nonce, from: tx.from) else {
            throw .rejected(chain, reason: "nonce \(tx.nonce) already used by a pending transaction")
        }
        let native = config.info.nativeAsset.symbol
        let maximum = state.market.maximumCost(of: tx.bid)
        let have = state.balance(of: tx.from, native)
        guard have >= maximum else { throw .insufficientFunds(chain, asset: native, needed: maximum, available: have) }
        if tx.nonce == stateNonce {
            // Dry run in the next block's context; later nonces depend on pending ones, so they are not pre-checked.
            let savepoint = state.savepoint
            let outcome = execute(tx, timestamp: nextBlockDueMillis, height: headRef.height + 1)
            state.rollBack(to: savepoint)
            switch outcome {
            case let .reverted(reason): throw .rejected(chain, reason: reason)
            case let .unpayable(failure): throw failure.chainError(chain)
            case .notIncludable, .succeeded: break
            }
        }
        arrivalCounter += 1
        mempool.append(tx, id: id, arrival: arrivalCounter)
        statuses[id] = .pending
        return id
    }

    enum Execution {
        case succeeded(GatewayOutcome)
        case reverted(String)
        case unpayable(ExecutionFailure)
        case notIncludable
    }

    /// Charges the fee and runs the call on ``state``; a failing call reverts its effects (rolled back through the
    /// journal) but keeps the fee and the nonce. A fee that cannot be paid leaves no trace.
    func execute(_ tx: SimTransaction, timestamp: UInt64, height: UInt64) -> Execution {
        guard let charge = state.market.charge(for: tx.bid) else { return .notIncludable }
        let native = config.info.nativeAsset.symbol
        let unpaid = state.savepoint
        do throws(ExecutionFailure) {
            try state.debit(tx.from, native, charge.total)
            try state.updateSupply(native) { (a: inout SupplyAccount) throws(AmountError) in a.feesBurned = try a.feesBurned + charge.burned }
            try state.credit(config.producer, native, charge.toProducer)
        } catch {
            state.rollBack(to: unpaid)
            return .unpayable(error)
        }
        state.incrementNonce(of: tx.from)
        let paid = state.savepoint
        do throws(ExecutionFailure) {
            return .succeeded(try program.execute(tx.call, sender: tx.from, state: &state, nowMillis: timestamp, height: height))
        } catch {
            state.rollBack(to: paid)
            return .reverted(error.reason)
        }
    }
}

/// Faults in force on a ledger.
struct ActiveFaults: Sendable {
    var outageUntilMillis: UInt64?
    var congestionUntilMillis: UInt64 = 0
    var dropPerMille: UInt64 = 0
    var dropUntilMillis: UInt64 = 0
}
