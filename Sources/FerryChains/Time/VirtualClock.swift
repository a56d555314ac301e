import Synchronization

/// A `Clock` whose time moves only when told to: tests call ``advance(by:)`` and every sleeper whose
/// deadline has passed resumes, in deadline order. Deterministic: nothing depends on the wall clock.
///
/// Thread-safe: state sits behind a `Mutex`, and no continuation is resumed while it is held.
public final class VirtualClock: Clock, Sendable {
    /// A point on the virtual timeline: time since the clock started.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable {
        /// Time since the clock's start.
        public let offset: Duration

        /// An instant `offset` after the clock's start.
        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var cancelledBeforeRegistering: Set<UInt64> = []
    }

    private let state = Mutex(State())

    /// Unix milliseconds at ``Instant`` zero; chains map virtual time to block timestamps with it.
    public let startUnixMillis: UInt64

    /// A clock at instant zero.
    /// - Parameter startUnixMillis: the unix time (ms) that instant zero stands for; default 2025-01-01T00:00:00Z.
    public init(startUnixMillis: UInt64 = 1_735_689_600_000) {
        self.startUnixMillis = startUnixMillis
    }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// Unix milliseconds now, on the virtual timeline.
    public var unixMillis: UInt64 { startUnixMillis + Self.millis(now.offset) }

    /// Suspends until the clock is advanced to `deadline` or beyond. Throws `CancellationError` when cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id: UInt64 = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case resumeNow, cancelled, waiting }
                let outcome: Outcome = state.withLock { s in
                    if s.cancelledBeforeRegistering.remove(id) != nil { return .cancelled }
                    if deadline <= s.now { return .resumeNow }
                    s.sleepers[id] = Sleeper(id: id, deadline: deadline, continuation: continuation)
                    return .waiting
                }
                switch outcome {
                case .resumeNow: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { s in
                if let found = s.sleepers.removeValue(forKey: id) { return found }
                s.cancelledBeforeRegistering.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` (ignored unless positive) and resumes every sleeper whose deadline is now reached.
    public func advance(by duration: Duration) {
        guard duration > .zero else { return }  // a clock never goes backwards
        let due: [Sleeper] = state.withLock { s in
            s.now = s.now.advanced(by: duration)
            let now = s.now
            let ready = s.sleepers.values.filter { $0.deadline <= now }.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
            for sleeper in ready { s.sleepers[sleeper.id] = nil }
            return ready
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time forward to `instant` (no-op when it is in the past).
    public func advance(to instant: Instant) {
        let delta = now.duration(to: instant)
        if delta > .zero { advance(by: delta) }
    }

    /// How many tasks are sleeping on this clock (tests use it to know a consumer is waiting).
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    static func millis(_ d: Duration) -> UInt64 {
        let (seconds, attoseconds) = d.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1000 + UInt64(attoseconds / 1_000_000_000_000_000)
    }
}
