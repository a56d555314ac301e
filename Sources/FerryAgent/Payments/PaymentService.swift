public import FerryChains
public import FerryCore
import FerryCrypto
import FerryRouter
import Foundation

/// Runs agent payments: quote -> authorize (policy + budget reservation) -> lock -> track -> delivered | refunded,
/// with a persisted, time-stamped timeline and idempotency keys; and service escrows on the destination side.
///
/// Every state change is written to SQLite before the action it enables (the reservation before the lock is
/// signed, `authorized` before `submit`). Retrying ``pay(_:idempotencyKey:quote:)`` with the same key returns the
/// same payment and never pays twice, also across processes sharing the database file.
public actor PaymentService {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Priority of lock and refund transactions.
        public var lockPriority: FeePriority
        /// Longest idempotency key accepted.
        public var maxKeyLength: Int

        /// Defaults: median priority, 200-character keys.
        public init(lockPriority: FeePriority = .median, maxKeyLength: Int = 200) {
            self.lockPriority = lockPriority
            self.maxKeyLength = maxKeyLength
        }
    }

    let adapters: [ChainID: any ChainAdapter]
    let wallet: Wallet
    /// Keys of the escrow accounts the service controls, per destination chain.
    let escrowWallet: Wallet
    let quoter: any PaymentQuoter
    /// The policy engine every quote is checked by.
    public nonisolated let engine: PolicyEngine
    /// Budget reservations.
    public nonisolated let budget: BudgetLedger
    /// Payments, timelines and escrows.
    public nonisolated let store: PaymentStore
    let now: @Sendable () -> UInt64
    let configuration: Configuration
    /// Payments a call is working on right now; ``refresh(_:)`` leaves them alone.
    var busy: Set<String> = []

    /// Creates a service.
    /// - Parameters:
    ///   - adapters: one per chain the agent can touch.
    ///   - wallet: the agent's keys (source side).
    ///   - escrowWallet: keys of the escrow accounts on destination chains (needs native gas there for refunds).
    ///   - quoter: prices routes (usually ``AdapterQuoter``).
    ///   - policy: the spending policy; `prices` values assets in its reference unit.
    ///   - database: where reservations, payments and escrows live.
    ///   - now: the clock, unix milliseconds (inject a virtual clock in tests).
    public init(adapters: [ChainID: any ChainAdapter], wallet: Wallet, escrowWallet: Wallet = Wallet(signers: [:]),
                quoter: any PaymentQuoter, policy: SpendingPolicy, prices: any PriceFeed, database: AgentDatabase,
                configuration: Configuration = .init(), now: @escaping @Sendable () -> UInt64) {
        self.adapters = adapters
        self.wallet = wallet
        self.escrowWallet = escrowWallet
        self.quoter = quoter
        self.engine = PolicyEngine(policy: policy, prices: prices)
        self.budget = BudgetLedger(database: database, policy: policy)
        self.store = PaymentStore(database: database)
        self.now = now
        self.configuration = configuration
    }

    // MARK: Input

    /// Parses a decimal amount ("12.50") of an asset with `decimals` places into smallest units.
    /// - Throws: ``PaymentError/invalidField(field:reason:)`` naming `field` (too many decimals, not a number).
    public nonisolated static func parseAmount(_ text: String, decimals: Int, field: String = "amount") throws(PaymentError) -> Amount {
        do { return try Amount(decimal: text, decimals: decimals) } catch { throw .invalidField(field: field, reason: error.description) }
    }

    /// The decimals of `asset`, checking the chain and asset exist.
    /// - Throws: ``PaymentError/unknownChain(_:known:)``, ``PaymentError/unknownAsset(_:known:)``.
    public nonisolated func decimals(of asset: AssetID) throws(PaymentError) -> Int {
        guard let adapter = adapters[asset.chain] else { throw .unknownChain(asset.chain, known: adapters.keys.sorted()) }
        guard let info = adapter.info.asset(asset.symbol) else { throw .unknownAsset(asset, known: adapter.info.assets.map(\.symbol)) }
        return info.decimals
    }

    /// A quote for `request` (not persisted, nothing reserved). Escrow requests include the refund fee.
    /// - Throws: ``PaymentError`` for bad input or no route.
    public func quote(_ request: PaymentRequest) async throws(PaymentError) -> PaymentQuote {
        try validate(request)
        return try await priced(request)
    }

    // MARK: Paying

    /// Pays `request` once per `idempotencyKey`.
    ///
    /// A new key runs the flow: quote (or use `quote`, which must not be expired), check the policy, reserve budget,
    /// re-quote right before signing (a fee rise is re-checked against every rule and the budget; it can refuse,
    /// never overspend), lock through the source adapter. The returned payment is `submitted` (then follow it with
    /// ``refresh(_:)``), `refused` (with the rule and numbers), `awaiting_confirmation`, or `failed`.
    /// A known key returns the payment it already made, whatever its state, without doing anything.
    /// - Throws: ``PaymentError`` for bad input (unknown chain or asset, zero amount, bad key, a key reused for a
    ///   different request) and store failures; policy refusals are returned, not thrown.
    /// - Parameter owner: who pays (an API agent's name); payments and idempotency keys are scoped to it.
    public func pay(_ request: PaymentRequest, idempotencyKey: String, owner: String = "", quote: PaymentQuote? = nil) async throws(PaymentError) -> Payment {
        try validate(request)
        guard !idempotencyKey.isEmpty, idempotencyKey.count <= configuration.maxKeyLength,
              idempotencyKey.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw .invalidField(field: "idempotency_key", reason: "must be 1...\(configuration.maxKeyLength) printable ASCII characters without spaces")
        }
        let t = now()
        let fresh = Payment(id: "pay_" + UUID().uuidString.lowercased(), idempotencyKey: idempotencyKey, request: request, state: .pending,
                            createdAtMs: t, updatedAtMs: t)
        let (payment, created) = try await store.claim(key: idempotencyKey, owner: owner, requestHash: try Self.hash(request), fresh: fresh)
        guard created else { return payment }
        busy.insert(payment.id)
        defer { busy.remove(payment.id) }
        return try await proceed(payment, given: quote, confirmed: request.confirm)
    }

    /// Continues a payment that is `awaiting_confirmation`: quotes afresh and runs it with the threshold lifted.
    /// - Throws: ``PaymentError/wrongState(id:state:operation:)`` for any other state.
    public func confirm(paymentID: String) async throws(PaymentError) -> Payment {
        // Claim before the first await: a second confirm arriving while this one reads the store is refused here
        // instead of passing the same state check (actor reentrancy).
        guard busy.insert(paymentID).inserted else { throw .wrongState(id: paymentID, state: "being processed", operation: "confirm") }
        defer { busy.remove(paymentID) }
        let payment = try await store.payment(paymentID)
        guard payment.state == .awaitingConfirmation else {
            throw .wrongState(id: paymentID, state: payment.state.rawValue, operation: "confirm")
        }
        return try await proceed(payment, given: nil, confirmed: true)
    }

    /// The payment with `id`.
    public func payment(_ id: String) async throws(PaymentError) -> Payment { try await store.payment(id) }

    /// The status timeline of payment `id`, in order.
    public func timeline(_ id: String) async throws(PaymentError) -> [PaymentEvent] { try await store.events(of: id) }

    private func proceed(_ start: Payment, given: PaymentQuote?, confirmed: Bool) async throws(PaymentError) -> Payment {
        var payment = start
        let request = payment.request
        var events: [PaymentEvent] = []
        // 1. Quote.
        let first: PaymentQuote
        if let given {
            first = given
        } else {
            let outcome: Result<PaymentQuote, PaymentError>
            do { outcome = .success(try await priced(request)) } catch { outcome = .failure(error) }
            switch outcome {
            case let .success(q): first = q
            case let .failure(error): return try await fail(&payment, events, reason: error.description)
            }
        }
        events.append(event(.quoted, Self.describe(first)))
        // 2. Policy on that quote, then an atomic reservation.
        let usage: BudgetUsage
        do { usage = try await budget.usage(nowMs: now()) } catch { throw .store(error) }
        let spend: SpendValue
        switch engine.check(first, counterparty: first.receiver, nowMs: now(), usage: usage, confirmed: confirmed) {
        case let .refused(refusal): return try await refuse(&payment, events, refusal)
        case let .needsConfirmation(refusal): return try await awaitConfirmation(&payment, events, refusal)
        case let .approved(value): spend = value
        }
        var reservation: Reservation
        let reserved: ReservationOutcome
        do { reserved = try await budget.reserve(spend, paymentID: payment.id, nowMs: now()) } catch { throw .store(error) }
        switch reserved {
        case let .refused(refusal): return try await refuse(&payment, events, refusal)
        case let .reserved(r): reservation = r
        }
        payment.reservation = reservation
        payment.spend = spend
        payment.quote = QuoteSummary(first)
        payment.refusal = nil
        payment.state = .authorized
        events.append(event(.authorized, "policy passed; reserved \(engine.policy.format(spend.value)) of the \(spend.asset) budget"))
        try await save(&payment, events)
        events = []
        // 3. The final quote, right before signing: fees may have moved since the agent was quoted.
        let final: PaymentQuote
        let requote: Result<PaymentQuote, PaymentError>
        do { requote = .success(try await priced(request)) } catch { requote = .failure(error) }
        switch requote {
        case let .success(q): final = q
        case let .failure(error): return try await fail(&payment, events, reason: "re-quote before signing failed: \(error.description)")
        }
        if final.send != first.send {
            events.append(event(.requoted, "fees moved since the quote: send \(first.send) -> \(final.send); re-checking the policy"))
            switch engine.check(final, counterparty: final.receiver, nowMs: now(), usage: [:], confirmed: confirmed) {
            case let .refused(refusal):
                return try await refuse(&payment, events, PolicyRefusal(rule: refusal.rule, message: "after re-quote: \(refusal.message)"))
            case let .needsConfirmation(refusal):
                return try await awaitConfirmation(&payment, events, refusal)
            case let .approved(value):
                let resized: ReservationOutcome
                do { resized = try await budget.resize(reservation, to: value, nowMs: now()) } catch { throw .store(error) }
                switch resized {
                case let .refused(refusal):
                    return try await refuse(&payment, events, PolicyRefusal(rule: refusal.rule, message: "after re-quote: \(refusal.message)"))
                case let .reserved(r): reservation = r
                }
                payment.reservation = reservation
                payment.spend = value
            }
        }
        payment.quote = QuoteSummary(final)
        // 4. Lock.
        return try await lock(&payment, final, events)
    }

    private func lock(_ payment: inout Payment, _ quote: PaymentQuote, _ pending: [PaymentEvent]) async throws(PaymentError) -> Payment {
        var events = pending
        let request = payment.request
        guard quote.route.legs.count == 1, let hops = quote.route.legs.first?.hops,
              (1...(TransferRoute.maxOnwardHops + 1)).contains(hops.count) else {
            return try await fail(&payment, events, reason: "the route has \(quote.route.legs.flatMap(\.hops).count) hops in \(quote.route.legs.count) parts; this version executes one path of at most \(TransferRoute.maxOnwardHops + 1) hops")
        }
        guard quote.sourceDecimals == quote.destinationDecimals, let source = adapters[request.source.chain],
              let sourceAsset = source.info.asset(request.source.symbol),
              let destAsset = adapters[request.destination.chain]?.info.asset(request.destination.symbol) else {
            return try await fail(&payment, events, reason: "source and destination assets must share a unit for a single-hop lock")
        }
        let signer: any TransactionSigner
        do { signer = try wallet.signer(for: request.source.chain) } catch {
            return try await fail(&payment, events, reason: error.description)
        }
        let fee: Amount
        do { fee = try quote.send - quote.deliver } catch {
            return try await fail(&payment, events, reason: "the quote delivers more than it sends")
        }
        let payload = request.escrow.map { $0.offer.payloadHash(resultHash: $0.resultHash) } ?? .zero
        var transfer = Transfer(sourceChain: request.source.chain, destChain: request.destination.chain, nonce: 0,
                                sender: Address(signer.address.bytes32), receiver: quote.receiver, sourceAsset: sourceAsset.gatewayID,
                                destAsset: destAsset.gatewayID, amount: quote.deliver, fee: fee,
                                deadline: now() / 1000 + request.deadlineSeconds, payloadHash: payload)
        var onward: [Transfer] = []
        if hops.count > 1 {
            switch routeTransfers(hops, payer: transfer.sender, receiver: quote.receiver, payload: payload, request: request) {
            case let .success(route): (transfer, onward) = route
            case let .failure(error): return try await fail(&payment, events, reason: error.description)
            }
        }
        let tx: TxID
        do {
            tx = try await source.submit(.lock(transfer, onward: onward), signer: signer, priority: configuration.lockPriority)
        } catch {
            return try await fail(&payment, events, reason: "lock refused by \(request.source.chain): \(error.description)")
        }
        payment.lockTx = tx.hash.hex
        payment.transfer = transfer
        payment.onward = onward.isEmpty ? nil : onward
        payment.state = .submitted
        events.append(event(.submitted, "lock of \(quote.send) \(request.source.symbol) submitted on \(request.source.chain) (tx \(tx.hash.hex))"))
        try await save(&payment, events)
        return payment
    }

    /// The transfers of a multi-hop route, linked (``TransferRoute``): each hop moves its `output` across one bridge
    /// lane, with `input - output` as its fee, and hop `i` may be cancelled `(i + 1)` deadlines after now.
    /// Refunds of later hops go to the payer on their own source chain, so the wallet must hold the same account on
    /// every chain of the route.
    private func routeTransfers(_ hops: [RouteHop], payer: Address, receiver: Address, payload: Bytes32,
                                request: PaymentRequest) -> Result<(Transfer, [Transfer]), PaymentError> {
        var transfers: [Transfer] = []
        let start = now() / 1000
        for (index, hop) in hops.enumerated() {
            let label = "hop \(index + 1) (\(hop.lane))"
            guard let from = AssetID(routeNode: hop.from), let to = AssetID(routeNode: hop.to), from.chain != to.chain,
                  let fromAsset = adapters[from.chain]?.info.asset(from.symbol), let toAsset = adapters[to.chain]?.info.asset(to.symbol),
                  fromAsset.decimals == toAsset.decimals else {
                return .failure(.noRoute(reason: "\(label) is not a bridge between two known chains in one unit; only such hops can be executed"))
            }
            if index < hops.count - 1, adapters[to.chain]?.forwardsRoutes != true {
                return .failure(.noRoute(reason: "\(label) ends on \(to.chain), whose gateway does not forward multi-hop routes"))
            }
            if index > 0 {
                guard (try? wallet.account(on: from.chain)) == payer else {
                    return .failure(.noRoute(reason: "\(label) starts on \(from.chain), where the wallet has no key for \(payer); a refund there would be out of reach"))
                }
            }
            guard hop.input >= hop.output else { return .failure(.noRoute(reason: "\(label) delivers more than it takes")) }
            let last = index == hops.count - 1
            transfers.append(Transfer(sourceChain: from.chain, destChain: to.chain, nonce: 0, sender: payer,
                                      receiver: last ? receiver : .forward, sourceAsset: fromAsset.gatewayID, destAsset: toAsset.gatewayID,
                                      amount: hop.output, fee: hop.input.saturatingSubtract(hop.output),
                                      deadline: start + request.deadlineSeconds * UInt64(index + 1), payloadHash: last ? payload : .zero))
        }
        do {
            return .success(try TransferRoute.link(transfers))
        } catch {
            return .failure(.noRoute(reason: "the quoted hops do not form a route: \(error.description)"))
        }
    }

    // MARK: Helpers shared with tracking and escrow

    func priced(_ request: PaymentRequest) async throws(PaymentError) -> PaymentQuote {
        let receiver: Address
        if let terms = request.escrow {
            do { receiver = try escrowWallet.account(on: terms.offer.asset.chain) } catch { throw .wallet(error) }
        } else {
            receiver = request.receiver
        }
        let q = try await quoter.quote(QuoteRequest(source: request.source, destination: request.destination, amount: request.amount,
                                                    receiver: receiver))
        guard request.escrow != nil else { return q }
        let refundTo: Address
        do { refundTo = try wallet.account(on: request.source.chain) } catch { throw .wallet(error) }
        let back = try await quoter.quoteReturn(q.deliver, from: request.destination, to: request.source, receiver: refundTo)
        return PaymentQuote(route: q.route, source: q.source, destination: q.destination, sourceDecimals: q.sourceDecimals,
                            destinationDecimals: q.destinationDecimals, receiver: q.receiver,
                            refundFee: back.send.saturatingSubtract(back.deliver))
    }

    func validate(_ request: PaymentRequest) throws(PaymentError) {
        _ = try decimals(of: request.source)
        _ = try decimals(of: request.destination)
        guard !request.amount.isZero else { throw .invalidField(field: "amount", reason: "must be greater than zero") }
        guard request.deadlineSeconds >= 60, request.deadlineSeconds <= 7 * 86_400 else {
            throw .invalidField(field: "deadline_seconds", reason: "must be between 60 and 604800, found \(request.deadlineSeconds)")
        }
        if let terms = request.escrow {
            guard terms.offer.asset == request.destination else {
                throw .invalidField(field: "escrow.offer.asset", reason: "the offer is priced in \(terms.offer.asset), the payment delivers \(request.destination)")
            }
            guard terms.offer.price == request.amount else {
                throw .invalidField(field: "amount", reason: "must equal the offer's price \(terms.offer.price)")
            }
            if case .resultHash = terms.offer.verification, terms.resultHash == nil {
                throw .invalidField(field: "escrow.result_hash", reason: "the offer verifies by result hash; commit one in the request")
            }
        }
    }

    func event(_ kind: PaymentEventKind, _ detail: String, height: UInt64? = nil, count: Int? = nil, threshold: Int? = nil) -> PaymentEvent {
        PaymentEvent(kind: kind, atMs: now(), detail: detail, height: height, count: count, threshold: threshold)
    }

    func save(_ payment: inout Payment, _ events: [PaymentEvent]) async throws(PaymentError) {
        payment.updatedAtMs = now()
        try await store.save(payment, events: events)
    }

    func fail(_ payment: inout Payment, _ events: [PaymentEvent], reason: String) async throws(PaymentError) -> Payment {
        if let reservation = payment.reservation {
            do { try await budget.release(reservation.id, nowMs: now()) } catch { throw .store(error) }
        }
        payment.state = .failed
        payment.failure = reason
        try await save(&payment, events + [event(.failed, reason)])
        return payment
    }

    private func refuse(_ payment: inout Payment, _ events: [PaymentEvent], _ refusal: PolicyRefusal) async throws(PaymentError) -> Payment {
        if let reservation = payment.reservation {
            do { try await budget.release(reservation.id, nowMs: now()) } catch { throw .store(error) }
        }
        payment.state = .refused
        payment.refusal = refusal
        try await save(&payment, events + [event(.refused, refusal.description)])
        return payment
    }

    private func awaitConfirmation(_ payment: inout Payment, _ events: [PaymentEvent], _ refusal: PolicyRefusal) async throws(PaymentError) -> Payment {
        if let reservation = payment.reservation {
            do { try await budget.release(reservation.id, nowMs: now()) } catch { throw .store(error) }
            payment.reservation = nil
        }
        payment.state = .awaitingConfirmation
        payment.refusal = refusal
        try await save(&payment, events + [event(.confirmationRequired, refusal.message)])
        return payment
    }

    static func describe(_ q: PaymentQuote) -> String {
        let lanes = q.route.legs.flatMap { $0.hops.map(\.lane) }.joined(separator: ", ")
        return "send \(q.send.formatted(decimals: q.sourceDecimals)) \(q.source.symbol), deliver \(q.deliver.formatted(decimals: q.destinationDecimals)) \(q.destination.symbol), eta p95 \(q.etaP95Ms) ms via \(lanes)"
            + (q.refundFee.map { ", refund fee \($0.formatted(decimals: q.destinationDecimals))" } ?? "")
    }

    static func hash(_ request: PaymentRequest) throws(PaymentError) -> String {
        do { return Keccak256.hash(Array(try PaymentStore.encode(request).utf8)).hex } catch { throw .store(error) }
    }
}
