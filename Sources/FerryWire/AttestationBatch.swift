public import FerryCore

/// The payload of an `attestations` frame: up to ``maxEntries`` attestations in one frame, without transfers.
///
/// Relayers sign in batches (every lock that became final in a block), so steady-state gossip sends one
/// frame per batch instead of one per signature. Answers to a ``AttestationRequest`` still use single
/// `attestation` frames with the transfer included.
public struct AttestationBatch: Sendable, Hashable {
    /// Most entries one frame may carry: `3 + 126 * 32 = 4035` bytes, under the 4096-byte frame cap.
    public static let maxEntries = 32

    /// The attestations, in the order they were written; 1 to ``maxEntries``, none with a transfer.
    public let entries: [Attestation]

    /// Creates a batch.
    /// - Throws: ``FrameError`` (`badField`) for no entry, more than ``maxEntries``, or an entry that carries
    ///   its transfer (batches never do; send that one as a single `attestation` frame).
    public init(_ entries: [Attestation]) throws(FrameError) {
        guard !entries.isEmpty else { throw FrameError(.badField, "an attestation batch holds at least one entry") }
        guard entries.count <= Self.maxEntries else {
            throw FrameError(.badField, "\(entries.count) attestations, at most \(Self.maxEntries) per batch")
        }
        if let index = entries.firstIndex(where: { $0.transfer != nil }) {
            throw FrameError(.badField, "batch entry \(index) carries a transfer; batches carry none")
        }
        self.entries = entries
    }

    /// Splits `attestations` into as few batches as the cap allows (their transfers are dropped).
    public static func batches(of attestations: [Attestation]) -> [AttestationBatch] {
        var out: [AttestationBatch] = []
        var start = 0
        while start < attestations.count {
            let end = min(start + maxEntries, attestations.count)
            let slice = attestations[start..<end].map { $0.withoutTransfer }
            if let batch = try? AttestationBatch(slice) { out.append(batch) }  // 1...maxEntries, no transfers: cannot fail
            start = end
        }
        return out
    }
}

extension Attestation {
    /// The same attestation without its transfer.
    var withoutTransfer: Attestation {
        guard transfer != nil else { return self }
        // Dropping the transfer removes the only field `init` cross-checks.
        return (try? Attestation(destChain: destChain, messageId: messageId, action: action, signer: signer, signature: signature)) ?? self
    }
}
