import FerryAgent
import FerryChains
import FerryCore
import Foundation
public import Logging
public import ServiceLifecycle

/// Runs a ``SimulatedWorld``: its relayer nodes, and a loop that advances the virtual clock `speed` times faster
/// than real time, waits until every relayer has processed the new blocks, then moves payments and escrows
/// forward (attestation counts, refresh, escrow deadlines) and bumps the ``ChangeFeed``.
///
/// A `Service`: it stops on graceful shutdown or cancellation and closes the world's gossip sockets.
public struct WorldDriver: Service {
    /// Virtual milliseconds per step.
    public let stepMillis: Int64
    /// How much faster than real time the virtual clock runs.
    public let speed: Double
    let world: SimulatedWorld
    let feed: ChangeFeed
    let logger: Logger

    /// Creates a driver.
    /// - Parameters:
    ///   - speed: virtual seconds per real second (e.g. 30: a 12 s block every 0.4 s).
    ///   - stepMillis: virtual time per step (default 500 ms).
    public init(world: SimulatedWorld, feed: ChangeFeed, speed: Double = 30, stepMillis: Int64 = 500, logger: Logger) {
        self.world = world
        self.feed = feed
        self.speed = max(speed, 0.001)
        self.stepMillis = max(stepMillis, 1)
        self.logger = logger
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in world.relayers {
                group.addTask { try await node.run() }
            }
            group.addTask { try await self.tickLoop() }
            // Either graceful shutdown (tick loop ends) or a relayer failing ends the world.
            do { _ = try await group.next() } catch is CancellationError {}
            group.cancelAll()
            await world.close()
            while !group.isEmpty { _ = try? await group.next() }
        }
    }

    func tickLoop() async throws {
        let realStep = Duration.milliseconds(Int64(Double(stepMillis) / speed))
        let clock = ContinuousClock()
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let started = clock.now
                try await step()
                let spent = clock.now - started
                // Pacing, not waiting for something: the virtual clock runs `speed` times real time.
                if spent < realStep {
                    do { try await Task.sleep(for: realStep - spent) } catch { return }
                }
            }
        }
    }

    /// One step: advance the clock, let the relayers catch up, move payments forward.
    public func step() async throws {
        world.clock.advance(by: .milliseconds(stepMillis))
        var heads: [UInt64: UInt64] = [:]
        for (id, ledger) in world.ledgers { heads[id.rawValue] = try await ledger.head().height }
        // Relayers keep pace with the chains (bounded: a stuck relayer must not stop the world).
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            let caughtUp = world.relayers.allSatisfy { node in
                let processed = node.stats.snapshot.processedHeight
                return heads.allSatisfy { processed[$0.key, default: 0] >= $0.value }
            }
            if caughtUp { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        await advancePayments()
        feed.bump()
    }

    private func advancePayments() async {
        let service = world.service
        do {
            for payment in try await service.store.payments(in: [.locked]) {
                guard let id = payment.messageId else { continue }
                // Counted up to the threshold: what the destination gateway needs, not how many relayers chimed in.
                let count = min(await world.releaseAttestations(id), world.options.threshold)
                if count > payment.attestations {
                    try await service.recordAttestations(messageId: id, count: count, threshold: world.options.threshold)
                }
            }
            try await service.refreshAll()
            try await service.expireEscrows()
            try await service.refreshEscrows()
        } catch {
            // Transient chain errors: the next step retries.
            logger.debug("world step: \(error)")
        }
    }
}
