public import FerryCrypto

extension GatewayCall {
    /// The same call with its attestation signatures in strictly ascending signer order, the order every Ferry
    /// gateway requires (docs/architecture.md, "Gateway rules"). Signers are recovered from the attestation the
    /// call needs (`Release`, `Cancel` or `Refund` of its message id, or the `Checkpoint` of a commit) in `domain`,
    /// the gateway's own; signatures that recover to nothing keep their place at the end, for the gateway to
    /// refuse. Adapters call this so callers may pass signatures in any order.
    public func withSignaturesOrdered(in domain: EIP712Domain) -> GatewayCall {
        func ordered(_ signatures: [Signature], _ digest: Bytes32) -> [Signature] {
            let keyed = signatures.map { (signer: try? $0.recoverAddress(digest: digest), signature: $0) }
            let good = keyed.compactMap { entry in entry.signer.map { ($0, entry.signature) } }.sorted { $0.0 < $1.0 }
            return good.map(\.1) + keyed.filter { $0.signer == nil }.map(\.signature)
        }
        switch self {
        case .lock, .releaseBatch:
            return self
        case let .release(t, signatures, onward):
            return .release(t, signatures: ordered(signatures, FerryAttestation.release(messageId: t.messageId).digest(in: domain)),
                            onward: onward)
        case let .cancel(t, signatures):
            return .cancel(t, signatures: ordered(signatures, FerryAttestation.cancel(messageId: t.messageId).digest(in: domain)))
        case let .refund(t, signatures):
            return .refund(t, signatures: ordered(signatures, FerryAttestation.refund(messageId: t.messageId).digest(in: domain)))
        case let .commit(checkpoint, signatures):
            return .commit(checkpoint, signatures: ordered(signatures, checkpoint.digest(in: domain)))
        }
    }
}
