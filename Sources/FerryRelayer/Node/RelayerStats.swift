import Synchronization

/// Counters a relayer node keeps for metrics and tests. Thread-safe; reading takes a snapshot.
public final class RelayerStats: Sendable {
    /// A point-in-time copy of the counters.
    public struct Snapshot: Sendable, Hashable {
        /// Attestations signed by this node, by kind.
        public var signed: [AttestationKind: Int] = [:]
        /// Peer attestations taken in as candidates (well-formed, from a member, not yet verified).
        public var received = 0
        /// Peer attestations that verified when an executor needed them, by kind.
        public var accepted: [AttestationKind: Int] = [:]
        /// Peer attestations rejected, by reason: at receipt (unknown chain, malformed, not a member) or when
        /// an executor checked them (signer mismatch).
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
        /// Locks not attested because the registry does not list their asset pair.
        public var unlistedPairs = 0
        /// Heads whose time was too far ahead of this node's clock to decide cancels on.
        public var untrustedHeads = 0
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
    private let latencyObservers = Mutex<[@Sendable (UInt64) -> Void]>([])

    public init() {}

    /// A copy of the counters now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }

    /// Calls `observer` with every attestation-to-release latency recorded from now on, in milliseconds of chain
    /// time (how a metrics exporter keeps a proper histogram). Observers run on the node's task; keep them short.
    public func observeReleaseLatency(_ observer: @escaping @Sendable (UInt64) -> Void) {
        latencyObservers.withLock { $0.append(observer) }
    }

    func recordReleaseLatency(_ millis: UInt64) {
        for observer in latencyObservers.withLock({ $0 }) { observer(millis) }
        update { s in
            s.releaseLatencyMillisSum += millis
            s.releaseLatencyCount += 1
            let bucket = millis == 0 ? 0 : min(23, 63 - millis.leadingZeroBitCount)
            s.releaseLatencyBuckets[bucket] += 1
        }
    }
}
