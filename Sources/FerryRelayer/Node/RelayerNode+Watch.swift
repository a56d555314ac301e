import FerryChains
import FerryCore
import FerryWire

/// What one batch of a chain's events says, before the book interprets it.
struct ChainEvents {
    var locks: [LockSighting] = []
    var outcomes: [(id: Bytes32, state: TransferState, height: UInt64)] = []
    var isEmpty: Bool { locks.isEmpty && outcomes.isEmpty }
}

/// What the book made of a head: what to sign, what settled, what needs a refund.
struct HeadOutcome: Sendable {
    /// Releases signed for this head (journaled in its batch) and those of them that reach the threshold.
    var signed: [(destChain: ChainID, id: Bytes32, signature: Signature)] = []
    var ready: [(id: Bytes32, destChain: ChainID)] = []
    var toSignRelease: [Transfer] = []
    var toSignCancel: [Transfer] = []
    var released: [Bytes32] = []
    var cancelled: [(id: Bytes32, destChain: ChainID)] = []
    var refunded: [Bytes32] = []
    var conflicts: [(id: Bytes32, state: TransferState, journaled: TransferState)] = []
    /// Newly seen hops of multi-hop routes.
    var routed: [(id: Bytes32, route: RouteLink)] = []
}

extension TransferBook.State {
    /// Applies an outcome the chain reported for `id` (a transfer not open here is ignored) and notes in `out`
    /// what it means for the node's queue, or the conflict when the journaled state cannot follow it.
    mutating func observe(_ state: TransferState, of id: Bytes32, _ batch: inout JournalBatch, into out: inout HeadOutcome) {
        guard let entry = open[id], entry.state != state else { return }
        guard move(id, to: state, note: "observed on chain", &batch) else {
            out.conflicts.append((id, state, entry.state))
            return
        }
        switch state {
        case .released: out.released.append(id)
        case .cancelled: out.cancelled.append((id, entry.transfer.destChain))
        case .refunded: out.refunded.append(id)
        default: break
        }
    }
}

extension RelayerNode {
    // MARK: Watching chains

    func watch(_ chain: ChainID, _ context: Context) async throws {
        guard let adapter = configuration.adapters[chain] else { return }
        var firstStart: UInt64?
        while !Task.isCancelled {
            let start = try await journal.cursor(for: chain)?.height ?? configuration.startHeights[chain] ?? 0
            if firstStart == nil { firstStart = start }
            let fresh = firstStart ?? start
            var pending = ChainEvents()
            do {
                for try await event in adapter.events(from: start) {
                    switch event {
                    case let .locked(id, transfer, block, _):
                        if transfer.sourceChain == chain, context.collector.gateway(for: transfer.destChain) != nil,
                           configuration.adapters[transfer.destChain] != nil {
                            pending.locks.append(LockSighting(messageId: id, transfer: transfer, height: block.height, blockHash: block.hash))
                        }
                    case let .released(id, block, _):
                        pending.outcomes.append((id, .released, block.height))
                    case let .cancelled(id, block, _):
                        pending.outcomes.append((id, .cancelled, block.height))
                    case let .refunded(id, block, _):
                        pending.outcomes.append((id, .refunded, block.height))
                    case let .head(block):
                        try await headReached(block, on: chain, events: pending, freshFrom: fresh, adapter: adapter, context)
                        pending = ChainEvents()
                    case let .reorg(height):
                        if !pending.isEmpty { try await ingest(pending, on: chain, head: nil, freshFrom: fresh, adapter: adapter, context) }
                        pending = ChainEvents()
                        try await reorged(chain, fromHeight: height)
                    }
                }
                return
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                if error is JournalError { throw error }
                logger.warning("event stream of \(chain) failed, resuming from the journal cursor: \(error)")
                try await clock.sleep(untilUnixMillis: now + 1_000)
            }
        }
    }

    /// A batch of blocks was read up to `block`: record it, sign what became final or expired, gossip, schedule.
    private func headReached(_ block: BlockRef, on chain: ChainID, events: ChainEvents, freshFrom: UInt64, adapter: any ChainAdapter,
                             _ context: Context) async throws {
        try await ingest(events, on: chain, head: block, freshFrom: freshFrom, adapter: adapter, context)
        stats.update {
            $0.processedHeight[chain.rawValue] = block.height
            $0.headHeight[chain.rawValue] = block.height
        }
    }

