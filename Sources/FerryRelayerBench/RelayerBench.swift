public import FerryChains
public import FerryCore
public import FerryRelayer
public import FerryWire
import Foundation
public import Logging
import Synchronization

/// The relayer benchmark: `n` relayer nodes with real ZeroMQ gossip (CURVE) and real SQLite journals in a
/// temporary directory, moving transfers both ways between two in-process simulated chains (Solana-like and
/// rollup-like) on a virtual clock that advances as fast as the nodes keep up.
///
/// A closed-loop driver keeps up to `window` transfers in flight: it locks new ones, advances the clock by one
/// short block, and waits until every node has processed the new heads. Latency is measured in wall time from
/// a lock's submission to its release event on the destination chain.
public struct RelayerBench: Sendable {
    /// What to run.
    public struct Options: Sendable {
        public var transfers = 20_000
        public var relayers = 5
        public var threshold = 3
        /// Transfers in flight at most (locked, not yet released).
        public var window = 4_000
        /// Locks submitted per clock step at most.
        public var locksPerStep = 400
        /// Executor grace period (chain time) before a backup relayer acts.
        public var graceMillis: UInt64 = 10_000
        /// How often nodes republish their open attestations (chain time).
        public var resendMillis: UInt64 = 30_000
        /// Cores the crypto bound may use (the process's by default).
        public var cores = ProcessInfo.processInfo.activeProcessorCount
        /// Wall-time limit for the whole run.
        public var timeout: Duration = .seconds(600)
        public var seed: UInt64 = 7

        public init() {}
    }

    static let chainA = ChainID(101)  // Solana-like, 400 ms blocks
    static let chainB = ChainID(202)  // rollup-like, 2 s blocks

    public let options: Options
    let logger: Logger

