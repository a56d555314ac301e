import Synchronization

/// State a ``GossipNode`` shares with its I/O thread: the peer links and the output streams.
final class GossipShared: Sendable {
    /// One peer's current SUB socket and its monitor.
    struct Link {
        let peer: GossipNode.Peer
        let generation: Int
        let subscriber: ZMQPoller.SocketID
        let monitor: ZMQPoller.SocketID
        var failures: Int
        var redialPending = false
    }

    let configuration: GossipNode.Configuration
    let context: ZMQContext
    let poller: ZMQPoller
    let frames: AsyncStream<GossipNode.InboundFrame>.Continuation
    let subscriptions: AsyncStream<Int>.Continuation
    let rejections: FrameRejectionCounter
    let links = Mutex<[CurvePublicKey: Link]>([:])
    let generations = Atomic<Int>(0)
    let subscriptionCount = Atomic<Int>(0)
    let droppedFrames = Atomic<Int>(0)
    let redials = Atomic<Int>(0)
    let linkEvents = Mutex<[String]>([])

    init(configuration: GossipNode.Configuration, context: ZMQContext, poller: ZMQPoller,
         frames: AsyncStream<GossipNode.InboundFrame>.Continuation, subscriptions: AsyncStream<Int>.Continuation,
         rejections: FrameRejectionCounter) {
        self.configuration = configuration
        self.context = context
        self.poller = poller
        self.frames = frames
        self.subscriptions = subscriptions
        self.rejections = rejections
    }

    var peerKeys: Set<CurvePublicKey> { links.withLock { Set($0.keys) } }

    /// Opens a fresh SUB socket (and its monitor) to `peer`, replacing any previous link. Runs on the caller's
    /// thread or, for redials, on the I/O thread: the new sockets are configured here and then handed over.
    func dial(_ peer: GossipNode.Peer, failures: Int) throws(WireError) {
        let generation = generations.add(1, ordering: .relaxed).newValue
        let monitorEndpoint = "inproc://ferry-gossip-monitor-\(ObjectIdentifier(self).hashValue)-\(generation)"
        let socket = try ZMQSocket(context: context, kind: .sub)
        try socket.setOption(.receiveHighWaterMark(configuration.receiveHighWaterMark))
        try socket.setOption(.maxMessageSize(FrameCodec.maxFrameSize))
        try socket.setOption(.curveClient(serverKey: peer.publicKey, keyPair: configuration.keyPair))
        try socket.subscribe()
        try socket.monitor(monitorEndpoint, events: [.disconnected, .handshakeSucceeded, .handshakeFailed])
        let monitor = try ZMQSocket(context: context, kind: .pair)
        try monitor.connect(monitorEndpoint)
        try socket.connect(peer.endpoint)
        let key = peer.publicKey
        let subscriberID = try poller.add(socket, mode: .handle { [self] parts in
            receive(parts, from: key)
            return nil
        })
        let monitorID = try poller.add(monitor, mode: .handle { [self] parts in
            linkEvent(parts, peer: key, generation: generation)
            return nil
        })
        let link = Link(peer: peer, generation: generation, subscriber: subscriberID, monitor: monitorID, failures: failures)
        if let old = links.withLock({ $0.updateValue(link, forKey: key) }) {
            try poller.remove(old.subscriber)
            try poller.remove(old.monitor)
        }
    }

    func hangUp(_ key: CurvePublicKey) throws(WireError) {
        guard let old = links.withLock({ $0.removeValue(forKey: key) }) else { return }
        try poller.remove(old.subscriber)
        try poller.remove(old.monitor)
    }

    /// Runs on the I/O thread for each message from a peer's SUB socket.
    func receive(_ parts: [[UInt8]], from peer: CurvePublicKey) {
        guard parts.count == 1 else {
            rejections.record(.badLength)  // frames are single-part messages
            return
        }
        guard let frame = try? FrameCodec.decode(parts[0], counting: rejections) else { return }
        if case .dropped = frames.yield(GossipNode.InboundFrame(frame: frame, peer: peer)) {
            droppedFrames.add(1, ordering: .relaxed)
        }
    }

    /// Runs on the I/O thread for each monitor event of a peer's SUB socket.
    func linkEvent(_ parts: [[UInt8]], peer key: CurvePublicKey, generation: Int) {
        guard let event = ZMQSocketEvent(parts: parts) else { return }
        linkEvents.withLock { $0.append("gen \(generation): \(event)"); if $0.count > 64 { $0.removeFirst() } }
        if event.kind == .handshakeSucceeded {
            links.withLock { if $0[key]?.generation == generation { $0[key]?.failures = 0 } }
            return
        }
        guard event.kind == .disconnected || !event.kind.isDisjoint(with: .handshakeFailed) else { return }
        // libzmq does not reconnect after a protocol or authentication error: redial with a fresh socket.
        let delay: Duration? = links.withLock { links in
            guard var link = links[key], link.generation == generation, !link.redialPending else { return nil }
            link.redialPending = true
            link.failures += 1
            links[key] = link
            return backoff(failures: link.failures)
        }
        guard let delay else { return }
        try? poller.schedule(after: delay) { [self] in redial(key, generation: generation) }
    }

    private func redial(_ key: CurvePublicKey, generation: Int) {
        guard let link = links.withLock({ $0[key] }), link.generation == generation else { return }
        redials.add(1, ordering: .relaxed)
        // A failure here (context shut down) means the node is closing: nothing left to redial.
        try? dial(link.peer, failures: link.failures)
    }

    private func backoff(failures: Int) -> Duration {
        let factor = 1 << min(max(failures - 1, 0), 16)
        return min(configuration.redialInitialDelay * factor, configuration.redialMaxDelay)
    }

    func subscribed() {
        let n = subscriptionCount.add(1, ordering: .relaxed).newValue
        subscriptions.yield(n)
    }
}
