/// The time source a simulated ledger produces blocks on: a ``VirtualClock`` in tests, the wall clock for devnet.
///
/// Chain time is unix milliseconds; sleeping is how event streams wait for the next block.
public struct LedgerClock: Sendable {
    private let nowMillis: @Sendable () -> UInt64
    private let sleeper: @Sendable (UInt64) async throws -> Void

    /// A clock from two functions: the current unix time in ms, and a sleep until a unix time in ms.
    public init(now: @escaping @Sendable () -> UInt64, sleepUntil: @escaping @Sendable (UInt64) async throws -> Void) {
        self.nowMillis = now
        self.sleeper = sleepUntil
    }

    /// Unix milliseconds now.
    public var unixMillis: UInt64 { nowMillis() }

    /// Suspends until unix time `millis`; throws `CancellationError` when the task is cancelled.
    public func sleep(untilUnixMillis millis: UInt64) async throws { try await sleeper(millis) }

    /// Time that moves only when `clock` is advanced (deterministic tests).
    public static func virtual(_ clock: VirtualClock) -> LedgerClock {
        LedgerClock(now: { clock.unixMillis }, sleepUntil: { target in
            let start = clock.startUnixMillis
            let offset = target > start ? target - start : 0
            try await clock.sleep(until: .init(offset: .milliseconds(Int64(clamping: offset))))
        })
    }

    /// Real time (devnet): unix time from the system, sleeping on `ContinuousClock`.
    public static var wall: LedgerClock {
        LedgerClock(now: { wallUnixMillis() }, sleepUntil: { target in
            let now = wallUnixMillis()
            guard target > now else { return }
            try await ContinuousClock().sleep(for: .milliseconds(Int64(clamping: target - now)))
        })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func wallUnixMillis() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
}
