import Synchronization

/// Lets tasks wait until a ledger's generation counter moves past a value (a block was produced or
/// blocks were replaced). Cancellation resumes a waiter at once. No lock is held while resuming.
final class ChangeNotifier: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: (after: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var cancelled: Set<UInt64> = []
    }

    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Bumps the generation and wakes every waiter.
    func notify() {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.generation += 1
            let all = s.waiters.values.map(\.continuation)
            s.waiters.removeAll()
            return all
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once the generation is greater than `after`, or the task is cancelled.
    func wait(after: UInt64) async {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { s in
                    if s.cancelled.remove(id) != nil || s.generation > after { return true }
                    s.waiters[id] = (after, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s in
                if let found = s.waiters.removeValue(forKey: id) { return Optional(found.continuation) }
                s.cancelled.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }
}
