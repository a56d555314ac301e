public import FerryCore
public import FerryCrypto

/// The payload of an `attestation` frame: one relayer's signature releasing or cancelling one transfer.
public struct Attestation: Sendable, Hashable {
    /// The destination chain (the EIP-712 domain's `chainId`).
    public let destChain: ChainID
    /// The transfer's id, `keccak256(abi.encode(transfer))`.
    public let messageId: Bytes32
    /// Release or cancel.
    public let action: AttestationAction
    /// The address the relayer claims to sign as (the collector checks it against the recovered one).
    public let signer: SignerAddress
    /// `r || s || v` over the EIP-712 digest of `Release(messageId)` or `Cancel(messageId)`.
    public let signature: AttestationSignature
    /// The transfer itself, so a peer that missed the `Locked` event can check it; optional on the wire.
    public let transfer: Transfer?

    /// Creates an attestation.
    /// - Throws: ``FrameError`` (`badField`) when `transfer` is given but its `destChain` or `messageId`
    ///   differ from the ones given (a frame must not describe two transfers).
    public init(destChain: ChainID, messageId: Bytes32, action: AttestationAction, signer: SignerAddress,
                signature: AttestationSignature, transfer: Transfer? = nil) throws(FrameError) {
        if let transfer {
            guard transfer.destChain == destChain else {
                throw FrameError(.badField, "transfer is for \(transfer.destChain), attestation for \(destChain)")
            }
            guard transfer.messageId == messageId else {
                throw FrameError(.badField, "transfer hashes to \(transfer.messageId), attestation names \(messageId)")
            }
        }
        self.destChain = destChain
        self.messageId = messageId
        self.action = action
        self.signer = signer
        self.signature = signature
        self.transfer = transfer
    }
}
