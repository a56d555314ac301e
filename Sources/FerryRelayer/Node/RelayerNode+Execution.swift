import FerryChains
import FerryCore

extension RelayerNode {
    /// Takes due actions off the queue and performs them; sleeps until the next is due or a new one arrives.
    func executeLoop(_ context: Context) async throws {
        while !Task.isCancelled {
            let due = await queue.takeDue(now)
            for action in due {
                do {
                    try await perform(action, context)
                } catch {
                    if Task.isCancelled { return }
                    // A chain that is down fails every action the same way: that is the probe's and /healthz's news,
                    // not one warning per transfer per retry.
                    let transient = (error as? ChainError)?.isTransient ?? false
                    logger.log(level: transient ? .debug : .warning, "\(action.action.rawValue) failed, retrying: \(error)",
                               metadata: ["message_id": "\(action.messageId.hex)"])
                    await queue.schedule(action, at: now + configuration.graceMillis)
                }
            }
            if due.isEmpty { try await waitForWork() }
        }
    }

    /// Sleeps until the earliest due action, or until a new action is scheduled.
    private func waitForWork() async throws {
        let next = await queue.nextDue
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
            await signal.fire()  // releases the signal waiter if the sleep won
        }
        try Task.checkCancellation()
    }

    /// One attempt at an action. Asks the chain first; submits only if the chain has not already done it and it is
    /// this node's turn; journals the intent before sending.
    func perform(_ action: PendingAction, _ context: Context) async throws {
        let id = action.messageId
        guard let entry = try await journal.entry(id) else { return await queue.finish(action) }
        let transfer = entry.transfer
        let targetChain = action.action == .refund ? transfer.sourceChain : transfer.destChain
        guard let adapter = configuration.adapters[targetChain] else { return await queue.finish(action) }

        switch action.action {
        case .release, .cancel:
            guard [.seen, .final, .attested, .submitted].contains(entry.state) else { return await queue.finish(action) }
        case .refund:
            guard entry.state == .cancelled else { return await queue.finish(action) }
        }

        // The chain's own record decides; the journal only follows it.
        switch try await adapter.gatewayState(of: id) {
        case .released:
            try await observe(id, .released, chainTime: now, context)
            return await queue.finish(action)
        case .cancelled:
            try await observe(id, .cancelled, chainTime: now, context)
            if action.action != .refund { return await queue.finish(action) }
        case .refunded:
            try await observe(id, .refunded, chainTime: now, context)
            return await queue.finish(action)
        case .none, .locked:
            break
        }
        // A release needs the lock final in this node's own view, never only in its peers'.
        if action.action == .release, entry.state == .seen { return await queue.schedule(action, at: now + configuration.graceMillis) }

        let since = await queue.ready(action) ?? now
        let delay = context.schedules[transfer.destChain]?.delayMillis(for: me, messageId: id) ?? configuration.graceMillis * 64
        if now < since + delay { return await queue.schedule(action, at: since + delay) }

        let recheck = now + max(4 * adapter.info.blockTimeMillis, configuration.graceMillis)
        let kind: AttestationKind = action.action == .release ? .release : .cancel
        let records = try await journal.attestations(for: id, kind: kind)
        guard let signatures = context.collector.signaturesForSubmission(records, destChain: transfer.destChain) else {
            return await queue.schedule(action, at: recheck)
        }
        let call: GatewayCall = switch action.action {
        case .release: .release(transfer, signatures: signatures)
        case .cancel: .cancel(transfer, signatures: signatures)
        case .refund: .refund(transfer, signatures: signatures)
        }

        var priority = FeePriority.median
        let intent = try await journal.beginSubmission(action.action, for: id, on: targetChain, atMillis: now)
        if !intent.isNew, let tx = intent.record.txHash {
            switch try await adapter.transaction(TxID(tx)) {
            case .included(_, true, _):
                return await queue.schedule(action, at: recheck)  // the chain event will confirm it
            case .pending:
                // Priced below a rising market: resubmit the same call at high priority, which replaces it.
                guard now >= intent.record.updatedAtMillis + 8 * adapter.info.blockTimeMillis else {
                    return await queue.schedule(action, at: recheck)
                }
                priority = .high
                logger.info("\(action.action.rawValue) pending too long; replacing it at a higher fee", metadata: ["message_id": "\(id.hex)"])
            case .dropped, .included(_, false, _):
                try await journal.updateSubmission(action.action, for: id, state: .failed, error: "dropped or reverted", atMillis: now)
                stats.update { $0.failedSubmissions[action.action, default: 0] += 1 }
                _ = try await journal.beginSubmission(action.action, for: id, on: targetChain, atMillis: now)
            }
        }
        let tx: TxID
        do {
            tx = try await adapter.submit(call, signer: signer, priority: priority)
        } catch {
            try await journal.updateSubmission(action.action, for: id, state: .failed, error: error.description, atMillis: now)
            stats.update { $0.failedSubmissions[action.action, default: 0] += 1 }
            logger.info("\(action.action.rawValue) not accepted: \(error)", metadata: ["message_id": "\(id.hex)"])
            // Often another relayer was faster; the next attempt reads the chain first.
            return await queue.schedule(action, at: now + (error.isTransient ? configuration.graceMillis : adapter.info.blockTimeMillis))
        }
        try await journal.updateSubmission(action.action, for: id, state: .sent, txHash: tx.hash, atMillis: now)
        if action.action == .release, entry.state != .submitted { try await journal.move(id, to: .submitted, atMillis: now) }
        stats.update { $0.submitted[action.action, default: 0] += 1 }
        logger.debug("submitted \(action.action.rawValue)", metadata: ["message_id": "\(id.hex)", "tx": "\(tx)"])
        await queue.schedule(action, at: recheck)
    }
}
