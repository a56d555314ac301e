public import FerryChains
public import FerryCore
public import FerryRelayer
public import Logging
public import ServiceLifecycle
import Foundation
import Synchronization

/// Asks every chain a relayer serves for its head, now and then, and judges the node's health from the answers:
/// a chain that does not answer, or a journal that lags too far behind a head, makes the node unhealthy.
///
/// Runs as a ``Service`` beside the node; `/healthz` and `/metrics` read the last results, so a slow chain never
/// slows a scrape. Thread-safe.
public final class ChainProbe: Service, Sendable {
    /// What one probe of one chain found.
    public struct ChainHealth: Sendable, Hashable, Codable {
        /// The chain id.
        public var chain: UInt64
        /// Whether the last probe got an answer.
        public var reachable: Bool
        /// The newest head the chain reported (0 before the first answer).
        public var head: UInt64
        /// The highest block the node has processed (from ``RelayerStats``).
        public var processed: UInt64
        /// `head - processed`, in blocks.
        public var lagBlocks: UInt64
        /// The lag in seconds of chain time (blocks times the chain's block time).
        public var lagSeconds: Double
        /// Why the last probe failed, when it did.
        public var error: String?
        /// The chain's event stream, for adapters that report it (``EventFeedHealth``): logs refused, polls failed.
        public var feed: EventFeedHealth?
        /// Seconds since the event stream last completed a poll (read a range, or found nothing new), when it reports one.
        public var feedSilentSeconds: UInt64?
    }

    /// The node's health as `/healthz` reports it.
    public struct Report: Sendable, Hashable, Codable {
        /// `ok` or `unhealthy`, or `draining` during a graceful stop.
        public var status: String
        /// The node's id from its config.
        public var node: String
        /// One entry per served chain, by chain id.
        public var chains: [ChainHealth]
        /// Why the node is unhealthy (empty when it is healthy).
        public var problems: [String]

        /// True when `/healthz` should answer 200.
        public var isHealthy: Bool { status == "ok" }
    }

    private let nodeID: String
    private let adapters: [ChainID: any ChainAdapter]
    private let stats: RelayerStats
    private let maxLagSeconds: Double
    private let interval: Duration
    private let timeout: Duration
    private let logger: Logger
    private let results: Mutex<[ChainID: ChainHealth]>
    private let draining = Mutex(false)

    /// A probe for `adapters`, reading processed heights from `stats`.
    /// - Parameters:
    ///   - maxLagSeconds: the lag (in chain time) past which the node is unhealthy.
    ///   - interval: how often ``run()`` probes every chain.
    ///   - timeout: how long one head request may take before the chain counts as unreachable.
    public init(nodeID: String, adapters: [ChainID: any ChainAdapter], stats: RelayerStats, maxLagSeconds: UInt64,
                interval: Duration = .seconds(5), timeout: Duration = .seconds(3), logger: Logger) {
        self.nodeID = nodeID
        self.adapters = adapters
        self.stats = stats
        self.maxLagSeconds = Double(maxLagSeconds)
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
        results = Mutex(Dictionary(uniqueKeysWithValues: adapters.keys.map { id in
            (id, ChainHealth(chain: id.rawValue, reachable: false, head: 0, processed: 0, lagBlocks: 0, lagSeconds: 0,
                             error: "not probed yet"))
        }))
    }

    /// Probes every chain each `interval` until graceful shutdown or cancellation.
    public func run() async throws {
        let clock = ContinuousClock()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await refresh()
            try? await clock.sleep(for: interval)  // cancellation ends the loop on the next check
        }
    }

    /// Marks the node as draining: `/healthz` answers 503 from now on so load balancers and operators see it leave.
    public func markDraining() { draining.withLock { $0 = true } }

    /// Asks every chain for its head once, concurrently, each bounded by the timeout.
    ///
    /// Each chain's task records its own answer under the lock, by the chain id it was started for: an entry
    /// exists only for a configured chain, whatever a task returns.
    public func refresh() async {
        let timeout = self.timeout
        await withTaskGroup(of: Void.self) { group in
            for (id, adapter) in adapters {
                group.addTask { [self] in
                    let outcome: Result<BlockRef, any Error>
                    do {
                        outcome = .success(try await withDeadline(timeout) { try await adapter.head() })
                    } catch {
                        outcome = .failure(error)
                    }
                    results.withLock { all in
                        guard var entry = all[id] else { return }  // only configured chains have entries
                        switch outcome {
                        case let .success(head):
                            entry.reachable = true
                            entry.head = max(entry.head, head.height)
                            entry.error = nil
                        case let .failure(error):
                            entry.reachable = false
                            entry.error = String(describing: error)
                        }
                        all[id] = entry
                    }
                    if case let .failure(error) = outcome {
                        logger.warning("chain \(id) did not answer the health probe: \(error)")
                    }
                }
            }
        }
    }

    /// The last probe's results, with lag computed against the node's processed heights now.
    public var chains: [ChainHealth] {
        let processed = stats.snapshot.processedHeight
        let nowMillis = UInt64(max(0, Date().timeIntervalSince1970 * 1_000))
        return results.withLock { $0 }.values.map { entry in
            var entry = entry
            entry.processed = processed[entry.chain] ?? 0
            // The probe's head can be older than what the node has processed since: the chain is at least there.
            entry.head = max(entry.head, entry.processed)
            entry.lagBlocks = entry.head > entry.processed ? entry.head - entry.processed : 0
            let adapter = adapters[ChainID(entry.chain)]
            let blockMillis = adapter?.info.blockTimeMillis ?? 1_000
            entry.lagSeconds = Double(entry.lagBlocks) * Double(blockMillis) / 1_000
            if let reporting = adapter as? any EventFeedReporting {
                let feed = reporting.eventFeedHealth
                entry.feed = feed
                if let last = feed.lastAnswerAtMillis {
                    entry.feedSilentSeconds = nowMillis > last ? (nowMillis - last) / 1_000 : 0
                }
            }
            return entry
        }.sorted { $0.chain < $1.chain }
    }

    /// The health report `/healthz` serves.
    public var report: Report {
        let chains = self.chains
        var problems: [String] = []
        for chain in chains {
            if !chain.reachable {
                problems.append("chain \(chain.chain) unreachable: \(chain.error ?? "no answer")")
            } else if chain.lagSeconds > maxLagSeconds {
                problems.append("chain \(chain.chain) lags \(chain.lagBlocks) blocks (\(Int(chain.lagSeconds)) s > \(Int(maxLagSeconds)) s)")
            }
            // The watcher's own stream: a node that answers the probe but stalls the stream (or the reverse).
            if let silent = chain.feedSilentSeconds, let feed = chain.feed, Double(silent) > maxLagSeconds,
               (feed.lastFailureAtMillis ?? 0) >= (feed.lastAnswerAtMillis ?? 0) {
                problems.append("chain \(chain.chain) event stream stalled: no completed poll for \(silent) s "
                                + "(\(feed.failedPolls) failed polls; last: \(feed.lastError ?? "none"))")
            }
        }
        let status = draining.withLock { $0 } ? "draining" : (problems.isEmpty ? "ok" : "unhealthy")
        return Report(status: status, node: nodeID, chains: chains, problems: problems)
    }
}

/// The probe's own timeout ran out.
struct ProbeTimedOut: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "no answer within \(timeout)" }
}

/// Runs `body`, throwing ``ProbeTimedOut`` when it takes longer than `timeout` (the body is cancelled).
func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await ContinuousClock().sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw ProbeTimedOut(timeout: timeout) }
        return value
    }
}
