import FerryCore
import FerryCrypto

/// The gateway's storage on a simulated ledger (changed only through ``LedgerState``, which journals every change).
struct GatewayState: Sendable {
    /// The nonce the next lock gets.
    var nextNonce: UInt64 = 0
    var records: [Bytes32: GatewayRecord] = [:]
    /// Source-side locks still refundable: what was taken and how.
    var locks: [Bytes32: LockEntry] = [:]
    /// Value held per asset: locked funds, liquidity, relay fees.
    var pools: [String: Amount] = [:]
    /// Per asset, the part of the pool that backs locks not yet refunded (what their refunds return): releases
    /// never spend it.
    var reserved: [String: Amount] = [:]
    var buckets: [String: TokenBucket] = [:]
    /// Committed checkpoint roots (docs/architecture.md, "Checkpoints").
    var commitments: [Bytes32: Commitment] = [:]
    /// Per source chain, the last nonce its committed checkpoints cover (absent: none yet, the next starts at 0).
    var committedThrough: [ChainID: UInt64] = [:]
}

/// A committed checkpoint: which source and nonce range its root's leaves come from.
struct Commitment: Sendable, Hashable {
    let sourceChain: ChainID
    let firstNonce: UInt64
    let lastNonce: UInt64
    let count: UInt32
}

/// What a lock took, kept for its refund.
struct LockEntry: Sendable, Hashable {
    let transfer: Transfer
    let asset: String
    let sourceUnits: Amount
    let mode: LaneMode
    /// The rest of the route when this lock is a forwarding hop (what ``SimulatedLedger/onwardHops(of:)`` returns).
    var onward: [Transfer] = []
}

/// What a successful gateway call did, before the ledger stamps block and transaction on it.
enum GatewayOutcome: Sendable, Hashable {
    case locked(messageId: Bytes32, transfer: Transfer)
    case released(messageId: Bytes32)
    /// A forwarding hop was released and the next hop locked, in one transaction.
    case forwarded(released: Bytes32, locked: Bytes32, transfer: Transfer)
    case cancelled(messageId: Bytes32)
    case refunded(messageId: Bytes32)
    /// A checkpoint root was committed (no ``GatewayEvent``: relayers read commitments from their own journal).
    case committed(root: Bytes32)
    /// A batch of a committed root's transfers was released.
    case releasedBatch(messageIds: [Bytes32])
}

/// The gateway's rules, the same as the Vyper gateway's (docs/architecture.md, "Gateway rules"): locks with
/// gateway-assigned nonces of registered asset pairs only, taking the converted amount plus the fee; k-of-n
/// EIP-712 attestations (signers in ascending order) for release and cancel in this gateway's domain and for
/// refund in this gateway's domain too (`Refund`, given once the destination's cancel is final); release and
/// cancel mutually exclusive; pools or burn/mint per lane; releases never spend the value backing refundable
/// locks; per-lane token-bucket rate limits on locks and releases.
struct GatewayProgram: Sendable {
    let config: SimulatedChainConfig
    /// The attestation domain of this gateway (its separator is hashed once, here).
    let domain: EIP712Domain
    let signers = SignerMemo()

    init(config: SimulatedChainConfig) {
        self.config = config
        domain = config.info.attestationDomain
    }

    var chain: ChainID { config.info.id }

