/// A test's wait ran out: the thing awaited did not happen before its deadline.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Polls `condition` every `interval` until it holds, failing after `timeout` of real time.
/// A deadline on a real condition, not a delay: the wait ends as soon as the condition holds.
public func waitUntil(_ what: String, timeout: Duration, every interval: Duration = .milliseconds(2),
                      _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(try await condition()) {
        guard ContinuousClock.now < deadline else {
            throw WaitTimedOut(description: "timed out after \(timeout) waiting for \(what)")
        }
        try await Task.sleep(for: interval)
    }
}
