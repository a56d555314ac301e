public import Foundation

// The JSON bodies of Ferry's HTTP API (`docs/openapi.yaml`). Amounts are decimal strings in whole units of their
// asset ("12.5" USDC), never JSON numbers; chain ids are integers; addresses are 0x hex. Keys are snake_case on the
// wire (``FerryJSON``).

/// An asset on a chain: `{"chain": 1, "asset": "USDC"}`.
public struct APIAsset: Sendable, Hashable, Codable {
    /// Chain id.
    public var chain: UInt64
    /// Asset symbol on that chain.
    public var asset: String

    /// Creates an asset reference.
    public init(chain: UInt64, asset: String) {
        self.chain = chain
        self.asset = asset
    }
}

/// A provider's offer the payment buys through escrow.
public struct APIEscrowTerms: Sendable, Hashable, Codable {
    /// The provider's service id ("gpu-inference-a100").
    public var serviceID: String
    /// Where the provider is paid on the destination chain (0x hex).
    public var provider: String
    /// Seconds after funding by which delivery must be confirmed; after that the agent is refunded.
    public var deliverySeconds: UInt64
    /// `result_hash` (commit `result_hash`) or `provider_receipt` (the provider signs with `provider_key`).
    public var verification: String
    /// keccak-256 of the expected result, 0x hex (32 bytes).
    public var resultHash: String?
    /// The provider's receipt-signing address, for `provider_receipt`.
    public var providerKey: String?

    /// Creates terms.
    public init(serviceID: String, provider: String, deliverySeconds: UInt64, verification: String = "result_hash",
                resultHash: String? = nil, providerKey: String? = nil) {
        self.serviceID = serviceID
        self.provider = provider
        self.deliverySeconds = deliverySeconds
        self.verification = verification
        self.resultHash = resultHash
        self.providerKey = providerKey
    }

    enum CodingKeys: String, CodingKey {
        case serviceID = "service_id", provider, deliverySeconds = "delivery_seconds", verification, resultHash = "result_hash"
        case providerKey = "provider_key"
    }
}

/// Body of `POST /v1/quotes` and `POST /v1/payments`: deliver exactly `amount` of `to` to `receiver`, paying with `from`.
public struct APIPaymentRequest: Sendable, Hashable, Codable {
    /// The asset that leaves the agent's wallet.
    public var from: APIAsset
    /// The asset the receiver gets.
    public var to: APIAsset
    /// Exact amount delivered, decimal string in whole units of `to` ("25.00").
    public var amount: String
    /// Who is paid (0x hex). Optional for escrow payments (the provider is paid through the escrow).
    public var receiver: String?
    /// Escrow terms when the payment buys a service.
    public var escrow: APIEscrowTerms?
    /// Payments only: pay on this earlier quote (it must match the request and not be expired).
    public var quoteID: String?
    /// Payments only: explicit confirmation above the policy's threshold.
    public var confirm: Bool?
    /// Payments only: seconds the bridge has to deliver before the lock may be refunded (default 3600).
    public var deadlineSeconds: UInt64?

    /// Creates a request.
    public init(from: APIAsset, to: APIAsset, amount: String, receiver: String? = nil, escrow: APIEscrowTerms? = nil,
                quoteID: String? = nil, confirm: Bool? = nil, deadlineSeconds: UInt64? = nil) {
        self.from = from
        self.to = to
        self.amount = amount
        self.receiver = receiver
        self.escrow = escrow
        self.quoteID = quoteID
        self.confirm = confirm
        self.deadlineSeconds = deadlineSeconds
    }

    enum CodingKeys: String, CodingKey {
        case from, to, amount, receiver, escrow, quoteID = "quote_id", confirm, deadlineSeconds = "deadline_seconds"
    }
}

/// Expected latency, milliseconds.
public struct APILatency: Sendable, Hashable, Codable {
    /// Median.
    public var p50Ms: UInt64
    /// 95th percentile.
    public var p95Ms: UInt64

    /// Creates a latency.
    public init(p50Ms: UInt64, p95Ms: UInt64) {
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
    }

    enum CodingKeys: String, CodingKey { case p50Ms = "p50_ms", p95Ms = "p95_ms" }
}

