import Synchronization

/// A node of the relayers' gossip mesh: publishes frames to its peers and yields the frames they publish.
///
/// One XPUB socket, a CURVE server, is bound at ``endpoint``; peers subscribe to it with their own key
/// pairs, and the node's ``ZAPHandler`` admits only keys in the allow-list. For each peer the node
/// connects one SUB socket as a CURVE client that pins the peer's public key, so every inbound frame is
/// known to come from that peer. All sockets live on one ``ZMQPoller`` I/O thread; frames are decoded
/// there, and rejected ones are counted in ``rejections`` while the node keeps serving.
///
/// PUB/SUB is lossy while a peer is down or slow (see docs/wire.md): use ``Frame/request(_:)`` to catch up.
public final class GossipNode: Sendable {
    /// How a node listens and whom it admits.
    public struct Configuration: Sendable {
        /// The node's long-term CURVE identity.
        public var keyPair: CurveKeyPair
        /// Where the XPUB socket binds; `tcp://127.0.0.1:*` picks a free port (see ``GossipNode/endpoint``).
        public var listenEndpoint: String
        /// Public keys allowed to subscribe (normally every configured peer's key).
        public var allowedPeers: Set<CurvePublicKey>
        /// Frames queued per subscriber before the XPUB drops (`ZMQ_SNDHWM`).
        public var sendHighWaterMark = 10_000
        /// Frames queued per peer before libzmq stops reading it (`ZMQ_RCVHWM`).
        public var receiveHighWaterMark = 10_000
        /// Decoded frames held for a slow consumer of ``GossipNode/frames`` before dropping.
        public var frameBufferCapacity = 16_384
        /// Frames waiting for the I/O thread before ``GossipNode/publish(_:)`` throws `queueFull`.
        public var sendQueueCapacity = 16_384
        /// The ZAP domain the XPUB socket announces.
        public var zapDomain = "ferry"
        /// First delay before redialling a peer whose link failed (refused by its ZAP handler, protocol error,
        /// oversized message, disconnect); doubled after each failure up to ``redialMaxDelay``.
        public var redialInitialDelay: Duration = .milliseconds(100)
        /// Longest delay between redials.
        public var redialMaxDelay: Duration = .seconds(5)

        /// A configuration with default limits.
        public init(keyPair: CurveKeyPair, listenEndpoint: String = "tcp://127.0.0.1:*",
                    allowedPeers: some Sequence<CurvePublicKey>) {
            self.keyPair = keyPair
            self.listenEndpoint = listenEndpoint
            self.allowedPeers = Set(allowedPeers)
        }
    }

    /// A peer to subscribe to.
    public struct Peer: Sendable, Hashable {
        /// Where the peer's XPUB is bound, e.g. `tcp://10.0.0.2:7700`.
        public let endpoint: String
        /// The peer's CURVE public key (pinned: a server with another key is never trusted).
        public let publicKey: CurvePublicKey

        /// Names a peer.
        public init(endpoint: String, publicKey: CurvePublicKey) {
            self.endpoint = endpoint
            self.publicKey = publicKey
        }
    }

    /// A frame received from a peer.
    public struct InboundFrame: Sendable, Hashable {
        /// The decoded frame.
        public let frame: Frame
        /// The peer it came from (authenticated by CURVE).
        public let peer: CurvePublicKey
    }

    /// The endpoint actually bound, e.g. `tcp://127.0.0.1:40123`.
    public let endpoint: String
    /// This node's public key (what peers put in their allow-lists and dial with).
    public let publicKey: CurvePublicKey
    /// Decoded frames from all peers, in arrival order per peer. Iterate from one task; finishes on ``close()``.
    public let frames: AsyncStream<InboundFrame>
    /// The number of subscriptions that reached this node's XPUB so far, yielded on each new one (a peer is
    /// now receiving what this node publishes: a good moment to send `hello`). Keeps the newest value.
    public let subscriptions: AsyncStream<Int>
    /// Rejected inbound frames by reason.
    public let rejections: FrameRejectionCounter
    /// The CURVE gatekeeper: allow-list changes, admitted/rejected counts, decisions.
    public let authenticator: ZAPHandler
    /// Clients of the gossip socket whose handshake failed before authentication (another mechanism, garbage).
    public let handshakeFailures: HandshakeFailureCounter

    private let context: ZMQContext
    private let poller: ZMQPoller
    private let publisher: ZMQPoller.SocketID
    private let shared: GossipShared

