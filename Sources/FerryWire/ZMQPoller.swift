internal import CZeroMQ
import Foundation
import Synchronization

/// Serves ZeroMQ sockets on one dedicated I/O thread, so async code never blocks Swift's cooperative pool.
///
/// Sockets handed to ``add(_:mode:)`` move to the poller's thread and are used by that thread only, as
/// ZeroMQ requires. The thread parks in `zmq_poll` over those sockets plus the read end of a pipe:
///
/// - **Inbound**: messages of ``Mode/stream`` sockets are delivered, in arrival order, through ``messages``,
///   an `AsyncStream` with a bounded buffer (`bufferCapacity`). When the consumer falls that far behind, new
///   messages are dropped and counted in ``Statistics/dropped`` (gossip is lossy by design; see docs/wire.md).
/// - **Outbound**: ``send(_:on:)`` may be called from any thread or task. It appends the message to a bounded,
///   mutex-protected queue and writes one byte to the pipe to wake the thread, which then sends it without
///   blocking. A mutex-protected queue plus a pipe was chosen over an inproc PUSH socket because a ZeroMQ
///   socket used by many callers would itself need a lock, while the pipe write is thread-safe and coalesced
///   (one wakeup byte per batch of sends).
/// - **Handle**: ``Mode/handle(_:)`` sockets have each message passed to a synchronous handler on the I/O
///   thread, whose optional reply is sent at once; the ZAP handler (REP) and ``GossipNode`` work this way.
///
/// ``close()`` stops the thread, which closes every socket it owns; nothing outlives it.
public final class ZMQPoller: Sendable {
    /// Names a socket inside one poller.
    public struct SocketID: Hashable, Sendable, CustomStringConvertible {
        /// Sequence number in this poller.
        public let rawValue: Int
        public var description: String { "socket#\(rawValue)" }
    }

    /// One inbound message and the socket it came from.
    public struct Message: Sendable {
        /// The receiving socket.
        public let socket: SocketID
        /// The message parts (at most the poller's `maxParts`, see ``ZMQSocket/receive(nonBlocking:maxParts:)``).
        public let parts: [[UInt8]]
    }

    /// What the I/O thread does with a socket's input.
    public enum Mode: Sendable {
        /// Deliver inbound messages to ``ZMQPoller/messages``.
        case stream
        /// Never poll for input (PUB, PUSH).
        case sendOnly
        /// Run the handler on the I/O thread for each inbound message and send its reply on the same socket
        /// (`nil`: no reply, e.g. for SUB; REP sockets must always reply). The handler must be quick and must
        /// not block: it holds up every socket of this poller.
        case handle(@Sendable ([[UInt8]]) -> [[UInt8]]?)
    }

    /// Counters since the poller started.
    public struct Statistics: Sendable, Hashable {
        /// Messages received from sockets.
        public var received = 0
        /// Inbound messages dropped because the stream's buffer was full.
        public var dropped = 0
        /// Messages sent.
        public var sent = 0
        /// Messages that could not be sent (high-water mark reached on a non-PUB socket, closed socket).
        public var sendFailures = 0
    }

    /// Inbound messages of ``Mode/stream`` sockets; finishes when the poller closes. Iterate from one task.
    public let messages: AsyncStream<Message>
    private let core: PollerCore