    /// A benchmark with `options`; `logger` receives the nodes' logs (use a quiet level).
    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs the benchmark and the crypto bound, in that order, in this process.
    /// - Throws: ``BenchError`` when the run stalls or times out, or any set-up failure.
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> BenchReport {
        let residentAtStart = ProcessMemory.resident
        let o = options
        let clock = VirtualClock()
        let keys = try (0..<UInt64(o.relayers)).map { try PrivateKeySigner(seed: o.seed, index: $0) }
        let usdc = try AssetInfo.token(symbol: "USDC", decimals: 6)
        let ledgers = try await Self.ledgers(keys: keys, threshold: o.threshold, usdc: usdc, clock: clock, seed: o.seed)
        let adapters = ledgers.mapValues { SimulatedChainAdapter(ledger: $0) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        progress("setting up \(o.relayers) relayers (gossip mesh, journals in \(directory.path))")
        let gossip = try await Self.mesh(o.relayers)
        var nodes: [RelayerNode] = []
        for (i, key) in keys.enumerated() {
            var configuration = RelayerNodeConfiguration(nodeID: "relayer-\(i)", key: key.key, adapters: adapters)
            configuration.graceMillis = o.graceMillis
            configuration.resendMillis = o.resendMillis
            let journal = try Journal(path: directory.appendingPathComponent("relayer-\(i).sqlite").path)
            nodes.append(RelayerNode(configuration: configuration, journal: journal, gossip: gossip[i], clock: .virtual(clock), logger: logger))
        }
        let senders = try await Self.senders(count: max(2, o.transfers / 50), ledgers: ledgers)
        let tracker = ReleaseTracker(transfers: o.transfers)

        let report = try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.run() } }
            for (chain, adapter) in adapters { group.addTask { try await tracker.watch(adapter, chain: chain) } }
            defer { group.cancelAll() }
            let outcome = try await drive(clock: clock, ledgers: ledgers, adapters: adapters, nodes: nodes, senders: senders,
                                          usdc: usdc, tracker: tracker, progress: progress)
            group.cancelAll()
            for g in gossip { await g.close() }
            return outcome
        }
        var result = report
        let stats = nodes.map(\.stats.snapshot)
        result.signed = stats.reduce(0) { $0 + $1.signed.values.reduce(0, +) }
        result.accepted = stats.reduce(0) { $0 + $1.accepted.values.reduce(0, +) }
        result.rejected = stats.reduce(0) { $0 + $1.rejected.values.reduce(0, +) }
        result.replays = stats.reduce(0) { $0 + $1.replays }
        result.submitted = stats.reduce(0) { $0 + $1.submitted.values.reduce(0, +) }
        result.failedSubmissions = stats.reduce(0) { $0 + $1.failedSubmissions.values.reduce(0, +) }
        result.residentAtStartBytes = residentAtStart
        result.residentAtEndBytes = ProcessMemory.resident
        result.peakMemoryBytes = ProcessMemory.peak

        progress("measuring the crypto bound (\(o.relayers) signatures + \(o.threshold) recoveries x \(o.transfers))")
        result.cryptoSeconds = try await CryptoBound.measure(transfers: o.transfers, signers: keys, recoveries: o.threshold, cores: o.cores)
        result.cryptoTransfersPerSecond = Double(o.transfers) / result.cryptoSeconds
        result.ratio = result.transfersPerSecond / result.cryptoTransfersPerSecond
        (result.signSeconds, result.recoverSeconds) = try CryptoBound.unitCosts(signer: keys[0])
        result.relayerSignatures = result.signed + result.submitted
        result.relayerRecoveries = result.accepted + stats.reduce(0) { $0 + $1.rejected[.signerMismatch, default: 0] }
        result.chainSignatures = o.transfers
        result.chainRecoveries = o.transfers + result.submitted + o.threshold * result.releaseEvents
        return result
    }

    /// The closed-loop driver: lock, advance, wait for the nodes; until every transfer is released.
    private func drive(clock: VirtualClock, ledgers: [ChainID: SimulatedLedger], adapters: [ChainID: SimulatedChainAdapter],
                       nodes: [RelayerNode], senders: [(PrivateKeySigner, ChainID)], usdc: AssetInfo, tracker: ReleaseTracker,
                       progress: @escaping @Sendable (String) -> Void) async throws -> BenchReport {
        let o = options
        let deadline = clock.unixMillis / 1_000 + 30 * 86_400
        let chainStart = clock.unixMillis
        let wallDeadline = ContinuousClock.now + o.timeout
        let start = ContinuousClock.now
        let cpuAtStart = ProcessMemory.cpuSeconds
        var next = 0
        var steps = 0
        var lockTime: Duration = .zero
        var lastReport = ContinuousClock.now
        let receivers = (0..<97).map { Address(Keccak256.hash(Array("receiver \($0)".utf8))) }
        var samples: [UInt64] = []
        while tracker.released < o.transfers {
            guard ContinuousClock.now < wallDeadline else {
                throw BenchError.timedOut(released: tracker.released, of: o.transfers, after: o.timeout)
            }
            clock.advance(by: .milliseconds(400))
            steps += 1
            var heads: [UInt64: UInt64] = [:]
            for (id, ledger) in ledgers { heads[id.rawValue] = try await ledger.head().height }
            // The next locks go into the mempools while the nodes process the blocks just produced (agents do not
            // wait for relayers); they are mined at the next step.
            let inFlight = next - tracker.released
            let count = min(o.locksPerStep, o.window - inFlight, o.transfers - next)
            if count > 0 {
                let t0 = ContinuousClock.now
                for i in next..<(next + count) {
                    let (sender, source) = senders[i % senders.count]
                    let dest = source == Self.chainA ? Self.chainB : Self.chainA
                    let transfer = Transfer(
                        sourceChain: source, destChain: dest, nonce: 0, sender: Address(sender.address.bytes32),
                        receiver: receivers[i % receivers.count], sourceAsset: usdc.gatewayID,
                        destAsset: usdc.gatewayID, amount: Amount(1_000_000), fee: Amount(100), deadline: deadline,
                        payloadHash: ReleaseTracker.payload(i))
                    tracker.locking(i)
                    guard let adapter = adapters[source] else { continue }
                    _ = try await adapter.submit(.lock(transfer), signer: sender, priority: .high)
                }
                next += count
                lockTime += ContinuousClock.now - t0
            }
            // Wait (on a real deadline) for every node to process the new heads and perform what is due: the clock
            // never outruns the nodes.
            let stepDeadline = ContinuousClock.now + .seconds(60)
            let chainNow = clock.unixMillis
            while !nodes.allSatisfy({ node in
                let processed = node.stats.snapshot.processedHeight
                return heads.allSatisfy { processed[$0.key, default: 0] >= $0.value } && node.isCaughtUp(atMillis: chainNow)
            }) {
                guard ContinuousClock.now < stepDeadline else { throw BenchError.stalled(step: steps, heads: heads) }
                try await Task.sleep(for: .microseconds(200))
            }
            // Resident memory at each quarter of the run: flat means the nodes do not accumulate per-transfer state.
            while samples.count < 4, tracker.released * 4 >= o.transfers * (samples.count + 1) { samples.append(ProcessMemory.resident) }
            if ContinuousClock.now - lastReport > .seconds(2) {
                lastReport = ContinuousClock.now
                var mempools: [String] = []
                for (id, ledger) in ledgers.sorted(by: { $0.key < $1.key }) { mempools.append("\(id.rawValue): \(await ledger.pendingCount)") }
                progress("locked \(next), released \(tracker.released) of \(o.transfers) (step \(steps), mempools \(mempools.joined(separator: ", ")))")
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Self.seconds(elapsed)
        let latencies = tracker.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return Self.seconds(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) * 1_000
        }
        return BenchReport(
            transfers: o.transfers, relayers: o.relayers, threshold: o.threshold, cores: o.cores, seconds: seconds,
            transfersPerSecond: Double(o.transfers) / seconds, latencyP50Millis: percentile(0.50), latencyP99Millis: percentile(0.99),
            peakMemoryBytes: 0, residentAtStartBytes: 0, residentAtEndBytes: 0, cryptoSeconds: 0, cryptoTransfersPerSecond: 0, ratio: 0,
            releaseEvents: tracker.releaseEvents, signed: 0, accepted: 0, rejected: 0, replays: 0, submitted: 0, failedSubmissions: 0,
            chainSeconds: Double(clock.unixMillis - chainStart) / 1_000, steps: steps, lockSubmitSeconds: Self.seconds(lockTime),
            residentByQuarterBytes: samples, cpuSeconds: ProcessMemory.cpuSeconds - cpuAtStart)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Why a benchmark run did not finish.
public enum BenchError: Error, Sendable, CustomStringConvertible {
    case timedOut(released: Int, of: Int, after: Duration)
    case stalled(step: Int, heads: [UInt64: UInt64])

    public var description: String {
        switch self {
        case let .timedOut(released, total, after):
            "benchmark timed out after \(after): \(released) of \(total) transfers released"
        case let .stalled(step, heads):
            "benchmark stalled at step \(step): the relayers did not process heads \(heads) within 60 s"
        }
    }
}