    /// Binds the node and starts its I/O threads (one for the sockets, one for ZAP).
    /// - Throws: ``WireError`` when CURVE is unavailable or the endpoint cannot be bound.
    public init(configuration: Configuration) throws(WireError) {
        guard ZMQContext.hasCurve else { throw .unsupported(capability: "curve") }
        let context = try ZMQContext()
        self.context = context
        authenticator = try ZAPHandler(context: context, allowing: configuration.allowedPeers)
        publicKey = configuration.keyPair.publicKey
        rejections = FrameRejectionCounter()
        let (frames, frameContinuation) = AsyncStream.makeStream(
            of: InboundFrame.self, bufferingPolicy: .bufferingOldest(max(1, configuration.frameBufferCapacity)))
        self.frames = frames
        let (subscriptions, subscriptionContinuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
        self.subscriptions = subscriptions

        let handshakes = HandshakeFailureCounter()
        handshakeFailures = handshakes
        let xpub = try ZMQSocket(context: context, kind: .xpub)
        // Clients that fail the handshake before ZAP is asked (NULL or PLAIN against CURVE) show up only here.
        let monitorEndpoint = "inproc://ferry-gossip-xpub-monitor-\(UInt(bitPattern: ObjectIdentifier(handshakes).hashValue))"
        try xpub.monitor(monitorEndpoint, events: [.handshakeFailedProtocol, .handshakeFailedNoDetail])
        let monitor = try ZMQSocket(context: context, kind: .pair)
        try monitor.connect(monitorEndpoint)
        try xpub.setOption(.xpubVerbose(true))
        try xpub.setOption(.sendHighWaterMark(configuration.sendHighWaterMark))
        try xpub.setOption(.maxMessageSize(FrameCodec.maxFrameSize))
        try xpub.setOption(.zapDomain(configuration.zapDomain))
        try xpub.setOption(.curveServer(secretKey: configuration.keyPair.secretKey))
        endpoint = try xpub.bind(configuration.listenEndpoint)
        let poller = try ZMQPoller(name: "ferry-wire-gossip", bufferCapacity: 1,
                                   sendQueueCapacity: configuration.sendQueueCapacity)
        self.poller = poller
        let shared = GossipShared(configuration: configuration, context: context, poller: poller, frames: frameContinuation,
                                  subscriptions: subscriptionContinuation, rejections: rejections)
        self.shared = shared
        // Inbound on an XPUB are subscription messages: 0x01 + prefix (subscribe) or 0x00 + prefix.
        publisher = try poller.add(xpub, mode: .handle { parts in
            if parts.count == 1, parts[0].first == 1 { shared.subscribed() }
            return nil
        })
        // Added after the XPUB, so the poller closes the XPUB (stopping its monitor) before this PAIR.
        _ = try poller.add(monitor, mode: .handle { parts in
            if let event = ZMQSocketEvent(parts: parts) { handshakes.record(event) }
            return nil
        })
    }

    deinit {
        poller.stop()  // its thread holds the peer handlers, which hold `shared`, which holds the poller
        shared.frames.finish()
        shared.subscriptions.finish()
    }

    /// Subscribes to `peer`: connects a SUB socket that pins the peer's key. ZeroMQ connects in the background;
    /// frames arrive on ``frames`` once the peer's ZAP handler admitted this node. When the link fails in a
    /// way libzmq does not recover from by itself (refused by ZAP, a protocol error, an oversized message),
    /// the node redials with exponential backoff until ``disconnect(from:)`` or ``close()``.
    /// Connecting to a peer already connected replaces the old connection.
    /// - Throws: ``WireError/invalidEndpoint(_:reason:)`` for a malformed endpoint, ``WireError/closed(_:)``.
    public func connect(to peer: Peer) throws(WireError) {
        try shared.dial(peer, failures: 0)
    }

    /// Stops subscribing to the peer with `publicKey` (no-op when not connected).
    public func disconnect(from publicKey: CurvePublicKey) throws(WireError) {
        try shared.hangUp(publicKey)
    }

    /// The public keys of the peers this node subscribes to (connected or being redialled).
    public var connectedPeers: Set<CurvePublicKey> { shared.peerKeys }

    /// Publishes `frame` to every admitted subscriber. Never blocks: a subscriber whose queue is full misses it.
    /// - Throws: ``WireError/queueFull(what:capacity:)`` when the I/O thread is far behind, ``WireError/closed(_:)``.
    public func publish(_ frame: Frame) throws(WireError) {
        try poller.send([FrameCodec.encode(frame)], on: publisher)
    }

    /// Publishes a message as given, unchecked: for tests and tools that exercise peers' decoders.
    public func publish(rawParts parts: [[UInt8]]) throws(WireError) {
        try poller.send(parts, on: publisher)
    }

    /// I/O counters of the socket thread (frames received, dropped for a slow consumer, sent).
    public var statistics: ZMQPoller.Statistics {
        var stats = poller.statistics
        stats.dropped += shared.droppedFrames.load(ordering: .relaxed)
        return stats
    }

    /// How many times a peer link was redialled after a failure (see ``connect(to:)``).
    public var redials: Int { shared.redials.load(ordering: .relaxed) }

    /// The latest connection events of the peer links (newest last, at most 64), for logs and diagnostics.
    public var recentLinkEvents: [String] { shared.linkEvents.withLock { $0 } }

    /// Closes every socket, stops both threads and finishes ``frames`` and ``subscriptions``.
    /// The context is terminated when the node is released.
    public func close() async {
        await poller.close()
        await authenticator.close()
        shared.frames.finish()
        shared.subscriptions.finish()
        context.shutdown()
    }
}
