public import FerryChains
public import FerryCore
public import FerryCrypto

/// The agent's promise that the provider may take `cumulativeAmount` in total from channel `channelId`:
/// EIP-712 typed data `Voucher(bytes32 channelId,uint256 cumulativeAmount)` in the channel contract's domain.
///
/// The digest equals `FerryChannel.voucherDigest(channelId, cumulativeAmount)`, so a voucher signed here is
/// redeemable on-chain, and any Ethereum library (eth-account's `sign_typed_data`) makes the same signature.
public struct Voucher: Hashable, Sendable {
    /// The channel the voucher spends from.
    public let channelId: Bytes32
    /// The total paid through the channel so far, in the asset's smallest unit (not the increment).
    public let cumulativeAmount: Amount

    /// `keccak256("Voucher(bytes32 channelId,uint256 cumulativeAmount)")` (`VOUCHER_TYPEHASH`).
    public static let typeHash = Keccak256.hash("Voucher(bytes32 channelId,uint256 cumulativeAmount)")

    /// A voucher for `cumulativeAmount` in total from channel `channelId`.
    public init(channelId: Bytes32, cumulativeAmount: Amount) {
        self.channelId = channelId
        self.cumulativeAmount = cumulativeAmount
    }

    /// `hashStruct(voucher)`: `keccak256(typeHash || channelId || cumulativeAmount)`.
    public var structHash: Bytes32 {
        var data = Self.typeHash.bytes
        data.reserveCapacity(96)
        data += channelId.bytes
        data += cumulativeAmount.bigEndianBytes.bytes
        return Keccak256.hash(data)
    }

    /// The digest the agent signs for channels of `contract`.
    public func digest(in contract: ChannelContract) -> Bytes32 {
        contract.domain.digest(structHash: structHash)
    }

    /// Signs this voucher for `contract` with the agent's signer (an in-memory key, a keystore).
    /// - Throws: whatever the signer throws.
    public func sign(with signer: some TransactionSigner, in contract: ChannelContract) throws -> SignedVoucher {
        SignedVoucher(voucher: self, signature: try signer.sign(digest: digest(in: contract)))
    }

    /// Signs this voucher for `contract` with `key`.
    /// - Throws: the errors of `PrivateKey.sign(digest:)`.
    public func sign(with key: PrivateKey, in contract: ChannelContract) throws(CryptoError) -> SignedVoucher {
        SignedVoucher(voucher: self, signature: try key.sign(digest: digest(in: contract)))
    }
}

/// A voucher with the agent's signature, as it travels in an x402 payload:
/// `{"channelId": "0x…", "cumulativeAmount": "<decimal>", "signature": "0x<65 bytes r||s||v>"}`.
public struct SignedVoucher: Hashable, Sendable, Codable {
    /// The signed voucher.
    public let voucher: Voucher
    /// The agent's signature over `voucher.digest(in:)` (low-s; the type admits nothing else).
    public let signature: Signature

    /// Pairs a voucher with its signature (no check; ``signer(in:)`` recovers who signed).
    public init(voucher: Voucher, signature: Signature) {
        self.voucher = voucher
        self.signature = signature
    }

    /// The address that signed this voucher for `contract`.
    /// - Throws: `CryptoError.recoveryFailed` when the signature matches no key for that digest.
    public func signer(in contract: ChannelContract) throws(CryptoError) -> EthereumAddress {
        try signature.recoverAddress(digest: voucher.digest(in: contract))
    }

    private enum CodingKeys: String, CodingKey { case channelId, cumulativeAmount, signature }

    /// Decodes the JSON form; a malformed id, amount or signature (wrong length, high s, bad v) is a
    /// `DecodingError` naming the field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let idText = try c.decode(String.self, forKey: .channelId)
        let sigText = try c.decode(String.self, forKey: .signature)
        let amount = try c.decode(Amount.self, forKey: .cumulativeAmount)
        let id: Bytes32
        do { id = try Bytes32(hex: idText) } catch {
            throw DecodingError.dataCorruptedError(forKey: .channelId, in: c, debugDescription: String(describing: error))
        }
        do { signature = try Signature(hex: sigText) } catch {
            throw DecodingError.dataCorruptedError(forKey: .signature, in: c, debugDescription: String(describing: error))
        }
        voucher = Voucher(channelId: id, cumulativeAmount: amount)
    }

    /// Encodes the JSON form (`0x` hex id and signature, base-10 amount).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(voucher.channelId.hex, forKey: .channelId)
        try c.encode(voucher.cumulativeAmount, forKey: .cumulativeAmount)
        try c.encode(signature.description, forKey: .signature)
    }
}