    /// Starts the I/O thread.
    /// - Parameters:
    ///   - name: thread name, shown by debuggers and `top -H`.
    ///   - bufferCapacity: inbound messages held for a slow consumer before dropping.
    ///   - sendQueueCapacity: outbound messages waiting for the thread before ``send(_:on:)`` throws `queueFull`.
    ///   - maxParts: parts kept per inbound message (more are discarded).
    public init(name: String = "ferry-wire-io", bufferCapacity: Int = 4096, sendQueueCapacity: Int = 16384,
                maxParts: Int = 8) throws(WireError) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Message.self, bufferingPolicy: .bufferingOldest(max(1, bufferCapacity)))
        messages = stream
        core = PollerCore(pipe: try WakeupPipe(), continuation: continuation,
                          sendQueueCapacity: max(1, sendQueueCapacity), maxParts: max(1, maxParts))
        let core = self.core
        let thread = Thread { PollerLoop(core: core).run() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { core.requestStop() }

    /// Moves `socket` to the I/O thread. The caller must not use it afterwards (it is `sending`).
    /// Configure, bind and connect the socket before adding it.
    /// - Returns: the id to use with ``send(_:on:)`` and ``remove(_:)``, and that tags its inbound messages.
    /// - Throws: ``WireError/closed(_:)`` after ``close()``.
    @discardableResult
    public func add(_ socket: sending ZMQSocket, mode: Mode = .stream) throws(WireError) -> SocketID {
        let transfer = SocketTransfer(socket: socket)
        return try core.enqueue(counted: false) { id in .add(id, transfer, mode) }
    }

    /// Closes a socket on the I/O thread (idempotent).
    public func remove(_ id: SocketID) throws(WireError) {
        _ = try core.enqueue(counted: false) { _ in .remove(id) }
    }

    /// Queues one message for `id`; the I/O thread sends it without blocking.
    /// - Throws: ``WireError/queueFull(what:capacity:)`` when the thread is that far behind, or
    ///   ``WireError/closed(_:)`` after ``close()``.
    public func send(_ parts: [[UInt8]], on id: SocketID) throws(WireError) {
        _ = try core.enqueue(counted: true) { _ in .send(id, parts) }
    }

    /// Stops the I/O thread and returns once it has closed every socket and finished ``messages``.
    /// Safe to call more than once and from several tasks.
    public func close() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = core.state.withLock { s -> Bool in
                if s.exited { return true }
                s.stopping = true
                s.exitWaiters.append(c)
                return false
            }
            if done { c.resume() } else { core.pipe.signal() }
        }
    }

    /// Runs `work` on the I/O thread once `delay` has passed (used to redial peers with backoff).
    /// `work` must be quick and must not block.
    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) throws(WireError) {
        let deadline = ContinuousClock.now + delay
        _ = try core.enqueue(counted: false) { _ in .schedule(deadline, work) }
    }

    /// Asks the I/O thread to stop without waiting for it (for owners' `deinit`).
    func stop() { core.requestStop() }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        Statistics(received: core.received.load(ordering: .relaxed), dropped: core.dropped.load(ordering: .relaxed),
                   sent: core.sent.load(ordering: .relaxed), sendFailures: core.sendFailures.load(ordering: .relaxed))
    }
}

/// Carries a socket from the caller's thread to the I/O thread.
struct SocketTransfer: @unchecked Sendable {
    // @unchecked Sendable is safe: ZMQPoller.add takes the socket as `sending`, so the caller has given it up,
    // and the transfer goes through the poller's mutex (a full memory barrier, which is all ZeroMQ asks for
    // when a socket migrates between threads). Only the I/O thread touches it afterwards.
    let socket: ZMQSocket
}

enum PollerCommand: Sendable {
    case add(ZMQPoller.SocketID, SocketTransfer, ZMQPoller.Mode)
    case remove(ZMQPoller.SocketID)
    case send(ZMQPoller.SocketID, [[UInt8]])
    case schedule(ContinuousClock.Instant, @Sendable () -> Void)
}

/// State shared by the poller's API and its thread.
final class PollerCore: Sendable {
    struct State {
        var commands: [PollerCommand] = []
        var queuedSends = 0
        var wakeupPending = false
        var stopping = false
        var exited = false
        var nextID = 0
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let state = Mutex(State())
    let pipe: WakeupPipe
    let continuation: AsyncStream<ZMQPoller.Message>.Continuation
    let sendQueueCapacity: Int
    let maxParts: Int
    let received = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
    let sendFailures = Atomic<Int>(0)

    init(pipe: WakeupPipe, continuation: AsyncStream<ZMQPoller.Message>.Continuation, sendQueueCapacity: Int, maxParts: Int) {
        self.pipe = pipe
        self.continuation = continuation
        self.sendQueueCapacity = sendQueueCapacity
        self.maxParts = maxParts
    }

    func enqueue(counted: Bool, _ make: (ZMQPoller.SocketID) -> PollerCommand) throws(WireError) -> ZMQPoller.SocketID {
        let capacity = sendQueueCapacity
        let result: Result<(ZMQPoller.SocketID, Bool), WireError> = state.withLock { s in
            if s.stopping || s.exited { return .failure(.closed("ZMQPoller")) }
            if counted {
                if s.queuedSends >= capacity { return .failure(.queueFull(what: "ZMQPoller send queue", capacity: capacity)) }
                s.queuedSends += 1
            }
            let id = ZMQPoller.SocketID(rawValue: s.nextID)
            s.nextID += 1
            s.commands.append(make(id))
            let wake = !s.wakeupPending
            s.wakeupPending = true
            return .success((id, wake))
        }
        let (id, wake) = try result.get()
        if wake { pipe.signal() }
        return id
    }

    func requestStop() {
        state.withLock { $0.stopping = true }
        pipe.signal()
    }
}

/// The I/O thread's side: owns the sockets; everything here runs on that one thread.
private final class PollerLoop {
    struct Entry {
        let socket: ZMQSocket
        let mode: ZMQPoller.Mode
    }

