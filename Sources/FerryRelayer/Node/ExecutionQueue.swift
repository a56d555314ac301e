public import FerryCore
import HeapModule
import Synchronization

/// A gateway action a node may take for a message id, and when it becomes due.
struct PendingAction: Sendable, Hashable {
    let messageId: Bytes32
    let action: SubmissionAction
}

/// Due times for pending actions; the executor loop takes what is due and sleeps until the next.
///
/// A min-heap of due times with lazy deletion: rescheduling or finishing an action leaves its old heap entry
/// behind, recognised as stale by its sequence number and compacted away when stale entries dominate. Every
/// operation is O(log n). Thread-safe; no lock is held across an `await`.
final class ExecutionQueue: Sendable {
    private struct Entry: Comparable {
        let due: UInt64
        let sequence: UInt64
        let action: PendingAction
        static func < (a: Entry, b: Entry) -> Bool { (a.due, a.sequence) < (b.due, b.sequence) }
        static func == (a: Entry, b: Entry) -> Bool { a.due == b.due && a.sequence == b.sequence }
    }

    private struct State {
        var heap = Heap<Entry>()
        /// The live entry of each action: its due time and sequence number.
        var live: [PendingAction: (due: UInt64, sequence: UInt64)] = [:]
        /// When each action's attestations reached the threshold (unix ms), for the backoff schedule and latency.
        var readySince: [PendingAction: UInt64] = [:]
        var nextSequence: UInt64 = 0

        /// Makes `millis` the action's due time; its older heap entry, if any, becomes stale.
        mutating func setDue(_ action: PendingAction, _ millis: UInt64) {
            nextSequence += 1
            live[action] = (millis, nextSequence)
            heap.insert(Entry(due: millis, sequence: nextSequence, action: action))
            compactIfStale()
        }

        mutating func compactIfStale() {
            guard heap.count > 1_024, heap.count > 2 * live.count else { return }
            heap = Heap(live.map { Entry(due: $0.value.due, sequence: $0.value.sequence, action: $0.key) })
        }
    }

    private let state = Mutex(State())
    let signal = WakeSignal()

    /// Schedules `action` at `millis`, keeping an earlier time if one is already set.
    func schedule(_ action: PendingAction, at millis: UInt64, readySince ready: UInt64? = nil) {
        let changed = state.withLock { s -> Bool in
            if let ready, s.readySince[action] == nil { s.readySince[action] = ready }
            if let existing = s.live[action], existing.due <= millis { return false }
            s.setDue(action, millis)
            return true
        }
        if changed { signal.fire() }
    }

    /// Moves `action` to `millis` even when it is due earlier (a retry after an attempt).
    func reschedule(_ action: PendingAction, at millis: UInt64) {
        state.withLock { $0.setDue(action, millis) }
        signal.fire()
    }

    /// When the action became ready (threshold reached), if known.
    func ready(_ action: PendingAction) -> UInt64? { state.withLock { $0.readySince[action] } }

    /// Forgets an action (done, or no longer relevant).
    func finish(_ action: PendingAction) {
        state.withLock { s in
            s.live[action] = nil
            s.readySince[action] = nil
            s.compactIfStale()
        }
    }

    /// Removes and returns up to `limit` actions due at `now`, earliest first.
    func takeDue(_ now: UInt64, limit: Int = 512) -> [PendingAction] {
        state.withLock { s in
            var out: [PendingAction] = []
            while out.count < limit, let top = s.heap.min, top.due <= now {
                s.heap.removeMin()
                guard let live = s.live[top.action], live.sequence == top.sequence else { continue }  // stale
                s.live[top.action] = nil
                out.append(top.action)
            }
            return out
        }
    }

    /// The earliest due time, if any.
    var nextDue: UInt64? {
        state.withLock { s in
            while let top = s.heap.min {
                if let live = s.live[top.action], live.sequence == top.sequence { return top.due }
                s.heap.removeMin()
            }
            return nil
        }
    }

    /// Actions scheduled.
    var count: Int { state.withLock { $0.live.count } }
}
