public import FerryChains
import FerryCore
import FerryCrypto

/// The pull-driven reader behind ``EVMAdapter/events(from:)``: each `next()` returns a buffered event or
/// polls the node until there is one.
///
/// It reads gateway logs with `eth_getLogs` in ranges of at most ``EVMAdapter/Configuration/maxLogRange``
/// blocks and yields `.head` after each range. For blocks within the finality depth of the head it also
/// fetches the headers and remembers their hashes (at most ``EVMAdapter/Configuration/reorgMemory``): a
/// remembered block whose hash changed, or a new block whose parent hash is not the remembered one, means
/// a reorg; the feed finds the highest remembered block still canonical, yields `.reorg(fromHeight:)` for
/// the one above it and reads again from there. Transient node failures are retried with backoff forever
/// (the stream resumes when the node is back); other failures end the stream with a ``ChainError``.
actor EVMEventFeed {
    let client: JSONRPCClient
    let chain: ChainID
    let gateway: EthereumAddress
    let finalityDepth: UInt64
    let configuration: EVMAdapter.Configuration
    var nextHeight: UInt64
    /// Delivered blocks near the head, ascending and contiguous.
    var recent: [(height: UInt64, hash: Bytes32)] = []
    var buffer: [GatewayEvent] = []
    var failures = 0

    init(client: JSONRPCClient, info: ChainInfo, configuration: EVMAdapter.Configuration, from height: UInt64) {
        self.client = client
        self.chain = info.id
        self.gateway = info.gateway
        self.finalityDepth = info.finalityDepth
        self.configuration = configuration
        self.nextHeight = height
    }

    func next() async throws -> GatewayEvent? {
        while buffer.isEmpty {
            if Task.isCancelled { return nil }
            do {
                if try await !poll() {
                    try await Task.sleep(for: configuration.pollInterval)
                }
                failures = 0
            } catch is CancellationError {
                return nil
            } catch let error as RPCError {
                if case .cancelled = error { return nil }
                guard error.isTransient else { throw error.chainError(chain) }
                failures += 1
                do { try await Task.sleep(for: backoff()) } catch { return nil }
            }
        }
        return buffer.removeFirst()
    }

    func backoff() -> Duration {
        let policy = JSONRPCClient.RetryPolicy(initialBackoff: configuration.pollInterval, multiplier: 2,
                                               maxBackoff: max(configuration.pollInterval, .seconds(5)))
        return policy.backoff(afterAttempt: failures)
    }

    /// One step: a reorg check, then one range of logs. Returns false when there was nothing new.
    func poll() async throws -> Bool {
        guard let head = try await client.block(.latest) else { return false }
        if try await checkForReorg(head: head) { return true }
        guard nextHeight <= head.number else { return false }
        let end = min(head.number, nextHeight + configuration.maxLogRange - 1)
        // Track hashes of blocks that are not yet final (plus one below, to check the first one's parent).
        let unfinal = head.number >= finalityDepth + 1 ? head.number - finalityDepth - 1 : 0
        let trackFrom = max(nextHeight, unfinal, end >= UInt64(configuration.reorgMemory) ? end - UInt64(configuration.reorgMemory) + 1 : 0)
        var requests = [RPCRequest("eth_getLogs", [JSONRPCClient.logFilter(address: gateway, from: nextHeight, to: end,
                                                                            topic0: Self.topics, topic1: nil)])]
        let tracked: [UInt64] = trackFrom <= end ? Array(trackFrom...end) : []
        let headerHeights = tracked.isEmpty || tracked.last != end ? tracked + [end] : tracked
        requests += headerHeights.map { RPCRequest("eth_getBlockByNumber", [.string(HexQuantity.encode($0)), false]) }
        let answers = try await client.batch(requests)
        let logs = try JSONRPCClient.decodeLogs(try answers[0].get()).filter { !$0.removed }
        var headers: [UInt64: EVMBlockHeader] = [:]
        for answer in answers.dropFirst() {
            let json = try answer.get()
            guard !json.isNull else { return true }  // the chain shrank under us: look again
            let header = try EVMBlockHeader(json: json, method: "eth_getBlockByNumber")
            headers[header.number] = header
        }
        // Continuity of what we track: each parent must be the block we hold (or just read) below it.
        var previous = recent.last.flatMap { $0.height + 1 == tracked.first ? $0.hash : nil }
        for height in tracked {
            guard let header = headers[height] else { return true }
            if let previous, header.parentHash != previous { return true }  // changed while reading: the next poll sorts it out
            previous = header.hash
        }
        // Headers (timestamps) of final blocks that have logs.
        let missing = Set(logs.map(\.blockNumber)).subtracting(headers.keys).sorted()
        if !missing.isEmpty {
            for header in try await client.blocks(missing) {
                guard let header else { return true }
                headers[header.number] = header
            }
        }
        var events: [GatewayEvent] = []
        for log in logs.sorted(by: { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }) {
            guard let header = headers[log.blockNumber], header.hash == log.blockHash else { return true }
            if let event = try decode(log, block: EVMAdapter.ref(header)) { events.append(event) }
        }
        guard let endHeader = headers[end] else { return true }
        buffer += events
        buffer.append(.head(EVMAdapter.ref(endHeader)))
        for height in tracked {
            if let header = headers[height] { recent.append((height, header.hash)) }
        }
        if recent.count > configuration.reorgMemory { recent.removeFirst(recent.count - configuration.reorgMemory) }
        nextHeight = end + 1
        return true
    }

    /// Compares the newest remembered block with the chain; on a mismatch finds the fork and queues `.reorg`.
    func checkForReorg(head: EVMBlockHeader) async throws -> Bool {
        guard let last = recent.last else { return false }
        if last.height == head.number, head.hash == last.hash { return false }
        if last.height < head.number {
            guard let canonical = try await client.block(.number(last.height)) else { return false }
            if canonical.hash == last.hash { return false }
        }
        // Reorged (or the chain is now shorter than what we delivered): find the highest block still ours.
        let canonical = try await client.blocks(recent.map(\.height))
        var keep = 0
        for (i, entry) in recent.enumerated() where canonical[i]?.hash == entry.hash { keep = i + 1 }
        let fork = keep > 0 ? recent[keep - 1].height + 1 : (recent.first?.height ?? nextHeight)
        recent.removeSubrange(keep...)
        nextHeight = fork
        buffer.append(.reorg(fromHeight: fork))
        return true
    }

    static let topics = [GatewayABI.lockedTopic, GatewayABI.releasedTopic, GatewayABI.cancelledTopic, GatewayABI.refundedTopic]

    func decode(_ log: EVMLog, block: BlockRef) throws -> GatewayEvent? {
        let decoded: GatewayABI.Event?
        do { decoded = try GatewayABI.decodeEvent(topics: log.topics, data: log.data) } catch {
            throw ChainError.unreachable(chain, underlying: "gateway log at block \(log.blockNumber) is malformed: \(error)")
        }
        let tx = TxID(log.transactionHash)
        switch decoded {
        case let .locked(transfer)?: return .locked(messageId: transfer.messageId, transfer: transfer, block: block, tx: tx)
        case let .released(id, _, _, _)?: return .released(messageId: id, block: block, tx: tx)
        case let .cancelled(id)?: return .cancelled(messageId: id, block: block, tx: tx)
        case let .refunded(id, _, _, _)?: return .refunded(messageId: id, block: block, tx: tx)
        case nil: return nil
        }
    }
}

extension EVMAdapter {
    /// Gateway events from `height` on, followed live (see ``EVMEventFeed`` for reorg handling).
    ///
    /// The stream polls every ``Configuration/pollInterval`` once caught up, yields `.head` after each
    /// range it reads, survives node outages (it retries and resumes) and ends when the consumer stops
    /// iterating or its task is cancelled.
    public func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> {
        let feed = EVMEventFeed(client: client, info: info, configuration: configuration, from: height)
        return AsyncThrowingStream(unfolding: { try await feed.next() })
    }
}
