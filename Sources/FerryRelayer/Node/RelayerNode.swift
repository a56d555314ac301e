public import FerryChains
public import FerryCore
public import FerryWire
public import Logging
import Synchronization

/// What a relayer node needs besides its journal and gossip socket.
public struct RelayerNodeConfiguration: Sendable {
    /// A name for logs.
    public var nodeID: String
    /// The key this node signs attestations and gateway transactions with.
    public var key: PrivateKey
    /// The chains this node watches and serves, by id.
    public var adapters: [ChainID: any ChainAdapter]
    /// Base delay before a backup executor acts (doubling with rank), in milliseconds of chain time.
    public var graceMillis: UInt64 = 2_000
    /// How often to republish this node's attestations for transfers still waiting, in milliseconds.
    public var resendMillis: UInt64 = 5_000
    /// Terminal transfers are pruned from the journal after this long.
    public var pruneAfterMillis: UInt64 = 7 * 24 * 3_600_000
    /// Where to start reading a chain that has no journal cursor yet (default 0).
    public var startHeights: [ChainID: UInt64] = [:]
    /// How far ahead of this node's clock a chain's head time may be, in milliseconds (default 30 s). A head
    /// further ahead is not trusted for time: no cancel is decided on it (see docs/architecture.md).
    public var maxClockDriftMillis: UInt64 = 30_000
    /// Asset pairs this node attests besides those of the same registry symbol on both chains, as
    /// (source chain, source asset, destination chain, destination asset).
    public var extraAssetPairs: Set<AssetPairKey> = []

    public init(nodeID: String, key: PrivateKey, adapters: [ChainID: any ChainAdapter]) {
        self.nodeID = nodeID
        self.key = key
        self.adapters = adapters
    }
}

/// A Ferry relayer: watches source gateways, signs EIP-712 attestations for final locks, gossips them, and
/// executes releases (or cancels and refunds after deadlines) once `k` of `n` relayers agree.
///
/// The node keeps the transfers in progress in memory (``TransferBook``) and journals every change before the
/// action it enables, in groups (``JournalPipeline``): a signature is on disk before it is gossiped, a
/// submission intent before the transaction is sent. Peers' signatures are checked lazily, by the executor,
/// and only as many as a submission needs. Every action first asks the chain for its own record of the
/// message id, so a restarted node neither loses nor repeats anything. ``run()`` works until its task is
/// cancelled or the gossip node is closed.
public final class RelayerNode: Sendable {
    public let configuration: RelayerNodeConfiguration
    public let journal: Journal
    public let gossip: GossipNode
    public let clock: LedgerClock
    public let stats = RelayerStats()
    let logger: Logger
    let queue = ExecutionQueue()
    let pipeline: JournalPipeline
    let book: TransferBook
    let signer: PrivateKeySigner
    let me: EthereumAddress
    /// Groups of due actions being performed right now.
    let executing = Atomic<Int>(0)

    public init(configuration: RelayerNodeConfiguration, journal: Journal, gossip: GossipNode, clock: LedgerClock, logger: Logger) {
        self.configuration = configuration
        self.journal = journal
        self.gossip = gossip
        self.clock = clock
        var logger = logger
        logger[metadataKey: "relayer"] = "\(configuration.nodeID)"
        self.logger = logger
        signer = PrivateKeySigner(configuration.key)
        me = configuration.key.address
        pipeline = JournalPipeline(journal: journal)
        book = TransferBook(pipeline: pipeline, me: configuration.key.address)
    }

    /// What the node learns from the gateways at start-up.
    struct Context: Sendable {
        let collector: AttestationCollector
        let schedules: [ChainID: ExecutorSchedule]
    }

    /// Runs the node: the journal writer, one watcher per chain, the gossip receiver, the executor and housekeeping.
    public func run() async throws {
        let context = try await makeContext()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.pipeline.run() }
            try await restore(context)
            logger.info("relayer started", metadata: [
                "address": "\(me.checksummed)", "chains": "\(configuration.adapters.keys.map(\.rawValue).sorted())",
                "open_transfers": "\(book.openCount)",
            ])
            for chain in configuration.adapters.keys {
                group.addTask { try await self.watch(chain, context) }
            }
            group.addTask { await self.receive(context) }
            group.addTask { try await self.executeLoop(context) }
            group.addTask { try await self.maintain(context) }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// How many distinct relayers' `kind` signatures this node holds for `messageId` while the transfer is in
    /// progress (its own, verified ones and unverified ones from peers); nil once settled or unknown.
    public func attestationCount(_ messageId: Bytes32, kind: AttestationKind = .release) -> Int? {
        book.read { s in s.open[messageId] == nil ? nil : s.signerCount(messageId, kind, me: me) }
    }

    /// True when nothing is due at chain time `millis`: every due action was taken and performed, and every
    /// journal batch written. A driver of a virtual clock waits for this so chain time never outruns the node.
    public func isCaughtUp(atMillis millis: UInt64) -> Bool {
        guard executing.load(ordering: .acquiring) == 0 else { return false }
        guard pipeline.backlog == 0 else {
            pipeline.flush()
            return false
        }
        return (queue.nextDue.map { $0 > millis }) ?? true
    }

