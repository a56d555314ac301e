public import FerryCore
public import FerryCrypto

/// Where a payment stands. Terminal states: `delivered`, `refunded`, `refused`, `failed`.
public enum PaymentState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Accepted; quoting and checking the policy.
    case pending
    /// Every rule passed except the confirmation threshold; ``PaymentService/confirm(paymentID:)`` continues it.
    case awaitingConfirmation = "awaiting_confirmation"
    /// Policy passed and budget reserved; the lock is being signed and submitted.
    case authorized
    /// The lock transaction is in the source chain's mempool.
    case submitted
    /// The source gateway recorded the lock.
    case locked
    /// The destination gateway paid the receiver; waiting for destination finality.
    case released
    /// Released and final on the destination chain.
    case delivered
    /// The lock was cancelled and refunded to the wallet.
    case refunded
    /// The policy refused it; nothing was signed.
    case refused
    /// It failed before value left the wallet (or the lock never made it on chain).
    case failed

    /// True when nothing more will happen to the payment.
    public var isTerminal: Bool { [.delivered, .refunded, .refused, .failed].contains(self) }
}

/// Escrow terms attached to a payment that buys a service.
public struct EscrowTerms: Sendable, Hashable, Codable {
    /// The provider's offer.
    public var offer: ServiceOffer
    /// For `.resultHash` verification: keccak-256 of the result the provider promised.
    @HexHash public var resultHash: Bytes32?

    /// Creates terms.
    public init(offer: ServiceOffer, resultHash: Bytes32? = nil) {
        self.offer = offer
        self.resultHash = resultHash
    }
}

/// What an agent asks to pay.
public struct PaymentRequest: Sendable, Hashable, Codable {
    /// The asset that leaves the wallet.
    public var source: AssetID
    /// The asset the receiver gets.
    public var destination: AssetID
    /// Exact amount delivered, destination smallest units (see ``PaymentService/parseAmount(_:of:field:)``).
    public var amount: Amount
    /// Who is paid (ignored for escrow payments: the escrow account receives).
    public var receiver: Address
    /// Explicit confirmation for payments above the policy's threshold.
    public var confirm: Bool
    /// Set when the payment buys a service through escrow.
    public var escrow: EscrowTerms?
    /// Seconds the bridge has to deliver before the lock may be cancelled and refunded.
    public var deadlineSeconds: UInt64

    /// Creates a request.
    public init(source: AssetID, destination: AssetID, amount: Amount, receiver: Address, confirm: Bool = false,
                escrow: EscrowTerms? = nil, deadlineSeconds: UInt64 = 3_600) {
        self.source = source
        self.destination = destination
        self.amount = amount
        self.receiver = receiver
        self.confirm = confirm
        self.escrow = escrow
        self.deadlineSeconds = deadlineSeconds
    }
}

/// The numbers of the quote a payment was authorized on (persisted; the router's quote itself is not).
public struct QuoteSummary: Sendable, Hashable, Codable {
    public var quoteID: String
    /// Source smallest units sent (fees included).
    public var send: Amount
    /// Destination smallest units delivered.
    public var deliver: Amount
    public var etaP50Ms: UInt64
    public var etaP95Ms: UInt64
    public var expiresAtMs: UInt64
    /// Lane ids, source to destination.
    public var lanes: [String]
    /// Why this route won.
    public var reason: String
    /// Escrow payments: fee deducted from a refund, destination smallest units.
    public var refundFee: Amount?

    init(_ q: PaymentQuote) {
        quoteID = q.route.id
        send = q.send
        deliver = q.deliver
        etaP50Ms = q.route.eta.p50Ms
        etaP95Ms = q.route.eta.p95Ms
        expiresAtMs = q.expiresAtMs
        lanes = q.route.legs.flatMap { $0.hops.map(\.lane) }
        reason = q.route.reason
        refundFee = q.refundFee
    }
}

/// One payment with everything known about it. Persisted as a whole; the timeline is kept separately.
public struct Payment: Sendable, Hashable, Codable, Identifiable {
    public let id: String
    /// The idempotency key as the caller gave it (unique per ``owner``).
    public let idempotencyKey: String
    /// Who made the payment (an API agent's name; empty for direct library callers). Payments and idempotency
    /// keys are scoped to it; the store's `owner` column is the authority (records written before it existed have
    /// it filled in on read).
    public var owner: String?
    public var request: PaymentRequest
    public var state: PaymentState
    /// The quote it was authorized on (the final one after any re-quote).
    public var quote: QuoteSummary?
    /// Budget value reserved (reference units) and the reservation.
    public var spend: SpendValue?
    public var reservation: Reservation?
    /// The transfer as the source gateway recorded it (nonce filled in), once locked. For a multi-hop route,
    /// the first hop.
    public var transfer: Transfer?
    /// Multi-hop routes: the later hops as the wallet signed them (nonces zero), in route order.
    public var onward: [Transfer]?
    /// Multi-hop routes: the later hops as the forwarding gateways locked them, so far, in route order.
    public var forwarded: [Transfer]?
    public var lockTx: String?
    public var lockHeight: UInt64?
    public var releaseHeight: UInt64?
    /// Attestations seen, and how many the destination gateway needs.
    public var attestations: Int = 0
    public var threshold: Int?
    /// The lock is final on the source chain.
    public var lockFinalized: Bool = false
    /// The destination gateway cancelled the message (a refund follows).
    public var cancelled: Bool = false
    /// Why it was refused (state `refused` or `awaiting_confirmation`).
    public var refusal: PolicyRefusal?
    /// Why it failed (state `failed`).
    public var failure: String?
    /// The escrow holding the funds, for service payments.
    public var escrowID: String?
    public let createdAtMs: UInt64
    public var updatedAtMs: UInt64

    /// The message id, once locked (of the first hop, for a multi-hop route).
    public var messageId: Bytes32? { transfer?.messageId }

    /// The hop being tracked: the last one locked so far.
    public var currentHop: Transfer? { forwarded?.last ?? transfer }
}

/// What happened to a payment, in order.
public enum PaymentEventKind: String, Sendable, Hashable, Codable {
    case quoted, requoted, authorized
    case confirmationRequired = "confirmation_required"
    case refused, submitted, locked, finalized, attested, released, delivered, cancelled, refunded, failed
    /// A hop of a multi-hop route was released and its gateway locked the next hop.
    case forwarded
    case escrowFunded = "escrow_funded"
    case escrowConfirmed = "escrow_confirmed"
    case escrowPaid = "escrow_paid"
    case escrowExpired = "escrow_expired"
    case escrowRefundLocked = "escrow_refund_locked"
    case escrowRefunded = "escrow_refunded"
}

/// One time-stamped entry of a payment's status timeline.
public struct PaymentEvent: Sendable, Hashable, Codable {
    public let kind: PaymentEventKind
    /// Unix ms (the service's clock).
    public let atMs: UInt64
    /// One line for people ("locked at height 12 on chain 1").
    public let detail: String
    /// Block height, for chain events.
    public var height: UInt64?
    /// Attestations: `count` of `threshold`.
    public var count: Int?
    public var threshold: Int?

    /// Creates an event.
    public init(kind: PaymentEventKind, atMs: UInt64, detail: String, height: UInt64? = nil, count: Int? = nil, threshold: Int? = nil) {
        self.kind = kind
        self.atMs = atMs
        self.detail = detail
        self.height = height
        self.count = count
        self.threshold = threshold
    }
}
