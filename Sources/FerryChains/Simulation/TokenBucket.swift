import FerryCore

/// A lane's token bucket on chain time. The level is kept in thousandths of a unit so refills per
/// millisecond are exact and never lost to rounding.
struct TokenBucket: Sendable, Hashable {
    private var levelMilli: Amount
    private var lastMillis: UInt64

    init(limit: RateLimit, nowMillis: UInt64) {
        levelMilli = (try? limit.capacity * Amount(1000)) ?? .max
        lastMillis = nowMillis
    }

    /// Units available at `nowMillis`.
    func available(limit: RateLimit, nowMillis: UInt64) -> Amount {
        let milli = refilled(limit: limit, nowMillis: nowMillis)
        return (try? milli.dividedRounding(by: Amount(1000), .down)) ?? .zero
    }

    /// Takes `amount` or throws naming what is available and when.
    mutating func take(_ amount: Amount, limit: RateLimit, nowMillis: UInt64, lane: String) throws(ExecutionFailure) {
        let milli = refilled(limit: limit, nowMillis: nowMillis)
        guard let needed = try? amount * Amount(1000), needed <= milli else {
            throw .rejected("rate limit on lane \(lane): \(available(limit: limit, nowMillis: nowMillis)) available, \(amount) requested "
                + "(capacity \(limit.capacity), refills \(limit.refillPerSecond)/s)")
        }
        levelMilli = milli.saturatingSubtract(needed)
        lastMillis = max(lastMillis, nowMillis)
    }

    /// Puts `amount` back (a refund undoes its lock's use of the lane), up to capacity.
    mutating func giveBack(_ amount: Amount, limit: RateLimit) {
        let cap = (try? limit.capacity * Amount(1000)) ?? .max
        let back = (try? amount * Amount(1000)) ?? .max
        levelMilli = min(cap, (try? levelMilli + back) ?? .max)
    }

    private func refilled(limit: RateLimit, nowMillis: UInt64) -> Amount {
        let cap = (try? limit.capacity * Amount(1000)) ?? .max
        guard nowMillis > lastMillis else { return min(levelMilli, cap) }
        // refillPerSecond units/s = refillPerSecond milli-units/ms
        let added = (try? limit.refillPerSecond * Amount(nowMillis - lastMillis)) ?? .max
        return min(cap, (try? levelMilli + added) ?? .max)
    }
}
