public import FerryChannels
public import FerryCore
public import FerryCrypto

/// The `extra` of a `ferry-channel` requirement (docs/x402.md, "The `ferry-channel` scheme").
public struct FerryChannelTerms: Hashable, Sendable, Codable {
    /// The scheme's name in requirements and `/supported`: `ferry-channel`.
    public static let scheme = "ferry-channel"

    /// The `FerryChannel` contract on the requirement's chain.
    public var channelContract: EthereumAddress
    /// The voucher domain's name, `Ferry Channel`.
    public var name: String
    /// The voucher domain's version, `1`.
    public var version: String
    /// The smallest deposit the provider accepts for a new channel.
    public var minDeposit: Amount
    /// The shortest channel lifetime the provider accepts, in seconds.
    public var minExpirySeconds: UInt64

    /// Channel terms.
    public init(channelContract: EthereumAddress, name: String = ChannelContract.domainName,
                version: String = ChannelContract.domainVersion, minDeposit: Amount, minExpirySeconds: UInt64) {
        self.channelContract = channelContract
        self.name = name
        self.version = version
        self.minDeposit = minDeposit
        self.minExpirySeconds = minExpirySeconds
    }

    enum CodingKeys: String, CodingKey { case channelContract, name, version, minDeposit, minExpirySeconds }

    /// Decodes the terms; `minExpirySeconds` is a JSON integer, `minDeposit` a decimal string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channelContract = try c.decodeAddress(forKey: .channelContract)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decode(String.self, forKey: .version)
        minDeposit = try c.decodeAmount(forKey: .minDeposit)
        minExpirySeconds = try c.decode(UInt64.self, forKey: .minExpirySeconds)
    }

    /// Encodes the terms.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(channelContract.checksummed, forKey: .channelContract)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(minDeposit, forKey: .minDeposit)
        try c.encode(minExpirySeconds, forKey: .minExpirySeconds)
    }

    /// Reads the terms from a `ferry-channel` requirement's `extra`.
    /// - Throws: ``X402Error`` naming the field under `extra`.
    public init(requirement: PaymentRequirements) throws(X402Error) {
        self = try X402Codec.decodeJSON(Self.self, from: X402Codec.encodeJSON(requirement.extra), source: "ferry-channel extra")
    }

    /// The terms as a requirement's `extra`.
    public func extra() throws(X402Error) -> [String: JSONValue] {
        try X402Codec.decodeJSON(JSONValue.self, from: X402Codec.encodeJSON(self), source: "ferry-channel extra").objectValue ?? [:]
    }

    /// The channel contract on the requirement's chain.
    /// - Throws: ``X402Error/unsupportedNetwork(_:expected:)`` for a network that is not `eip155`.
    public func contract(on network: NetworkID) throws(X402Error) -> ChannelContract {
        ChannelContract(chainId: try network.requireEVM(), address: channelContract)
    }
}

/// How the first call's channel is funded.
public enum FerryChannelFunding: Hashable, Sendable {
    /// `{"transaction": "0x<signed open tx on the channel's chain>"}`.
    case transaction([UInt8])
    /// `{"crossChain": <lock with receiver = channelContract, payloadHash = openPayloadHash>}`.
    case crossChain(CrossChainLock)
}

/// The payload of a `ferry-channel` payment, discriminated by `type`.
public enum FerryChannelPayload: Hashable, Sendable, Codable {
    /// `{"type": "voucher", "channelId", "cumulativeAmount", "signature"}`: a call on an open channel.
    case voucher(SignedVoucher)
    /// `{"type": "open", "channel": {agent, provider, asset, expiry, salt}, "funding", "voucher"}`: the first call.
    case open(channel: ChannelParameters, funding: FerryChannelFunding, voucher: SignedVoucher)

    enum CodingKeys: String, CodingKey { case type, channelId, cumulativeAmount, signature, channel, funding, voucher }
    enum ChannelKeys: String, CodingKey { case agent, provider, asset, expiry, salt }
    enum FundingKeys: String, CodingKey { case transaction, crossChain }

