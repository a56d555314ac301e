/// Time a hop or route takes, in milliseconds: median and 95th percentile.
///
/// Route latency is the sum over hops of each percentile (conservative for p95).
public struct Latency: Sendable, Hashable, Codable, Comparable {
    /// Median milliseconds.
    public var p50Ms: UInt64
    /// 95th-percentile milliseconds; constraints and the "fastest" objective use this.
    public var p95Ms: UInt64

    /// Creates a latency; `p95Ms` below `p50Ms` is raised to `p50Ms`.
    public init(p50Ms: UInt64, p95Ms: UInt64) {
        self.p50Ms = p50Ms
        self.p95Ms = Swift.max(p50Ms, p95Ms)
    }

    /// Same value for both percentiles.
    public init(ms: UInt64) { self.init(p50Ms: ms, p95Ms: ms) }

    /// No time.
    public static let zero = Latency(ms: 0)

    /// Saturating sum (a route cannot take 2^64 ms; saturation only makes it fail constraints).
    public static func + (a: Latency, b: Latency) -> Latency {
        let (p50, o50) = a.p50Ms.addingReportingOverflow(b.p50Ms)
        let (p95, o95) = a.p95Ms.addingReportingOverflow(b.p95Ms)
        return Latency(p50Ms: o50 ? .max : p50, p95Ms: o95 ? .max : p95)
    }

    public static func < (a: Latency, b: Latency) -> Bool { (a.p95Ms, a.p50Ms) < (b.p95Ms, b.p50Ms) }
}
