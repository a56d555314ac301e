public import FerryCore

/// A gateway action a node may take for a message id, and when it becomes due.
struct PendingAction: Sendable, Hashable {
    let messageId: Bytes32
    let action: SubmissionAction
}

/// Due times for pending actions; the executor loop takes what is due and sleeps until the next.
actor ExecutionQueue {
    private var due: [PendingAction: UInt64] = [:]
    /// When each action's attestations reached the threshold (unix ms), for the backoff schedule and latency.
    private var readySince: [PendingAction: UInt64] = [:]
    let signal = WakeSignal()

    /// Schedules `action` at `millis`, keeping an earlier time if one is already set.
    func schedule(_ action: PendingAction, at millis: UInt64, readySince ready: UInt64? = nil) async {
        if let ready, readySince[action] == nil { readySince[action] = ready }
        if let existing = due[action], existing <= millis { return }
        due[action] = millis
        await signal.fire()
    }

    /// When the action became ready (threshold reached), if known.
    func ready(_ action: PendingAction) -> UInt64? { readySince[action] }

    /// Forgets an action (done, or no longer relevant).
    func finish(_ action: PendingAction) {
        due[action] = nil
        readySince[action] = nil
    }

    /// Removes and returns every action due at `now`, oldest first.
    func takeDue(_ now: UInt64, limit: Int = 512) -> [PendingAction] {
        let ready = due.filter { $0.value <= now }.sorted { ($0.value, $0.key.messageId) < ($1.value, $1.key.messageId) }.prefix(limit)
        for (action, _) in ready { due[action] = nil }
        return ready.map(\.key)
    }

    /// The earliest due time, if any.
    var nextDue: UInt64? { due.values.min() }

    var count: Int { due.count }
}
