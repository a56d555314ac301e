import FerryCrypto

/// Where an event reader is: the next height to deliver and the hashes of recently delivered blocks,
/// so a replaced block is noticed and announced as a reorg.
public struct EventCursor: Sendable, Hashable {
    /// The next height whose events have not been delivered.
    public internal(set) var nextHeight: UInt64
    var delivered: [UInt64: Bytes32] = [:]

    /// A cursor that starts delivering at `height`.
    public init(from height: UInt64) { nextHeight = height }
}

/// One poll's worth of events.
public struct EventBatch: Sendable {
    /// Events in chain order; a `.reorg` first when delivered blocks were replaced; a `.head` last when blocks were passed.
    public let events: [GatewayEvent]
    public let cursor: EventCursor
    /// The ledger's change counter when polled (pass to ``SimulatedLedger/waitForChange(after:)``).
    public let generation: UInt64
    /// When the next block is due, unix ms.
    public let nextBlockDueMillis: UInt64
    /// False during an outage: nothing was read.
    public let reachable: Bool
}

extension SimulatedLedger {
    /// Events after `cursor`, at most `maxBlocks` blocks' worth.
    public func poll(_ cursor: EventCursor, maxBlocks: Int = 512) -> EventBatch {
        let generation = notifier.generation
        do { try reachable() } catch {
            return EventBatch(events: [], cursor: cursor, generation: notifier.generation,
                              nextBlockDueMillis: nextBlockDueMillis, reachable: false)
        }
        var c = cursor
        var out: [GatewayEvent] = []
        let head = headRef.height
        let replaced = c.delivered.filter { height, hash in height > head || blocks[Int(height)].ref.hash != hash }.keys
        if let fork = replaced.min() {
            out.append(.reorg(fromHeight: fork))
            c.delivered = c.delivered.filter { $0.key < fork }
            c.nextHeight = min(c.nextHeight, fork)
        }
        var height = c.nextHeight
        var passed = 0
        while height <= head, passed < maxBlocks {
            let block = blocks[Int(height)]
            out += block.events
            c.delivered[height] = block.ref.hash
            height += 1
            passed += 1
        }
        if passed > 0 { out.append(.head(blocks[Int(height - 1)].ref)) }
        c.nextHeight = height
        let keep = config.maxReorgDepth + 2
        if height > keep { c.delivered = c.delivered.filter { $0.key >= height - keep } }
        return EventBatch(events: out, cursor: c, generation: generation, nextBlockDueMillis: nextBlockDueMillis, reachable: true)
    }

    /// Returns once a block has been produced or replaced after `generation`, or the task is cancelled.
    public nonisolated func waitForChange(after generation: UInt64) async {
        await notifier.wait(after: generation)
    }
}
