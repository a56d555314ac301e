public import FerryCore
public import FerryCrypto

/// How the agent verifies that a service was delivered.
public enum DeliveryVerification: Sendable, Hashable, Codable {
    /// The agent commits the keccak-256 of the expected result in the request; delivery is confirmed by
    /// presenting a result with that hash.
    case resultHash
    /// The provider signs a receipt (``ServiceOffer/receiptDigest(escrowID:resultHash:)``) with this key.
    case providerReceipt(EthereumAddress)
}

/// A provider's published offer: a service priced on a destination chain with a delivery deadline.
public struct ServiceOffer: Sendable, Hashable, Codable {
    /// The provider's id for the service ("gpu-inference-a100").
    public var serviceID: String
    /// Where the provider is paid.
    public var provider: Address
    /// Price, smallest units of `asset` (on the destination chain).
    public var price: Amount
    /// Asset and chain of the price.
    public var asset: AssetID
    /// Seconds after the escrow is funded by which delivery must be confirmed; after it the agent is refunded.
    public var deliverySeconds: UInt64
    /// How delivery is verified.
    public var verification: DeliveryVerification

    /// Creates an offer.
    public init(serviceID: String, provider: Address, price: Amount, asset: AssetID, deliverySeconds: UInt64,
                verification: DeliveryVerification) {
        self.serviceID = serviceID
        self.provider = provider
        self.price = price
        self.asset = asset
        self.deliverySeconds = deliverySeconds
        self.verification = verification
    }

    /// The digest a provider signs to acknowledge delivery of `resultHash` for escrow `escrowID`:
    /// `keccak256("ferry.receipt.v1" || escrowID utf8 || resultHash)`.
    public static func receiptDigest(escrowID: String, resultHash: Bytes32) -> Bytes32 {
        Keccak256.hash(Array("ferry.receipt.v1".utf8) + Array(escrowID.utf8) + resultHash.bytes)
    }

    /// The payload hash bound into the payment's transfer: commits to the offer and the expected result.
    func payloadHash(resultHash: Bytes32?) -> Bytes32 {
        Keccak256.hash(Array("ferry.escrow.v1".utf8) + Array(serviceID.utf8) + provider.bytes32.bytes + price.bigEndianBytes.bytes
                       + (resultHash?.bytes ?? Bytes32.zero.bytes))
    }
}

/// Where an escrow stands.
public enum EscrowState: String, Sendable, Hashable, Codable, CaseIterable {
    /// The payment was delivered into the escrow account; waiting for the agent's confirmation or the deadline.
    case funded
    /// Delivery was confirmed and claimed (one compare-and-set from `funded`); the payout to the provider is under
    /// way. No other confirm or refund can take the escrow from here.
    case paying
    /// Delivery was confirmed and the provider paid.
    case paidToProvider = "paid_to_provider"
    /// The deadline passed; the refund lock back to the source chain is submitted.
    case refunding
    /// The refund arrived on the source chain.
    case refunded
}

/// What the agent presents to confirm delivery.
public enum EscrowEvidence: Sendable, Hashable {
    /// The result itself; its keccak-256 must equal the committed hash.
    case result([UInt8])
    /// The provider's receipt signature over ``ServiceOffer/receiptDigest(escrowID:resultHash:)``.
    case receipt(resultHash: Bytes32, signature: Signature)
}

/// One service escrow: a Ferry-level account on the destination chain that the ``PaymentService`` controls
/// (on-chain escrow contracts are future work; see docs/agents.md).
public struct EscrowRecord: Sendable, Hashable, Codable, Identifiable {
    public let id: String
    /// The payment that funded it.
    public let paymentID: String
    public let offer: ServiceOffer
    /// Committed result hash (for `.resultHash` verification).
    @HexHash public var resultHash: Bytes32?
    /// Held amount, destination smallest units.
    public let amount: Amount
    /// Refund fee stated in the original quote (destination smallest units).
    public let refundFee: Amount
    /// Where a refund goes (the agent's source asset and account).
    public let refundAsset: AssetID
    public let refundReceiver: Address
    public var state: EscrowState
    /// When the escrow was funded and by when delivery must be confirmed (unix ms).
    public let fundedAtMs: UInt64
    public let deadlineMs: UInt64
    /// The refund's transfer once locked (nonce filled in).
    public var refundTransfer: Transfer?
    public var refundLockTx: String?
    /// Height of the refund lock on the destination chain, once included.
    public var refundLockHeight: UInt64?
    public var updatedAtMs: UInt64
}
