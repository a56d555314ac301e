public import FerryCore

/// The deterministic rule that cuts one source gateway's finalized locks into checkpoints for one destination, so
/// that honest relayers sign the same root without talking first (docs/architecture.md, "Checkpoints").
///
/// A batch for destination `D` starts at `firstNonce`, the destination gateway's `nextCommitNonce(source)`. Its
/// leaves are the message ids of the locks to `D` from that nonce on, in nonce order. It closes at
/// ``maxLeaves`` (B) leaves, or once the source's finalized time reaches the first leaf's block time plus
/// ``windowMillis`` (W), with the leaves whose block time is before that; whichever comes first. Its range ends
/// at the last leaf's nonce (locks to other chains after it fall into the next range). Every input is finalized
/// source data, and a lock's block time never decreases with its nonce, so every relayer that has seen the
/// same finalized chain cuts the same batch; one whose view has a gap in the range cuts none.
///
/// Not yet wired into the relayer node (issue 15): the node still takes the per-transfer path.
public struct CheckpointBatchRule: Sendable, Hashable {
    /// B: the most leaves a batch takes, 1 to ``MerkleTree/maxLeaves``. Default 128, what one Vyper `releaseBatch` carries.
    public let maxLeaves: Int
    /// W: how long after its first leaf's block a batch waits for more, in milliseconds of source-chain time. Default 2,000.
    public let windowMillis: UInt64

    /// B = 128, W = 2 s.
    public static let standard = CheckpointBatchRule(validated: 128, windowMillis: 2_000)

    /// A rule with B = `maxLeaves` and W = `windowMillis`.
    /// - Throws: ``CheckpointRuleError/maxLeavesOutOfRange(_:)`` unless `1 <= maxLeaves <= 256`.
    public init(maxLeaves: Int, windowMillis: UInt64) throws(CheckpointRuleError) {
        guard (1...MerkleTree.maxLeaves).contains(maxLeaves) else { throw .maxLeavesOutOfRange(maxLeaves) }
        self.init(validated: maxLeaves, windowMillis: windowMillis)
    }

    private init(validated maxLeaves: Int, windowMillis: UInt64) {
        self.maxLeaves = maxLeaves
        self.windowMillis = windowMillis
    }

    /// One finalized lock of the source gateway, as the rule sees it.
    public struct Lock: Sendable, Hashable {
        /// The transfer the lock recorded (its nonce, destination and message id are what the rule reads).
        public let transfer: Transfer
        /// Time of the block the lock is in, unix milliseconds.
        public let blockTimeMillis: UInt64

        /// A finalized lock of `transfer` in a block of time `blockTimeMillis`.
        public init(transfer: Transfer, blockTimeMillis: UInt64) {
            self.transfer = transfer
            self.blockTimeMillis = blockTimeMillis
        }
    }

    /// A closed batch: the checkpoint to sign and its tree (proofs for the releases).
    public struct Batch: Sendable, Hashable {
        /// What relayers sign, in the destination gateway's domain.
        public let checkpoint: FerryCheckpoint
        /// The leaves' transfers, in nonce order.
        public let transfers: [Transfer]
        /// The Merkle tree of their message ids.
        public let tree: MerkleTree
    }

    /// The next batch to `destination`, or nil while it is still open (or the view has a gap).
    /// - Parameters:
    ///   - locks: finalized locks of the source gateway, to every destination, in any order; only nonces from
    ///     `firstNonce` on are read, and each must appear at most once.
    ///   - firstNonce: where the destination's next range must start (its `nextCommitNonce(source)`).
    ///   - finalizedTimeMillis: the time of the source's finalized block the locks were read up to.
    public func nextBatch(to destination: ChainID, from source: ChainID, firstNonce: UInt64, locks: [Lock],
                          finalizedTimeMillis: UInt64) -> Batch? {
        let ordered = locks.filter { $0.transfer.nonce >= firstNonce && $0.transfer.sourceChain == source }
            .sorted { $0.transfer.nonce < $1.transfer.nonce }
        guard let first = ordered.first(where: { $0.transfer.destChain == destination }) else { return nil }
        let closesAt = first.blockTimeMillis.addingReportingOverflow(windowMillis)
        let windowEnd = closesAt.overflow ? UInt64.max : closesAt.partialValue
        var leaves: [Lock] = []
        for lock in ordered where lock.transfer.destChain == destination {
            guard lock.blockTimeMillis < windowEnd, leaves.count < maxLeaves else { break }
            leaves.append(lock)
        }
        guard leaves.count == maxLeaves || finalizedTimeMillis >= windowEnd, let last = leaves.last else { return nil }
        // The range must be complete in this view: every nonce from firstNonce to the last leaf, exactly once.
        let range = ordered.prefix { $0.transfer.nonce <= last.transfer.nonce }
        guard range.count == Int(clamping: last.transfer.nonce - firstNonce) + 1,
              range.enumerated().allSatisfy({ $0.element.transfer.nonce == firstNonce + UInt64($0.offset) }) else { return nil }
        let transfers = leaves.map(\.transfer)
        guard let tree = try? MerkleTree(transfers: transfers) else { return nil }
        let checkpoint = FerryCheckpoint(sourceChain: source.rawValue, root: tree.root, firstNonce: firstNonce,
                                         lastNonce: last.transfer.nonce, count: UInt32(transfers.count))
        return Batch(checkpoint: checkpoint, transfers: transfers, tree: tree)
    }
}

/// A checkpoint batch rule that cannot be used.
public enum CheckpointRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// B must be 1 to 256 (a root holds at most 256 leaves).
    case maxLeavesOutOfRange(Int)

    public var description: String {
        switch self {
        case let .maxLeavesOutOfRange(value): "checkpoint batch size must be 1 to \(MerkleTree.maxLeaves), got \(value)"
        }
    }
}