/// One hop of a quoted route with its fees (decimal strings in the hop's input asset unless stated).
public struct APIHop: Sendable, Hashable, Codable {
    public var lane: String
    public var from: String
    public var to: String
    public var input: String
    public var output: String
    public var bridgeFee: String
    /// Destination gas in the destination chain's native asset (decimal string of that asset).
    public var gasNative: String
    /// Destination gas converted into the input asset.
    public var gasFee: String
    public var swapFee: String
    public var priceImpact: String
    public var latency: APILatency

    /// Creates a hop.
    public init(lane: String, from: String, to: String, input: String, output: String, bridgeFee: String, gasNative: String,
                gasFee: String, swapFee: String, priceImpact: String, latency: APILatency) {
        self.lane = lane
        self.from = from
        self.to = to
        self.input = input
        self.output = output
        self.bridgeFee = bridgeFee
        self.gasNative = gasNative
        self.gasFee = gasFee
        self.swapFee = swapFee
        self.priceImpact = priceImpact
        self.latency = latency
    }

    enum CodingKeys: String, CodingKey {
        case lane, from, to, input, output, bridgeFee = "bridge_fee", gasNative = "gas_native", gasFee = "gas_fee"
        case swapFee = "swap_fee", priceImpact = "price_impact", latency
    }
}

/// What the spending policy says about a quote (a preview on quotes; the payment is checked again before signing).
public struct APIPolicyCheck: Sendable, Hashable, Codable {
    /// `approved`, `refused` or `confirmation_required`.
    public var decision: String
    /// The rule that refused it.
    public var rule: String?
    /// The rule's message with the numbers.
    public var message: String?
    /// Value counted against the budget, in the policy's reference unit ("25.03 USD").
    public var value: String?

    /// Creates a check.
    public init(decision: String, rule: String? = nil, message: String? = nil, value: String? = nil) {
        self.decision = decision
        self.rule = rule
        self.message = message
        self.value = value
    }
}

/// Response of `POST /v1/quotes`.
public struct APIQuote: Sendable, Hashable, Codable {
    /// Pass as `quote_id` to pay on exactly this quote before `expires_at_ms`.
    public var quoteID: String
    public var from: APIAsset
    public var to: APIAsset
    /// Total the agent sends, fees included (whole units of `from`).
    public var send: String
    /// What the receiver gets (whole units of `to`).
    public var deliver: String
    /// `send - deliver`.
    public var fee: String
    /// Who is paid on the destination chain (the escrow account for service payments).
    public var receiver: String
    public var hops: [APIHop]
    public var eta: APILatency
    /// Unix ms after which the quote cannot be used.
    public var expiresAtMs: UInt64
    /// Why this route won (names the runner-up).
    public var reason: String
    /// Escrow payments: what a refund after a missed deadline would cost (whole units of `to`).
    public var refundFee: String?
    /// The policy's verdict on this quote now.
    public var policy: APIPolicyCheck

    /// Creates a quote body.
    public init(quoteID: String, from: APIAsset, to: APIAsset, send: String, deliver: String, fee: String, receiver: String,
                hops: [APIHop], eta: APILatency, expiresAtMs: UInt64, reason: String, refundFee: String?, policy: APIPolicyCheck) {
        self.quoteID = quoteID
        self.from = from
        self.to = to
        self.send = send
        self.deliver = deliver
        self.fee = fee
        self.receiver = receiver
        self.hops = hops
        self.eta = eta
        self.expiresAtMs = expiresAtMs
        self.reason = reason
        self.refundFee = refundFee
        self.policy = policy
    }

    enum CodingKeys: String, CodingKey {
        case quoteID = "quote_id", from, to, send, deliver, fee, receiver, hops, eta, expiresAtMs = "expires_at_ms", reason
        case refundFee = "refund_fee", policy
    }
}

/// The quote a payment was authorized on.
public struct APIQuoteSummary: Sendable, Hashable, Codable {
    public var send: String
    public var deliver: String
    public var eta: APILatency
    public var lanes: [String]
    public var reason: String
    public var refundFee: String?

    /// Creates a summary.
    public init(send: String, deliver: String, eta: APILatency, lanes: [String], reason: String, refundFee: String?) {
        self.send = send
        self.deliver = deliver
        self.eta = eta
        self.lanes = lanes
        self.reason = reason
        self.refundFee = refundFee
    }

    enum CodingKeys: String, CodingKey { case send, deliver, eta, lanes, reason, refundFee = "refund_fee" }
}

