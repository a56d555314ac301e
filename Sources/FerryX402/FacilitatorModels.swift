public import FerryCore

/// The body of a facilitator's `POST /verify` and `POST /settle` (`schemas/responses.py: VerifyRequest`,
/// `SettleRequest`, the same shape): `{x402Version, paymentPayload, paymentRequirements}`.
public struct VerifyRequest: Hashable, Sendable, Codable {
    /// Always 2.
    public var x402Version: Int
    /// The client's payment.
    public var paymentPayload: PaymentPayload
    /// The resource server's requirement the payment is checked against.
    public var paymentRequirements: PaymentRequirements

    /// A version 2 request.
    public init(paymentPayload: PaymentPayload, paymentRequirements: PaymentRequirements) {
        x402Version = 2
        self.paymentPayload = paymentPayload
        self.paymentRequirements = paymentRequirements
    }

    enum CodingKeys: String, CodingKey { case x402Version, paymentPayload, paymentRequirements }

    /// Decodes the JSON form; `x402Version` is required and must be 2.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        x402Version = try c.decodeVersion(forKey: .x402Version)
        paymentPayload = try c.decode(PaymentPayload.self, forKey: .paymentPayload)
        paymentRequirements = try c.decode(PaymentRequirements.self, forKey: .paymentRequirements)
    }
}

/// The body of `POST /settle`: the same shape as ``VerifyRequest``.
public typealias SettleRequest = VerifyRequest

/// A facilitator's answer to `POST /verify` (`schemas/responses.py: VerifyResponse`). An invalid payment is
/// an answer with `isValid: false` and a reason, sent with status 200.
public struct VerifyResponse: Hashable, Sendable, Codable {
    /// Whether the payment is valid.
    public var isValid: Bool
    /// The machine-readable reason when invalid (`invalid_exact_evm_payload_signature`, ...).
    public var invalidReason: String?
    /// A human-readable message when invalid.
    public var invalidMessage: String?
    /// The payer's address.
    public var payer: String?
    /// Extension data.
    public var extensions: [String: JSONValue]?
    /// Scheme-specific data.
    public var extra: [String: JSONValue]?

    /// A verify answer.
    public init(isValid: Bool, invalidReason: String? = nil, invalidMessage: String? = nil, payer: String? = nil,
                extensions: [String: JSONValue]? = nil, extra: [String: JSONValue]? = nil) {
        self.isValid = isValid
        self.invalidReason = invalidReason
        self.invalidMessage = invalidMessage
        self.payer = payer
        self.extensions = extensions
        self.extra = extra
    }
}

/// A facilitator's answer to `POST /settle`, also the body of the `PAYMENT-RESPONSE` header
/// (`schemas/responses.py: SettleResponse`).
public struct SettleResponse: Hashable, Sendable, Codable {
    /// Whether the payment settled.
    public var success: Bool
    /// The machine-readable reason when it did not.
    public var errorReason: String?
    /// A human-readable message when it did not.
    public var errorMessage: String?
    /// The payer's address.
    public var payer: String?
    /// The settling transaction's hash; `""` when nothing went on-chain (a channel voucher).
    public var transaction: String
    /// The network the settlement happened on.
    public var network: NetworkID
    /// The settled amount in the asset's smallest unit.
    public var amount: Amount?
    /// Extension data.
    public var extensions: [String: JSONValue]?
    /// Scheme-specific data (for `ferry-channel`: `channelId`, `cumulativeAmount`, `deposit`).
    public var extra: [String: JSONValue]?

    /// A settle answer.
    public init(success: Bool, errorReason: String? = nil, errorMessage: String? = nil, payer: String? = nil,
                transaction: String, network: NetworkID, amount: Amount? = nil,
                extensions: [String: JSONValue]? = nil, extra: [String: JSONValue]? = nil) {
        self.success = success
        self.errorReason = errorReason
        self.errorMessage = errorMessage
        self.payer = payer
        self.transaction = transaction
        self.network = network
        self.amount = amount
        self.extensions = extensions
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case success, errorReason, errorMessage, payer, transaction, network, amount, extensions, extra
    }

    /// Decodes the JSON form; `amount`, when present, must be a base-10 string in 0...2^256-1.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        success = try c.decode(Bool.self, forKey: .success)
        errorReason = try c.decodeIfPresent(String.self, forKey: .errorReason)
        errorMessage = try c.decodeIfPresent(String.self, forKey: .errorMessage)
        payer = try c.decodeIfPresent(String.self, forKey: .payer)
        transaction = try c.decode(String.self, forKey: .transaction)
        network = try c.decode(NetworkID.self, forKey: .network)
        amount = try c.decodeAmountIfPresent(forKey: .amount)
        extensions = try c.decodeIfPresent([String: JSONValue].self, forKey: .extensions)
        extra = try c.decodeIfPresent([String: JSONValue].self, forKey: .extra)
    }
}

/// One `(x402Version, scheme, network)` a facilitator serves (`schemas/responses.py: SupportedKind`).
public struct SupportedKind: Hashable, Sendable, Codable {
    /// The protocol version, 2 for Ferry's kinds.
    public var x402Version: Int
    /// The scheme.
    public var scheme: String
    /// The network; kept as text because the SDK allows wildcards such as `eip155:*` here.
    public var network: String
    /// Scheme-specific data (for `ferry-channel`: the `channelContract`).
    public var extra: [String: JSONValue]?

    /// A supported kind.
    public init(x402Version: Int = 2, scheme: String, network: String, extra: [String: JSONValue]? = nil) {
        self.x402Version = x402Version
        self.scheme = scheme
        self.network = network
        self.extra = extra
    }
}

/// A facilitator's answer to `GET /supported` (`schemas/responses.py: SupportedResponse`).
public struct SupportedResponse: Hashable, Sendable, Codable {
    /// The kinds served; the SDK's resource server refuses to start with none.
    public var kinds: [SupportedKind]
    /// Extension keys understood (e.g. `cross-chain`).
    public var extensions: [String]
    /// Signer addresses by CAIP family (`eip155:*`).
    public var signers: [String: [String]]

    /// A supported answer.
    public init(kinds: [SupportedKind], extensions: [String] = [], signers: [String: [String]] = [:]) {
        self.kinds = kinds
        self.extensions = extensions
        self.signers = signers
    }

    enum CodingKeys: String, CodingKey { case kinds, extensions, signers }

    /// Decodes the JSON form; `extensions` and `signers` may be absent (empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kinds = try c.decode([SupportedKind].self, forKey: .kinds)
        extensions = try c.decodeIfPresent([String].self, forKey: .extensions) ?? []
        signers = try c.decodeIfPresent([String: [String]].self, forKey: .signers) ?? [:]
    }
}
