import FerryChains
import FerryCore
import FerryWire
import Synchronization

/// A gateway call ready to send, with what the journal must hold before it is sent.
struct SubmissionPlan: Sendable {
    let action: PendingAction
    let call: GatewayCall
    let chain: ChainID
    let priority: FeePriority
    /// When to look at the action again after sending (chain-time ms).
    let recheckAt: UInt64
    /// Peers' signatures the call carries that were verified for it (journaled with the intent).
    let peerSignatures: [(signer: EthereumAddress, signature: Signature)]
    /// Whether the transfer moves to `submitted` once sent.
    let marksSubmitted: Bool
}

extension RelayerNode {
    /// Takes due actions off the queue and performs them in groups; sleeps until the next is due or one arrives.
    func executeLoop(_ context: Context) async throws {
        while !Task.isCancelled {
            executing.add(1, ordering: .releasing)
            let due = queue.takeDue(now, limit: 256)
            if due.isEmpty {
                executing.subtract(1, ordering: .releasing)
                try await waitForWork()
                continue
            }
            defer { executing.subtract(1, ordering: .releasing) }
            try await perform(due, context)
        }
    }

    /// Sleeps until the earliest due action, or until a new action is scheduled.
    private func waitForWork() async throws {
        let next = queue.nextDue
        let signal = queue.signal
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await signal.wait() }
            group.addTask {
                // Without anything due, still wake now and then so a missed signal cannot stall the node.
                try? await clock.sleep(untilUnixMillis: next ?? (clock.unixMillis + 60_000))
            }
            await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// One attempt at each action: asks the chain first, journals every intent (one group), then sends.
    func perform(_ actions: [PendingAction], _ context: Context) async throws {
        var plans: [SubmissionPlan] = []
        for action in actions {
            do {
                if let plan = try await prepare(action, context) { plans.append(plan) }
            } catch {
                if Task.isCancelled || error is JournalError { throw error }
                retryLater(action, after: error)
            }
        }
        guard !plans.isEmpty else { return }

        // Write-ahead: every intent, and the peer signatures it carries, is on disk before anything is sent.
        let clockNow = now
        let (_, sequence) = book.mutate(at: clockNow) { s, batch in
            for plan in plans {
                let id = plan.action.messageId
                batch.append(.intent(plan.action.action, id, chain: plan.chain))
                let kind = AttestationKind(plan.action.action)
                for (signer, signature) in plan.peerSignatures {
                    batch.append(.attestation(AttestationRecord(messageId: id, kind: kind, signer: signer.bytes,
                                                                signature: signature.rsv, receivedAtMillis: clockNow)))
                }
                s.open[id]?.submissions[plan.action.action] = SubmissionInfo(state: .intended, txHash: nil, updatedAtMillis: clockNow)
            }
        }
        try await pipeline.durable(sequence)

        var outcomes: [(plan: SubmissionPlan, result: Result<TxID, ChainError>)] = []
        outcomes.reserveCapacity(plans.count)
        for plan in plans {
            guard let adapter = configuration.adapters[plan.chain] else { continue }
            do {
                outcomes.append((plan, .success(try await adapter.submit(plan.call, signer: signer, priority: plan.priority))))
            } catch {
                outcomes.append((plan, .failure(error)))
            }
        }
        let sentAt = now
        _ = book.mutate(at: sentAt) { s, batch in
            for (plan, result) in outcomes {
                let id = plan.action.messageId
                switch result {
                case let .success(tx):
                    batch.append(.submission(plan.action.action, id, state: .sent, txHash: tx.hash, error: nil))
                    s.open[id]?.submissions[plan.action.action] = SubmissionInfo(state: .sent, txHash: tx.hash, updatedAtMillis: sentAt)
                    if plan.marksSubmitted, let state = s.open[id]?.state, state != .submitted { s.move(id, to: .submitted, &batch) }
                case let .failure(error):
                    batch.append(.submission(plan.action.action, id, state: .failed, txHash: nil, error: error.description))
                    s.open[id]?.submissions[plan.action.action] = SubmissionInfo(state: .failed, txHash: nil, updatedAtMillis: sentAt)
                }
            }
        }
        var submitted: [SubmissionAction: Int] = [:], failed: [SubmissionAction: Int] = [:]
        for (plan, result) in outcomes {
            switch result {
            case let .success(tx):
                submitted[plan.action.action, default: 0] += 1
                logger.debug("submitted \(plan.action.action.rawValue)", metadata: ["message_id": "\(plan.action.messageId.hex)", "tx": "\(tx)"])
                queue.reschedule(plan.action, at: plan.recheckAt)
            case let .failure(error):
                failed[plan.action.action, default: 0] += 1
                logger.info("\(plan.action.action.rawValue) not accepted: \(error)", metadata: ["message_id": "\(plan.action.messageId.hex)"])
                // Often another relayer was faster; the next attempt reads the chain first.
                let blockTime = configuration.adapters[plan.chain]?.info.blockTimeMillis ?? configuration.graceMillis
                queue.reschedule(plan.action, at: sentAt + (error.isTransient ? configuration.graceMillis : blockTime))
            }
        }
        stats.update { s in
            for (action, n) in submitted { s.submitted[action, default: 0] += n }
            for (action, n) in failed { s.failedSubmissions[action, default: 0] += n }
        }
    }

