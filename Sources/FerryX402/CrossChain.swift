public import FerryCore
public import FerryCrypto

/// Ferry's `cross-chain` extension (docs/x402.md, "The `cross-chain` extension"): a seller keeps its `exact`
/// requirement on its own chain and declares which other chains a client may pay from; a client that pays from
/// one of them echoes the declaration with its ``CrossChainOrigin`` added and sends a ``CrossChainPayload``.
public enum CrossChainExtension {
    /// The key in `PaymentRequired.extensions`, `PaymentPayload.extensions` and `SupportedResponse.extensions`.
    public static let key = "cross-chain"

    /// The JSON Schema of ``CrossChainInfo`` the declaration carries (`{"info", "schema"}`, as SDK extensions do).
    public static let schema: JSONValue = .object([
        "type": .string("object"),
        "required": .array([.string("version"), .string("origins")]),
        "properties": .object([
            "version": .object(["type": .string("string")]),
            "origins": .object(["type": .string("array")]),
            "protocols": .object(["type": .string("array")]),
            "origin": .object(["type": .string("object")]),
        ]),
    ])

    /// The extension entry for `info`: `{"info": ..., "schema": ...}`.
    /// - Throws: ``X402Error`` only if `info` has no JSON form (never for values built by this module).
    public static func entry(_ info: CrossChainInfo) throws(X402Error) -> JSONValue {
        let tree = try X402Codec.decodeJSON(JSONValue.self, from: X402Codec.encodeJSON(info), source: "cross-chain info")
        return .object(["info": tree, "schema": schema])
    }

    /// The `cross-chain` info in `extensions` (a 402's declaration or a payment's echo), or nil when absent.
    /// - Throws: ``X402Error`` naming the field when the entry is malformed.
    public static func info(in extensions: [String: JSONValue]?) throws(X402Error) -> CrossChainInfo? {
        guard let entry = extensions?[key] else { return nil }
        guard let info = entry["info"] else { throw .missingField(source: "extensions.\(key)", field: "info") }
        return try X402Codec.decodeJSON(CrossChainInfo.self, from: X402Codec.encodeJSON(info), source: "extensions.\(key).info")
    }
}

/// The `info` of the `cross-chain` extension.
public struct CrossChainInfo: Hashable, Sendable, Codable {
    /// The extension's version, `"1"`.
    public var version: String
    /// The chains (and assets on them) a payer may pay from.
    public var origins: [CrossChainOffer]
    /// How the value moves (`ferry`: a Ferry lock on the origin released on the seller's chain).
    public var protocols: [String]?
    /// In a client's echo only: the origin it pays from.
    public var origin: CrossChainOrigin?

    /// An info value.
    public init(version: String = "1", origins: [CrossChainOffer], protocols: [String]? = ["ferry"], origin: CrossChainOrigin? = nil) {
        self.version = version
        self.origins = origins
        self.protocols = protocols
        self.origin = origin
    }
}

/// One chain a seller accepts payment from, with the assets on it.
public struct CrossChainOffer: Hashable, Sendable, Codable {
    /// The origin chain.
    public var network: NetworkID
    /// The accepted assets there (token addresses; `0x00` for the native coin).
    public var assets: [String]

    /// An offer.
    public init(network: NetworkID, assets: [String]) {
        self.network = network
        self.assets = assets
    }
}

/// The origin a client chose, in its echo of the extension.
public struct CrossChainOrigin: Hashable, Sendable, Codable {
    /// The chain the client pays from.
    public var network: NetworkID
    /// The asset it pays with there.
    public var asset: String
    /// The paying address there.
    public var payer: EthereumAddress

    /// A choice of origin.
    public init(network: NetworkID, asset: String, payer: EthereumAddress) {
        self.network = network
        self.asset = asset
        self.payer = payer
    }
}

/// The Ferry transfer a cross-chain lock asks for (the fields of `Transfer` the payer chooses; docs/architecture.md).
/// Numbers are decimal strings; assets and `payloadHash` are `0x` hex (an asset may be a 20-byte address, which is
/// left-padded to the gateway's 32-byte asset id).
public struct CrossChainTransfer: Hashable, Sendable, Codable {
    /// The seller's chain id.
    public var destChain: UInt64
    /// Who is paid there (the requirement's `payTo`, or the channel contract for a channel deposit).
    public var receiver: EthereumAddress
    /// The asset locked on the origin.
    public var sourceAsset: Bytes32
    /// The asset delivered (the requirement's `asset`).
    public var destAsset: Bytes32
    /// Delivered amount, destination smallest units.
    public var amount: Amount
    /// Relayer fee, source smallest units.
    public var fee: Amount
    /// Unix seconds after which the lock may be cancelled and refunded.
    public var deadline: UInt64
    /// A fresh 32-byte nonce (or the channel's open hash) the facilitator records against replay.
    public var payloadHash: Bytes32

    /// A transfer description.
    public init(destChain: UInt64, receiver: EthereumAddress, sourceAsset: Bytes32, destAsset: Bytes32, amount: Amount,
                fee: Amount, deadline: UInt64, payloadHash: Bytes32) {
        self.destChain = destChain
        self.receiver = receiver
        self.sourceAsset = sourceAsset
        self.destAsset = destAsset
        self.amount = amount
        self.fee = fee
        self.deadline = deadline
        self.payloadHash = payloadHash
    }

    enum CodingKeys: String, CodingKey { case destChain, receiver, sourceAsset, destAsset, amount, fee, deadline, payloadHash }

