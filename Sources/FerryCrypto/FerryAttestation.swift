/// What a relayer signs: release or cancel of one message id, as EIP-712 typed data
/// (`Release(bytes32 messageId)` or `Cancel(bytes32 messageId)`) in a destination domain.
///
/// Any standard Ethereum library (and the Vyper gateway's `ecrecover`) verifies these signatures.
public enum FerryAttestation: Hashable, Sendable {
    /// Release the transfer `messageId` to its receiver on the destination chain.
    case release(messageId: Bytes32)
    /// Cancel the transfer `messageId` after its deadline, enabling a refund on the source chain.
    case cancel(messageId: Bytes32)

    /// `keccak256("Release(bytes32 messageId)")`.
    public static let releaseTypeHash = Keccak256.hash("Release(bytes32 messageId)")
    /// `keccak256("Cancel(bytes32 messageId)")`.
    public static let cancelTypeHash = Keccak256.hash("Cancel(bytes32 messageId)")

    /// The message id this attestation is about.
    public var messageId: Bytes32 {
        switch self {
        case let .release(id), let .cancel(id): id
        }
    }

    /// The EIP-712 type hash of this attestation's type.
    public var typeHash: Bytes32 {
        switch self {
        case .release: Self.releaseTypeHash
        case .cancel: Self.cancelTypeHash
        }
    }

    /// `hashStruct`: `keccak256(typeHash || messageId)`.
    public var structHash: Bytes32 { EIP712.hash(typeHash, messageId) }

    /// The digest to sign in `domain` (normally `EIP712Domain.ferry(chainId:gateway:)` of the destination).
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