    private func retryLater(_ action: PendingAction, after error: any Error) {
        // A chain that is down fails every action the same way: that is the probe's and /healthz's news,
        // not one warning per transfer per retry.
        let transient = (error as? ChainError)?.isTransient ?? false
        logger.log(level: transient ? .debug : .warning, "\(action.action.rawValue) failed, retrying: \(error)",
                   metadata: ["message_id": "\(action.messageId.hex)"])
        queue.reschedule(action, at: now + configuration.graceMillis)
    }

    /// Decides what to do about one due action: nothing (done, or not yet), or a call to send.
    /// Asks the chain first; a call is planned only when the chain has not done it and it is this node's turn.
    private func prepare(_ action: PendingAction, _ context: Context) async throws -> SubmissionPlan? {
        let id = action.messageId
        guard let entry = book.transfer(id) else {
            queue.finish(action)
            return nil
        }
        let transfer = entry.transfer
        let targetChain = action.action == .refund ? transfer.sourceChain : transfer.destChain
        guard let adapter = configuration.adapters[targetChain] else {
            queue.finish(action)
            return nil
        }
        switch action.action {
        case .release, .cancel:
            guard [.seen, .final, .attested, .submitted].contains(entry.state) else { queue.finish(action); return nil }
        case .refund:
            guard entry.state == .cancelled else { queue.finish(action); return nil }
        }

        // The chain's own record decides; the journal only follows it.
        switch try await adapter.gatewayState(of: id) {
        case .released:
            observe(id, .released, context)
            return nil
        case .cancelled:
            observe(id, .cancelled, context)
            if action.action != .refund { return nil }
        case .refunded:
            observe(id, .refunded, context)
            return nil
        case .none, .locked:
            break
        }
        // A release needs the lock final in this node's own view, never only in its peers'.
        if action.action == .release, entry.state == .seen {
            queue.reschedule(action, at: now + configuration.graceMillis)
            return nil
        }
        // A refund needs k `Refund` signatures, which every node gives only once the cancel is final.
        if action.action == .refund, entry.own[.refund] == nil {
            guard try await signRefundIfFinal(entry, context) else {
                let blockTime = configuration.adapters[transfer.destChain]?.info.blockTimeMillis ?? configuration.graceMillis
                queue.reschedule(action, at: now + max(blockTime, configuration.graceMillis))
                return nil
            }
        }
        let since = queue.ready(action) ?? now
        let delay = context.schedules[transfer.destChain]?.delayMillis(for: me, messageId: id) ?? configuration.graceMillis * 64
        if now < since + delay {
            queue.reschedule(action, at: since + delay)
            return nil
        }

        let recheck = now + max(4 * adapter.info.blockTimeMillis, configuration.graceMillis)
        var priority = FeePriority.median
        if let submission = entry.submissions[action.action], submission.state == .sent, let tx = submission.txHash {
            switch try await adapter.transaction(TxID(tx)) {
            case .included(_, true, _):
                queue.reschedule(action, at: recheck)  // the chain event will confirm it
                return nil
            case .pending:
                // Priced below a rising market: resubmit the same call at high priority, which replaces it.
                guard now >= submission.updatedAtMillis + 8 * adapter.info.blockTimeMillis else {
                    queue.reschedule(action, at: recheck)
                    return nil
                }
                priority = .high
                logger.info("\(action.action.rawValue) pending too long; replacing it at a higher fee", metadata: ["message_id": "\(id.hex)"])
            case .dropped, .included(_, false, _):
                let clockNow = now
                _ = book.mutate(at: clockNow) { s, batch in
                    batch.append(.submission(action.action, id, state: .failed, txHash: nil, error: "dropped or reverted"))
                    s.open[id]?.submissions[action.action] = SubmissionInfo(state: .failed, txHash: tx, updatedAtMillis: clockNow)
                }
                stats.update { $0.failedSubmissions[action.action, default: 0] += 1 }
            }
        }

        // A hop of a route is released together with the rest of the route, which the source gateway holds.
        var onward: [Transfer] = []
        if action.action == .release, transfer.forwards {
            guard let hops = try await onwardRoute(of: entry) else {
                queue.reschedule(action, at: recheck)
                return nil
            }
            onward = hops
        }
        let kind = AttestationKind(action.action)
        guard let picked = collectSignatures(id, kind: kind, destChain: kind.verifyingChain(of: transfer), context) else {
            queue.reschedule(action, at: recheck)
            return nil
        }
        let signatures = picked.signatures
        let call: GatewayCall = switch action.action {
        case .release: .release(transfer, signatures: signatures, onward: onward)
        case .cancel: .cancel(transfer, signatures: signatures)
        case .refund: .refund(transfer, signatures: signatures)
        }
        return SubmissionPlan(action: action, call: call, chain: targetChain, priority: priority, recheckAt: recheck,
                              peerSignatures: picked.newlyVerified, marksSubmitted: action.action == .release)
    }