    func execute(_ call: GatewayCall, sender: Address, state: inout LedgerState, nowMillis: UInt64,
                 height: UInt64) throws(ExecutionFailure) -> GatewayOutcome {
        switch call {
        case let .lock(transfer, onward):
            do { try TransferRoute.validate(transfer, onward: onward) } catch { throw .rejected(error.description) }
            let (outcome, _) = try lock(transfer, onward: onward, sender: sender, state: &state, nowMillis: nowMillis, height: height)
            return outcome
        case let .release(transfer, signatures, onward):
            return try release(transfer, signatures, onward: onward, state: &state, nowMillis: nowMillis, height: height)
        case let .cancel(transfer, signatures):
            return try cancel(transfer, signatures, state: &state, nowMillis: nowMillis, height: height)
        case let .refund(transfer, signatures):
            return try refund(transfer, signatures, state: &state, nowMillis: nowMillis, height: height)
        case let .commit(checkpoint, signatures):
            return try commit(checkpoint, signatures, state: &state)
        case let .releaseBatch(root, transfers, proofs):
            return try releaseBatch(root: root, transfers, proofs: proofs, state: &state, nowMillis: nowMillis, height: height)
        }
    }

    // MARK: Source side

    /// Locks `requested` (with the route's `onward` hops, already validated) from `sender`.
    /// - Returns: the outcome and what was taken from `sender` (converted amount plus fee, in local units).
    private func lock(_ requested: Transfer, onward: [Transfer], sender: Address, state: inout LedgerState, nowMillis: UInt64,
                      height: UInt64) throws(ExecutionFailure) -> (GatewayOutcome, Amount) {
        guard requested.version == Transfer.currentVersion else { throw .rejected("unsupported transfer version \(requested.version)") }
        guard requested.sourceChain == chain else {
            throw .rejected("lock names source \(requested.sourceChain), but this gateway is on \(chain)")
        }
        guard requested.destChain != chain else { throw .rejected("lock to the same chain \(chain)") }
        guard requested.sender == sender else {
            throw .rejected("transfer.sender \(requested.sender) is not the transaction signer \(sender)")
        }
        guard !requested.amount.isZero else { throw .rejected("lock amount is zero") }
        guard requested.deadline > nowMillis / 1000 else {
            throw .rejected("deadline \(requested.deadline) is not after chain time \(nowMillis / 1000)")
        }
        let asset = try assetSymbol(requested.sourceAsset)
        guard let lane = config.lane(remote: requested.destChain, asset: asset) else {
            throw .rejected("asset pair not registered: no lane for \(asset) to \(requested.destChain)")
        }
        guard requested.destAsset == lane.pairedAsset(localID: requested.sourceAsset) else {
            throw .rejected("destination asset \(requested.destAsset) does not match the registered pair of \(asset) to \(requested.destChain)")
        }
        let localDecimals = config.info.asset(asset)?.decimals ?? lane.remoteDecimals
        let sourceUnits = try Self.convert(requested.amount, from: lane.remoteDecimals, to: localDecimals)
        if let limit = lane.rateLimit {
            try takeFromBucket(lane: lane, amount: sourceUnits, limit: limit, state: &state, nowMillis: nowMillis)
        }
        var transfer = requested
        transfer.nonce = state.gateway.nextNonce
        let messageId = transfer.messageId
        guard state.gateway.records[messageId] == nil else { throw .rejected("message \(messageId) already exists") }

        let total: Amount
        do { total = try sourceUnits + transfer.fee } catch { throw .rejected("amount + fee overflows") }
        try state.debit(sender, asset, total)
        switch lane.mode {
        case .lockRelease:
            try addToPool(asset, total, state: &state)
            try reserve(asset, total, state: &state)
        case .burnMint:
            try state.updateSupply(asset) { (s: inout SupplyAccount) throws(AmountError) in s.bridgeBurned = try s.bridgeBurned + sourceUnits }
            try addToPool(asset, transfer.fee, state: &state)
            try reserve(asset, transfer.fee, state: &state)
        }
        state.advanceLockNonce()
        state.setRecord(.locked(transfer, height: height), for: messageId)
        state.setLock(LockEntry(transfer: transfer, asset: asset, sourceUnits: sourceUnits, mode: lane.mode, onward: onward), for: messageId)
        return (.locked(messageId: messageId, transfer: transfer), total)
    }