    private func makeContext() async throws -> Context {
        var gateways: [ChainID: AttestationCollector.Gateway] = [:]
        var schedules: [ChainID: ExecutorSchedule] = [:]
        for (chain, adapter) in configuration.adapters {
            let set = try await retrying("relayer set of \(chain)") { try await adapter.relayerSet() }
            if !set.members.contains(me) {
                logger.warning("this node is not in the relayer set of \(chain); it will not be counted there")
            }
            gateways[chain] = .init(domain: adapter.info.attestationDomain, members: Set(set.members), threshold: set.threshold)
            schedules[chain] = ExecutorSchedule(relayers: set.members, graceMillis: configuration.graceMillis)
        }
        return Context(collector: AttestationCollector(gateways: gateways), schedules: schedules)
    }

    /// Retries transient chain errors with exponential backoff on the node's clock.
    func retrying<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var delay: UInt64 = 250
        while true {
            do {
                return try await body()
            } catch {
                guard let chainError = error as? ChainError, chainError.isTransient else { throw error }
                logger.warning("\(what) failed, retrying in \(delay) ms: \(chainError)")
                try await clock.sleep(untilUnixMillis: clock.unixMillis + delay)
                delay = min(delay * 2, 30_000)
            }
        }
    }

    var now: UInt64 { clock.unixMillis }

    /// Queues an action whose attestations reached the threshold, at this node's turn in the executor schedule.
    func scheduleReady(_ id: Bytes32, _ action: SubmissionAction, destChain: ChainID, _ context: Context) {
        let pending = PendingAction(messageId: id, action: action)
        let since = queue.ready(pending) ?? now
        let delay = context.schedules[destChain]?.delayMillis(for: me, messageId: id) ?? configuration.graceMillis * 64
        queue.schedule(pending, at: since + delay, readySince: since)
    }

    // MARK: Restart

    /// Reloads the transfers in progress from the journal, signs what a crash left unsigned, queues every pending
    /// action (each first asks the chain), and asks the peers to republish what this node may have missed.
    private func restore(_ context: Context) async throws {
        let open = try await journal.openState()
        if !open.routeTails.isEmpty {
            book.state.withLock { s in  // memory only: the links come from the journal
                for tail in open.routeTails {
                    guard let routeID = tail.routeID, let hop = tail.hopIndex else { continue }
                    s.routeAwaiting[tail.transfer.payloadHash] = RouteLink(routeID: routeID, hop: hop + 1)
                }
            }
        }
        guard !open.entries.isEmpty else { return }
        var signatures: [Bytes32: [(AttestationRecord)]] = [:]
        for record in open.attestations { signatures[record.messageId, default: []].append(record) }
        var submissions: [Bytes32: [SubmissionRecord]] = [:]
        for record in open.submissions { submissions[record.messageId, default: []].append(record) }
        let (unsigned, _) = book.mutate(at: now) { s, _ -> [Transfer] in
            var unsigned: [Transfer] = []
            for e in open.entries {
                let route = e.routeID.flatMap { id in e.hopIndex.map { RouteLink(routeID: id, hop: $0) } }
                var entry = OpenTransfer(transfer: e.transfer, state: e.state, lockHeight: e.lockHeight, route: route)
                for record in signatures[e.messageId] ?? [] {
                    guard let signature = try? Signature(rsv: record.signature), let signer = try? EthereumAddress(bytes: record.signer) else { continue }
                    if signer == me { entry.own[record.kind] = signature } else { entry.verified[record.kind, default: [:]][signer] = signature }
                }
                for record in submissions[e.messageId] ?? [] {
                    entry.submissions[record.action] = SubmissionInfo(state: record.state, txHash: record.txHash, updatedAtMillis: record.updatedAtMillis)
                }
                if e.state == .final, entry.own[.release] == nil { unsigned.append(e.transfer) }
                s.insert(e.messageId, entry)
            }
            return unsigned
        }
        if !unsigned.isEmpty {
            logger.info("signing \(unsigned.count) final transfers a restart left unsigned")
            try await attest(unsigned, kind: .release, context)
        }
        var requested: [Bytes32] = []
        for e in open.entries {
            switch e.state {
            case .final, .attested, .submitted:
                scheduleReady(e.messageId, .release, destChain: e.transfer.destChain, context)
                requested.append(e.messageId)
            case .cancelled:
                scheduleReady(e.messageId, .refund, destChain: e.transfer.destChain, context)
                requested.append(e.messageId)
            case .seen, .released, .refunded, .orphaned:
                break
            }
            if book.transfer(e.messageId)?.own[.cancel] != nil, e.state != .cancelled {
                scheduleReady(e.messageId, .cancel, destChain: e.transfer.destChain, context)
            }
        }
        requestAttestations(requested)
        logger.info("resumed from the journal", metadata: ["open_transfers": "\(open.entries.count)", "requested": "\(requested.count)"])
    }
}
