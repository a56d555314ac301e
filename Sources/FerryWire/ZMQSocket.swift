internal import CZeroMQ

/// Owns one libzmq socket; closes it in `deinit` or on ``close()``.
///
/// - Important: ZeroMQ sockets are not thread-safe, so this type is not `Sendable`: use a socket from one
///   thread at a time. To serve sockets from async code, hand them to a ``ZMQPoller`` (which moves them to its
///   own I/O thread) instead of calling the blocking ``receive(nonBlocking:)`` on Swift's cooperative pool.
public final class ZMQSocket {
    /// The ZeroMQ socket patterns Ferry uses.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case pub, sub, xpub, xsub, router, dealer, push, pull, req, rep, pair

        var raw: Int32 {
            switch self {
            case .pub: ZMQ_PUB
            case .sub: ZMQ_SUB
            case .xpub: ZMQ_XPUB
            case .xsub: ZMQ_XSUB
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .push: ZMQ_PUSH
            case .pull: ZMQ_PULL
            case .req: ZMQ_REQ
            case .rep: ZMQ_REP
            case .pair: ZMQ_PAIR
            }
        }

        public var description: String {
            switch self {
            case .pub: "PUB"
            case .sub: "SUB"
            case .xpub: "XPUB"
            case .xsub: "XSUB"
            case .router: "ROUTER"
            case .dealer: "DEALER"
            case .push: "PUSH"
            case .pull: "PULL"
            case .req: "REQ"
            case .rep: "REP"
            case .pair: "PAIR"
            }
        }
    }

    /// The context the socket was made from; kept alive as long as the socket.
    public let context: ZMQContext
    /// The socket pattern.
    public let kind: Kind
    private(set) var raw: UnsafeMutableRawPointer?
    private var monitoring = false

    /// Creates a socket of `kind` in `context`, with linger 0 (unsent messages are dropped on close).
    /// - Throws: ``WireError/contextTerminated(operation:)`` after the context was shut down, or a system error
    ///   (too many sockets).
    public init(context: ZMQContext, kind: Kind) throws(WireError) {
        guard let s = zmq_socket(context.raw, kind.raw) else { throw ZMQErrno.error("zmq_socket(\(kind))") }
        self.context = context
        self.kind = kind
        self.raw = s
        try setOption(.linger(milliseconds: 0))
    }

    deinit { close() }

    /// True until ``close()``.
    public var isOpen: Bool { raw != nil }

    /// Closes the socket now (idempotent). Pending outbound messages are kept for the linger period.
    public func close() {
        guard let s = raw else { return }
        raw = nil
        // Stop a monitor first: libzmq sends monitor events with a blocking send, and once the PAIR reading
        // them is gone that send would park libzmq's own I/O thread, freezing every socket of the context.
        if monitoring { _ = zmq_socket_monitor(s, nil, 0) }
        _ = zmq_close(s)
    }

    func socket(_ operation: String) throws(WireError) -> UnsafeMutableRawPointer {
        guard let s = raw else { throw .closed("\(kind) socket (\(operation))") }
        return s
    }

    /// Binds to `endpoint` and returns the endpoint actually bound: for `tcp://127.0.0.1:*` the port chosen.
    /// - Throws: ``WireError/invalidEndpoint(_:reason:)`` (address in use, bad syntax) and others.
    @discardableResult
    public func bind(_ endpoint: String) throws(WireError) -> String {
        let s = try socket("bind")
        try ZMQErrno.retrying("zmq_bind", endpoint: endpoint) { zmq_bind(s, endpoint) }
        return (try? lastEndpoint()) ?? endpoint
    }

    /// Connects to `endpoint`. ZeroMQ connects in the background and reconnects after failures.
    /// - Throws: ``WireError/invalidEndpoint(_:reason:)`` for a malformed endpoint.
    public func connect(_ endpoint: String) throws(WireError) {
        let s = try socket("connect")
        try ZMQErrno.retrying("zmq_connect", endpoint: endpoint) { zmq_connect(s, endpoint) }
    }

    /// Disconnects from an endpoint given to ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws(WireError) {
        let s = try socket("disconnect")
        try ZMQErrno.retrying("zmq_disconnect", endpoint: endpoint) { zmq_disconnect(s, endpoint) }
    }

    /// Unbinds an endpoint returned by ``bind(_:)``.
    public func unbind(_ endpoint: String) throws(WireError) {
        let s = try socket("unbind")
        try ZMQErrno.retrying("zmq_unbind", endpoint: endpoint) { zmq_unbind(s, endpoint) }
    }

    /// The last endpoint bound or connected (`ZMQ_LAST_ENDPOINT`).
    public func lastEndpoint() throws(WireError) -> String {
        let s = try socket("getsockopt")
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        try ZMQErrno.retrying("zmq_getsockopt(ZMQ_LAST_ENDPOINT)") { zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, &buffer, &size) }
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Publishes this socket's connection events of `events` on the `inproc://` endpoint `endpoint`
    /// (`zmq_socket_monitor`). Connect a PAIR socket there and decode its messages with
    /// ``ZMQSocketEvent/init(parts:)``. Start the monitor before connecting, or early events are missed.
    /// - Important: keep the PAIR reading until this socket is closed (``close()`` stops the monitor first):
    ///   libzmq blocks its I/O thread on an event nobody can receive. Do not ask for `monitorStopped`.
    public func monitor(_ endpoint: String, events: ZMQSocketEvent.Kinds) throws(WireError) {
        let s = try socket("zmq_socket_monitor")
        try ZMQErrno.retrying("zmq_socket_monitor", endpoint: endpoint) { zmq_socket_monitor(s, endpoint, events.rawValue) }
        monitoring = true
    }

    /// Subscribes a SUB socket to messages starting with `prefix` (empty: everything).
    public func subscribe(_ prefix: [UInt8] = []) throws(WireError) {
        try setBytes(ZMQ_SUBSCRIBE, prefix, name: "ZMQ_SUBSCRIBE")
    }

    /// Removes a subscription made by ``subscribe(_:)``.
    public func unsubscribe(_ prefix: [UInt8] = []) throws(WireError) {
        try setBytes(ZMQ_UNSUBSCRIBE, prefix, name: "ZMQ_UNSUBSCRIBE")
    }

    /// Sets one option. Options about connections (CURVE, limits) must be set before bind/connect.
    public func setOption(_ option: ZMQSocketOption) throws(WireError) {
        switch option {
        case let .linger(ms): try setInt32(ZMQ_LINGER, ms, name: "ZMQ_LINGER")
        case let .sendHighWaterMark(n): try setInt32(ZMQ_SNDHWM, n, name: "ZMQ_SNDHWM")
        case let .receiveHighWaterMark(n): try setInt32(ZMQ_RCVHWM, n, name: "ZMQ_RCVHWM")
        case let .maxMessageSize(n):
            let s = try socket("setsockopt")
            var v = Int64(n)
            try ZMQErrno.retrying("zmq_setsockopt(ZMQ_MAXMSGSIZE)") {
                zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &v, MemoryLayout<Int64>.size)
            }
        case let .sendTimeout(ms): try setInt32(ZMQ_SNDTIMEO, ms, name: "ZMQ_SNDTIMEO")
        case let .receiveTimeout(ms): try setInt32(ZMQ_RCVTIMEO, ms, name: "ZMQ_RCVTIMEO")
        case let .reconnectInterval(ms): try setInt32(ZMQ_RECONNECT_IVL, ms, name: "ZMQ_RECONNECT_IVL")
        case let .handshakeInterval(ms): try setInt32(ZMQ_HANDSHAKE_IVL, ms, name: "ZMQ_HANDSHAKE_IVL")
        case let .immediate(on): try setInt32(ZMQ_IMMEDIATE, on ? 1 : 0, name: "ZMQ_IMMEDIATE")
        case let .xpubVerbose(on): try setInt32(ZMQ_XPUB_VERBOSE, on ? 1 : 0, name: "ZMQ_XPUB_VERBOSE")
        case let .zapDomain(domain): try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8), name: "ZMQ_ZAP_DOMAIN")
        case let .curveServer(secretKey):
            guard ZMQContext.hasCurve else { throw .unsupported(capability: "curve") }
            try setInt32(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
            try setBytes(ZMQ_CURVE_SECRETKEY, secretKey.bytes, name: "ZMQ_CURVE_SECRETKEY")
        case let .curveClient(serverKey, keyPair):
            guard ZMQContext.hasCurve else { throw .unsupported(capability: "curve") }
            try setBytes(ZMQ_CURVE_SERVERKEY, serverKey.bytes, name: "ZMQ_CURVE_SERVERKEY")
            try setBytes(ZMQ_CURVE_PUBLICKEY, keyPair.publicKey.bytes, name: "ZMQ_CURVE_PUBLICKEY")
            try setBytes(ZMQ_CURVE_SECRETKEY, keyPair.secretKey.bytes, name: "ZMQ_CURVE_SECRETKEY")
        case let .plainClient(username, password):
            try setBytes(ZMQ_PLAIN_USERNAME, Array(username.utf8), name: "ZMQ_PLAIN_USERNAME")
            try setBytes(ZMQ_PLAIN_PASSWORD, Array(password.utf8), name: "ZMQ_PLAIN_PASSWORD")
        }
    }

    private func setInt32(_ option: Int32, _ value: Int, name: String) throws(WireError) {
        let s = try socket("setsockopt")
        var v = Int32(clamping: value)
        do {
            try ZMQErrno.retrying("zmq_setsockopt(\(name))") { zmq_setsockopt(s, option, &v, MemoryLayout<Int32>.size) }
        } catch .system(_, _, let message) {
            throw .invalidOption(name: name, reason: message)
        }
    }

    private func setBytes(_ option: Int32, _ value: [UInt8], name: String) throws(WireError) {
        let s = try socket("setsockopt")
        do {
            try ZMQErrno.retrying("zmq_setsockopt(\(name))") {
                value.withUnsafeBytes { zmq_setsockopt(s, option, $0.baseAddress, $0.count) }
            }
        } catch .system(_, _, let message) {
            throw .invalidOption(name: name, reason: message)
        }
    }

    /// Sends one message of one or more parts, atomically (all parts or none are delivered).
    /// - Parameter nonBlocking: with `true`, throws ``WireError/wouldBlock(operation:)`` instead of waiting at
    ///   the high-water mark (PUB sockets never block; they drop).
    public func send(_ parts: [[UInt8]], nonBlocking: Bool = false) throws(WireError) {
        let s = try socket("send")
        guard !parts.isEmpty else { return }
        let base: Int32 = nonBlocking ? ZMQ_DONTWAIT : 0
        for (i, part) in parts.enumerated() {
            let flags = base | (i < parts.count - 1 ? ZMQ_SNDMORE : 0)
            try ZMQErrno.retrying("zmq_send") {
                part.withUnsafeBytes { zmq_send(s, $0.baseAddress, $0.count, flags) }
            }
        }
    }

    /// Receives one whole message (all its parts).
    /// - Parameters:
    ///   - nonBlocking: with `true`, throws ``WireError/wouldBlock(operation:)`` when nothing is waiting.
    ///   - maxParts: parts beyond this are read and discarded, so a hostile peer cannot grow memory; the
    ///     result then has exactly `maxParts + 1` entries, the last one empty, to mark the overflow.
    /// - Important: blocking receive parks the calling thread; never call it from Swift's cooperative pool.
    public func receive(nonBlocking: Bool = false, maxParts: Int = 16) throws(WireError) -> [[UInt8]] {
        let s = try socket("receive")
        var parts: [[UInt8]] = []
        var msg = zmq_msg_t()
        var flags: Int32 = nonBlocking ? ZMQ_DONTWAIT : 0
        while true {
            _ = zmq_msg_init(&msg)
            defer { _ = zmq_msg_close(&msg) }
            try ZMQErrno.retrying("zmq_msg_recv") { zmq_msg_recv(&msg, s, flags) }
            // Once the first part arrived, the rest of the message is already here: never block on it.
            flags = ZMQ_DONTWAIT
            if parts.count < maxParts {
                let size = zmq_msg_size(&msg)
                if let data = zmq_msg_data(&msg), size > 0 {
                    parts.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
                } else {
                    parts.append([])
                }
            } else if parts.count == maxParts {
                parts.append([])
            }
            if zmq_msg_more(&msg) == 0 { return parts }
        }
    }
}
