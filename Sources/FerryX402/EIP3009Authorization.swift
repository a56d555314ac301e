public import FerryCore
public import FerryCrypto

/// An EIP-3009 `TransferWithAuthorization`: the payer's permission for the token to move `value` from `from`
/// to `to`, valid strictly after `validAfter` and strictly before `validBefore` (unix seconds), once per `nonce`.
///
/// The digest is EIP-712 typed data in the token's domain `{name, version, chainId, verifyingContract: token}`
/// (`mechanisms/evm/eip712.py: hash_eip3009_authorization` in the SDK), so a signature made here is accepted by
/// `transferWithAuthorization` on the token and by the SDK's facilitator, and vice versa.
/// JSON (inside the `exact` payload): every number a decimal string, `nonce` 32 bytes of `0x` hex.
public struct EIP3009Authorization: Hashable, Sendable, Codable {
    /// The payer.
    public var from: EthereumAddress
    /// The recipient (the requirement's `payTo`).
    public var to: EthereumAddress
    /// The amount in the token's smallest unit.
    public var value: Amount
    /// Valid only after this unix time (the SDK sends 0).
    public var validAfter: Amount
    /// Valid only before this unix time.
    public var validBefore: Amount
    /// A random 32-byte nonce; the token refuses a nonce it has seen from `from`.
    public var nonce: Bytes32

    /// `keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")`.
    public static let typeHash = Keccak256.hash(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")

    /// An authorization with every field given.
    public init(from: EthereumAddress, to: EthereumAddress, value: Amount, validAfter: Amount, validBefore: Amount, nonce: Bytes32) {
        self.from = from
        self.to = to
        self.value = value
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.nonce = nonce
    }

    /// `hashStruct(authorization)`.
    public var structHash: Bytes32 {
        var data = Self.typeHash.bytes
        data.reserveCapacity(32 * 7)
        data += from.bytes32.bytes
        data += to.bytes32.bytes
        data += value.bigEndianBytes.bytes
        data += validAfter.bigEndianBytes.bytes
        data += validBefore.bigEndianBytes.bytes
        data += nonce.bytes
        return Keccak256.hash(data)
    }

    /// The digest the payer signs in the token's `domain`.
    public func digest(in domain: EIP712Domain) -> Bytes32 { domain.digest(structHash: structHash) }

    /// Signs this authorization in the token's `domain` with the payer's key.
    /// - Throws: the errors of `PrivateKey.sign(digest:)`.
    public func sign(with key: PrivateKey, in domain: EIP712Domain) throws(CryptoError) -> ExactEVMPayload {
        ExactEVMPayload(authorization: self, signature: try key.sign(digest: digest(in: domain)))
    }

    enum CodingKeys: String, CodingKey { case from, to, value, validAfter, validBefore, nonce }

    /// Decodes the JSON form; each field's problem is reported with its name.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decodeAddress(forKey: .from)
        to = try c.decodeAddress(forKey: .to)
        value = try c.decodeAmount(forKey: .value)
        validAfter = try c.decodeAmount(forKey: .validAfter)
        validBefore = try c.decodeAmount(forKey: .validBefore)
        nonce = try c.decodeBytes32(forKey: .nonce)
    }

    /// Encodes as the SDK does (checksummed addresses, decimal strings, `0x` hex nonce).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from.checksummed, forKey: .from)
        try c.encode(to.checksummed, forKey: .to)
        try c.encode(value, forKey: .value)
        try c.encode(validAfter, forKey: .validAfter)
        try c.encode(validBefore, forKey: .validBefore)
        try c.encode(nonce.hex, forKey: .nonce)
    }
}

/// The payload of the `exact` scheme on EVM with EIP-3009: `{"authorization": {...}, "signature": "0x<65 bytes>"}`
/// (`mechanisms/evm/types.py: ExactEIP3009Payload`). Only EOA signatures (65 bytes, low s) are accepted.
public struct ExactEVMPayload: Hashable, Sendable, Codable {
    /// The signed authorization.
    public var authorization: EIP3009Authorization
    /// The payer's signature over ``EIP3009Authorization/digest(in:)``.
    public var signature: Signature

    /// Pairs an authorization with its signature (no check; ``signer(in:)`` recovers who signed).
    public init(authorization: EIP3009Authorization, signature: Signature) {
        self.authorization = authorization
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey { case authorization, signature }

    /// Decodes the JSON form; the signature must be 65 bytes `r || s || v` with low s.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        authorization = try c.decode(EIP3009Authorization.self, forKey: .authorization)
        signature = try c.decodeSignature(forKey: .signature)
    }

    /// Encodes as the SDK does (signature as `0x` hex with v 27/28).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(authorization, forKey: .authorization)
        try c.encode(signature.description, forKey: .signature)
    }

    /// Reads the payload of a ``PaymentPayload`` whose scheme is `exact`.
    /// - Throws: ``X402Error`` naming the field under `payload`.
    public init(payload: [String: JSONValue]) throws(X402Error) {
        self = try X402Codec.decodeJSON(Self.self, from: X402Codec.encodeJSON(payload), source: "exact payload")
    }

    /// The payload as the JSON object ``PaymentPayload/payload`` holds.
    public var jsonObject: [String: JSONValue] {
        let a = authorization
        return [
            "authorization": .object([
                "from": .string(a.from.checksummed), "to": .string(a.to.checksummed), "value": .string(a.value.description),
                "validAfter": .string(a.validAfter.description), "validBefore": .string(a.validBefore.description),
                "nonce": .string(a.nonce.hex),
            ]),
            "signature": .string(signature.description),
        ]
    }

    /// The address that signed the authorization in the token's `domain`.
    /// - Throws: `CryptoError.recoveryFailed` when the signature matches no key.
    public func signer(in domain: EIP712Domain) throws(CryptoError) -> EthereumAddress {
        try signature.recoverAddress(digest: authorization.digest(in: domain))
    }
}
