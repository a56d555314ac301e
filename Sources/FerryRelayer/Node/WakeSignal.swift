/// A one-slot wake-up flag: `fire()` wakes the waiter, or the next `wait()` returns at once.
actor WakeSignal {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    func fire() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    func wait() async {
        if pending {
            pending = false
            return
        }
        await withCheckedContinuation { waiter = $0 }
    }
}
