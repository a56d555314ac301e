public import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// One call of a batch: a method and its positional params.
public struct RPCRequest: Sendable, Hashable {
    public var method: String
    public var params: [JSONValue]

    public init(_ method: String, _ params: [JSONValue] = []) {
        self.method = method
        self.params = params
    }
}

/// An Ethereum JSON-RPC 2.0 client over HTTP (async-http-client).
///
/// Calls and batches carry a timeout each. Transient failures (connection refused or reset, timeouts,
/// HTTP 5xx and 429) are retried with exponential backoff; everything else fails at once with a typed
/// ``RPCError``: JSON-RPC error objects keep the node's code and message and decode revert data into a
/// ``RevertReason``. Answers are decoded strictly. Safe to share between tasks.
///
/// - Important: A retried call may run twice on the node. Reads are harmless; `eth_sendRawTransaction`
///   of the same signed bytes is idempotent (the second answer is "already known" or "nonce too low",
///   which ``EVMAdapter`` resolves by looking the hash up).
public struct JSONRPCClient: Sendable {
    /// Timeouts, retries and size limits.
    public struct Configuration: Sendable, Hashable {
        /// Bound on one HTTP exchange: connect, send, the response head and the whole body (the body gets 0.1 s
        /// more, so a failed connection reports its own error). A node that answers slowly (a body trickling in
        /// byte by byte) fails with ``RPCError/timeout(endpoint:method:after:)`` when it runs out, like one that
        /// does not answer at all.
        public var timeout: Duration
        /// How transient failures are retried.
        public var retry: RetryPolicy
        /// The largest answer to `eth_getLogs`, to a method the client does not know, and to a whole batch.
        /// Other methods have smaller caps of their own (see ``responseLimit(for:)``). A larger answer is
        /// refused with ``RPCError/tooLarge(endpoint:method:limit:)`` as soon as the cap is passed, before
        /// anything is parsed.
        public var maxResponseBytes: Int

        public init(timeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 8 << 20) {
            self.timeout = timeout
            self.retry = retry
            self.maxResponseBytes = max(4_096, maxResponseBytes)
        }

        /// The cap on the answer to `method`: 4 KiB for a quantity (`eth_chainId`, `eth_blockNumber`, balances,
        /// nonces, gas, a transaction hash), 64 KiB for a block header, 256 KiB for `eth_call`, `eth_getCode`,
        /// `eth_feeHistory` and a transaction, 1 MiB for a receipt, ``maxResponseBytes`` for `eth_getLogs` and
        /// anything else.
        public func responseLimit(for method: String) -> Int {
            let limit: Int
            switch method {
            case "eth_chainId", "eth_blockNumber", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_getBalance",
                 "eth_getTransactionCount", "eth_estimateGas", "eth_sendRawTransaction", "net_version":
                limit = 4 << 10
            case "eth_getBlockByNumber", "eth_getBlockByHash": limit = 64 << 10
            case "eth_call", "eth_getCode", "eth_feeHistory", "eth_getTransactionByHash": limit = 256 << 10
            case "eth_getTransactionReceipt": limit = 1 << 20
            default: limit = maxResponseBytes
            }
            return min(limit, maxResponseBytes)
        }

        /// The cap on a batch's answer: the sum of its calls' caps, at most ``maxResponseBytes``.
        public func responseLimit(for batch: [RPCRequest]) -> Int {
            var total = 0
            for request in batch {
                total += responseLimit(for: request.method)
                if total >= maxResponseBytes { return maxResponseBytes }
            }
            return total
        }
    }

    /// Exponential backoff: attempt `n` (from 1) waits `initialBackoff * multiplier^(n-1)`, capped at `maxBackoff`.
    public struct RetryPolicy: Sendable, Hashable {
        /// Total attempts including the first; 1 disables retries.
        public var maxAttempts: Int
        public var initialBackoff: Duration
        public var multiplier: Int
        public var maxBackoff: Duration

        public init(maxAttempts: Int = 4, initialBackoff: Duration = .milliseconds(100), multiplier: Int = 2,
                    maxBackoff: Duration = .seconds(5)) {
            self.maxAttempts = max(1, maxAttempts)
            self.initialBackoff = initialBackoff
            self.multiplier = max(1, multiplier)
            self.maxBackoff = maxBackoff
        }

        /// No retries.
        public static let none = RetryPolicy(maxAttempts: 1)

        /// The wait before attempt `attempt + 1`, after `attempt` failures.
        public func backoff(afterAttempt attempt: Int) -> Duration {
            var delay = initialBackoff
            for _ in 1..<max(1, attempt) {
                delay *= multiplier
                if delay >= maxBackoff { return maxBackoff }
            }
            return min(delay, maxBackoff)
        }
    }

    /// The endpoint, e.g. `http://127.0.0.1:8545`.
    public let endpoint: String
    public let configuration: Configuration
    let http: HTTPClient
    let ids: RequestIDs