    let core: PollerCore
    var entries: [ZMQPoller.SocketID: Entry] = [:]
    var polled: [(ZMQPoller.SocketID, Entry)] = []
    var items: [zmq_pollitem_t] = []
    var dirty = true
    var timers: [(deadline: ContinuousClock.Instant, work: @Sendable () -> Void)] = []

    init(core: PollerCore) { self.core = core }

    func run() {
        while true {
            let (commands, stop) = core.state.withLock { s in
                let c = s.commands
                s.commands.removeAll(keepingCapacity: true)
                s.queuedSends = 0
                s.wakeupPending = false
                return (c, s.stopping)
            }
            for command in commands { apply(command) }
            if stop { break }
            if dirty { rebuild() }
            let rc = zmq_poll(&items, Int32(items.count), pollTimeout())
            runDueTimers()
            if rc < 0 {
                if zmq_errno() == EINTR { continue }
                break  // ETERM: the context was shut down; nothing more can be served.
            }
            if items[0].revents != 0 { core.pipe.drain() }
            for (index, (id, entry)) in polled.enumerated() where items[index + 1].revents & Int16(ZMQ_POLLIN) != 0 {
                serve(id, entry)
            }
        }
        finish()
    }

    private func apply(_ command: PollerCommand) {
        switch command {
        case let .add(id, transfer, mode):
            entries[id] = Entry(socket: transfer.socket, mode: mode)
            dirty = true
        case let .remove(id):
            entries.removeValue(forKey: id)?.socket.close()
            dirty = true
        case let .schedule(deadline, work):
            timers.append((deadline, work))
        case let .send(id, parts):
            guard let entry = entries[id] else {
                core.sendFailures.add(1, ordering: .relaxed)
                return
            }
            do {
                try entry.socket.send(parts, nonBlocking: true)
                core.sent.add(1, ordering: .relaxed)
            } catch {
                core.sendFailures.add(1, ordering: .relaxed)
            }
        }
    }

    /// Milliseconds until the next timer (-1: none, wait for I/O only).
    private func pollTimeout() -> Int {
        guard let next = timers.map(\.deadline).min() else { return -1 }
        let left = ContinuousClock.now.duration(to: next)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000) + 1
    }

    private func runDueTimers() {
        guard !timers.isEmpty else { return }
        let now = ContinuousClock.now
        let due = timers.filter { $0.deadline <= now }
        guard !due.isEmpty else { return }
        timers.removeAll { $0.deadline <= now }
        for timer in due { timer.work() }
    }

    private func rebuild() {
        polled = entries.filter { if case .sendOnly = $0.value.mode { false } else { true } }.sorted { $0.key.rawValue < $1.key.rawValue }
        items = [zmq_pollitem_t(socket: nil, fd: core.pipe.readEnd, events: Int16(ZMQ_POLLIN), revents: 0)]
        for (_, entry) in polled {
            items.append(zmq_pollitem_t(socket: entry.socket.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
        }
        dirty = false
    }

    /// Reads what is waiting, up to a batch, so one busy socket cannot starve the others or the send queue.
    private func serve(_ id: ZMQPoller.SocketID, _ entry: Entry) {
        for _ in 0..<256 {
            let parts: [[UInt8]]
            do {
                parts = try entry.socket.receive(nonBlocking: true, maxParts: core.maxParts)
            } catch {
                return  // EAGAIN: drained. Anything else resurfaces at the next poll or on close.
            }
            core.received.add(1, ordering: .relaxed)
            switch entry.mode {
            case .stream:
                if case .dropped = core.continuation.yield(ZMQPoller.Message(socket: id, parts: parts)) {
                    core.dropped.add(1, ordering: .relaxed)
                }
            case let .handle(handler):
                guard let reply = handler(parts) else { continue }
                do {
                    try entry.socket.send(reply, nonBlocking: true)
                    core.sent.add(1, ordering: .relaxed)
                } catch {
                    core.sendFailures.add(1, ordering: .relaxed)
                }
            case .sendOnly:
                return
            }
        }
    }

    private func finish() {
        // Ascending ids: a monitored socket is closed before the PAIR reading its monitor (added after it).
        for (_, entry) in entries.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { entry.socket.close() }
        entries.removeAll()
        polled.removeAll()
        items.removeAll()
        timers.removeAll()
        // Commands that arrived with or after the stop: close sockets handed over late, drop the rest.
        let late = core.state.withLock { s in
            let c = s.commands
            s.commands.removeAll()
            s.exited = true
            s.stopping = true
            return c
        }
        for case let .add(_, transfer, _) in late { transfer.socket.close() }
        core.continuation.finish()
        let waiters = core.state.withLock { s in
            let w = s.exitWaiters
            s.exitWaiters.removeAll()
            return w
        }
        for waiter in waiters { waiter.resume() }
    }
}