    /// Decodes the JSON form; each field's problem is reported with its name.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        destChain = try c.decodeUInt64String(forKey: .destChain)
        receiver = try c.decodeAddress(forKey: .receiver)
        sourceAsset = try c.decodeAssetID(forKey: .sourceAsset)
        destAsset = try c.decodeAssetID(forKey: .destAsset)
        amount = try c.decodeAmount(forKey: .amount)
        fee = try c.decodeAmount(forKey: .fee)
        deadline = try c.decodeUInt64String(forKey: .deadline)
        payloadHash = try c.decodeBytes32(forKey: .payloadHash)
    }

    /// Encodes decimal strings and `0x` hex.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(String(destChain), forKey: .destChain)
        try c.encode(receiver.checksummed, forKey: .receiver)
        try c.encode(sourceAsset.hex, forKey: .sourceAsset)
        try c.encode(destAsset.hex, forKey: .destAsset)
        try c.encode(amount, forKey: .amount)
        try c.encode(fee, forKey: .fee)
        try c.encode(String(deadline), forKey: .deadline)
        try c.encode(payloadHash.hex, forKey: .payloadHash)
    }
}

/// A signed Ferry lock on the origin chain: the payer's authorization for a cross-chain payment
/// (`{"protocol": "ferry", "type": "lock", "origin", "signedLock", "transfer"}`).
public struct CrossChainLock: Hashable, Sendable, Codable {
    /// The bridge protocol, `ferry`.
    public var `protocol`: String
    /// The authorization kind, `lock`.
    public var type: String
    /// The origin chain.
    public var origin: NetworkID
    /// The raw signed EIP-1559 transaction calling `FerryGateway.lock` on the origin (at most ``maxSignedLockBytes``).
    public var signedLock: [UInt8]
    /// The transfer the lock asks for.
    public var transfer: CrossChainTransfer

    /// The longest raw transaction accepted (a `lock` call is about 500 bytes).
    public static let maxSignedLockBytes = 4096

    /// A lock payload.
    public init(origin: NetworkID, signedLock: [UInt8], transfer: CrossChainTransfer) {
        self.protocol = "ferry"
        self.type = "lock"
        self.origin = origin
        self.signedLock = signedLock
        self.transfer = transfer
    }

    enum CodingKeys: String, CodingKey { case `protocol`, type, origin, signedLock, transfer }

    /// Decodes the JSON form; `signedLock` must be `0x` hex of at most ``maxSignedLockBytes`` bytes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.protocol = try c.decode(String.self, forKey: .protocol)
        type = try c.decode(String.self, forKey: .type)
        origin = try c.decode(NetworkID.self, forKey: .origin)
        let text = try c.decode(String.self, forKey: .signedLock)
        guard text.utf8.count <= 2 + 2 * Self.maxSignedLockBytes else {
            throw FieldProblem(c.codingPath + [CodingKeys.signedLock], .invalid("longer than \(Self.maxSignedLockBytes) bytes"))
        }
        do { signedLock = try Hex.decode(text) } catch {
            throw FieldProblem(c.codingPath + [CodingKeys.signedLock], .invalid(error.description))
        }
        transfer = try c.decode(CrossChainTransfer.self, forKey: .transfer)
    }

    /// Encodes the JSON form (`signedLock` as `0x` hex).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.protocol, forKey: .protocol)
        try c.encode(type, forKey: .type)
        try c.encode(origin, forKey: .origin)
        try c.encode(Hex.prefixed(signedLock), forKey: .signedLock)
        try c.encode(transfer, forKey: .transfer)
    }
}

/// The payload of an `exact` requirement paid from another chain: `{"crossChain": <CrossChainLock>}`.
public struct CrossChainPayload: Hashable, Sendable, Codable {
    /// The signed lock.
    public var crossChain: CrossChainLock

    /// Wraps a lock.
    public init(crossChain: CrossChainLock) { self.crossChain = crossChain }

    /// Whether a payment's payload is a cross-chain one (it has a `crossChain` member) rather than EIP-3009.
    public static func isCrossChain(_ payload: [String: JSONValue]) -> Bool { payload["crossChain"] != nil }

    /// Reads a ``PaymentPayload/payload``.
    /// - Throws: ``X402Error`` naming the field.
    public init(payload: [String: JSONValue]) throws(X402Error) {
        self = try X402Codec.decodeJSON(Self.self, from: X402Codec.encodeJSON(payload), source: "cross-chain payload")
    }

    /// The payload as ``PaymentPayload/payload`` holds it.
    public func jsonObject() throws(X402Error) -> [String: JSONValue] {
        let tree = try X402Codec.decodeJSON(JSONValue.self, from: X402Codec.encodeJSON(self), source: "cross-chain payload")
        return tree.objectValue ?? [:]
    }
}

extension KeyedDecodingContainer {
    /// A gateway asset id: 32 bytes of `0x` hex, or a 20-byte address left-padded.
    func decodeAssetID(forKey key: Key) throws -> Bytes32 {
        let text = try decode(String.self, forKey: key)
        do {
            let bytes = try Hex.decode(text)
            guard bytes.count == 20 || bytes.count == 32 else {
                throw FieldProblem(codingPath + [key], .invalid("expected 20 or 32 bytes of hex, found \(bytes.count)"))
            }
            return try Bytes32(leftPadding: bytes)
        } catch let error as CryptoError {
            throw FieldProblem(codingPath + [key], .invalid(error.description))
        }
    }
}
