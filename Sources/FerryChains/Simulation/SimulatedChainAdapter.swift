public import FerryCore
public import FerryCrypto

/// A ``ChainAdapter`` over an in-process ``SimulatedLedger``: what Ferry's tests, the demo and the devnet use.
public struct SimulatedChainAdapter: ChainAdapter {
    /// The ledger behind the adapter (tests reach through it to fund accounts and inject faults).
    public let ledger: SimulatedLedger

    public init(ledger: SimulatedLedger) { self.ledger = ledger }

    public var info: ChainInfo { ledger.config.info }

    public func head() async throws(ChainError) -> BlockRef { try await ledger.head() }

    public func finalizedHeight() async throws(ChainError) -> UInt64 { try await ledger.finalizedHeight() }

    public func balance(of account: Address, asset: String) async throws(ChainError) -> Amount {
        try await ledger.balance(of: account, asset: asset)
    }

    public func feeEstimate() async throws(ChainError) -> FeeEstimate { try await ledger.feeEstimate() }

    public func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        try await ledger.submit(call, signer: signer, priority: priority)
    }

    public func transaction(_ id: TxID) async throws(ChainError) -> TxStatus { try await ledger.transaction(id) }

    public func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord {
        try await ledger.gatewayState(of: messageId)
    }

    public func onwardHops(of messageId: Bytes32) async throws(ChainError) -> [Transfer] {
        try await ledger.onwardHops(of: messageId)
    }

    /// The simulated gateway forwards multi-hop routes.
    public var forwardsRoutes: Bool { true }

    /// The simulated gateway takes checkpoints (commit, batch release with Merkle proofs).
    public var supportsCheckpoints: Bool { true }

    /// Follows the ledger from `height`: each poll delivers what is new (a `.reorg` first when delivered blocks
    /// were replaced, a `.head` after each batch); between polls it waits for the next block on the ledger's
    /// clock or for a reorg, whichever comes first. During an outage it delivers nothing and resumes after.
    public func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> {
        let feed = EventFeed(ledger: ledger, cursor: EventCursor(from: height))
        return AsyncThrowingStream(unfolding: { try await feed.next() })
    }

    public func relayerSet() async throws(ChainError) -> RelayerSet { try await ledger.relayerSet() }
}

/// The state of one event stream: its cursor and undelivered events.
actor EventFeed {
    let ledger: SimulatedLedger
    var cursor: EventCursor
    var buffer: [GatewayEvent] = []
    /// The next event of `buffer` to hand out (an index, so a large batch is not shifted once per event).
    var nextIndex = 0

    init(ledger: SimulatedLedger, cursor: EventCursor) {
        self.ledger = ledger
        self.cursor = cursor
    }

    func next() async throws -> GatewayEvent? {
        while nextIndex == buffer.count {
            try Task.checkCancellation()
            let batch = await ledger.poll(cursor)
            cursor = batch.cursor
            buffer = batch.events
            nextIndex = 0
            if buffer.isEmpty { await waitForNextBlock(generation: batch.generation, due: batch.nextBlockDueMillis) }
        }
        defer { nextIndex += 1 }
        return buffer[nextIndex]
    }

    /// Waits until the ledger changes (reorg, faults) or its clock reaches the next block's time.
    private func waitForNextBlock(generation: UInt64, due: UInt64) async {
        let ledger = self.ledger
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await ledger.waitForChange(after: generation) }
            group.addTask { try? await ledger.clock.sleep(untilUnixMillis: due) }
            await group.next()
            group.cancelAll()
        }
    }
}
