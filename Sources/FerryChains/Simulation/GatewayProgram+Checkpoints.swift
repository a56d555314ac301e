import FerryCore
import FerryCrypto

/// Checkpoints on the simulated gateway, the same rules as `commit`, `releaseWithProof` and `releaseBatch` of the
/// Vyper gateway (docs/architecture.md, "Checkpoints"): one k-of-n `Checkpoint` attestation records a Merkle root
/// of a contiguous nonce range of one source; each of its transfers is then released with a Merkle proof, under
/// every rule of a release (once only, never after a cancel, until the deadline, pairs, rate limits, reserve).
extension GatewayProgram {
    /// The most transfers one batch release carries (a root holds at most ``MerkleTree/maxLeaves``).
    static let maxBatch = MerkleTree.maxLeaves

    func commit(_ checkpoint: FerryCheckpoint, _ signatures: [Signature], state: inout LedgerState) throws(ExecutionFailure) -> GatewayOutcome {
        let root = checkpoint.root
        guard !root.isZero else { throw .rejected("zero root") }
        guard state.gateway.commitments[root] == nil else { throw .rejected("root \(root) already committed") }
        let source = ChainID(checkpoint.sourceChain)
        guard source != chain else { throw .rejected("checkpoint source \(source) is this chain") }
        guard (1...UInt32(MerkleTree.maxLeaves)).contains(checkpoint.count) else {
            throw .rejected("checkpoint count must be 1 to \(MerkleTree.maxLeaves), got \(checkpoint.count)")
        }
        guard checkpoint.firstNonce <= checkpoint.lastNonce else {
            throw .rejected("checkpoint nonce range \(checkpoint.firstNonce)...\(checkpoint.lastNonce) is empty")
        }
        guard checkpoint.lastNonce - checkpoint.firstNonce >= UInt64(checkpoint.count) - 1 else {
            throw .rejected("checkpoint has more leaves (\(checkpoint.count)) than nonces in \(checkpoint.firstNonce)...\(checkpoint.lastNonce)")
        }
        let expected: UInt64
        if let through = state.gateway.committedThrough[source] {
            let (next, overflow) = through.addingReportingOverflow(1)
            guard !overflow else { throw .rejected("every nonce of \(source) is committed") }
            expected = next
        } else {
            expected = 0
        }
        guard checkpoint.firstNonce == expected else {
            throw .rejected("checkpoint nonce range is not contiguous: \(source)'s next range starts at \(expected), not \(checkpoint.firstNonce)")
        }
        try verifyAttestations(signatures, digest: checkpoint.digest(in: domain), what: "Checkpoint")
        state.setCommitment(Commitment(sourceChain: source, firstNonce: checkpoint.firstNonce, lastNonce: checkpoint.lastNonce,
                                       count: checkpoint.count), for: root)
        state.setCommittedThrough(checkpoint.lastNonce, for: source)
        return .committed(root: root)
    }

    func releaseBatch(root: Bytes32, _ transfers: [Transfer], proofs: [[Bytes32]], state: inout LedgerState, nowMillis: UInt64,
                      height: UInt64) throws(ExecutionFailure) -> GatewayOutcome {
        guard !transfers.isEmpty else { throw .rejected("empty batch") }
        guard transfers.count <= Self.maxBatch else { throw .rejected("a batch releases at most \(Self.maxBatch) transfers, got \(transfers.count)") }
        guard transfers.count == proofs.count else {
            throw .rejected("one proof per transfer: \(transfers.count) transfers, \(proofs.count) proofs")
        }
        guard let commitment = state.gateway.commitments[root] else { throw .rejected("root \(root) not committed") }
        var released: [Bytes32] = []
        for (index, transfer) in transfers.enumerated() {
            let messageId = try checkRelease(transfer, state: state, nowMillis: nowMillis)
            guard transfer.sourceChain == commitment.sourceChain else {
                throw .rejected("transfer \(index) (\(messageId)) is from \(transfer.sourceChain), not the checkpoint's source \(commitment.sourceChain)")
            }
            guard (commitment.firstNonce...commitment.lastNonce).contains(transfer.nonce) else {
                throw .rejected("transfer \(index) (\(messageId)) has nonce \(transfer.nonce), outside the checkpoint's range "
                    + "\(commitment.firstNonce)...\(commitment.lastNonce)")
            }
            guard MerkleTree.verify(leaf: messageId, proof: proofs[index], root: root) else {
                throw .rejected("transfer \(index) (\(messageId)): proof does not match the committed root \(root)")
            }
            guard !transfer.forwards else {
                throw .rejected("transfer \(index) (\(messageId)) forwards; a forwarding hop is released with its onward hops, one by one")
            }
            _ = try settleRelease(transfer, messageId: messageId, onward: [], state: &state, nowMillis: nowMillis, height: height)
            released.append(messageId)
        }
        return .releasedBatch(messageIds: released)
    }
}
