import FerryCore
import FerryChains
import DequeModule
import HeapModule
import Synchronization

/// A lock seen in a chain's events, before the book decides what it means.
struct LockSighting: Sendable {
    let messageId: Bytes32
    let transfer: Transfer
    let height: UInt64
    let blockHash: Bytes32
}

/// A submission as the node tracks it (the journal's `submission` row).
struct SubmissionInfo: Sendable, Hashable {
    var state: SubmissionState
    var txHash: Bytes32?
    var updatedAtMillis: UInt64
}

/// A transfer in progress, as the node holds it in memory (the journal holds the same, durably).
struct OpenTransfer: Sendable {
    let transfer: Transfer
    var state: TransferState
    var lockHeight: UInt64
    /// This node's own signatures, by kind.
    var own: [AttestationKind: Signature] = [:]
    /// Peers' signatures that verified (checked for a submission, or reloaded from the journal), by kind and signer.
    var verified: [AttestationKind: [EthereumAddress: Signature]] = [:]
    var submissions: [SubmissionAction: SubmissionInfo] = [:]
    /// When this node last published its own signatures for the transfer (chain-time ms).
    var publishedAtMillis: UInt64 = 0
    /// Where the transfer sits in a multi-hop route, when it is a hop of one.
    var route: RouteLink?
    /// A forwarding hop's onward route, read from its source gateway and checked (cached for resubmissions).
    var onward: [Transfer]?
}

/// A peer's attestation not yet verified: who it claims to be from, and the signature.
struct Candidate: Sendable, Hashable {
    let signer: EthereumAddress
    let signature: Signature
}

struct CandidateKey: Sendable, Hashable {
    let messageId: Bytes32
    let kind: AttestationKind
}

/// What a relayer node knows about the transfers in progress, kept in memory and mirrored, change by change,
/// into the journal through a ``JournalPipeline``.
///
/// Every mutation that must be durable describes itself as a ``JournalBatch`` and queues it to the pipeline
/// inside the same critical section, so the journal sees changes in exactly the order the book made them.
/// Peers' attestations are held unverified (bounded per id, signer and in total) until an executor needs
/// them: a signature is checked at most once, and only when it could matter. Thread-safe; short critical
/// sections, never across an `await`.
final class TransferBook: Sendable {
    struct State {
        var open: [Bytes32: OpenTransfer] = [:]
        /// `seen` locks by source chain, in the order they were seen (heights ascending; reorgs remove a suffix).
        var awaitingFinality: [ChainID: Deque<(height: UInt64, id: Bytes32)>] = [:]
        /// Live transfers by destination chain and deadline (lazily cleaned: settled ids are skipped).
        var deadlines: [ChainID: Heap<DeadlineEntry>] = [:]
        var candidates: [CandidateKey: [Candidate]] = [:]
        /// Candidate keys in arrival order, for evicting those of ids this node never learns about.
        var candidateOrder = Deque<CandidateKey>()
        /// Recently settled ids (released, refunded, orphaned), to recognise late attestations as replays.
        var settled = Set<Bytes32>()
        var settledOrder = Deque<Bytes32>()
        /// Signatures from each signer that failed verification: such signers' candidates are tried last.
        var failures: [EthereumAddress: Int] = [:]
        /// Multi-hop routes: the link the next hop of each forwarding transfer gets, keyed by that hop's route
        /// commitment (the forwarding transfer's payload hash). Dropped when the next hop settles, or when the
        /// forwarding transfer is refunded instead.
        var routeAwaiting: [Bytes32: RouteLink] = [:]
        /// Trusted heads seen per chain (height ascending, bounded): the time of the newest one at or below the
        /// finalized height is the chain time cancels are decided on.
        var headTimes: [ChainID: Deque<BlockRef>] = [:]
    }

    struct DeadlineEntry: Comparable, Sendable {
        let deadline: UInt64
        let id: Bytes32
        static func < (a: DeadlineEntry, b: DeadlineEntry) -> Bool { (a.deadline, a.id) < (b.deadline, b.id) }
    }

    /// Most candidate keys held (ids x kinds), and most candidates per key.
    static let maxCandidateKeys = 200_000
    static let maxCandidatesPerSigner = 2
    static let maxSettledRemembered = 100_000

    let pipeline: JournalPipeline
    let me: EthereumAddress
    let state = Mutex(State())

    init(pipeline: JournalPipeline, me: EthereumAddress) {
        self.pipeline = pipeline
        self.me = me
    }

    /// Runs `body` on the state with a batch stamped `now`, and queues the batch in the same critical section.
    /// - Returns: `body`'s result and the batch's sequence number (pass it to ``JournalPipeline/durable(_:)``).
    func mutate<T: Sendable>(at now: UInt64, _ body: (inout State, inout JournalBatch) -> T) -> (T, UInt64) {
        state.withLock { s in
            var batch = JournalBatch(atMillis: now)
            let result = body(&s, &batch)
            return (result, pipeline.enqueue(batch))
        }
    }

    func read<T: Sendable>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    /// The transfer with this id, if in progress.
    func transfer(_ id: Bytes32) -> OpenTransfer? { state.withLock { $0.open[id] } }