/// A service escrow.
public struct APIEscrow: Sendable, Hashable, Codable {
    public var id: String
    public var paymentID: String
    public var serviceID: String
    public var provider: String
    /// `funded`, `paid_to_provider`, `refunding` or `refunded`.
    public var state: String
    /// Held amount (whole units of the destination asset).
    public var amount: String
    /// Deducted from a refund (stated in the original quote).
    public var refundFee: String
    /// Unix ms by which delivery must be confirmed.
    public var deadlineMs: UInt64

    /// Creates an escrow body.
    public init(id: String, paymentID: String, serviceID: String, provider: String, state: String, amount: String,
                refundFee: String, deadlineMs: UInt64) {
        self.id = id
        self.paymentID = paymentID
        self.serviceID = serviceID
        self.provider = provider
        self.state = state
        self.amount = amount
        self.refundFee = refundFee
        self.deadlineMs = deadlineMs
    }

    enum CodingKeys: String, CodingKey {
        case id, paymentID = "payment_id", serviceID = "service_id", provider, state, amount, refundFee = "refund_fee"
        case deadlineMs = "deadline_ms"
    }
}

/// A policy refusal: the rule and its numbers.
public struct APIRefusal: Sendable, Hashable, Codable {
    public var rule: String
    public var message: String

    /// Creates a refusal.
    public init(rule: String, message: String) {
        self.rule = rule
        self.message = message
    }
}

/// A payment and everything known about it (`GET /v1/payments/{id}`).
public struct APIPayment: Sendable, Hashable, Codable {
    public var id: String
    /// `pending`, `awaiting_confirmation`, `authorized`, `submitted`, `locked`, `released`, `delivered`, `refunded`,
    /// `refused` or `failed`.
    public var state: String
    /// True when neither the payment nor its escrow will change any more.
    public var finished: Bool
    public var from: APIAsset
    public var to: APIAsset
    public var amount: String
    public var receiver: String
    public var quote: APIQuoteSummary?
    /// Value reserved against the budget ("25.03 USD").
    public var budgetReserved: String?
    public var refusal: APIRefusal?
    public var failure: String?
    public var messageID: String?
    public var lockTx: String?
    public var lockHeight: UInt64?
    public var lockFinalized: Bool
    public var releaseHeight: UInt64?
    public var attestations: Int
    public var threshold: Int?
    public var escrow: APIEscrow?
    /// Multi-hop routes only: every hop, in route order (`message_id` once the hop's gateway locked it).
    public var hops: [APIPaymentHop]?
    public var createdAtMs: UInt64
    public var updatedAtMs: UInt64

    /// Creates a payment body.
    public init(id: String, state: String, finished: Bool, from: APIAsset, to: APIAsset, amount: String, receiver: String,
                quote: APIQuoteSummary?, budgetReserved: String?, refusal: APIRefusal?, failure: String?, messageID: String?,
                lockTx: String?, lockHeight: UInt64?, lockFinalized: Bool, releaseHeight: UInt64?, attestations: Int,
                threshold: Int?, escrow: APIEscrow?, hops: [APIPaymentHop]? = nil, createdAtMs: UInt64, updatedAtMs: UInt64) {
        self.id = id
        self.state = state
        self.finished = finished
        self.from = from
        self.to = to
        self.amount = amount
        self.receiver = receiver
        self.quote = quote
        self.budgetReserved = budgetReserved
        self.refusal = refusal
        self.failure = failure
        self.messageID = messageID
        self.lockTx = lockTx
        self.lockHeight = lockHeight
        self.lockFinalized = lockFinalized
        self.releaseHeight = releaseHeight
        self.attestations = attestations
        self.threshold = threshold
        self.escrow = escrow
        self.hops = hops
        self.createdAtMs = createdAtMs
        self.updatedAtMs = updatedAtMs
    }

    enum CodingKeys: String, CodingKey {
        case id, state, finished, from, to, amount, receiver, quote, budgetReserved = "budget_reserved", refusal, failure, hops
        case messageID = "message_id", lockTx = "lock_tx", lockHeight = "lock_height", lockFinalized = "lock_finalized"
        case releaseHeight = "release_height", attestations, threshold, escrow, createdAtMs = "created_at_ms"
        case updatedAtMs = "updated_at_ms"
    }
}

/// One hop of a multi-hop payment.
public struct APIPaymentHop: Sendable, Hashable, Codable {
    /// The chain the hop leaves.
    public var sourceChain: UInt64
    /// The chain it arrives on.
    public var destChain: UInt64
    /// The hop's message id, once its gateway locked it (the first hop's is the payment's `message_id`).
    public var messageID: String?

