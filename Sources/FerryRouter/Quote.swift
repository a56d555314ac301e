public import FerryCore

/// A priced, explained answer to a routing query, valid until ``expiresAtMs``.
public struct Quote: Sendable, Hashable {
    /// Deterministic id: a 64-bit FNV-1a hash of the snapshot id, query and chosen lanes, in hex.
    public let id: String
    /// The route; each part is a leg group whose hops carry per-hop fee breakdowns.
    public let plan: RoutePlan
    /// Total to send from the source.
    public let send: Amount
    /// Amount delivered at the destination.
    public let deliver: Amount
    /// Expected time: the slowest part's summed p50 and p95.
    public let eta: Latency
    /// Id of the fee snapshot the quote was computed from.
    public let snapshotID: String
    /// When that snapshot was taken (Unix ms).
    public let snapshotTakenAtMs: UInt64
    /// After this instant (Unix ms) the quote must be recomputed.
    public let expiresAtMs: UInt64
    /// One line: why this route beat the runner-up.
    public let reason: String

    /// Leg groups (same as `plan.parts`).
    public var legs: [RoutePath] { plan.parts }
}

extension Router {
    /// Routes `query` and wraps the result as a ``Quote`` with a reason naming the runner-up.
    /// - Parameters:
    ///   - snapshot: the snapshot the graph was built from (its id and time go into the quote).
    ///   - validForMs: how long after the snapshot the quote stays valid.
    /// - Throws: ``RouteError``, as ``route(_:)``.
    public func quote(_ query: RouteQuery, snapshot: FeeSnapshot, validForMs: UInt64 = 30_000) throws(RouteError) -> Quote {
        let plan = try route(query)
        let reason: String
        if plan.isSplit {
            reason = "split into \(plan.parts.count) parts: no single path has capacity for \(plan.deliver)"
        } else if let first = plan.parts.first?.hops.first, let other = try runnerUp(query, excludingFirstLane: first.lane),
                  let mine = plan.parts.first, let theirs = other.parts.first {
            reason = Self.explain(mine, beat: theirs, objective: query.objective, exactOutput: Self.isExactOutput(query))
        } else {
            reason = "only route: no path starting with another lane meets the limits"
        }
        var hasher = FNV1a()
        hasher.add(snapshot.id)
        hasher.add("\(query.from)>\(query.to)|\(query.amount)|\(query.objective)")
        for part in plan.parts { for hop in part.hops { hasher.add(hop.lane); hasher.add(hop.input.description) } }
        let (expiry, overflow) = snapshot.takenAtMs.addingReportingOverflow(validForMs)
        return Quote(id: hasher.hex, plan: plan, send: plan.send, deliver: plan.deliver, eta: plan.latency, snapshotID: snapshot.id,
                     snapshotTakenAtMs: snapshot.takenAtMs, expiresAtMs: overflow ? .max : expiry, reason: reason)
    }

    private static func isExactOutput(_ q: RouteQuery) -> Bool {
        if case .deliver = q.amount { return true }
        return false
    }

    static func explain(_ a: RoutePath, beat b: RoutePath, objective: RouteObjective, exactOutput: Bool) -> String {
        let via = b.nodes.joined(separator: " -> ")
        if objective == .fastest, a.latency.p95Ms < b.latency.p95Ms {
            return "fastest: p95 \(a.latency.p95Ms) ms vs \(b.latency.p95Ms) ms via \(via)"
        }
        if exactOutput, a.send < b.send {
            return "cheapest: sends \(b.send.saturatingSubtract(a.send)) less than the runner-up via \(via) (\(b.send))"
        }
        if !exactOutput, a.deliver > b.deliver {
            return "cheapest: delivers \(a.deliver.saturatingSubtract(b.deliver)) more than the runner-up via \(via) (\(b.deliver))"
        }
        if a.hops.count < b.hops.count { return "ties the runner-up via \(via) on cost; fewer hops (\(a.hops.count) vs \(b.hops.count))" }
        if a.latency.p95Ms < b.latency.p95Ms { return "ties the runner-up via \(via) on cost and hops; lower p95 latency" }
        if a.send > b.send || a.latency.p95Ms > b.latency.p95Ms {
            return "beats the runner-up via \(via) on the objective (\(objective)) within the limits"
        }
        return "ties the runner-up via \(via) on cost, hops and latency; earlier in path order"
    }
}

/// 64-bit FNV-1a, for short deterministic ids (not a security hash).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) {
        for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = (value ^ 0xff) &* 0x100_0000_01b3
    }
    var hex: String {
        let h = String(value, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }
}