    /// Decodes either form; an unknown `type` or a malformed member is reported with its field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "voucher":
            self = .voucher(try Self.voucher(in: c))
        case "open":
            let ch = try c.nestedContainer(keyedBy: ChannelKeys.self, forKey: .channel)
            let channel = ChannelParameters(
                agent: try ch.decodeAddress(forKey: .agent), provider: try ch.decodeAddress(forKey: .provider),
                asset: try ch.decodeAssetID(forKey: .asset), expiry: try ch.decodeUInt64String(forKey: .expiry),
                salt: try ch.decodeBytes32(forKey: .salt))
            let f = try c.nestedContainer(keyedBy: FundingKeys.self, forKey: .funding)
            let funding: FerryChannelFunding
            if f.contains(.crossChain) {
                funding = .crossChain(try f.decode(CrossChainLock.self, forKey: .crossChain))
            } else {
                let text = try f.decode(String.self, forKey: .transaction)
                guard text.utf8.count <= 2 + 2 * CrossChainLock.maxSignedLockBytes else {
                    throw FieldProblem(f.codingPath + [FundingKeys.transaction], .invalid("longer than \(CrossChainLock.maxSignedLockBytes) bytes"))
                }
                do { funding = .transaction(try Hex.decode(text)) } catch {
                    throw FieldProblem(f.codingPath + [FundingKeys.transaction], .invalid(error.description))
                }
            }
            let v = try c.nestedContainer(keyedBy: CodingKeys.self, forKey: .voucher)
            self = .open(channel: channel, funding: funding, voucher: try Self.voucher(in: v))
        case let other:
            throw FieldProblem(c.codingPath + [CodingKeys.type], .invalid("\"\(other.prefix(40))\" is neither voucher nor open"))
        }
    }

    private static func voucher(in c: KeyedDecodingContainer<CodingKeys>) throws -> SignedVoucher {
        let voucher = Voucher(channelId: try c.decodeBytes32(forKey: .channelId),
                              cumulativeAmount: try c.decodeAmount(forKey: .cumulativeAmount))
        return SignedVoucher(voucher: voucher, signature: try c.decodeSignature(forKey: .signature))
    }

    /// Encodes the `type`-discriminated JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .voucher(signed):
            try c.encode("voucher", forKey: .type)
            try Self.encode(signed, into: &c)
        case let .open(channel, funding, voucher):
            try c.encode("open", forKey: .type)
            var ch = c.nestedContainer(keyedBy: ChannelKeys.self, forKey: .channel)
            try ch.encode(channel.agent.checksummed, forKey: .agent)
            try ch.encode(channel.provider.checksummed, forKey: .provider)
            try ch.encode(channel.asset.hex, forKey: .asset)
            try ch.encode(String(channel.expiry), forKey: .expiry)
            try ch.encode(channel.salt.hex, forKey: .salt)
            var f = c.nestedContainer(keyedBy: FundingKeys.self, forKey: .funding)
            switch funding {
            case let .transaction(raw): try f.encode(Hex.prefixed(raw), forKey: .transaction)
            case let .crossChain(lock): try f.encode(lock, forKey: .crossChain)
            }
            var v = c.nestedContainer(keyedBy: CodingKeys.self, forKey: .voucher)
            try Self.encode(voucher, into: &v)
        }
    }

    private static func encode(_ signed: SignedVoucher, into c: inout KeyedEncodingContainer<CodingKeys>) throws {
        try c.encode(signed.voucher.channelId.hex, forKey: .channelId)
        try c.encode(signed.voucher.cumulativeAmount, forKey: .cumulativeAmount)
        try c.encode(signed.signature.description, forKey: .signature)
    }

    /// Reads a ``PaymentPayload/payload`` of a `ferry-channel` payment.
    /// - Throws: ``X402Error`` naming the field.
    public init(payload: [String: JSONValue]) throws(X402Error) {
        self = try X402Codec.decodeJSON(Self.self, from: X402Codec.encodeJSON(payload), source: "ferry-channel payload")
    }

    /// The payload as ``PaymentPayload/payload`` holds it.
    public func jsonObject() throws(X402Error) -> [String: JSONValue] {
        try X402Codec.decodeJSON(JSONValue.self, from: X402Codec.encodeJSON(self), source: "ferry-channel payload").objectValue ?? [:]
    }

    /// The voucher this payment carries (the first one, for `open`).
    public var signedVoucher: SignedVoucher {
        switch self {
        case let .voucher(signed): signed
        case let .open(_, _, voucher): voucher
        }
    }
}
