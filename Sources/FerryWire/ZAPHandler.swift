import Synchronization

/// Authenticates CURVE clients of one ``ZMQContext`` against an allow-list of public keys (ZAP, RFC 27).
///
/// Binds a REP socket to `inproc://zeromq.zap.01` and serves it on its own I/O thread (a ``ZMQPoller``).
/// Every CURVE server socket of the context then asks it about each connecting client before the handshake
/// completes; clients whose key is not allowed are refused (status 400) and counted. Requests for other
/// mechanisms (NULL, PLAIN) are refused too. The allow-list can change at runtime: a key added with
/// ``allow(_:)`` is admitted from the client's next connection attempt (ZeroMQ clients retry on their own).
///
/// - Important: create the handler before any CURVE server socket of the context accepts connections; a
///   context without a ZAP handler admits every client that knows the server's public key.
public final class ZAPHandler: Sendable {
    /// The endpoint RFC 27 fixes for ZAP handlers.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// One authentication answered.
    public struct Decision: Sendable, Hashable {
        /// The client's CURVE public key, when the request carried one.
        public let publicKey: CurvePublicKey?
        /// The client's IP address as libzmq reports it.
        public let address: String
        /// The ZAP domain of the server socket.
        public let domain: String
        /// Whether the client was admitted.
        public let admitted: Bool
        /// Why, in words (the ZAP status text).
        public let reason: String
    }

    /// Counts since the handler started.
    public struct Statistics: Sendable, Hashable {
        /// Clients admitted.
        public var admitted = 0
        /// Clients refused (unknown key, wrong mechanism, malformed request).
        public var rejected = 0
    }

    /// Each decision, newest kept when the consumer lags (the last 256). Iterate from one task.
    public let decisions: AsyncStream<Decision>
    private let state: ZAPState
    private let poller: ZMQPoller

    /// Binds the handler in `context` and starts its thread.
    /// - Parameters:
    ///   - context: the context whose CURVE server sockets it guards.
    ///   - allowed: the client public keys to admit.
    /// - Throws: ``WireError/invalidEndpoint(_:reason:)`` when the context already has a ZAP handler.
    public init(context: ZMQContext, allowing allowed: some Sequence<CurvePublicKey>) throws(WireError) {
        let (stream, continuation) = AsyncStream.makeStream(of: Decision.self, bufferingPolicy: .bufferingNewest(256))
        decisions = stream
        let state = ZAPState(allowed: Set(allowed), continuation: continuation)
        self.state = state
        let socket = try ZMQSocket(context: context, kind: .rep)
        try socket.bind(Self.endpoint)
        poller = try ZMQPoller(name: "ferry-wire-zap", bufferCapacity: 1, sendQueueCapacity: 16)
        try poller.add(socket, mode: .handle { state.answer($0) })
    }

    deinit { state.continuation.finish() }

    /// Admits `key` from now on.
    public func allow(_ key: CurvePublicKey) { state.allowed.withLock { _ = $0.insert(key) } }

    /// Refuses `key` from its next connection on (established connections stay up until they drop).
    public func revoke(_ key: CurvePublicKey) { state.allowed.withLock { _ = $0.remove(key) } }

    /// The keys admitted now.
    public var allowed: Set<CurvePublicKey> { state.allowed.withLock { $0 } }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        Statistics(admitted: state.admitted.load(ordering: .relaxed), rejected: state.rejected.load(ordering: .relaxed))
    }

    /// I/O counters of the handler's thread (requests received, replies sent, replies that failed).
    public var ioStatistics: ZMQPoller.Statistics { poller.statistics }

    /// Stops the thread and closes the REP socket.
    public func close() async {
        await poller.close()
        state.continuation.finish()
    }
}

/// What the ZAP thread and the API share.
final class ZAPState: Sendable {
    let allowed: Mutex<Set<CurvePublicKey>>
    let continuation: AsyncStream<ZAPHandler.Decision>.Continuation
    let admitted = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)

    init(allowed: Set<CurvePublicKey>, continuation: AsyncStream<ZAPHandler.Decision>.Continuation) {
        self.allowed = Mutex(allowed)
        self.continuation = continuation
    }

    /// Builds the reply to one ZAP request (RFC 27): version, request id, status code, text, user id, metadata.
    func answer(_ request: [[UInt8]]) -> [[UInt8]] {
        func reply(_ id: [UInt8], _ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), id, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        func text(_ i: Int) -> String { i < request.count ? String(decoding: request[i], as: UTF8.self) : "" }
        let requestId = request.count > 1 ? request[1] : []
        guard request.count >= 6, text(0) == "1.0" else {
            rejected.add(1, ordering: .relaxed)
            record(nil, text(3), text(2), false, "malformed ZAP request")
            return reply(requestId, "500", "malformed ZAP request")
        }
        let domain = text(2), address = text(3), mechanism = text(5)
        guard mechanism == "CURVE", request.count == 7, let key = try? CurvePublicKey(bytes: request[6]) else {
            rejected.add(1, ordering: .relaxed)
            record(nil, address, domain, false, "mechanism \(mechanism) is not allowed: CURVE only")
            return reply(requestId, "400", "CURVE required")
        }
        guard allowed.withLock({ $0.contains(key) }) else {
            rejected.add(1, ordering: .relaxed)
            record(key, address, domain, false, "public key not in the allow-list")
            return reply(requestId, "400", "unknown public key")
        }
        admitted.add(1, ordering: .relaxed)
        record(key, address, domain, true, "allowed")
        return reply(requestId, "200", "OK", user: key.z85)
    }

    private func record(_ key: CurvePublicKey?, _ address: String, _ domain: String, _ admitted: Bool, _ reason: String) {
        continuation.yield(ZAPHandler.Decision(publicKey: key, address: address, domain: domain, admitted: admitted, reason: reason))
    }
}