    /// Records a batch of events; with a head, also finality, expiry and the cursor.
    /// - Parameter freshFrom: the cursor this process started reading the chain at. A lock at or above it that is
    ///   neither open nor recently settled here was never journaled (the cursor moves in the batch that records
    ///   the locks below it); anything else is looked up in the journal first.
    private func ingest(_ events: ChainEvents, on chain: ChainID, head: BlockRef?, freshFrom: UInt64, adapter: any ChainAdapter,
                        _ context: Context) async throws {
        // Locks this node has not got in memory may still be in its journal (settled, or orphaned and now mined again).
        let unknown = book.read { s in
            events.locks.filter { s.open[$0.messageId] == nil && ($0.height < freshFrom || s.settled.contains($0.messageId)) }.map(\.messageId)
        }
        if !unknown.isEmpty { try await pipeline.durable(pipeline.lastEnqueued) }  // read what this node itself wrote
        let journaled = try await journal.states(of: unknown)
        let depth = adapter.info.finalityDepth
        let me = self.me
        // Sign the releases this head makes final before taking the book, so that finality and the signature are
        // one journal change of the transfer's row. Only this task moves this chain's `seen` locks to final.
        var presigned: [Bytes32: Signature] = [:]
        if let head, head.height >= depth {
            let finalHeight = head.height - depth
            let due: [(Bytes32, Transfer)] = book.read { s in
                var due: [(Bytes32, Transfer)] = []
                for waiting in s.awaitingFinality[chain] ?? [] {
                    guard waiting.height <= finalHeight else { break }
                    if let entry = s.open[waiting.id], entry.state == .seen { due.append((waiting.id, entry.transfer)) }
                }
                for lock in events.locks where lock.height <= finalHeight && s.open[lock.messageId] == nil { due.append((lock.messageId, lock.transfer)) }
                return due
            }
            for (id, transfer) in due where pairListed(transfer) {
                guard let gateway = context.collector.gateway(for: transfer.destChain), gateway.members.contains(me) else { continue }
                presigned[id] = try configuration.key.sign(digest: SignedAttestation.digest(.release, id, in: gateway.domain))
            }
        }
        let headTrusted = head.map { headTimeTrusted($0, on: chain) } ?? false
        let clockNow = now
        let (outcome, sequence) = book.mutate(at: clockNow) { s, batch -> HeadOutcome in
            var out = HeadOutcome()
            for lock in events.locks {
                if s.open[lock.messageId] != nil { continue }  // delivered again after a stream restart
                if let state = journaled[lock.messageId], state != .orphaned { continue }  // settled earlier
                let route = s.linkRoute(lock.messageId, lock.transfer)
                batch.append(.lock(lock.transfer, height: lock.height, blockHash: lock.blockHash, route: route))
                s.insert(lock.messageId, OpenTransfer(transfer: lock.transfer, state: .seen, lockHeight: lock.height, route: route))
                if let route { out.routed.append((lock.messageId, route)) }
            }
            for (id, state, _) in events.outcomes { s.observe(state, of: id, &batch, into: &out) }
            if let head {
                // Locks deep enough are final: sign their releases.
                if head.height >= depth {
                    let finalHeight = head.height - depth
                    while let first = s.awaitingFinality[chain]?.first, first.height <= finalHeight {
                        _ = s.awaitingFinality[chain]?.removeFirst()
                        guard var entry = s.open[first.id], entry.state == .seen else { continue }
                        s.move(first.id, to: .final, note: "final at \(finalHeight)", &batch)
                        guard let gateway = context.collector.gateway(for: entry.transfer.destChain), gateway.members.contains(me) else { continue }
                        guard let signature = presigned[first.id] else {
                            out.toSignRelease.append(entry.transfer)
                            continue
                        }
                        batch.append(.attestation(AttestationRecord(messageId: first.id, kind: .release, signer: me.bytes,
                                                                    signature: signature.rsv, receivedAtMillis: clockNow)))
                        entry.state = .final
                        entry.own[.release] = signature
                        entry.publishedAtMillis = clockNow
                        s.open[first.id] = entry
                        s.move(first.id, to: .attested, &batch)
                        out.signed.append((entry.transfer.destChain, first.id, signature))
                        if s.signerCount(first.id, .release, me: me) >= gateway.threshold { out.ready.append((first.id, entry.transfer.destChain)) }
                    }
                }
                // Transfers to this chain past their deadline in finalized time (never the head's, and only on a
                // trusted head): sign cancels, once the gateway shows them unreleased (signCancels).
                if context.collector.gateway(for: chain)?.members.contains(me) == true,
                   let seconds = s.finalizedSeconds(chain, head: head, depth: depth, trusted: headTrusted) {
                    while let top = s.deadlines[chain]?.min, top.deadline < seconds {
                        _ = s.deadlines[chain]?.removeMin()
                        guard let entry = s.open[top.id], entry.own[.cancel] == nil,
                              [.seen, .final, .attested, .submitted].contains(entry.state) else { continue }
                        out.toSignCancel.append(entry.transfer)
                    }
                }
                s.compactDeadlines()
                batch.append(.cursor(chain, height: head.height + 1))
            }
            return out
        }
        settle(outcome, context)
        for (id, route) in outcome.routed {
            logger.info("hop \(route.hop) of a multi-hop route seen", metadata: ["message_id": "\(id.hex)", "route_id": "\(route.routeID.hex)"])
        }
        if !outcome.signed.isEmpty {
            try await pipeline.durable(sequence)  // journaled before gossiped
            stats.update { $0.signed[.release, default: 0] += outcome.signed.count }
            publish(outcome.signed.map { (destChain: $0.destChain, messageId: $0.id, signature: $0.signature) }, kind: .release)
            for (id, destChain) in outcome.ready { scheduleReady(id, .release, destChain: destChain, context) }
        }
        if !outcome.toSignCancel.isEmpty {
            logger.info("\(outcome.toSignCancel.count) transfers to \(chain) passed their deadline; signing cancels")
        }
        try await attest(outcome.toSignRelease, kind: .release, context)
        try await signCancels(outcome.toSignCancel, on: chain, context)
    }

