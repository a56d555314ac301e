import Synchronization

/// Counters a relayer node keeps for metrics and tests. Thread-safe; reading takes a snapshot.
public final class RelayerStats: Sendable {
    /// A point-in-time copy of the counters.
    public struct Snapshot: Sendable, Hashable {
        /// Attestations signed by this node, by kind.
        public var signed: [AttestationKind: Int] = [:]
        /// Peer attestations accepted, by kind.
        public var accepted: [AttestationKind: Int] = [:]
        /// Peer attestations rejected, by reason.
        public var rejected: [AttestationRejection: Int] = [:]
        /// Gateway calls this node submitted, by action.
        public var submitted: [SubmissionAction: Int] = [:]
        /// Submissions the chain refused or dropped, by action.
        public var failedSubmissions: [SubmissionAction: Int] = [:]
        /// Outcomes observed on chain (released, cancelled, refunded), counted once per transfer per node.
        public var observed: [TransferState: Int] = [:]
        /// Valid attestations for transfers already settled here (late republishing or replays), ignored.
        public var replays = 0
        /// Reorg notices handled.
        public var reorgs = 0
        /// Milliseconds from reaching the attestation threshold to seeing the release, summed, with the count,
        /// plus a log2 histogram (bucket i counts latencies in [2^i, 2^(i+1)) ms).
        public var releaseLatencyMillisSum: UInt64 = 0
        public var releaseLatencyCount = 0
        public var releaseLatencyBuckets = [Int](repeating: 0, count: 24)
        /// Height the node has processed, by chain.
        public var processedHeight: [UInt64: UInt64] = [:]
        /// Newest head seen, by chain.
        public var headHeight: [UInt64: UInt64] = [:]
    }

    private let state = Mutex(Snapshot())

    public init() {}

    /// A copy of the counters now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }

    func recordReleaseLatency(_ millis: UInt64) {
        update { s in
            s.releaseLatencyMillisSum += millis
            s.releaseLatencyCount += 1
            let bucket = millis == 0 ? 0 : min(23, 63 - millis.leadingZeroBitCount)
            s.releaseLatencyBuckets[bucket] += 1
        }
    }
}
