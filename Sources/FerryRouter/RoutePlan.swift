public import FerryCore

/// The router's answer: one path, or several parts when no single path has the capacity.
public struct RoutePlan: Sendable, Hashable {
    /// The parts; one for an unsplit route. Parts run in parallel.
    public let parts: [RoutePath]
    /// Total leaving the source (sum over parts).
    public let send: Amount
    /// Total arriving at the destination (sum over parts).
    public let deliver: Amount
    /// The slowest part's latency.
    public let latency: Latency

    /// Creates a plan.
    /// - Throws: ``RouteError/amountOverflow(lane:detail:)`` when the parts' sum exceeds 2^256-1.
    public init(parts: [RoutePath]) throws(RouteError) {
        var send = Amount.zero, deliver = Amount.zero
        var latency = Latency.zero
        for part in parts {
            do {
                send = try send + part.send
                deliver = try deliver + part.deliver
            } catch {
                throw .amountOverflow(lane: part.hops.first?.lane ?? "?", detail: "summing split parts: \(error.description)")
            }
            latency = Latency(p50Ms: max(latency.p50Ms, part.latency.p50Ms), p95Ms: max(latency.p95Ms, part.latency.p95Ms))
        }
        self.parts = parts
        self.send = send
        self.deliver = deliver
        self.latency = latency
    }

    /// True when the amount is split across several paths.
    public var isSplit: Bool { parts.count > 1 }

    /// `send - deliver` (zero when the route gains value, e.g. across assets).
    public var totalFee: Amount { send.saturatingSubtract(deliver) }
}
