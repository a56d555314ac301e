import FerryCore
import FerryCrypto

extension SimulatedLedger {
    /// Produces every block due by the clock's current time (and applies scheduled faults on the way).
    func catchUp() {
        let now = clock.unixMillis
        var changed = false
        skipQuietStretch(until: now)
        while true {
            let due = nextBlockDueMillis
            if let next = scheduled.first, Self.after(genesisMillis, seconds: next.atSeconds) <= min(due, now) {
                scheduled.removeFirst()
                // A scheduled reorg that cannot happen (too deep) is skipped; scenario files are validated when loaded.
                try? applyNow(next.fault, at: Self.after(genesisMillis, seconds: next.atSeconds))
                changed = true
                continue
            }
            guard due <= now else { break }
            produceBlock(at: due)
            changed = true
        }
        if changed { notifier.notify() }
    }

    /// Most blocks one catch-up produces. When more are due (a long devnet time warp, a process that slept for
    /// days), the chain behaves as if it had halted: the first block after the stretch comes this many block
    /// times before now, so finality, deadlines and fee markets move on at the cost of a bounded amount of work and
    /// memory, instead of materialising every block of the stretch (a 10-day warp of a 400 ms chain would be
    /// 2.16 million blocks).
    public static let maxCatchUpBlocks: UInt64 = 20_000

    /// Moves the next block's time forward to `maxCatchUpBlocks` block times before `now` when more than that
    /// many blocks are due. Scheduled faults in the skipped stretch still apply, at the first block after it.
    func skipQuietStretch(until now: UInt64) {
        let blockTime = max(1, config.info.blockTimeMillis)
        let due = nextBlockDueMillis
        guard now > due, (now - due) / blockTime > Self.maxCatchUpBlocks else { return }
        let resume = now - Self.maxCatchUpBlocks * blockTime
        // The head block keeps its time; the next one is due one block time after `skippedUntilMillis`.
        skippedUntilMillis = resume - blockTime
    }

    /// Builds one block at `timestamp`: drops (if a drop fault is on), then fills the block by tip, with
    /// background demand taking its share, then updates the fee market. Works on ``state`` in place; what the block
    /// changed is kept (for `maxReorgDepth` blocks) to undo it on a reorg.
    func produceBlock(at timestamp: UInt64) {
        let height = headRef.height + 1
        if faults.dropPerMille > 0, timestamp <= faults.dropUntilMillis {
            // One draw per pending transaction, in pool order.
            for entry in mempool.inPoolOrder() where rng.next() % 1000 < faults.dropPerMille {
                mempool.remove(entry.id)
                statuses[entry.id] = .dropped
            }
        }
        let congestion = timestamp <= faults.congestionUntilMillis ? state.market.congestionPercent : 0
        if congestion == 0, state.market.congestionPercent != 0 { state.updateMarket { $0.congestionPercent = 0 } }
        let capacity = state.market.blockCapacity
        let backgroundDemand = UInt64(clamping: UInt128(capacity) * UInt128(state.market.organicLoadPercent + congestion) / 100)
        let backgroundTip = state.market.standardTip(.median)
        let ordered = mempool.byPriority()
        var used: UInt64 = 0
        var included: [Mempool.Entry] = []
        var events: [GatewayEvent] = []
        var receipts: [TxID: TxStatus] = [:]
        var done: Set<TxID> = []

        func fill(_ candidates: [Mempool.Entry]) {
            var progress = true
            while progress {
                progress = false
                for entry in candidates where !done.contains(entry.id) {
                    let tx = entry.tx
                    let expected = state.nonces[tx.from] ?? 0
                    if tx.nonce < expected {
                        done.insert(entry.id)
                        receipts[entry.id] = .dropped
                        continue
                    }
                    guard tx.nonce == expected, tx.bid.units <= capacity - used else { continue }
                    switch execute(tx, timestamp: timestamp, height: height) {
                    case .notIncludable:
                        continue
                    case .unpayable:
                        done.insert(entry.id)
                        receipts[entry.id] = .dropped
                    case let .reverted(reason):
                        done.insert(entry.id)
                        used += tx.bid.units
                        included.append(entry)
                        receipts[entry.id] = .included(height: height, succeeded: false, reason: reason)
                        progress = true
                    case let .succeeded(outcome):
                        done.insert(entry.id)
                        used += tx.bid.units
                        included.append(entry)
                        receipts[entry.id] = .included(height: height, succeeded: true, reason: nil)
                        events.append(contentsOf: outcome.events(block: height, tx: entry.id))
                        progress = true
                    }
                }
            }
        }

        fill(ordered.filter { $0.tx.bid.tipPerUnit >= backgroundTip })
        used += min(backgroundDemand, capacity - used)
        fill(ordered)

        state.updateMarket { $0.endBlock(usedUnits: used) }
        for id in done { mempool.remove(id) }
        for (id, status) in receipts { statuses[id] = status }

        let parent = headRef
        var preimage = Array("ferry.sim.block".utf8) + be(chain.rawValue) + parent.hash.bytes + be(height) + be(timestamp) + be(forks)
        for entry in included { preimage += entry.id.hash.bytes }
        let ref = BlockRef(height: height, hash: Keccak256.hash(preimage), timestampMillis: timestamp)
        // Events were built before the block hash was known: stamp the real reference on them.
        let stamped = events.map { $0.restamped(ref) }
        blocks.append(SimBlock(ref: ref, transactions: included.map(\.id), events: stamped, usedUnits: used))
        // The journal now holds everything since the previous block was checkpointed: this block's undo information.
        history.append(BlockUndo(height: height, changes: state.takeJournal(), transactions: included))
        let kept = Int(clamping: config.maxReorgDepth)
        if history.count > kept { history.removeFirst(history.count - kept) }
    }

