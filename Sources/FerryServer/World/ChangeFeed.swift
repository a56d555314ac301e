import Synchronization

/// A version counter that waiters can sleep on: whoever changes payment state calls ``bump()``, and event streams
/// wake up to re-read the timeline. Bounded: one continuation per waiting stream, resumed on the next bump.
public final class ChangeFeed: Sendable {
    private struct State {
        var version: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<UInt64, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A feed at version 0.
    public init() {}

    /// The current version.
    public var version: UInt64 { state.withLock { $0.version } }

    /// Records a change and wakes every waiter.
    public func bump() {
        let (version, waiters) = state.withLock { s -> (UInt64, [CheckedContinuation<UInt64, Never>]) in
            s.version += 1
            let w = Array(s.waiters.values)
            s.waiters.removeAll()
            return (s.version, w)
        }
        for waiter in waiters { waiter.resume(returning: version) }
    }

    /// Returns as soon as the version is greater than `seen` (at once when it already is), or when the task is
    /// cancelled.
    public func wait(after seen: UInt64) async -> UInt64 {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<UInt64, Never>) in
                let now: UInt64? = state.withLock { s in
                    if s.version > seen || Task.isCancelled { return s.version }
                    s.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { s in s.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: state.withLock { $0.version })
        }
    }
}
