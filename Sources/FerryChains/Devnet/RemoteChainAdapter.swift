public import AsyncHTTPClient
public import FerryCore
public import FerryCrypto

/// A ``ChainAdapter`` for one chain served by `ferry devnet` over HTTP (adapter kind `sim-remote`).
///
/// It behaves as ``SimulatedChainAdapter`` does in process: the same answers, the same typed ``ChainError``s
/// (the server sends their facts; a server that cannot be reached or answers nonsense is `.unreachable`).
/// Transactions are signed here, with the caller's ``TransactionSigner``: the adapter asks the server for the
/// nonce and fee bid, signs ``SimTransaction/signingHash`` and posts the signed transaction. Keys never travel.
/// Events come from the server's long-poll endpoint, so a quiet chain costs one request per `pollTimeout`.
public struct RemoteChainAdapter: ChainAdapter {
    /// The chain's static facts (from the registry or the devnet).
    public let info: ChainInfo
    /// The devnet's root URL, `http://127.0.0.1:8645`.
    public let devnetURL: String
    /// How long one long-poll for events waits on the server before answering empty.
    public let pollTimeout: Duration
    let transport: DevnetTransport
    var chainPath: String { "\(DevnetAPI.chainsPath)/\(info.id.rawValue)" }

    /// An adapter for the chain `info` describes, served by the devnet at `devnetURL`. No request is made yet.
    /// - Parameters:
    ///   - httpClient: the client to send requests with (``sharedHTTPClient`` by default; the caller owns any other).
    ///   - requestTimeout: the bound on every request (a long-poll gets `pollTimeout` on top).
    ///   - pollTimeout: how long the server may hold an event poll open when nothing happens (at most 30 s).
    public init(info: ChainInfo, devnetURL: String, httpClient: HTTPClient = RemoteChainAdapter.sharedHTTPClient,
                requestTimeout: Duration = .seconds(10), pollTimeout: Duration = .seconds(10)) {
        self.info = info
        self.pollTimeout = min(pollTimeout, .milliseconds(Int64(WireLimits.pollTimeoutMillis)))
        let transport = DevnetTransport(client: httpClient, root: devnetURL, requestTimeout: requestTimeout)
        self.transport = transport
        self.devnetURL = transport.root
    }

    /// An adapter for a registry entry of kind `sim-remote` (its `rpc_url` is the devnet's root URL).
    /// - Throws: `.rejected` when the entry is of another kind or has no `rpc_url`.
    public init(entry: ChainEntry, httpClient: HTTPClient = RemoteChainAdapter.sharedHTTPClient, requestTimeout: Duration = .seconds(10)) throws(ChainError) {
        guard entry.adapter == .simRemote, let url = entry.rpcURL else {
            throw .rejected(entry.info.id, reason: "\(entry.source): a remote adapter needs adapter = \"sim-remote\" and an rpc_url")
        }
        self.init(info: entry.info, devnetURL: url, httpClient: httpClient, requestTimeout: requestTimeout)
    }

    /// Asks the devnet at `devnetURL` for chain `chain`'s facts and returns an adapter for it.
    /// - Throws: `.unreachable` when the devnet cannot be reached, `.unknown` when it does not serve `chain`.
    public static func connect(devnetURL: String, chain: ChainID, httpClient: HTTPClient = RemoteChainAdapter.sharedHTTPClient,
                               requestTimeout: Duration = .seconds(10)) async throws(ChainError) -> RemoteChainAdapter {
        let transport = DevnetTransport(client: httpClient, root: devnetURL, requestTimeout: requestTimeout)
        let info: ChainInfo
        do { info = try await transport.get("\(DevnetAPI.chainsPath)/\(chain.rawValue)") } catch { throw error.chainError(chain) }
        guard info.id == chain else {
            throw DevnetFailure.malformed("asked for \(chain), the devnet described \(info.id)").chainError(chain)
        }
        return RemoteChainAdapter(info: info, devnetURL: devnetURL, httpClient: httpClient, requestTimeout: requestTimeout)
    }

    public func head() async throws(ChainError) -> BlockRef { try await get("/head") }

    public func finalizedHeight() async throws(ChainError) -> UInt64 {
        let answer: DevnetAPI.Height = try await get("/finalized")
        return answer.height
    }

    public func balance(of account: Address, asset: String) async throws(ChainError) -> Amount {
        guard let escaped = Self.pathSegment(asset) else {
            throw .unknown(info.id, what: "asset \"\(asset)\" (known: \(info.assets.map(\.symbol).joined(separator: ", ")))")
        }
        let answer: DevnetAPI.Balance = try await get("/accounts/\(account.bytes32.hex)/balances/\(escaped)")
        return answer.amount
    }

    public func feeEstimate() async throws(ChainError) -> FeeEstimate { try await get("/fees") }