    var openCount: Int { state.withLock { $0.open.count } }
}

extension TransferBook.State {
    /// Adds a transfer in progress and indexes it.
    mutating func insert(_ id: Bytes32, _ entry: OpenTransfer) {
        open[id] = entry
        settled.remove(id)  // an orphaned lock mined again
        if entry.state == .seen { awaitingFinality[entry.transfer.sourceChain, default: []].append((entry.lockHeight, id)) }
        deadlines[entry.transfer.destChain, default: Heap()].insert(.init(deadline: entry.transfer.deadline, id: id))
    }

    /// Moves `id` to `next`, journaling the move; a move the state machine forbids is refused (false).
    @discardableResult
    mutating func move(_ id: Bytes32, to next: TransferState, note: String? = nil, _ batch: inout JournalBatch) -> Bool {
        guard var entry = open[id] else { return false }
        guard entry.state != next else { return true }
        guard entry.state.canMove(to: next) else { return false }
        batch.append(.move(id, from: entry.state, to: next, note: note))
        // The chain did what a submission of this node asked for (or another relayer did): it is confirmed.
        let done: SubmissionAction? = switch next { case .released: .release; case .cancelled: .cancel; case .refunded: .refund; default: nil }
        if let done, entry.submissions[done] != nil {
            batch.append(.submission(done, id, state: .confirmed, txHash: nil, error: nil))
            entry.submissions[done]?.state = .confirmed
        }
        entry.state = next
        if entry.route != nil { unlinkRoute(entry.transfer, settledAs: next) }
        if next.isTerminal {
            forget(id)
        } else {
            open[id] = entry
        }
        return true
    }

    /// Where a newly seen lock sits in a multi-hop route: the next hop of a forwarding transfer seen before, or
    /// the first hop of a new route when it forwards itself (nil for a single-hop transfer). A forwarding
    /// transfer also registers the link its own next hop will get.
    mutating func linkRoute(_ id: Bytes32, _ transfer: Transfer) -> RouteLink? {
        var link: RouteLink?
        if !routeAwaiting.isEmpty, let parent = routeAwaiting[transfer.routeCommitment] { link = parent }
        if link == nil, transfer.forwards { link = RouteLink(routeID: id, hop: 0) }
        if let link, transfer.forwards { routeAwaiting[transfer.payloadHash] = RouteLink(routeID: link.routeID, hop: link.hop + 1) }
        return link
    }

    /// Drops route links no longer needed once a hop settles: its own (it can no longer be seen again), and the
    /// one its next hop would have got when it was refunded instead of forwarded.
    mutating func unlinkRoute(_ transfer: Transfer, settledAs state: TransferState) {
        guard state == .released || state == .refunded else { return }
        routeAwaiting[transfer.routeCommitment] = nil
        if state == .refunded, transfer.forwards { routeAwaiting[transfer.payloadHash] = nil }
    }

    /// Drops a settled transfer from memory (the journal keeps it until pruned).
    mutating func forget(_ id: Bytes32) {
        open[id] = nil
        for kind in AttestationKind.allCases { candidates[CandidateKey(messageId: id, kind: kind)] = nil }
        if settled.insert(id).inserted {
            settledOrder.append(id)
            if settledOrder.count > TransferBook.maxSettledRemembered, let old = settledOrder.popFirst() { settled.remove(old) }
        }
    }

    /// Distinct signers whose `kind` signatures this node holds for `id`: own, verified and candidates.
    func signerCount(_ id: Bytes32, _ kind: AttestationKind, me: EthereumAddress) -> Int {
        var signers = Set<EthereumAddress>()
        if let entry = open[id] {
            if entry.own[kind] != nil { signers.insert(me) }
            if let verified = entry.verified[kind] { signers.formUnion(verified.keys) }
        }
        for c in candidates[CandidateKey(messageId: id, kind: kind)] ?? [] where c.signer != me { signers.insert(c.signer) }
        return signers.count
    }

    /// Bounds the candidates held for ids this node does not have open (unknown yet, or long settled), and
    /// drops the arrival-order entries of keys that no longer hold candidates.
    mutating func evictCandidates() {
        var budget = candidateOrder.count
        while candidateOrder.count > TransferBook.maxCandidateKeys, budget > 0, let oldest = candidateOrder.popFirst() {
            budget -= 1
            if open[oldest.messageId] != nil, candidates[oldest] != nil { candidateOrder.append(oldest) } else { candidates[oldest] = nil }
        }
        if candidateOrder.count > 1_024, candidateOrder.count > 2 * candidates.count {
            var seen = Set<CandidateKey>()
            candidateOrder = Deque(candidateOrder.filter { candidates[$0] != nil && seen.insert($0).inserted })
        }
    }

    /// Keeps the deadline heaps from filling with settled ids.
    mutating func compactDeadlines() {
        for (chain, heap) in deadlines where heap.count > 4_096 && heap.count > 2 * open.count {
            deadlines[chain] = Heap(heap.unordered.filter { open[$0.id] != nil })
        }
    }
}