    /// Creates a hop.
    public init(sourceChain: UInt64, destChain: UInt64, messageID: String?) {
        self.sourceChain = sourceChain
        self.destChain = destChain
        self.messageID = messageID
    }

    enum CodingKeys: String, CodingKey {
        case sourceChain = "source_chain", destChain = "dest_chain", messageID = "message_id"
    }
}

/// One entry of a payment's timeline (also the `data` of each server-sent event).
public struct APIEvent: Sendable, Hashable, Codable {
    /// Position in the timeline, from 0 (the SSE `id`).
    public var seq: Int
    /// `quoted`, `authorized`, `submitted`, `locked`, `finalized`, `attested`, `released`, `delivered`,
    /// `escrow_funded`, `escrow_paid`, `escrow_refunded`, ... (see docs/agents.md).
    public var kind: String
    public var atMs: UInt64
    public var detail: String
    public var height: UInt64?
    public var count: Int?
    public var threshold: Int?

    /// Creates an event.
    public init(seq: Int, kind: String, atMs: UInt64, detail: String, height: UInt64? = nil, count: Int? = nil, threshold: Int? = nil) {
        self.seq = seq
        self.kind = kind
        self.atMs = atMs
        self.detail = detail
        self.height = height
        self.count = count
        self.threshold = threshold
    }

    enum CodingKeys: String, CodingKey { case seq, kind, atMs = "at_ms", detail, height, count, threshold }
}

/// Body of `POST /v1/escrows/{id}/confirm`: exactly one of `result` (UTF-8 text), `result_hex`, or `receipt`.
public struct APIConfirmRequest: Sendable, Hashable, Codable {
    /// The delivered result as text; its keccak-256 must equal the committed hash.
    public var result: String?
    /// The delivered result as 0x hex bytes.
    public var resultHex: String?
    /// The provider's receipt.
    public var receipt: APIReceipt?

    /// Creates a confirmation.
    public init(result: String? = nil, resultHex: String? = nil, receipt: APIReceipt? = nil) {
        self.result = result
        self.resultHex = resultHex
        self.receipt = receipt
    }

    enum CodingKeys: String, CodingKey { case result, resultHex = "result_hex", receipt }
}

/// A provider's signed receipt for a result.
public struct APIReceipt: Sendable, Hashable, Codable {
    /// keccak-256 of the result, 0x hex.
    public var resultHash: String
    /// 65-byte r || s || v signature, 0x hex.
    public var signature: String

    /// Creates a receipt.
    public init(resultHash: String, signature: String) {
        self.resultHash = resultHash
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey { case resultHash = "result_hash", signature }
}

/// An asset a chain knows.
public struct APIAssetInfo: Sendable, Hashable, Codable {
    public var symbol: String
    public var decimals: Int

    /// Creates an asset description.
    public init(symbol: String, decimals: Int) {
        self.symbol = symbol
        self.decimals = decimals
    }
}

/// A chain the server can pay on (`GET /v1/chains`).
public struct APIChain: Sendable, Hashable, Codable {
    public var id: UInt64
    public var name: String
    /// `evm`, `rollup`, `solana` or `bitcoin`.
    public var family: String
    public var nativeAsset: String
    public var assets: [APIAssetInfo]
    public var finalityDepth: UInt64
    public var blockTimeMs: UInt64
    /// Current head and finalized heights.
    public var head: UInt64
    public var finalized: UInt64

    /// Creates a chain description.
    public init(id: UInt64, name: String, family: String, nativeAsset: String, assets: [APIAssetInfo], finalityDepth: UInt64,
                blockTimeMs: UInt64, head: UInt64, finalized: UInt64) {
        self.id = id
        self.name = name
        self.family = family
        self.nativeAsset = nativeAsset
        self.assets = assets
        self.finalityDepth = finalityDepth
        self.blockTimeMs = blockTimeMs
        self.head = head
        self.finalized = finalized
    }

    enum CodingKeys: String, CodingKey {
        case id, name, family, nativeAsset = "native_asset", assets, finalityDepth = "finality_depth", blockTimeMs = "block_time_ms"
        case head, finalized
    }
}

/// A bridge lane the router may use.
public struct APILane: Sendable, Hashable, Codable {
    public var id: String
    public var from: APIAsset
    public var to: APIAsset
    /// Bridge name.
    public var bridge: String
    /// Flat fee (whole units of `from`).
    public var flatFee: String
    /// Proportional fee, parts per million.
    public var feePPM: UInt32
    public var latency: APILatency

