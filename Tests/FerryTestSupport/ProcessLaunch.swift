public import Foundation

extension Process {
    /// The one lock every test launch goes through.
    private static let launchLock = NSLock()

    /// Starts the process like `run()`, one launch at a time across the whole test bundle.
    ///
    /// Under the parallel suite, Foundation's `Process.run()` on Linux has crashed twice (SIGSEGV in a `memmove`
    /// inside `run()`) while other suites launched processes and opened and closed descriptors at the same time.
    /// Launching is quick (the children still run concurrently), so tests serialise it rather than risk the bundle.
    public func launchSerialized() throws {
        try Self.launchLock.withLock { try run() }
    }
}
