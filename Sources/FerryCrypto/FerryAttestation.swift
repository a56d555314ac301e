/// What a relayer signs about one message id, as EIP-712 typed data: `Release(bytes32 messageId)` and
/// `Cancel(bytes32 messageId)` in the destination gateway's domain, `Refund(bytes32 messageId)` in the source
/// gateway's domain (given only once the destination's `Cancelled` event is final).
///
/// Any standard Ethereum library (and the Vyper gateway's `ecrecover`) verifies these signatures.
public enum FerryAttestation: Hashable, Sendable {
    /// Release the transfer `messageId` to its receiver on the destination chain.
    case release(messageId: Bytes32)
    /// Cancel the transfer `messageId` after its deadline, enabling a refund on the source chain.
    case cancel(messageId: Bytes32)
    /// Refund the sender of `messageId` on the source chain: the destination cancelled it, and that is final.
    case refund(messageId: Bytes32)

    /// `keccak256("Release(bytes32 messageId)")`.
    public static let releaseTypeHash = Keccak256.hash("Release(bytes32 messageId)")
    /// `keccak256("Cancel(bytes32 messageId)")`.
    public static let cancelTypeHash = Keccak256.hash("Cancel(bytes32 messageId)")
    /// `keccak256("Refund(bytes32 messageId)")`.
    public static let refundTypeHash = Keccak256.hash("Refund(bytes32 messageId)")

    /// The message id this attestation is about.
    public var messageId: Bytes32 {
        switch self {
        case let .release(id), let .cancel(id), let .refund(id): id
        }
    }

    /// The EIP-712 type hash of this attestation's type.
    public var typeHash: Bytes32 {
        switch self {
        case .release: Self.releaseTypeHash
        case .cancel: Self.cancelTypeHash
        case .refund: Self.refundTypeHash
        }
    }

    /// `hashStruct`: `keccak256(typeHash || messageId)`.
    public var structHash: Bytes32 { EIP712.hash(typeHash, messageId) }

    /// The digest to sign in `domain` (`EIP712Domain.ferry(chainId:gateway:)` of the destination for
    /// release and cancel, of the source for refund).
    public func digest(in domain: EIP712Domain) -> Bytes32 {
        EIP712.digest(domainSeparator: domain.separator, structHash: structHash)
    }

    /// Signs this attestation for `domain` with `key`.
    /// - Throws: the errors of `PrivateKey.sign(digest:)`.
    public func sign(with key: PrivateKey, in domain: EIP712Domain) throws(CryptoError) -> Signature {
        try key.sign(digest: digest(in: domain))
    }

    /// The address that signed this attestation for `domain`.
    /// - Throws: `CryptoError.recoveryFailed` when the signature matches no key.
    public func signer(of signature: Signature, in domain: EIP712Domain) throws(CryptoError) -> EthereumAddress {
        try signature.recoverAddress(digest: digest(in: domain))
    }
}