    /// Creates a lane description.
    public init(id: String, from: APIAsset, to: APIAsset, bridge: String, flatFee: String, feePPM: UInt32, latency: APILatency) {
        self.id = id
        self.from = from
        self.to = to
        self.bridge = bridge
        self.flatFee = flatFee
        self.feePPM = feePPM
        self.latency = latency
    }

    enum CodingKeys: String, CodingKey { case id, from, to, bridge, flatFee = "flat_fee", feePPM = "fee_ppm", latency }
}

/// Response of `GET /v1/chains`.
public struct APIChains: Sendable, Hashable, Codable {
    public var chains: [APIChain]
    public var lanes: [APILane]

    /// Creates the body.
    public init(chains: [APIChain], lanes: [APILane]) {
        self.chains = chains
        self.lanes = lanes
    }
}

/// Response of `GET /v1/policy`: the limits (reference-unit decimal strings) and budget use now.
public struct APIPolicy: Sendable, Hashable, Codable {
    public var referenceUnit: String
    public var perPaymentCap: String?
    public var confirmAbove: String?
    public var maxFeePPM: UInt64?
    public var maxLatencyMs: UInt64?
    public var windowSeconds: UInt64
    /// Budget per asset symbol ("*" = all assets together).
    public var budgets: [String: String]
    /// Spent or reserved in the current window, per asset symbol.
    public var used: [String: String]
    public var allowedChains: [UInt64]?
    public var deniedChains: [UInt64]
    public var allowedAssets: [String]?
    public var deniedAssets: [String]

    /// Creates the body.
    public init(referenceUnit: String, perPaymentCap: String?, confirmAbove: String?, maxFeePPM: UInt64?, maxLatencyMs: UInt64?,
                windowSeconds: UInt64, budgets: [String: String], used: [String: String], allowedChains: [UInt64]?,
                deniedChains: [UInt64], allowedAssets: [String]?, deniedAssets: [String]) {
        self.referenceUnit = referenceUnit
        self.perPaymentCap = perPaymentCap
        self.confirmAbove = confirmAbove
        self.maxFeePPM = maxFeePPM
        self.maxLatencyMs = maxLatencyMs
        self.windowSeconds = windowSeconds
        self.budgets = budgets
        self.used = used
        self.allowedChains = allowedChains
        self.deniedChains = deniedChains
        self.allowedAssets = allowedAssets
        self.deniedAssets = deniedAssets
    }

    enum CodingKeys: String, CodingKey {
        case referenceUnit = "reference_unit", perPaymentCap = "per_payment_cap", confirmAbove = "confirm_above"
        case maxFeePPM = "max_fee_ppm", maxLatencyMs = "max_latency_ms", windowSeconds = "window_seconds", budgets, used
        case allowedChains = "allowed_chains", deniedChains = "denied_chains", allowedAssets = "allowed_assets"
        case deniedAssets = "denied_assets"
    }
}

/// An RFC 9457 problem (`application/problem+json`), with Ferry's extensions.
public struct APIProblem: Sendable, Hashable, Codable {
    /// A URI naming the kind of problem (`https://ferry.dev/problems/invalid-field`).
    public var type: String
    public var title: String
    public var status: Int
    /// One sentence a person can act on.
    public var detail: String
    /// The request field at fault (`amount`, `from.chain`, `Idempotency-Key`).
    public var field: String?
    /// The policy rule that refused (`per_payment_cap`, `daily_budget`, ...).
    public var rule: String?
    /// The payment the problem belongs to, when one was recorded.
    public var paymentID: String?

    /// Creates a problem.
    public init(type: String, title: String, status: Int, detail: String, field: String? = nil, rule: String? = nil, paymentID: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.field = field
        self.rule = rule
        self.paymentID = paymentID
    }

    enum CodingKeys: String, CodingKey { case type, title, status, detail, field, rule, paymentID = "payment_id" }
}

/// The JSON coders both sides use: sorted keys, no escaped slashes.
public enum FerryJSON {
    /// An encoder for API bodies.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// A decoder for API bodies.
    public static func decoder() -> JSONDecoder { JSONDecoder() }
}
