public import FerryChains
public import FerryCore
public import FerryWire
public import Logging

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

    public init(nodeID: String, key: PrivateKey, adapters: [ChainID: any ChainAdapter]) {
        self.nodeID = nodeID
        self.key = key
        self.adapters = adapters
    }
}

/// A Ferry relayer: watches source gateways, signs EIP-712 attestations for final locks, gossips them, and
/// executes releases (or cancels and refunds after deadlines) once `k` of `n` relayers agree.
///
/// Every step is journaled before the action it enables, and every action first asks the chain for its own
/// record of the message id, so a restarted node neither loses nor repeats anything. ``run()`` works until
/// its task is cancelled or the gossip node is closed.
public final class RelayerNode: Sendable {
    public let configuration: RelayerNodeConfiguration
    public let journal: Journal
    public let gossip: GossipNode
    public let clock: LedgerClock
    public let stats = RelayerStats()
    let logger: Logger
    let queue = ExecutionQueue()
    let signer: PrivateKeySigner
    let me: EthereumAddress

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
    }

    /// What the node learns from the gateways at start-up.
    struct Context: Sendable {
        let collector: AttestationCollector
        let schedules: [ChainID: ExecutorSchedule]
    }

    /// Runs the node: one watcher per chain, the gossip receiver, the executor and housekeeping.
    public func run() async throws {
        let context = try await makeContext()
        logger.info("relayer started", metadata: ["address": "\(me.checksummed)", "chains": "\(configuration.adapters.keys.map(\.rawValue).sorted())"])
        try await withThrowingTaskGroup(of: Void.self) { group in
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

    // MARK: Watching chains

    private func watch(_ chain: ChainID, _ context: Context) async throws {
        guard let adapter = configuration.adapters[chain] else { return }
        while !Task.isCancelled {
            let start = try await journal.cursor(for: chain)?.height ?? configuration.startHeights[chain] ?? 0
            var locks: [(transfer: Transfer, height: UInt64, blockHash: Bytes32)] = []
            do {
                for try await event in adapter.events(from: start) {
                    switch event {
                    case let .locked(_, transfer, block, _):
                        if transfer.sourceChain == chain, context.collector.gateway(for: transfer.destChain) != nil,
                           configuration.adapters[transfer.destChain] != nil {
                            locks.append((transfer, block.height, block.hash))
                        }
                    case let .head(block):
                        try await journal.recordLocks(locks, atMillis: now)
                        locks.removeAll(keepingCapacity: true)
                        try await headReached(block, on: chain, adapter: adapter, context)
                    case let .reorg(height):
                        try await journal.recordLocks(locks, atMillis: now)
                        locks.removeAll(keepingCapacity: true)
                        let orphaned = try await journal.orphanLocks(on: chain, fromHeight: height, atMillis: now)
                        try await journal.setCursor(chain, height: height, atMillis: now)
                        stats.update { $0.reorgs += 1 }
                        logger.warning("reorg on \(chain) from height \(height)", metadata: ["orphaned": "\(orphaned.count)"])
                    case let .released(id, block, _):
                        try await observe(id, .released, chainTime: block.timestampMillis, context)
                    case let .cancelled(id, _, _):
                        try await observe(id, .cancelled, chainTime: now, context)
                    case let .refunded(id, _, _):
                        try await observe(id, .refunded, chainTime: now, context)
                    }
                }
                return
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("event stream of \(chain) failed, resuming from the journal cursor: \(error)")
                try await clock.sleep(untilUnixMillis: now + 1_000)
            }
        }
    }

    /// A block was processed: promote final locks (sign releases), start cancels for expired transfers, move the cursor.
    private func headReached(_ block: BlockRef, on chain: ChainID, adapter: any ChainAdapter, _ context: Context) async throws {
        let depth = adapter.info.finalityDepth
        if block.height >= depth {
            let final = try await journal.finalizeLocks(on: chain, upTo: block.height - depth, atMillis: now)
            try await attest(final.map(\.transfer), kind: .release, context)
        }
        if context.collector.gateway(for: chain) != nil {
            let expired = try await journal.expired(destination: chain, before: block.timestampMillis / 1_000, withoutCancelBy: me.bytes)
            if !expired.isEmpty {
                logger.info("\(expired.count) transfers to \(chain) passed their deadline; signing cancels")
                try await attest(expired.map(\.transfer), kind: .cancel, context)
            }
        }
        try await journal.setCursor(chain, height: block.height + 1, atMillis: now)
        stats.update {
            $0.processedHeight[chain.rawValue] = block.height
            $0.headHeight[chain.rawValue] = block.height
        }
    }

    /// Signs `kind` attestations in each destination's domain, journals them, then gossips them.
    private func attest(_ transfers: [Transfer], kind: AttestationKind, _ context: Context) async throws {
        guard !transfers.isEmpty else { return }
        var records: [AttestationRecord] = []
        var signed: [(Transfer, Signature)] = []
        for transfer in transfers {
            guard let gateway = context.collector.gateway(for: transfer.destChain), gateway.members.contains(me) else { continue }
            let digest = SignedAttestation.digest(kind, transfer.messageId, in: gateway.domain)
            let signature = try configuration.key.sign(digest: digest)
            records.append(AttestationRecord(messageId: transfer.messageId, kind: kind, signer: me.bytes, signature: signature.rsv,
                                             receivedAtMillis: now))
            signed.append((transfer, signature))
        }
        let counts = try await journal.recordOwnAttestations(records, atMillis: now)
        stats.update { $0.signed[kind, default: 0] += records.count }
        for ((transfer, signature), count) in zip(signed, counts) {
            publish(kind, destChain: transfer.destChain, messageId: transfer.messageId, signature: signature)
            if let threshold = context.collector.gateway(for: transfer.destChain)?.threshold, count >= threshold {
                await scheduleReady(transfer.messageId, kind == .release ? .release : .cancel, destChain: transfer.destChain, context)
            }
        }
    }

    func publish(_ kind: AttestationKind, destChain: ChainID, messageId: Bytes32, signature: Signature) {
        do {
            let frame = Frame.attestation(try Attestation(
                destChain: destChain, messageId: messageId, action: kind == .release ? .release : .cancel,
                signer: SignerAddress(bytes: me.bytes), signature: AttestationSignature(bytes: signature.rsv)))
            try gossip.publish(frame)
        } catch {
            logger.warning("could not gossip an attestation: \(error)", metadata: ["message_id": "\(messageId.hex)"])
        }
    }

    /// Records an outcome the chain reports (event or gateway state), once.
    func observe(_ id: Bytes32, _ state: TransferState, chainTime: UInt64, _ context: Context) async throws {
        guard let entry = try await journal.entry(id), entry.state != state else { return }
        do {
            try await journal.move(id, to: state, atMillis: now, note: "observed on chain")
        } catch {
            if case .illegalTransition = error {
                logger.error("chain reports \(state.rawValue) for a transfer journaled as \(entry.state.rawValue)", metadata: ["message_id": "\(id.hex)"])
                return
            }
            throw error
        }
        stats.update { $0.observed[state, default: 0] += 1 }
        logger.debug("transfer \(state.rawValue)", metadata: ["message_id": "\(id.hex)"])
        switch state {
        case .released:
            let action = PendingAction(messageId: id, action: .release)
            if let ready = await queue.ready(action), now >= ready { stats.recordReleaseLatency(now - ready) }
            await queue.finish(action)
            try await journal.updateSubmission(.release, for: id, state: .confirmed, atMillis: now)
        case .cancelled:
            await queue.finish(PendingAction(messageId: id, action: .cancel))
            try await journal.updateSubmission(.cancel, for: id, state: .confirmed, atMillis: now)
            await scheduleReady(id, .refund, destChain: entry.transfer.destChain, context)
        case .refunded:
            await queue.finish(PendingAction(messageId: id, action: .refund))
            try await journal.updateSubmission(.refund, for: id, state: .confirmed, atMillis: now)
        default:
            break
        }
    }

    /// Queues an action whose attestations reached the threshold, at this node's turn in the executor schedule.
    func scheduleReady(_ id: Bytes32, _ action: SubmissionAction, destChain: ChainID, _ context: Context) async {
        let pending = PendingAction(messageId: id, action: action)
        let since = await queue.ready(pending) ?? now
        let delay = context.schedules[destChain]?.delayMillis(for: me, messageId: id) ?? configuration.graceMillis * 64
        await queue.schedule(pending, at: since + delay, readySince: since)
    }

    // MARK: Gossip

    private func receive(_ context: Context) async {
        for await inbound in gossip.frames {
            if Task.isCancelled { return }  // shutting down: the journal refuses writes from a cancelled task
            switch inbound.frame {
            case let .attestation(a):
                await accept(a, context)
            case let .request(request):
                await answer(request)
            case .hello, .heartbeat:
                break
            }
        }
    }

    private func accept(_ a: Attestation, _ context: Context) async {
        let kind: AttestationKind = a.action == .release ? .release : .cancel
        let signed: SignedAttestation
        do {
            signed = SignedAttestation(destChain: a.destChain, messageId: a.messageId, kind: kind,
                                       signer: try EthereumAddress(bytes: a.signer.bytes), signature: try Signature(rsv: a.signature.bytes))
        } catch {
            stats.update { $0.rejected[.badSignature, default: 0] += 1 }
            return
        }
        do {
            _ = try context.collector.verify(signed)
        } catch {
            stats.update { $0.rejected[error, default: 0] += 1 }
            logger.debug("attestation rejected: \(error)", metadata: ["message_id": "\(a.messageId.hex)"])
            return
        }
        do {
            guard let count = try await journal.addPeerAttestation(AttestationRecord(
                messageId: a.messageId, kind: kind, signer: a.signer.bytes, signature: a.signature.bytes, receivedAtMillis: now)) else {
                stats.update { $0.replays += 1 }
                return
            }
            stats.update { $0.accepted[kind, default: 0] += 1 }
            if let threshold = context.collector.gateway(for: a.destChain)?.threshold, count >= threshold {
                await scheduleReady(a.messageId, kind == .release ? .release : .cancel, destChain: a.destChain, context)
            }
        } catch {
            guard !Task.isCancelled else { return }
            logger.error("journal refused an attestation: \(error)", metadata: ["message_id": "\(a.messageId.hex)"])
        }
    }

    private func answer(_ request: AttestationRequest) async {
        for id in request.messageIds {
            guard let entry = try? await journal.entry(id) else { continue }
            for kind in AttestationKind.allCases {
                guard let own = try? await journal.attestations(for: id, kind: kind).first(where: { $0.signer == me.bytes }),
                      let signature = try? Signature(rsv: own.signature) else { continue }
                publish(kind, destChain: entry.transfer.destChain, messageId: id, signature: signature)
            }
        }
    }

    // MARK: Housekeeping

    private func maintain(_ context: Context) async throws {
        var lastPrune: UInt64 = 0
        while !Task.isCancelled {
            try await clock.sleep(untilUnixMillis: now + configuration.resendMillis)
            // PUB/SUB drops what a peer missed while it was down or still connecting: republish what is still open.
            let open = try await journal.ownAttestations(by: me.bytes, forStates: [.final, .attested, .submitted, .cancelled], limit: 2_000)
            for record in open {
                guard let entry = try await journal.entry(record.messageId), let signature = try? Signature(rsv: record.signature) else { continue }
                publish(record.kind, destChain: entry.transfer.destChain, messageId: record.messageId, signature: signature)
            }
            if now - lastPrune > 3_600_000 {
                lastPrune = now
                let removed = try await journal.prune(terminalBefore: now.subtractingReportingOverflow(configuration.pruneAfterMillis).overflow ? 0 : now - configuration.pruneAfterMillis)
                if removed > 0 { logger.info("pruned \(removed) finished transfers from the journal") }
            }
        }
    }
}
