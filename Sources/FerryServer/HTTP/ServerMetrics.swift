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
        registry.makeCounter(name: "ferry_http_requests_total", labels: [("route", route), ("method", method), ("status", "\(status)")],
                             help: "HTTP requests by route, method and status").increment()
    }

    func streamOpened() { streams.add(1, ordering: .relaxed) }

    func streamClosed() { streams.subtract(1, ordering: .relaxed) }

    /// Event streams open now.
    public var openStreams: Int { streams.load(ordering: .relaxed) }

    func quoted() { registry.makeCounter(name: "ferry_quotes_total", help: "Quotes issued").increment() }

    func paid(state: String) {
        registry.makeCounter(name: "ferry_payment_requests_total", labels: [("state", state)],
                             help: "POST /v1/payments outcomes by resulting state").increment()
    }

    func refused(rule: String) {
        registry.makeCounter(name: "ferry_policy_refusals_total", labels: [("rule", rule)], help: "Policy refusals by rule").increment()
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