    private func refund(_ transfer: Transfer, _ signatures: [Signature], state: inout LedgerState, nowMillis: UInt64,
                        height: UInt64) throws(ExecutionFailure) -> GatewayOutcome {
        let messageId = transfer.messageId
        switch state.gateway.records[messageId] {
        case .locked?: break
        case .refunded?: throw .rejected("message \(messageId) was already refunded")
        case nil, .none?: throw .rejected("no lock for message \(messageId) on \(chain)")
        case .released?, .cancelled?: throw .rejected("message \(messageId) is a destination record here, not a lock")
        }
        guard let entry = state.gateway.locks[messageId] else { throw .rejected("no lock for message \(messageId) on \(chain)") }
        guard nowMillis / 1000 > transfer.deadline else {
            throw .rejected("cannot refund before the deadline has passed: chain time \(nowMillis / 1000) <= deadline \(transfer.deadline)")
        }
        // Refund attestations are made in this gateway's own domain, once the destination's cancel is final.
        try verifyAttestations(signatures, digest: FerryAttestation.refund(messageId: messageId).digest(in: domain), what: "Refund")
        switch entry.mode {
        case .lockRelease:
            let total: Amount
            do { total = try entry.sourceUnits + transfer.fee } catch { throw .rejected("amount + fee overflows") }
            try unreserve(entry.asset, total, state: &state)
            try takeFromPool(entry.asset, total, state: &state, spendingReserve: true)
            try state.credit(transfer.sender, entry.asset, total)
        case .burnMint:
            try state.updateSupply(entry.asset) { (s: inout SupplyAccount) throws(AmountError) in s.bridgeMinted = try s.bridgeMinted + entry.sourceUnits }
            try unreserve(entry.asset, transfer.fee, state: &state)
            try takeFromPool(entry.asset, transfer.fee, state: &state, spendingReserve: true)
            try state.credit(transfer.sender, entry.asset, entry.sourceUnits)
            try state.credit(transfer.sender, entry.asset, transfer.fee)
        }
        state.setRecord(.refunded(height: height), for: messageId)
        state.setLock(nil, for: messageId)
        return .refunded(messageId: messageId)
    }

    // MARK: Destination side

    private func release(_ transfer: Transfer, _ signatures: [Signature], onward: [Transfer], state: inout LedgerState,
                         nowMillis: UInt64, height: UInt64) throws(ExecutionFailure) -> GatewayOutcome {
        let messageId = try checkRelease(transfer, state: state, nowMillis: nowMillis)
        try verifyAttestations(signatures, digest: FerryAttestation.release(messageId: messageId).digest(in: domain),
                               what: "Release")
        return try settleRelease(transfer, messageId: messageId, onward: onward, state: &state, nowMillis: nowMillis, height: height)
    }

    /// The checks every release makes before its authorisation (signatures or a Merkle proof); returns the message id.
    func checkRelease(_ transfer: Transfer, state: LedgerState, nowMillis: UInt64) throws(ExecutionFailure) -> Bytes32 {
        let messageId = try checkDestination(transfer, state: state)
        // Release until the deadline (inclusive), cancel only after it: at no chain time are both possible.
        guard nowMillis / 1000 <= transfer.deadline else {
            throw .rejected("deadline \(transfer.deadline) has passed (chain time \(nowMillis / 1000)); the transfer can only be cancelled")
        }
        return messageId
    }

