import Synchronization

/// The event-stream slots of one server: at most ``perAgent`` streams per agent and ``total`` in all. A slot is
/// claimed under one lock before the stream's response is returned (so concurrent requests cannot both pass a
/// check made before either counts) and released exactly once when the stream ends for any reason.
final class StreamSlots: Sendable {
    /// Why a stream was refused.
    enum Refusal: String, Sendable {
        /// The agent holds ``StreamSlots/perAgent`` streams.
        case agent
        /// The server holds ``StreamSlots/total`` streams.
        case total
    }

    let perAgent: Int
    let total: Int
    private let state = Mutex<(open: Int, byAgent: [String: Int])>((0, [:]))

    init(perAgent: Int, total: Int) {
        self.perAgent = max(1, perAgent)
        self.total = max(1, total)
    }

    /// Claims a slot for `agent`, or says which cap is full. The returned slot must be released (its `release` is
    /// idempotent, and dropping the last reference to it releases it too).
    func claim(agent: String) -> Result<Slot, RefusalError> {
        let refusal: Refusal? = state.withLock { state in
            if state.byAgent[agent, default: 0] >= perAgent { return .agent }
            if state.open >= total { return .total }
            state.open += 1
            state.byAgent[agent, default: 0] += 1
            return nil
        }
        if let refusal { return .failure(RefusalError(refusal: refusal)) }
        return .success(Slot(slots: self, agent: agent))
    }

    /// Streams open now for `agent`, and in all.
    func open(agent: String) -> (agent: Int, total: Int) {
        state.withLock { ($0.byAgent[agent, default: 0], $0.open) }
    }

    fileprivate func release(agent: String) {
        state.withLock { state in
            state.open -= 1
            let left = state.byAgent[agent, default: 1] - 1
            state.byAgent[agent] = left > 0 ? left : nil
        }
    }

    /// A refused claim.
    struct RefusalError: Error, Sendable { let refusal: Refusal }

    /// One claimed stream slot.
    final class Slot: Sendable {
        private let slots: StreamSlots
        private let agent: String
        private let released = Atomic<Bool>(false)

        fileprivate init(slots: StreamSlots, agent: String) {
            self.slots = slots
            self.agent = agent
        }

        /// Gives the slot back (once; later calls do nothing).
        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            slots.release(agent: agent)
        }

        // A response body that is never run (the connection failed before it) still frees its slot.
        deinit { release() }
    }
}
