public import FerryChains
import Synchronization

/// The devnet's time: the wall clock plus an offset that admin calls can only increase (a time warp, so tests
/// and demos need not wait minutes for a deadline). Every chain of one devnet shares it.
public final class DevnetClock: Sendable {
    private let offset = Mutex<UInt64>(0)
    private let wall: LedgerClock

    /// A clock on `wall` time (``LedgerClock/wall`` unless a test supplies another) with no offset.
    public init(wall: LedgerClock = .wall) { self.wall = wall }

    /// How far ahead of the wall clock the devnet runs, in milliseconds.
    public var offsetMillis: UInt64 { offset.withLock { $0 } }

    /// Devnet time now, unix milliseconds.
    public var unixMillis: UInt64 { wall.unixMillis &+ offsetMillis }

    /// Moves the devnet's time forward by `millis` (ledgers produce the blocks due on their next use).
    public func advance(millis: UInt64) {
        offset.withLock { $0 = $0.addingReportingOverflow(millis).overflow ? .max : $0 + millis }
    }

    /// The ``LedgerClock`` the devnet's ledgers run on.
    public var ledgerClock: LedgerClock {
        LedgerClock(now: { [self] in unixMillis }, sleepUntil: { [self] target in
            // Sleep the remaining devnet time in wall time; a warp meanwhile wakes waiters through the ledgers' change
            // notifications, since the warp makes every ledger produce its blocks at once.
            let now = unixMillis
            guard target > now else { return }
            try await wall.sleep(untilUnixMillis: wall.unixMillis + (target - now))
        })
    }
}
