public import FerryRelayer
public import FerryWire
import Prometheus
import Synchronization

/// The Prometheus view of one relayer node: journal states, attestations, submissions, latency, gossip
/// rejections and chain lag, rendered in the text exposition format for `/metrics`.
///
/// The node keeps cumulative counters (``RelayerStats``, ``FrameRejectionCounter``, ``ZAPHandler``); each
/// ``render()`` adds what changed since the last one to the Prometheus counters and sets the gauges, so the
/// node pays nothing per event for metrics. The latency histogram is fed directly by the node. Thread-safe.
public final class RelayerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let node: RelayerNode
    private let gossip: GossipNode?
    private let probe: ChainProbe?
    /// The last cumulative value mirrored into each counter, keyed by metric name and label value; the lock also
    /// serialises concurrent scrapes so a delta is never added twice.
    private let mirrored = Mutex<[String: Int]>([:])
    private let latency: DurationHistogram

    /// Metrics for `node`, its gossip socket (frame and ZAP rejections) and its chain probe (heads and lag).
    public init(node: RelayerNode, gossip: GossipNode?, probe: ChainProbe?) {
        self.node = node
        self.gossip = gossip
        self.probe = probe
        // Powers of two from 1 ms to ~65 s: the spread between a fast rollup and a slow L1 with backups taking over.
        latency = registry.makeDurationHistogram(
            name: "ferry_relayer_release_latency_seconds",
            buckets: (0...16).map { Duration.milliseconds(1 << $0) },
            help: "Chain time from a transfer's k-th attestation to its release being observed")
        let latency = self.latency
        node.stats.observeReleaseLatency { millis in latency.record(.milliseconds(Int64(clamping: millis))) }
        // Create every labelled series up front so dashboards see zeros rather than gaps.
        for state in TransferState.allCases { gauge("ferry_relayer_transfers", "state", state.rawValue, Help.transfers).set(Int64(0)) }
        for kind in AttestationKind.allCases {
            _ = counter("ferry_relayer_attestations_signed_total", "kind", kind.rawValue, Help.signed)
            _ = counter("ferry_relayer_attestations_accepted_total", "kind", kind.rawValue, Help.accepted)
        }
        for reason in AttestationRejection.allCases {
            _ = counter("ferry_relayer_attestations_rejected_total", "reason", reason.rawValue, Help.rejected)
        }
        for action in SubmissionAction.allCases {
            _ = counter("ferry_relayer_submissions_total", "action", action.rawValue, Help.submitted)
            _ = counter("ferry_relayer_submissions_failed_total", "action", action.rawValue, Help.failed)
        }
        for reason in FrameError.Reason.allCases {
            _ = counter("ferry_wire_frames_rejected_total", "reason", reason.rawValue, Help.frames)
        }
        for state in [TransferState.released, .cancelled, .refunded] {
            _ = counter("ferry_relayer_outcomes_observed_total", "state", state.rawValue, Help.observed)
        }
        _ = registry.makeCounter(name: "ferry_relayer_attestation_replays_total", help: Help.replays)
        _ = registry.makeCounter(name: "ferry_relayer_attestations_received_total", help: Help.received)
        _ = registry.makeCounter(name: "ferry_relayer_reorgs_total", help: Help.reorgs)
        _ = registry.makeCounter(name: "ferry_relayer_unlisted_pairs_total", help: Help.unlistedPairs)
        _ = registry.makeCounter(name: "ferry_relayer_untrusted_heads_total", help: Help.untrustedHeads)
        if gossip != nil {
            _ = registry.makeCounter(name: "ferry_wire_zap_rejected_total", help: Help.zapRejected)
            _ = registry.makeCounter(name: "ferry_wire_zap_admitted_total", help: Help.zapAdmitted)
            for reason in ["wrong_mechanism", "protocol", "abandoned"] {
                _ = counter("ferry_wire_handshakes_failed_total", "reason", reason, Help.handshakes)
            }
        }
    }

    private enum Help {
        static let transfers = "Transfers in the journal, by state"
        static let signed = "Attestations this node signed, by kind"
        static let received = "Peer attestations taken in as candidates (well-formed, from a member), checked later if needed"
        static let accepted = "Peer attestations that verified when this node needed them to submit, by kind"
        static let rejected = "Peer attestations rejected, by reason (on arrival, or when an executor checked them)"
        static let submitted = "Gateway calls this node submitted, by action"
        static let failed = "Gateway calls the chain refused or dropped, by action"
        static let observed = "Outcomes observed on chain, by state"
        static let frames = "Inbound gossip frames rejected by the decoder, by reason"
        static let replays = "Valid attestations for transfers already settled here (late republishing or replays), ignored"
        static let reorgs = "Reorg notices handled"
        static let unlistedPairs = "Locks not attested because the registry does not list their asset pair"
        static let untrustedHeads = "Heads whose time was too far ahead of the node's clock to decide cancels on"
        static let zapRejected = "Gossip connections refused by CURVE authentication (unknown key or mechanism)"
        static let zapAdmitted = "Gossip connections admitted by CURVE authentication"
        static let handshakes = "Gossip connections refused before authentication: another mechanism than CURVE (NULL, PLAIN), or a protocol error"
    }

    /// Refreshes every metric from the node and renders the Prometheus text exposition format.
    /// - Throws: ``JournalError`` when the journal cannot be read for the per-state gauge.
    public func render() async throws(JournalError) -> [UInt8] {
        let counts = try await node.journal.countsByState()
        for state in TransferState.allCases {
            gauge("ferry_relayer_transfers", "state", state.rawValue, Help.transfers).set(Int64(counts[state] ?? 0))
        }
        let s = node.stats.snapshot
        mirrored.withLock { last in
            func mirror(_ name: String, _ label: String?, _ value: String?, _ total: Int, _ help: String) {
                let key = "\(name){\(value ?? "")}"
                let delta = total - (last[key] ?? 0)
                guard delta > 0 else { return }
                last[key] = total
                let c = label.map { counter(name, $0, value ?? "", help) } ?? registry.makeCounter(name: name, help: help)
                c.increment(by: Int64(delta))
            }
            for (kind, n) in s.signed { mirror("ferry_relayer_attestations_signed_total", "kind", kind.rawValue, n, Help.signed) }
            for (kind, n) in s.accepted { mirror("ferry_relayer_attestations_accepted_total", "kind", kind.rawValue, n, Help.accepted) }
            for (reason, n) in s.rejected {
                mirror("ferry_relayer_attestations_rejected_total", "reason", reason.rawValue, n, Help.rejected)
            }
            for (action, n) in s.submitted { mirror("ferry_relayer_submissions_total", "action", action.rawValue, n, Help.submitted) }
            for (action, n) in s.failedSubmissions {
                mirror("ferry_relayer_submissions_failed_total", "action", action.rawValue, n, Help.failed)
            }
            for (state, n) in s.observed { mirror("ferry_relayer_outcomes_observed_total", "state", state.rawValue, n, Help.observed) }
            mirror("ferry_relayer_attestation_replays_total", nil, nil, s.replays, Help.replays)
            mirror("ferry_relayer_attestations_received_total", nil, nil, s.received, Help.received)
            mirror("ferry_relayer_reorgs_total", nil, nil, s.reorgs, Help.reorgs)
            mirror("ferry_relayer_unlisted_pairs_total", nil, nil, s.unlistedPairs, Help.unlistedPairs)
            mirror("ferry_relayer_untrusted_heads_total", nil, nil, s.untrustedHeads, Help.untrustedHeads)
            if let gossip {
                let frames = gossip.rejections.snapshot
                for reason in FrameError.Reason.allCases {
                    mirror("ferry_wire_frames_rejected_total", "reason", reason.rawValue, frames[reason], Help.frames)
                }
                let zap = gossip.authenticator.statistics
                mirror("ferry_wire_zap_rejected_total", nil, nil, zap.rejected, Help.zapRejected)
                mirror("ferry_wire_zap_admitted_total", nil, nil, zap.admitted, Help.zapAdmitted)
                let handshakes = gossip.handshakeFailures.statistics
                mirror("ferry_wire_handshakes_failed_total", "reason", "wrong_mechanism", handshakes.wrongMechanism, Help.handshakes)
                mirror("ferry_wire_handshakes_failed_total", "reason", "protocol", handshakes.protocolErrors, Help.handshakes)
                mirror("ferry_wire_handshakes_failed_total", "reason", "abandoned", handshakes.abandoned, Help.handshakes)
            }
        }
        if let gossip {
            registry.makeGauge(name: "ferry_wire_peers", help: "Peers this node subscribes to (connected or being redialled)")
                .set(Int64(gossip.connectedPeers.count))
        }
        for chain in probe?.chains ?? [] {
            let id = String(chain.chain)
            gauge("ferry_relayer_chain_head_height", "chain", id, "Newest head the chain reported to the health probe").set(Int64(clamping: chain.head))
            gauge("ferry_relayer_chain_processed_height", "chain", id, "Highest block this node has processed").set(Int64(clamping: chain.processed))
            gauge("ferry_relayer_journal_lag_blocks", "chain", id, "Head minus processed height").set(Int64(clamping: chain.lagBlocks))
            registry.makeGauge(name: "ferry_relayer_journal_lag_seconds", labels: [("chain", id)],
                               help: "Lag in seconds of chain time").set(chain.lagSeconds)
            gauge("ferry_relayer_chain_reachable", "chain", id, "1 when the chain answered the last health probe").set(Int64(chain.reachable ? 1 : 0))
            if let feed = chain.feed {
                gauge("ferry_relayer_feed_failed_polls", "chain", id,
                      "Polls of the chain's event stream that failed (timeouts, refused, oversized) and were retried")
                    .set(Int64(clamping: feed.failedPolls))
                gauge("ferry_relayer_feed_silent_seconds", "chain", id,
                      "Seconds since the chain's event stream last completed a poll (read a range, or found nothing new)")
                    .set(Int64(clamping: chain.feedSilentSeconds ?? 0))
                for (reason, count) in feed.rejectedLogs {
                    registry.makeGauge(name: "ferry_relayer_feed_rejected_logs", labels: [("chain", id), ("reason", reason)],
                                       help: "Logs from the node the event stream refused (not the gateway's, removed, unconfirmed by the receipt)")
                        .set(Int64(clamping: count))
                }
            }
        }
        return registry.emitToBuffer()
    }

    private func counter(_ name: String, _ label: String, _ value: String, _ help: String) -> Counter {
        registry.makeCounter(name: name, labels: [(label, value)], help: help)
    }

    private func gauge(_ name: String, _ label: String, _ value: String, _ help: String) -> Gauge {
        registry.makeGauge(name: name, labels: [(label, value)], help: help)
    }
}
