public import FerryChains
import FerryCore
import FerryCrypto

/// The pull-driven reader behind ``EVMAdapter/events(from:)``: each `next()` returns a buffered event or
/// polls the node until there is one.
///
/// It reads gateway logs with `eth_getLogs` in ranges of at most ``EVMAdapter/Configuration/maxLogRange``
/// blocks (halved while the node's answer is over the size cap) and yields `.head` after each range.
///
/// It believes the node only as far as it can check it:
/// - every poll asks `eth_chainId` beside the head, and a node that now serves another chain ends the stream
///   with a ``ChainError`` (the node's answers are refused from then on);
/// - it reads the header of every block of a range and requires each to name the one below as its parent,
///   across ranges too, so the blocks it delivers form one chain from the first range to the head (on which
///   the consumer counts finality depth);
/// - a log counts only when it comes from the gateway address, is not `removed`, lies in the range read, names
///   the hash of the header read at its height, and is confirmed by its transaction's receipt: status success,
///   the same block number and hash, and a log at the same index with the same address, topics and data.
///   Anything else is dropped and counted (``EVMAdapter/FeedCounters``), never yielded.
///
/// Blocks near the head are remembered (at most ``EVMAdapter/Configuration/reorgMemory``): a remembered block
/// whose hash changed, or a new block whose parent hash is not the remembered one, means a reorg; the feed finds
/// the highest remembered block still canonical, yields `.reorg(fromHeight:)` for the one above it and reads
/// again from there. Transient node failures are retried with backoff forever (the stream resumes when the node
/// is back); other failures end the stream with a ``ChainError``.
actor EVMEventFeed {
    let client: JSONRPCClient
    /// Other providers of the chain, and how many providers in all must agree (see ``witnessesAgree``).
    let witnesses: [JSONRPCClient]
    let quorum: Int
    let chain: ChainID
    let gateway: EthereumAddress
    let configuration: EVMAdapter.Configuration
    let counters: EVMAdapter.FeedCounters
    var nextHeight: UInt64
    /// The widest range the next `eth_getLogs` asks for (shrinks while answers are too large).
    var range: UInt64
    /// Delivered blocks near the head, ascending and contiguous.
    var recent: [(height: UInt64, hash: Bytes32)] = []
    var buffer: [GatewayEvent] = []
    var failures = 0
    /// Polls in a row that found a gateway log whose receipt the node did not have.
    var receiptMisses = 0

    /// Polls a log waits for its receipt before it is dropped as unconfirmed.
    static let receiptPatience = 3
    /// Headers asked for in one batch.
    static let headerBatch: UInt64 = 256

    init(client: JSONRPCClient, witnesses: [JSONRPCClient] = [], info: ChainInfo, configuration: EVMAdapter.Configuration,
         counters: EVMAdapter.FeedCounters, from height: UInt64) {
        self.client = client
        self.witnesses = witnesses
        self.quorum = min(max(1, configuration.quorum), 1 + witnesses.count)
        self.chain = info.id
        self.gateway = info.gateway
        self.configuration = configuration
        self.counters = counters
        self.nextHeight = height
        self.range = configuration.maxLogRange
        counters.recordStart()
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
                if case .tooLarge = error, range > 1 {
                    range = max(1, range / 2)  // ask for fewer blocks at once
                    continue
                }
                // Too large even for one block: wait and ask again, as for a node that does not answer.
                guard error.isTransient || error.isTooLarge else { throw error.chainError(chain) }
                failures += 1
                counters.record(failure: "\(error)")
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

    /// One step: the chain id and head, a reorg check, then one range of logs. Returns false when there was nothing new.
    func poll() async throws -> Bool {
        let probe = try await client.batch([RPCRequest("eth_chainId"), RPCRequest("eth_getBlockByNumber", ["latest", false])])
        let reported = try probe[0].get().quantity(method: "eth_chainId", field: "result")
        guard reported == chain.rawValue else {
            counters.record(failure: "the node now reports chain id \(reported)")
            throw ChainError.unreachable(chain, underlying: "the node at \(client.endpoint) now reports chain id \(reported), "
                                         + "not \(chain.rawValue); its answers are refused")
        }
        let headJSON = try probe[1].get()
        guard !headJSON.isNull else { return false }
        let head = try EVMBlockHeader(json: headJSON, method: "eth_getBlockByNumber")
        if try await checkForReorg(head: head) { return true }
        guard nextHeight <= head.number else {
            counters.recordAnswer()  // caught up
            return false
        }
        let end = min(head.number, nextHeight + range - 1)
        let logs = try await client.logs(address: gateway, from: nextHeight, to: end, topic0: Self.topics)
        if range < configuration.maxLogRange { range = min(configuration.maxLogRange, range * 2) }
        // Every header of the range, each the parent of the next, the first the child of the last one delivered.
        guard let headers = try await linkedHeaders(from: nextHeight, to: end) else {
            // A reorg while reading (the next poll finds it), or a node whose headers do not link: wait, read again.
            counters.record(failure: "headers of blocks \(nextHeight)...\(end) do not form one chain")
            return false
        }
        let candidates = logs.filter { log in
            guard log.address == gateway, !log.removed, (nextHeight...end).contains(log.blockNumber),
                  let topic = log.topics.first, Self.topics.contains(topic) else {
                counters.record(rejected: .foreignOrRemoved)
                return false
            }
            return true
        }
        let first = nextHeight
        if candidates.contains(where: { headers[Int($0.blockNumber - first)].hash != $0.blockHash }) {
            counters.record(failure: "logs of blocks \(first)...\(end) name block hashes their headers do not have")
            return false  // a reorg while reading, or a lying node: wait and read again
        }
        if quorum > 1, let last = headers.last {
            let agreeing = await witnessesAgree(with: candidates, from: first, to: end, endHash: last.hash)
            guard agreeing >= quorum else {
                counters.record(failure: "providers disagree on blocks \(first)...\(end): \(agreeing) of \(1 + witnesses.count) agree, "
                                + "\(quorum) needed")
                return false  // wait and read the range again
            }
        }
        guard let confirmed = try await confirm(candidates) else { return false }  // receipts not there yet: wait
        var events: [GatewayEvent] = []
        for log in confirmed.sorted(by: { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }) {
            let header = headers[Int(log.blockNumber - nextHeight)]
            if let event = try decode(log, block: EVMAdapter.ref(header)) { events.append(event) }
        }
        guard let endHeader = headers.last else { return true }
        buffer += events
        buffer.append(.head(EVMAdapter.ref(endHeader)))
        let keep = headers.suffix(configuration.reorgMemory)
        recent += keep.map { ($0.number, $0.hash) }
        if recent.count > configuration.reorgMemory { recent.removeFirst(recent.count - configuration.reorgMemory) }
        nextHeight = end + 1
        counters.recordAnswer()
        return true
    }

    /// How many providers, the primary included, report exactly `logs` (the gateway's, as filtered by the type's
    /// rules) for `from...to` and `endHash` as the hash of block `to`. A witness that fails to answer disagrees.
    func witnessesAgree(with logs: [EVMLog], from: UInt64, to: UInt64, endHash: Bytes32) async -> Int {
        let expected = Set(logs.map(LogKey.init))
        let gateway = self.gateway
        let filter = JSONRPCClient.logFilter(address: gateway, from: from, to: to, topic0: Self.topics, topic1: nil)
        let votes = await withTaskGroup(of: Bool.self) { group in
            for witness in witnesses {
                group.addTask {
                    do {
                        let answers = try await witness.batch([
                            RPCRequest("eth_getLogs", [filter]),
                            RPCRequest("eth_getBlockByNumber", [.string(HexQuantity.encode(to)), false]),
                        ])
                        let json = try answers[1].get()
                        guard !json.isNull, try EVMBlockHeader(json: json, method: "eth_getBlockByNumber").hash == endHash else { return false }
                        let theirs = try JSONRPCClient.decodeLogs(try answers[0].get()).filter { log in
                            log.address == gateway && !log.removed && (from...to).contains(log.blockNumber)
                                && log.topics.first.map(Self.topics.contains) == true
                        }
                        return Set(theirs.map(LogKey.init)) == expected && theirs.count == logs.count
                    } catch {
                        return false
                    }
                }
            }
            var yes = 0
            for await vote in group where vote { yes += 1 }
            return yes
        }
        return 1 + votes
    }

    /// What two providers must agree on for one log.
    struct LogKey: Hashable {
        let blockHash: Bytes32
        let transactionHash: Bytes32
        let logIndex: UInt64
        let topics: [Bytes32]
        let data: [UInt8]

        init(_ log: EVMLog) {
            blockHash = log.blockHash
            transactionHash = log.transactionHash
            logIndex = log.logIndex
            topics = log.topics
            data = log.data
        }
    }

    /// The headers of `from...to` in order, each linked to the one below by its parent hash and the first to the
    /// last delivered block; nil when the node's answers do not form such a chain (changed while reading).
    func linkedHeaders(from: UInt64, to: UInt64) async throws(RPCError) -> [EVMBlockHeader]? {
        var headers: [EVMBlockHeader] = []
        headers.reserveCapacity(Int(to - from + 1))
        var previous = recent.last.flatMap { $0.height + 1 == from ? $0.hash : nil }
        var low = from
        while low <= to {
            let high = min(to, low + Self.headerBatch - 1)
            for (offset, header) in try await client.blocks(Array(low...high)).enumerated() {
                guard let header, header.number == low + UInt64(offset) else { return nil }
                if let previous, header.parentHash != previous { return nil }
                previous = header.hash
                headers.append(header)
            }
            low = high + 1
        }
        return headers
    }

    /// The logs whose receipts confirm them (see the type's summary); nil to read the range again because a
    /// receipt is still missing (at most ``receiptPatience`` polls, after which the log is dropped).
    func confirm(_ logs: [EVMLog]) async throws(RPCError) -> [EVMLog]? {
        guard !logs.isEmpty else {
            receiptMisses = 0
            return []
        }
        var hashes: [Bytes32] = []
        for log in logs where !hashes.contains(log.transactionHash) { hashes.append(log.transactionHash) }
        let answers = try await client.batch(hashes.map { RPCRequest("eth_getTransactionReceipt", [.string($0.hex)]) })
        var receipts: [Bytes32: EVMReceipt] = [:]
        for (hash, answer) in zip(hashes, answers) {
            let json = try answer.get()
            if json.isNull { continue }
            receipts[hash] = try EVMReceipt(json: json, method: "eth_getTransactionReceipt")
        }
        if receipts.count < hashes.count, receiptMisses < Self.receiptPatience {
            receiptMisses += 1
            return nil
        }
        receiptMisses = 0
        return logs.filter { log in
            guard let receipt = receipts[log.transactionHash] else {
                counters.record(rejected: .noReceipt)
                return false
            }
            guard receipt.succeeded, receipt.transactionHash == log.transactionHash, receipt.blockNumber == log.blockNumber,
                  receipt.blockHash == log.blockHash,
                  let twin = receipt.logs.first(where: { $0.logIndex == log.logIndex }),
                  twin.address == gateway, twin.topics == log.topics, twin.data == log.data, !twin.removed else {
                counters.record(rejected: .receiptMismatch)
                return false
            }
            return true
        }
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
        let feed = EVMEventFeed(client: client, witnesses: witnesses, info: info, configuration: configuration, counters: feedCounters,
                                from: height)
        return AsyncThrowingStream(unfolding: { try await feed.next() })
    }
}