    public func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        let call = call.withSignaturesOrdered(in: info.attestationDomain)
        let from = Address(signer.address.bytes32)
        var attempt = 0
        while true {
            attempt += 1
            let template: DevnetAPI.TransactionTemplate = try await get(
                "/transaction-template?from=\(from.bytes32.hex)&call=\(call.kind.rawValue)&priority=\(priority.rawValue)")
            guard template.chain == info.id, template.from == from else {
                throw DevnetFailure.malformed("transaction template for \(template.from) on \(template.chain), asked for \(from) on \(info.id)")
                    .chainError(info.id)
            }
            let digest = SimTransaction.signingHash(chain: info.id, from: from, nonce: template.nonce, call: call, bid: template.bid)
            let signature: Signature
            do { signature = try signer.sign(digest: digest) } catch {
                throw .rejected(info.id, reason: "the signer failed to sign the transaction: \(error)")
            }
            let tx = SimTransaction(chain: info.id, from: from, nonce: template.nonce, call: call, bid: template.bid, signature: signature)
            do throws(ChainError) {
                let answer: DevnetAPI.Submitted = try await post("/transactions", body: tx)
                guard answer.id == tx.id else {
                    throw DevnetFailure.malformed("the devnet named the transaction \(answer.id), its id is \(tx.id)").chainError(info.id)
                }
                return tx.id
            } catch {
                // Another submission from the same account took the nonce between template and post: sign again.
                if case let .rejected(_, reason) = error, reason.hasPrefix("nonce"), attempt < 4 { continue }
                throw error
            }
        }
    }

    public func transaction(_ id: TxID) async throws(ChainError) -> TxStatus { try await get("/transactions/\(id.hash.hex)") }

    public func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord { try await get("/gateway/\(messageId.hex)") }

    public func onwardHops(of messageId: Bytes32) async throws(ChainError) -> [Transfer] {
        let answer: DevnetAPI.OnwardHops = try await get("/gateway/\(messageId.hex)/onward")
        return answer.hops
    }

    /// The devnet's simulated gateways forward multi-hop routes.
    public var forwardsRoutes: Bool { true }

    /// The devnet's simulated gateways take checkpoints; commits and batch releases travel as JSON (docs/devnet.md).
    public var supportsCheckpoints: Bool { true }

    /// Follows the chain from `height` through the long-poll endpoint: each answer delivers what is new (a `.reorg`
    /// first when delivered blocks were replaced, a `.head` after each batch). While the devnet cannot be reached
    /// (server down, simulated outage) it delivers nothing and retries with a growing pause (at most 2 s), and
    /// resumes where it was. It ends with an error only on an answer that breaks the API (or a chain error other
    /// than unreachable), and ends when the consumer stops.
    public func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> {
        let feed = RemoteEventFeed(transport: transport, path: chainPath + "/events", chain: info.id,
                                   cursor: EventCursor(from: height), pollTimeout: pollTimeout)
        return AsyncThrowingStream(unfolding: { try await feed.next() })
    }

    public func relayerSet() async throws(ChainError) -> RelayerSet { try await get("/relayers") }

    // MARK: Requests

    private func get<Answer: Decodable>(_ path: String) async throws(ChainError) -> Answer {
        do { return try await transport.get(chainPath + path) } catch { throw error.chainError(info.id) }
    }

    private func post<Answer: Decodable>(_ path: String, body: some Encodable) async throws(ChainError) -> Answer {
        do { return try await transport.post(chainPath + path, body: body) } catch { throw error.chainError(info.id) }
    }

    /// `text` as one URL path segment (asset symbols are letters and digits; anything else is escaped).
    static func pathSegment(_ text: String) -> String? {
        guard !text.isEmpty else { return nil }
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension RemoteChainAdapter {
    /// The client devnet adapters and admin clients use unless given another. Unlike `HTTPClient.shared`, which
    /// keeps retrying a refused connection until the request's deadline, it fails at once, so a devnet that is
    /// down reads as `.unreachable` immediately; connecting may take at most 2 s. Never shut down.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// One remote event stream: its cursor, undelivered events and retry pause.
actor RemoteEventFeed {
    let transport: DevnetTransport
    let path: String
    let chain: ChainID
    let pollTimeout: Duration
    var cursor: EventCursor
    var buffer: [GatewayEvent] = []
    var pause: Duration = .zero

    init(transport: DevnetTransport, path: String, chain: ChainID, cursor: EventCursor, pollTimeout: Duration) {
        self.transport = transport
        self.path = path
        self.chain = chain
        self.cursor = cursor
        self.pollTimeout = pollTimeout
    }

    func next() async throws -> GatewayEvent? {
        while buffer.isEmpty {
            try Task.checkCancellation()
            let millis = UInt64(pollTimeout.components.seconds) * 1000 + UInt64(pollTimeout.components.attoseconds / 1_000_000_000_000_000)
            let request = DevnetAPI.PollRequest(cursor: cursor, timeoutMillis: millis)
            do throws(DevnetFailure) {
                let answer: DevnetAPI.PollResponse = try await transport.post(path, body: request, extraTimeout: pollTimeout)
                cursor = answer.cursor
                buffer = answer.events
                pause = .zero
            } catch {
                switch error {
                case .transport:
                    try await backOff()
                case let .answer(body) where body.code == .unreachable || body.code == .timeout:
                    try await backOff()
                case .answer, .malformed:
                    throw error.chainError(chain)
                }
            }
        }
        return buffer.removeFirst()
    }

    /// Waits before retrying an unreachable devnet: 50 ms, doubling, at most 2 s. Cancellation ends the wait.
    private func backOff() async throws {
        pause = pause == .zero ? .milliseconds(50) : min(pause * 2, .seconds(2))
        try await Task.sleep(for: pause)
    }
}