    /// The client JSON-RPC clients use unless given another. Unlike `HTTPClient.shared`, whose pool keeps retrying
    /// a refused connection until the request's deadline (so a stopped node's refusal would surface only when the
    /// deadline fires, racing the timeout), it fails at once, so a node that is down reads as
    /// ``RPCError/unreachable(endpoint:method:underlying:)`` immediately. Never shut down.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// - Parameters:
    ///   - endpoint: the node's HTTP(S) URL.
    ///   - httpClient: defaults to ``sharedHTTPClient``, which fails a refused connection at once and needs no
    ///     shutdown. Another client works too; a refusal it saw is still reported as unreachable.
    public init(endpoint: String, configuration: Configuration = Configuration(), httpClient: HTTPClient = JSONRPCClient.sharedHTTPClient) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.http = httpClient
        self.ids = RequestIDs()
    }

    /// Calls `method` and returns its `result` (which may be `.null`).
    /// - Throws: ``RPCError`` after retries are exhausted for transient failures, at once for the rest.
    public func call(_ method: String, _ params: [JSONValue] = [], timeout: Duration? = nil) async throws(RPCError) -> JSONValue {
        try await retrying(method) { () async throws(RPCError) -> JSONValue in
            let id = ids.next()
            let body = try encode(.object(["jsonrpc": "2.0", "id": .integer(Int64(id)), "method": .string(method),
                                           "params": .array(params)]), method: method)
            let answer = try await exchange(body, method: method, timeout: timeout, limit: configuration.responseLimit(for: method))
            return try Self.result(of: answer, id: id, method: method)
        }
    }

    /// Sends `requests` as one JSON-RPC batch; answers come back in request order, each a result or its own error.
    /// - Throws: ``RPCError`` when the batch as a whole fails (transport, HTTP, a malformed or incomplete answer).
    public func batch(_ requests: [RPCRequest], timeout: Duration? = nil) async throws(RPCError) -> [Result<JSONValue, RPCError>] {
        guard !requests.isEmpty else { return [] }
        let label = "batch[\(requests.count)] " + requests.prefix(3).map(\.method).joined(separator: ",")
        return try await retrying(label) { () async throws(RPCError) -> [Result<JSONValue, RPCError>] in
            let first = ids.next(count: requests.count)
            let items: [JSONValue] = requests.enumerated().map { i, r in
                .object(["jsonrpc": "2.0", "id": .integer(Int64(first + UInt64(i))), "method": .string(r.method),
                         "params": .array(r.params)])
            }
            let answer = try await exchange(try encode(.array(items), method: label), method: label, timeout: timeout,
                                            limit: configuration.responseLimit(for: requests))
            guard case let .array(replies) = answer else {
                // A node refusing the whole batch answers one error object.
                _ = try Self.result(of: answer, id: nil, method: label)
                throw .malformed(method: label, field: "(batch)", reason: "expected an array of answers, got \(answer)")
            }
            var byID: [Int64: JSONValue] = [:]
            for reply in replies {
                guard case let .integer(id)? = reply["id"] else {
                    throw .malformed(method: label, field: "id", reason: "batch answer without an integer id: \(reply)")
                }
                byID[id] = reply
            }
            return requests.enumerated().map { i, r in
                let id = Int64(first + UInt64(i))
                guard let reply = byID[id] else {
                    return .failure(.malformed(method: r.method, field: "id", reason: "the batch answer has no reply for id \(id)"))
                }
                do throws(RPCError) { return .success(try Self.result(of: reply, id: UInt64(id), method: r.method)) } catch {
                    return .failure(error)
                }
            }
        }
    }

    // MARK: Internals

    func retrying<T>(_ method: String, _ body: () async throws(RPCError) -> T) async throws(RPCError) -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch where error.isTransient && attempt < configuration.retry.maxAttempts {
                do {
                    try await Task.sleep(for: configuration.retry.backoff(afterAttempt: attempt))
                } catch {
                    throw .cancelled(method: method)
                }
                attempt += 1
            }
        }
    }

    func encode(_ value: JSONValue, method: String) throws(RPCError) -> [UInt8] {
        do { return Array(try JSONEncoder().encode(value)) } catch {
            throw .malformed(method: method, field: "params", reason: "cannot encode the request: \(error)")
        }
    }

    /// One HTTP exchange under one deadline: the request, the response head and the whole body must be done
    /// within `timeout` (the client's when nil), and the body within `limit` bytes. The answer is parsed from
    /// the received bytes directly (``JSONParser``), so memory stays near the size of the answer.
    func exchange(_ body: [UInt8], method: String, timeout: Duration?, limit: Int) async throws(RPCError) -> JSONValue {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(body)
        let duration = timeout ?? configuration.timeout
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        let http = self.http
        let prepared = request
        let received: HTTPAnswer?
        do {
            // async-http-client's own deadline ends the connection and head phase with its precise error (a refused
            // connection is "unreachable"); ours, a moment later, also bounds reading the body.
            received = try await Self.within(duration + Self.bodyDeadlineGrace) {
                let response = try await http.execute(prepared, timeout: .milliseconds(max(1, millis)))
                let bytes = try await response.body.collect(upTo: limit)
                return HTTPAnswer(status: Int(response.status.code), bytes: bytes)
            }
        } catch let overdue as Overdue {
            // Our deadline passed first, but the exchange had heard something: a pool retrying a refused connect
            // fails the cancelled request with the refusal. Only an exchange that heard nothing is a timeout.
            let heard = classify(overdue.heard, method: method, timeout: duration, limit: limit)
            switch heard {
            case .timeout, .cancelled: throw .timeout(endpoint: endpoint, method: method, after: duration)
            default: throw heard
            }
        } catch {
            throw classify(error, method: method, timeout: duration, limit: limit)
        }
        guard let received else { throw .timeout(endpoint: endpoint, method: method, after: duration) }
        let (status, bytes) = (received.status, received.bytes)
        guard status == 200 else {
            throw .http(endpoint: endpoint, method: method, status: status,
                        body: String(decoding: bytes.readableBytesView.prefix(200), as: UTF8.self))
        }
        do {
            return try bytes.withUnsafeReadableBytes { raw throws(JSONParser.Failure) in try JSONParser.parse(raw) }
        } catch {
            throw .malformed(method: method, field: "(body)",
                             reason: "not JSON (\(error)): \(String(decoding: bytes.readableBytesView.prefix(120), as: UTF8.self))")
        }
    }

    /// A status and a body (a struct, not a tuple: see `Tests/vectors/taskgroup_tuple_miscompile.swift`).
    struct HTTPAnswer: Sendable {
        let status: Int
        let bytes: ByteBuffer
    }

    /// How much later than the request's own deadline reading the body is cut off.
    static let bodyDeadlineGrace = Duration.milliseconds(100)

    /// What `body` of ``within(_:_:)`` failed with after the deadline had passed and it was cancelled.
    struct Overdue: Error {
        let heard: any Error
    }

    /// Runs `body` and returns its value, or nil when `limit` passes first and `body`, then cancelled (which closes
    /// its connection), ends without an error. When it ends with one (the pool reports the refused connection it
    /// was retrying), that error is thrown wrapped in ``Overdue``: what was heard wins over the clock, however
    /// late the machine got to it. A value that arrives while cancelling is returned.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await ContinuousClock().sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let value = first { return value }
            group.cancelAll()
            do {
                while let next = try await group.next() {
                    if let value = next { return value }
                }
            } catch {
                throw Overdue(heard: error)
            }
            return nil
        }
    }

    func classify(_ error: any Error, method: String, timeout: Duration, limit: Int) -> RPCError {
        if error is CancellationError { return .cancelled(method: method) }
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return .timeout(endpoint: endpoint, method: method, after: timeout)
            case .invalidURL, .emptyHost, .emptyScheme:
                return .invalidEndpoint(endpoint: endpoint, reason: "\(e)")
            case .cancelled:
                return .cancelled(method: method)
            default:
                return .unreachable(endpoint: endpoint, method: method, underlying: "\(e)")
            }
        }
        if let e = error as? NIOTooManyBytesError {
            return .tooLarge(endpoint: endpoint, method: method, limit: e.maxBytes ?? limit)
        }
        return .unreachable(endpoint: endpoint, method: method, underlying: "\(error)")
    }

    /// The `result` of one JSON-RPC answer, or its error as ``RPCError/node(method:code:message:data:revert:)``.
    static func result(of answer: JSONValue, id: UInt64?, method: String) throws(RPCError) -> JSONValue {
        guard case let .object(fields) = answer else {
            throw .malformed(method: method, field: "(answer)", reason: "expected a JSON object, got \(answer)")
        }
        if let error = fields["error"], !error.isNull {
            guard case let .integer(code)? = error["code"], case let .string(message)? = error["message"] else {
                throw .malformed(method: method, field: "error", reason: "error object without an integer code and a message: \(error)")
            }
            var data: [UInt8]?
            if case let .string(text)? = error["data"] { data = try? HexQuantity.data(text) }
            let revert = data.map { RevertReason(data: $0) }.flatMap { $0 == .empty ? nil : $0 }
            throw .node(method: method, code: Int(code), message: message, data: data, revert: revert)
        }
        if let id, fields["id"] != .integer(Int64(id)) {
            throw .malformed(method: method, field: "id", reason: "answer id \(fields["id"] ?? .null) does not match request id \(id)")
        }
        guard let result = fields["result"] else {
            throw .malformed(method: method, field: "result", reason: "answer has neither result nor error")
        }
        return result
    }
}

/// Monotonic JSON-RPC request ids, shared by copies of a client.
final class RequestIDs: Sendable {
    private let counter = Atomic<UInt64>(1)

    func next(count: Int = 1) -> UInt64 {
        counter.wrappingAdd(UInt64(count), ordering: .relaxed).oldValue
    }
}