    /// The onward hops of a forwarding transfer, read once from its source gateway and checked against the
    /// transfer's commitment. Nil (logged) when the source holds none or a route that does not match: the
    /// transfer is then never released (that would pay the forward address); it times out and is refunded.
    private func onwardRoute(of entry: OpenTransfer) async throws -> [Transfer]? {
        if let cached = entry.onward { return cached }
        let transfer = entry.transfer
        let id = transfer.messageId
        guard let source = configuration.adapters[transfer.sourceChain] else { return nil }
        let hops = try await source.onwardHops(of: id)
        do {
            guard !hops.isEmpty else { throw CoreError.invalidRoute(hop: 1, reason: "the source gateway holds no onward hops") }
            try TransferRoute.validate(transfer, onward: hops)
        } catch {
            logger.error("not releasing a forwarding transfer: \(error)", metadata: ["message_id": "\(id.hex)"])
            return nil
        }
        book.state.withLock { $0.open[id]?.onward = hops }
        return hops
    }

    /// Picks `threshold` signatures for `id` from the gateway of `destChain` (the kind's verifying chain),
    /// ordered by signer address ascending (the order the gateways require): this node's own and already verified ones first, then candidates, checked one at a time until
    /// enough are valid; signers whose signatures failed before are tried last. Every failure is counted.
    /// - Returns: the signatures and the peers' ones newly verified, or nil when not enough are valid yet.
    func collectSignatures(_ id: Bytes32, kind: AttestationKind, destChain: ChainID,
                           _ context: Context) -> (signatures: [Signature], newlyVerified: [(signer: EthereumAddress, signature: Signature)])? {
        guard let gateway = context.collector.gateway(for: destChain) else { return nil }
        let me = self.me
        let key = CandidateKey(messageId: id, kind: kind)
        let (held, candidates) = book.read { s -> ([EthereumAddress: Signature], [Candidate]) in
            var held: [EthereumAddress: Signature] = s.open[id]?.verified[kind] ?? [:]
            if let own = s.open[id]?.own[kind], gateway.members.contains(me) { held[me] = own }
            let candidates = (s.candidates[key] ?? []).filter { held[$0.signer] == nil && $0.signer != me }
                .sorted { (s.failures[$0.signer, default: 0], $0.signer) < (s.failures[$1.signer, default: 0], $1.signer) }
            return (held, candidates)
        }
        var chosen = held.filter { gateway.members.contains($0.key) }
        var good: [(signer: EthereumAddress, signature: Signature)] = []
        var bad: [(Candidate, AttestationRejection)] = []
        for candidate in candidates where chosen.count < gateway.threshold && chosen[candidate.signer] == nil {
            do {
                _ = try context.collector.verify(SignedAttestation(destChain: destChain, messageId: id, kind: kind,
                                                                   signer: candidate.signer, signature: candidate.signature))
                chosen[candidate.signer] = candidate.signature
                good.append((candidate.signer, candidate.signature))
            } catch {
                bad.append((candidate, error))
            }
        }
        if !good.isEmpty || !bad.isEmpty {
            book.state.withLock { s in
                let used = Set(good.map(\.signer))
                let failed = Set(bad.map(\.0))
                if var list = s.candidates[key] {
                    list.removeAll { used.contains($0.signer) || failed.contains($0) }
                    s.candidates[key] = list.isEmpty ? nil : list
                }
                for (signer, signature) in good { s.open[id]?.verified[kind, default: [:]][signer] = signature }
                for (candidate, _) in bad { s.failures[candidate.signer, default: 0] += 1 }
            }
            stats.update { s in
                s.accepted[kind, default: 0] += good.count
                for (_, reason) in bad { s.rejected[reason, default: 0] += 1 }
            }
            for (candidate, reason) in bad {
                logger.debug("attestation rejected: \(reason)", metadata: ["message_id": "\(id.hex)", "claimed_signer": "\(candidate.signer.checksummed)"])
            }
        }
        guard chosen.count >= gateway.threshold else { return nil }
        let picked = chosen.sorted { $0.key < $1.key }.prefix(gateway.threshold)
        let pickedSigners = Set(picked.map(\.key))
        return (picked.map(\.value), good.filter { pickedSigners.contains($0.signer) })
    }

    /// Records an outcome the chain reports through its gateway state (rather than an event), once.
    func observe(_ id: Bytes32, _ state: TransferState, _ context: Context) {
        let (outcome, _) = book.mutate(at: now) { s, batch -> HeadOutcome in
            var out = HeadOutcome()
            s.observe(state, of: id, &batch, into: &out)
            return out
        }
        settle(outcome, context)
    }
}