    /// Pays (or forwards) an authorised release and records it released.
    func settleRelease(_ transfer: Transfer, messageId: Bytes32, onward: [Transfer], state: inout LedgerState,
                       nowMillis: UInt64, height: UInt64) throws(ExecutionFailure) -> GatewayOutcome {
        let asset = try assetSymbol(transfer.destAsset)
        guard let lane = config.lane(remote: transfer.sourceChain, asset: asset),
              lane.pairedAsset(localID: transfer.destAsset) == transfer.sourceAsset else {
            throw .rejected("asset pair not registered: \(transfer.sourceAsset) on \(transfer.sourceChain) does not pair with \(asset) here")
        }
        if let limit = lane.rateLimit {
            try takeFromBucket(lane: lane, amount: transfer.amount, limit: limit, state: &state, nowMillis: nowMillis)
        }
        switch lane.mode {
        case .lockRelease:
            try takeFromPool(asset, transfer.amount, state: &state)
        case .burnMint:
            try state.updateSupply(asset) { (s: inout SupplyAccount) throws(AmountError) in s.bridgeMinted = try s.bridgeMinted + transfer.amount }
        }
        state.setRecord(.released(height: height), for: messageId)
        guard transfer.forwards else {
            guard onward.isEmpty else { throw .rejected("onward hops given for a transfer that does not forward") }
            try state.credit(transfer.receiver, asset, transfer.amount)
            return .released(messageId: messageId)
        }
        // A hop of a route: the value arrives with the payer here and leaves again as the next hop's lock, in this
        // transaction. If that lock fails, so does the release (the hop is then cancelled and refunded at its source).
        guard let next = onward.first else {
            throw .rejected("transfer \(messageId) forwards, but the release carries no onward hops")
        }
        do { try TransferRoute.validate(transfer, onward: onward) } catch { throw .rejected(error.description) }
        try state.credit(transfer.sender, asset, transfer.amount)
        let (outcome, taken) = try lock(next, onward: Array(onward.dropFirst()), sender: transfer.sender, state: &state,
                                        nowMillis: nowMillis, height: height)
        guard taken <= transfer.amount, case let .locked(nextID, locked) = outcome else {
            throw .rejected("the next hop needs \(taken) \(asset) with its fee, but this hop delivers \(transfer.amount)")
        }
        return .forwarded(released: messageId, locked: nextID, transfer: locked)
    }

    private func cancel(_ transfer: Transfer, _ signatures: [Signature], state: inout LedgerState, nowMillis: UInt64,
                        height: UInt64) throws(ExecutionFailure) -> GatewayOutcome {
        let messageId = try checkDestination(transfer, state: state)
        let now = nowMillis / 1000
        guard now > transfer.deadline else {
            throw .rejected("cannot cancel before the deadline has passed: chain time \(now) <= deadline \(transfer.deadline)")
        }
        try verifyAttestations(signatures, digest: FerryAttestation.cancel(messageId: messageId).digest(in: domain),
                               what: "Cancel")
        state.setRecord(.cancelled(height: height), for: messageId)
        return .cancelled(messageId: messageId)
    }

    private func checkDestination(_ transfer: Transfer, state: LedgerState) throws(ExecutionFailure) -> Bytes32 {
        guard transfer.version == Transfer.currentVersion else { throw .rejected("unsupported transfer version \(transfer.version)") }
        guard transfer.destChain == chain else {
            throw .rejected("transfer is for \(transfer.destChain), but this gateway is on \(chain)")
        }
        let messageId = transfer.messageId
        switch state.gateway.records[messageId] {
        case nil, .none?: return messageId
        case .released?: throw .rejected("message \(messageId) was already released")
        case .cancelled?: throw .rejected("message \(messageId) was cancelled; it can never be released")
        case .locked?, .refunded?: throw .rejected("message \(messageId) is a source record here")
        }
    }

    // MARK: Rules shared by the calls

    /// k-of-n: every signature must recover to a relayer-set member, with low s, signers in strictly ascending
    /// address order (so distinct); at least `threshold` of them.
    func verifyAttestations(_ signatures: [Signature], digest: Bytes32, what: String) throws(ExecutionFailure) {
        let set = config.relayers
        guard signatures.count >= set.threshold else {
            throw .rejected("\(what) needs \(set.threshold) of \(set.members.count) relayer signatures, got \(signatures.count)")
        }
        var last: EthereumAddress?
        for (index, signature) in signatures.enumerated() {
            guard signature.isLowS else { throw .rejected("\(what) signature \(index) has a high s value (malleable)") }
            let signer: EthereumAddress
            do { signer = try signers.signer(of: signature, digest: digest) } catch {
                throw .rejected("\(what) signature \(index) does not recover: \(error)")
            }
            guard set.members.contains(signer) else {
                throw .rejected("\(what) signature \(index) is from \(signer.checksummed), not a relayer of this gateway")
            }
            if let last, !(last < signer) {
                throw .rejected("\(what) signature \(index): signers must be distinct and in ascending order (\(signer.checksummed) after \(last.checksummed))")
            }
            last = signer
        }
    }

