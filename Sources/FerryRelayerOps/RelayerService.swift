public import FerryRelayer
public import FerryWire
public import Logging
public import ServiceLifecycle

/// A ``RelayerNode`` as a swift-service-lifecycle `Service`, with a graceful stop.
///
/// On graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`) the node stops taking new work: its
/// watchers, gossip receiver and executor are cancelled between journal writes (each write is one SQLite
/// transaction, so nothing is half-recorded), the gossip sockets close, and the journal's WAL is checkpointed.
/// In-flight transfers stay in the journal; the node's peers finish them (the executor schedule hands a
/// silent node's turn to the next relayer after the grace period), and a restarted node resumes from its journal.
public struct RelayerService: Service {
    let node: RelayerNode
    let probe: ChainProbe?
    let logger: Logger

    /// Wraps `node`; `probe`, when given, reports `draining` from the moment shutdown begins.
    public init(node: RelayerNode, probe: ChainProbe?, logger: Logger) {
        self.node = node
        self.probe = probe
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await withGracefulShutdownHandler {
                    try await node.run()
                } onGracefulShutdown: { [probe, logger] in
                    probe?.markDraining()
                    logger.info("graceful shutdown: stopping the relayer (no new work; in-flight transfers stay journaled)")
                }
            }
        } catch {
            // A stop cancels the node mid-await: whatever that await throws (a CancellationError, or a journal write
            // that GRDB abandoned before it began) is the expected way out, not a failure.
            guard Task.isShuttingDownGracefully || Task.isCancelled else {
                await stop()
                throw error
            }
        }
        await stop()
    }

    private func stop() async {
        await node.gossip.close()
        do {
            try await node.journal.checkpoint()
            logger.info("relayer stopped; journal checkpointed")
        } catch {
            logger.warning("relayer stopped; journal checkpoint skipped (its WAL is replayed on the next start): \(error)")
        }
    }
}