    /// Replaces the last `depth` blocks. Their transactions return to the mempool and are re-mined into the
    /// replacement blocks, unless `dropTransactions`, in which case they are gone (status `.dropped`).
    /// - Throws: `.rejected` when `depth` is zero, reaches a final block, or exceeds ``SimulatedChainConfig/maxReorgDepth``.
    public func reorg(depth: UInt64, dropTransactions: Bool = false) throws(ChainError) {
        catchUp()
        try performReorg(depth: depth, dropTransactions: dropTransactions)
        notifier.notify()
    }

    func performReorg(depth: UInt64, dropTransactions: Bool) throws(ChainError) {
        let head = headRef.height
        guard depth >= 1 else { throw .rejected(chain, reason: "reorg depth must be at least 1") }
        guard depth <= head else { throw .rejected(chain, reason: "reorg depth \(depth) exceeds the chain height \(head)") }
        guard depth <= config.info.finalityDepth else {
            throw .rejected(chain, reason: "reorg depth \(depth) would replace final blocks (finality depth \(config.info.finalityDepth))")
        }
        guard depth <= config.maxReorgDepth, depth <= UInt64(history.count) else {
            throw .rejected(chain, reason: "reorg depth \(depth) exceeds the kept history (max \(config.maxReorgDepth))")
        }
        let count = Int(depth)
        let removed = blocks.suffix(count)
        let timestamps = removed.map(\.ref.timestampMillis)
        blocks.removeLast(count)
        // Back to the state after block `head - depth`: first what changed since the head's checkpoint (fault-driven
        // fee market changes), then each removed block, newest first.
        state.rollBack(to: 0)
        let undone = history.suffix(count)
        history.removeLast(count)
        for block in undone.reversed() { state.undo(block.changes) }
        var returning: [Mempool.Entry] = []
        for block in undone {
            for entry in block.transactions {
                if dropTransactions {
                    statuses[entry.id] = .dropped
                } else {
                    returning.append(entry)
                    statuses[entry.id] = .pending
                }
            }
        }
        mempool.prepend(returning)
        forks += 1
        for timestamp in timestamps { produceBlock(at: timestamp) }
    }

    /// Applies `fault` now.
    public func apply(_ fault: Fault) throws(ChainError) {
        catchUp()
        try applyNow(fault, at: clock.unixMillis)
        notifier.notify()
    }

    /// Ends an outage early.
    public func endOutage() {
        faults.outageUntilMillis = nil
        catchUp()
        notifier.notify()
    }

    /// Schedules `scenario`'s faults for this chain, relative to genesis.
    public func schedule(_ scenario: FaultScenario) {
        if let seed = scenario.seed { rng = SeededGenerator(seed: seed ^ chain.rawValue) }
        scheduled.append(contentsOf: scenario.faults(for: chain))
        scheduled.sort { $0.atSeconds < $1.atSeconds }
        catchUp()
    }

    /// Drops every pending transaction now.
    public func dropPending() {
        catchUp()
        for entry in mempool.removeAll() { statuses[entry.id] = .dropped }
    }

    func applyNow(_ fault: Fault, at millis: UInt64) throws(ChainError) {
        switch fault {
        case let .feeSpike(factor):
            state.updateMarket { $0.spike(factor: factor) }
        case let .congestion(load, seconds):
            state.updateMarket { $0.congestionPercent = load }
            faults.congestionUntilMillis = Self.after(millis, seconds: seconds)
        case let .outage(seconds):
            faults.outageUntilMillis = seconds.map { Self.after(millis, seconds: $0) } ?? .max
        case let .reorg(depth, drop):
            try performReorg(depth: depth, dropTransactions: drop)
        case let .dropTransactions(perMille, seconds):
            faults.dropPerMille = min(perMille, 1000)
            faults.dropUntilMillis = Self.after(millis, seconds: seconds)
        }
    }

    /// `millis` plus `seconds`, saturating (fault durations come from clients and scenario files).
    static func after(_ millis: UInt64, seconds: UInt64) -> UInt64 {
        let span = seconds.multipliedReportingOverflow(by: 1_000)
        let end = millis.addingReportingOverflow(span.partialValue)
        return span.overflow || end.overflow ? .max : end.partialValue
    }
}

extension GatewayOutcome {
    func events(block height: UInt64, tx: TxID) -> [GatewayEvent] {
        let placeholder = BlockRef(height: height, hash: .zero, timestampMillis: 0)
        switch self {
        case let .locked(id, transfer): return [.locked(messageId: id, transfer: transfer, block: placeholder, tx: tx)]
        case let .released(id): return [.released(messageId: id, block: placeholder, tx: tx)]
        case let .forwarded(released, locked, transfer):
            return [.released(messageId: released, block: placeholder, tx: tx),
                    .locked(messageId: locked, transfer: transfer, block: placeholder, tx: tx)]
        case let .cancelled(id): return [.cancelled(messageId: id, block: placeholder, tx: tx)]
        case let .refunded(id): return [.refunded(messageId: id, block: placeholder, tx: tx)]
        case .committed: return []
        case let .releasedBatch(ids): return ids.map { .released(messageId: $0, block: placeholder, tx: tx) }
        }
    }
}

extension GatewayEvent {
    func restamped(_ ref: BlockRef) -> GatewayEvent {
        switch self {
        case let .locked(id, transfer, _, tx): .locked(messageId: id, transfer: transfer, block: ref, tx: tx)
        case let .released(id, _, tx): .released(messageId: id, block: ref, tx: tx)
        case let .cancelled(id, _, tx): .cancelled(messageId: id, block: ref, tx: tx)
        case let .refunded(id, _, tx): .refunded(messageId: id, block: ref, tx: tx)
        case .reorg, .head: self
        }
    }
}