    private func assetSymbol(_ gatewayID: Bytes32) throws(ExecutionFailure) -> String {
        guard let info = config.info.assets.first(where: { $0.gatewayID == gatewayID }) else {
            throw .rejected("unknown asset \(gatewayID) on \(chain)")
        }
        return info.symbol
    }

    private func takeFromBucket(lane: LaneConfig, amount: Amount, limit: RateLimit, state: inout LedgerState,
                                nowMillis: UInt64) throws(ExecutionFailure) {
        let key = "\(lane.remoteChain.rawValue):\(lane.asset)"
        var bucket = state.gateway.buckets[key] ?? TokenBucket(limit: limit, nowMillis: nowMillis)
        try bucket.take(amount, limit: limit, nowMillis: nowMillis, lane: "\(lane.asset)<->\(lane.remoteChain)")
        state.setBucket(bucket, for: key)
    }

    private func addToPool(_ asset: String, _ amount: Amount, state: inout LedgerState) throws(ExecutionFailure) {
        let pool: Amount
        do { pool = try (state.gateway.pools[asset] ?? .zero) + amount } catch {
            throw .rejected("pool overflow for \(asset)")
        }
        state.setPool(pool, for: asset)
    }

    /// Takes `amount` from the pool; unless `spendingReserve` (a refund, whose value is reserved), only from the
    /// part that does not back refundable locks.
    private func takeFromPool(_ asset: String, _ amount: Amount, state: inout LedgerState,
                              spendingReserve: Bool = false) throws(ExecutionFailure) {
        let have = state.gateway.pools[asset] ?? .zero
        let reserved = spendingReserve ? .zero : (state.gateway.reserved[asset] ?? .zero)
        let free = have.saturatingSubtract(reserved)
        guard free >= amount else {
            throw .rejected("insufficient \(asset) liquidity in the gateway pool: need \(amount), have \(free) "
                + "(\(have) held, \(reserved) backing refundable locks)")
        }
        state.setPool(have.saturatingSubtract(amount), for: asset)
    }

    private func reserve(_ asset: String, _ amount: Amount, state: inout LedgerState) throws(ExecutionFailure) {
        let total: Amount
        do { total = try (state.gateway.reserved[asset] ?? .zero) + amount } catch { throw .rejected("reserve overflow for \(asset)") }
        state.setReserved(total, for: asset)
    }

    private func unreserve(_ asset: String, _ amount: Amount, state: inout LedgerState) throws(ExecutionFailure) {
        state.setReserved((state.gateway.reserved[asset] ?? .zero).saturatingSubtract(amount), for: asset)
    }

    /// `amount` in `from` decimals expressed in `to` decimals, rounded up (the payer covers any dust).
    static func convert(_ amount: Amount, from: Int, to: Int) throws(ExecutionFailure) -> Amount {
        guard from != to else { return amount }
        guard (0...77).contains(from), (0...77).contains(to) else { throw .rejected("unsupported decimals \(from) -> \(to)") }
        do {
            var scale = Amount(1)
            for _ in 0..<abs(to - from) { scale = try scale * Amount(10) }
            return to > from ? try amount * scale : try amount.dividedRounding(by: scale, .up)
        } catch {
            throw .rejected("amount \(amount) does not fit after converting \(from) to \(to) decimals")
        }
    }
}
