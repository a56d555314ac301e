public import FerryCore
public import FerryCrypto

/// One way to pay for a resource, as a resource server lists it in `PaymentRequired.accepts`
/// (`schemas/payments.py: PaymentRequirements` in the SDK).
///
/// JSON: `{scheme, network, asset, amount, payTo, maxTimeoutSeconds, extra}`; `extra` is always written (`{}`
/// when empty), as the SDK does, and may be absent on input.
public struct PaymentRequirements: Hashable, Sendable, Codable {
    /// The payment scheme, e.g. `exact` or `ferry-channel`.
    public var scheme: String
    /// The chain the seller is paid on.
    public var network: NetworkID
    /// The asset: a token address on EVM networks (kept as text; other networks spell assets differently).
    public var asset: String
    /// The price in the asset's smallest unit.
    public var amount: Amount
    /// The recipient (an address on the network).
    public var payTo: String
    /// How long a payment for this requirement may take, in seconds.
    public var maxTimeoutSeconds: Int
    /// Scheme-specific data (for `exact` on EVM: the token's EIP-712 `name` and `version`).
    public var extra: [String: JSONValue]

    /// A requirement with every field given.
    public init(scheme: String, network: NetworkID, asset: String, amount: Amount, payTo: String,
                maxTimeoutSeconds: Int, extra: [String: JSONValue] = [:]) {
        self.scheme = scheme
        self.network = network
        self.asset = asset
        self.amount = amount
        self.payTo = payTo
        self.maxTimeoutSeconds = maxTimeoutSeconds
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey { case scheme, network, asset, amount, payTo, maxTimeoutSeconds, extra }

    /// Decodes the JSON form; the amount must be a base-10 string in 0...2^256-1 and the network CAIP-2.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scheme = try c.decode(String.self, forKey: .scheme)
        network = try c.decode(NetworkID.self, forKey: .network)
        asset = try c.decode(String.self, forKey: .asset)
        amount = try c.decodeAmount(forKey: .amount)
        payTo = try c.decode(String.self, forKey: .payTo)
        maxTimeoutSeconds = try c.decode(Int.self, forKey: .maxTimeoutSeconds)
        guard maxTimeoutSeconds >= 0 else {
            throw FieldProblem(c.codingPath + [CodingKeys.maxTimeoutSeconds], .invalid("must not be negative"))
        }
        extra = try c.decodeIfPresent([String: JSONValue].self, forKey: .extra) ?? [:]
    }

    /// The token address of an EVM requirement.
    /// - Throws: ``X402Error/invalidField(source:field:reason:)`` when `asset` is not an address.
    public func evmAsset() throws(X402Error) -> EthereumAddress {
        do { return try EthereumAddress(hex: asset) } catch {
            throw .invalidField(source: "payment requirements", field: "asset", reason: error.description)
        }
    }

    /// The recipient of an EVM requirement.
    /// - Throws: ``X402Error/invalidField(source:field:reason:)`` when `payTo` is not an address.
    public func evmPayTo() throws(X402Error) -> EthereumAddress {
        do { return try EthereumAddress(hex: payTo) } catch {
            throw .invalidField(source: "payment requirements", field: "payTo", reason: error.description)
        }
    }
}

/// What the resource is (`schemas/payments.py: ResourceInfo`).
public struct ResourceInfo: Hashable, Sendable, Codable {
    /// The resource's URL.
    public var url: String
    /// A human-readable description.
    public var description: String?
    /// The MIME type of the resource.
    public var mimeType: String?
    /// A short service name (the SDK's bazaar extension validates it as at most 32 characters).
    public var serviceName: String?
    /// Topical tags.
    public var tags: [String]?
    /// An http(s) URL of an icon.
    public var iconUrl: String?

    /// A resource description.
    public init(url: String, description: String? = nil, mimeType: String? = nil, serviceName: String? = nil,
                tags: [String]? = nil, iconUrl: String? = nil) {
        self.url = url
        self.description = description
        self.mimeType = mimeType
        self.serviceName = serviceName
        self.tags = tags
        self.iconUrl = iconUrl
    }
}

/// The body of the `PAYMENT-REQUIRED` header on a 402 (`schemas/payments.py: PaymentRequired`).
public struct PaymentRequired: Hashable, Sendable, Codable {
    /// Always 2.
    public var x402Version: Int
    /// Why a payment attempt was refused (`"Payment required"`, a facilitator's invalid reason, ...).
    public var error: String?
    /// The resource being sold.
    public var resource: ResourceInfo?
    /// The accepted ways to pay, at most ``maxAccepts``.
    public var accepts: [PaymentRequirements]
    /// Declared extensions, keyed by name: `{"info": {...}, "schema": {...}}` each.
    public var extensions: [String: JSONValue]?

    /// The most requirements a decoder accepts in one 402.
    public static let maxAccepts = 32

    /// A version 2 `PaymentRequired`.
    public init(error: String? = nil, resource: ResourceInfo? = nil, accepts: [PaymentRequirements],
                extensions: [String: JSONValue]? = nil) {
        x402Version = 2
        self.error = error
        self.resource = resource
        self.accepts = accepts
        self.extensions = extensions
    }

    enum CodingKeys: String, CodingKey { case x402Version, error, resource, accepts, extensions }

    /// Decodes the JSON form; `x402Version` must be 2 (the SDK defaults an absent one to 2).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        x402Version = c.contains(.x402Version) ? try c.decodeVersion(forKey: .x402Version) : 2
        error = try c.decodeIfPresent(String.self, forKey: .error)
        resource = try c.decodeIfPresent(ResourceInfo.self, forKey: .resource)
        accepts = try c.decode([PaymentRequirements].self, forKey: .accepts)
        guard accepts.count <= Self.maxAccepts else {
            throw FieldProblem(c.codingPath + [CodingKeys.accepts], .tooMany(count: accepts.count, limit: Self.maxAccepts))
        }
        extensions = try c.decodeIfPresent([String: JSONValue].self, forKey: .extensions)
    }
}

/// The body of the `PAYMENT-SIGNATURE` header: the client's payment (`schemas/payments.py: PaymentPayload`).
public struct PaymentPayload: Hashable, Sendable, Codable {
    /// Always 2.
    public var x402Version: Int
    /// The scheme-specific payload (``ExactEVMPayload``, ``CrossChainPayload``, ``FerryChannelPayload``, ...).
    public var payload: [String: JSONValue]
    /// The requirement the client chose, copied from `accepts`.
    public var accepted: PaymentRequirements
    /// The resource, copied from the 402.
    public var resource: ResourceInfo?
    /// The echo of the server's declared extensions, plus what the client's extensions add.
    public var extensions: [String: JSONValue]?

    /// A version 2 payload.
    public init(payload: [String: JSONValue], accepted: PaymentRequirements, resource: ResourceInfo? = nil,
                extensions: [String: JSONValue]? = nil) {
        x402Version = 2
        self.payload = payload
        self.accepted = accepted
        self.resource = resource
        self.extensions = extensions
    }

    enum CodingKeys: String, CodingKey { case x402Version, payload, accepted, resource, extensions }

    /// Decodes the JSON form; `x402Version` must be 2.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        x402Version = c.contains(.x402Version) ? try c.decodeVersion(forKey: .x402Version) : 2
        payload = try c.decode([String: JSONValue].self, forKey: .payload)
        accepted = try c.decode(PaymentRequirements.self, forKey: .accepted)
        resource = try c.decodeIfPresent(ResourceInfo.self, forKey: .resource)
        extensions = try c.decodeIfPresent([String: JSONValue].self, forKey: .extensions)
    }
}