    /// Updates the queue and counters for outcomes the chain reported, and logs those the journal cannot follow.
    func settle(_ outcome: HeadOutcome, _ context: Context) {
        for conflict in outcome.conflicts {
            logger.error("chain reports \(conflict.state.rawValue) for a transfer journaled as \(conflict.journaled.rawValue)",
                         metadata: ["message_id": "\(conflict.id.hex)"])
        }
        let clockNow = now
        for id in outcome.released {
            let action = PendingAction(messageId: id, action: .release)
            if let ready = queue.ready(action), clockNow >= ready { stats.recordReleaseLatency(clockNow - ready) }
            queue.finish(action)
            queue.finish(PendingAction(messageId: id, action: .cancel))
        }
        for (id, destChain) in outcome.cancelled {
            queue.finish(PendingAction(messageId: id, action: .release))
            queue.finish(PendingAction(messageId: id, action: .cancel))
            scheduleReady(id, .refund, destChain: destChain, context)
        }
        for id in outcome.refunded { queue.finish(PendingAction(messageId: id, action: .refund)) }
        guard !outcome.released.isEmpty || !outcome.cancelled.isEmpty || !outcome.refunded.isEmpty else { return }
        stats.update { s in
            s.observed[.released, default: 0] += outcome.released.count
            s.observed[.cancelled, default: 0] += outcome.cancelled.count
            s.observed[.refunded, default: 0] += outcome.refunded.count
        }
    }

    /// Blocks from `height` on `chain` were replaced: locks seen there are orphaned until mined again.
    private func reorged(_ chain: ChainID, fromHeight height: UInt64) async throws {
        let (orphaned, _) = book.mutate(at: now) { s, batch -> Int in
            var count = 0
            while let last = s.awaitingFinality[chain]?.last, last.height >= height {
                _ = s.awaitingFinality[chain]?.removeLast()
                if s.move(last.id, to: .orphaned, note: "reorg from \(height)", &batch) { count += 1 }
            }
            batch.append(.cursor(chain, height: height))
            s.forgetHeadTimes(chain, from: height)
            return count
        }
        stats.update { $0.reorgs += 1 }
        logger.warning("reorg on \(chain) from height \(height)", metadata: ["orphaned": "\(orphaned)"])
    }

    // MARK: Signing

    /// Signs `kind` attestations in each destination's domain, journals them, then gossips them and schedules
    /// the transfers whose signatures now reach the threshold.
    func attest(_ transfers: [Transfer], kind: AttestationKind, _ context: Context) async throws {
        guard !transfers.isEmpty else { return }
        var signed: [(id: Bytes32, transfer: Transfer, signature: Signature)] = []
        signed.reserveCapacity(transfers.count)
        for transfer in transfers where kind != .release || attestable(transfer) {
            guard let gateway = context.collector.gateway(for: kind.verifyingChain(of: transfer)), gateway.members.contains(me) else { continue }
            let id = transfer.messageId
            let signature = try configuration.key.sign(digest: SignedAttestation.digest(kind, id, in: gateway.domain))
            signed.append((id, transfer, signature))
        }
        let clockNow = now
        let me = self.me
        let (ready, sequence) = book.mutate(at: clockNow) { s, batch -> [(Bytes32, ChainID)] in
            var ready: [(Bytes32, ChainID)] = []
            for (id, transfer, signature) in signed {
                guard var entry = s.open[id] else { continue }  // settled meanwhile
                batch.append(.attestation(AttestationRecord(messageId: id, kind: kind, signer: me.bytes, signature: signature.rsv,
                                                            receivedAtMillis: clockNow)))
                entry.own[kind] = signature
                entry.publishedAtMillis = clockNow
                s.open[id] = entry
                if kind == .release, entry.state == .final { s.move(id, to: .attested, &batch) }
                if let threshold = context.collector.gateway(for: kind.verifyingChain(of: transfer))?.threshold,
                   s.signerCount(id, kind, me: me) >= threshold {
                    ready.append((id, transfer.destChain))
                }
            }
            return ready
        }
        try await pipeline.durable(sequence)  // journaled before gossiped
        stats.update { $0.signed[kind, default: 0] += signed.count }
        publish(signed.map { (destChain: kind.verifyingChain(of: $0.transfer), messageId: $0.id, signature: $0.signature) }, kind: kind)
        for (id, destChain) in ready { scheduleReady(id, kind.action, destChain: destChain, context) }
    }
}
