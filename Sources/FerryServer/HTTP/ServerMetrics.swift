import FerryAgent
import FerryChains
import FerryCore
public import FerryRelayer
import Prometheus
import Synchronization

/// The server's Prometheus metrics: request, quote and payment counters kept in a private registry (no global
/// `MetricsSystem` bootstrap), plus gauges read at scrape time from the chains and relayers.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Relayer counters to expose (the embedded world's nodes).
    let relayers: [(id: String, stats: RelayerStats)]
    /// Event streams open now.
    private let streams = Atomic<Int>(0)

    /// Creates the metrics; `relayers` are exposed as `ferry_relayer_*`.
    public init(relayers: [(id: String, stats: RelayerStats)] = []) { self.relayers = relayers }

    func request(route: String, method: String, status: Int) {
        counter("ferry_http_requests", "HTTP requests by route, method and status",
                labels: [("route", route), ("method", method), ("status", "\(status)")]).increment()
    }

    /// The counter `<name>_total` with `labels`.
    private func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "total", helpText: help), labels: labels)
    }

    func streamOpened() { streams.add(1, ordering: .relaxed) }

    func streamClosed() { streams.subtract(1, ordering: .relaxed) }

    /// An event stream refused with 429 because the agent's cap (`agent`) or the server's (`total`) was full.
    func streamRefused(cap: String) {
        counter("ferry_event_streams_refused", "Event streams refused with 429 by cap (agent or total)", labels: [("cap", cap)]).increment()
    }

    /// Event streams open now.
    public var openStreams: Int { streams.load(ordering: .relaxed) }

    func quoted() { counter("ferry_quotes", "Quotes issued").increment() }

    func paid(state: String) {
        counter("ferry_payment_requests", "POST /v1/payments outcomes by resulting state", labels: [("state", state)]).increment()
    }

    func refused(rule: String) {
        counter("ferry_policy_refusals", "Policy refusals by rule", labels: [("rule", rule)]).increment()
    }

    /// The exposition text: registry counters, then chain heads and relayer counters now.
    func exposition(adapters: [ChainID: any ChainAdapter]) async -> String {
        var text = registry.emitToString()
        text += "# HELP ferry_event_streams_open Server-sent event streams open now\n# TYPE ferry_event_streams_open gauge\n"
        text += "ferry_event_streams_open \(openStreams)\n"
        text += "# HELP ferry_chain_head_height Newest block height per chain\n# TYPE ferry_chain_head_height gauge\n"
        for (id, adapter) in adapters.sorted(by: { $0.key < $1.key }) {
            if let head = try? await adapter.head() { text += "ferry_chain_head_height{chain=\"\(id.rawValue)\"} \(head.height)\n" }
        }
        guard !relayers.isEmpty else { return text }
        text += "# HELP ferry_relayer_attestations_signed_total Attestations signed by the relayer\n# TYPE ferry_relayer_attestations_signed_total counter\n"
        for r in relayers {
            let s = r.stats.snapshot
            text += "ferry_relayer_attestations_signed_total{relayer=\"\(r.id)\"} \(s.signed.values.reduce(0, +))\n"
        }
        text += "# HELP ferry_relayer_submissions_total Gateway calls submitted by the relayer\n# TYPE ferry_relayer_submissions_total counter\n"
        for r in relayers {
            let s = r.stats.snapshot
            text += "ferry_relayer_submissions_total{relayer=\"\(r.id)\"} \(s.submitted.values.reduce(0, +))\n"
        }
        return text
    }
}
