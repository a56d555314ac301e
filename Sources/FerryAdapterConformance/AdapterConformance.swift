import FerryChains
import FerryCore
import FerryCrypto

/// The adapter conformance kit: runs Ferry's expectations of a ``ChainAdapter`` against an integrator's
/// adapter through a ``ConformanceHarness`` and reports each as a named check.
///
/// ```swift
/// @Test func myChainConforms() async throws {
///     try await AdapterConformance.verify(MyChainHarness())   // throws a readable report on failure
/// }
/// ```
public enum AdapterConformance {
    /// The checks, by name, in the order they run.
    public enum CheckName {
        public static let feeEstimates = "fee estimates are positive and ordered low <= median <= high"
        public static let finalityConsistent = "finalized height is head minus the finality depth"
        public static let balancesMove = "a lock moves balances as submitted"
        public static let lockOnce = "a lock is seen exactly once by the event stream from any start height"
        public static let finalityHonoured = "a lock becomes final only after the finality depth"
        public static let badSignatures = "bad or duplicate signatures are rejected on release"
        public static let release = "a release with k-of-n signatures pays the receiver"
        public static let secondRelease = "a second release of the same id fails"
        public static let cancel = "cancel works only after the deadline and excludes release"
        public static let refund = "refund works only with Refund attestations in the source's own domain, after the deadline, once"
        public static let assetPairs = "locks and releases of an asset pair the gateway has not registered are refused"
        public static let reorg = "reorg notices arrive on the event stream"
        public static let checkpoints = "checkpoints: one commit, a batch release with proofs pays each leaf once; zero, repeated, under-threshold and gapped roots and non-member proofs are refused"
    }

    /// Runs every check; never throws (errors become failed checks with their message).
    /// - Parameter streamTimeout: wall-clock bound on waiting for stream events, so a broken adapter fails instead of hanging.
    public static func run(_ harness: some ConformanceHarness, streamTimeout: Duration = .seconds(20)) async -> ConformanceReport {
        let session = ConformanceSession(harness: harness, streamTimeout: streamTimeout)
        let info = harness.adapter.info
        return ConformanceReport(subject: "\(info.id) (\(info.name), \(info.family.rawValue))", checks: await session.runAll())
    }

    /// Runs every check and throws ``ConformanceFailure`` (whose description is the full report) if any failed.
    public static func verify(_ harness: some ConformanceHarness, streamTimeout: Duration = .seconds(20)) async throws(ConformanceFailure) {
        let report = await run(harness, streamTimeout: streamTimeout)
        guard report.passed else { throw ConformanceFailure(report: report) }
    }
}

/// A failed expectation inside a check: its message becomes the check's reason.
struct CheckFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Facts one check leaves for the next.
struct LockFacts: Sendable {
    let messageId: Bytes32
    let transfer: Transfer
    let height: UInt64
    let sender: any TransactionSigner
}

/// Runs the checks in order against one harness.
final class ConformanceSession<Harness: ConformanceHarness>: Sendable {
    let harness: Harness
    let streamTimeout: Duration
    var adapter: any ChainAdapter { harness.adapter }
    var info: ChainInfo { harness.adapter.info }
    var lane: ConformanceLane { harness.lane }

    init(harness: Harness, streamTimeout: Duration) {
        self.harness = harness
        self.streamTimeout = streamTimeout
    }

    func runAll() async -> [ConformanceCheck] {
        typealias Names = AdapterConformance.CheckName
        var checks: [ConformanceCheck] = []
        func record(_ name: String, _ body: () async throws -> Void) async {
            do {
                try await body()
                checks.append(ConformanceCheck(name: name, outcome: .passed))
            } catch let skip as SkipCheck {
                checks.append(ConformanceCheck(name: name, outcome: .skipped(reason: skip.reason)))
            } catch {
                checks.append(ConformanceCheck(name: name, outcome: .failed(reason: "\(error)")))
            }
        }
        await record(Names.feeEstimates) { try await checkFeeEstimates() }
        await record(Names.finalityConsistent) { try await checkFinalityConsistent() }
        var lock: LockFacts?
        var liveStream: AsyncThrowingStream<GatewayEvent, any Error>?
        await record(Names.balancesMove) {
            let start = try await adapter.head().height + 1
            liveStream = adapter.events(from: start)
            lock = try await checkLockMovesBalances()
        }
        await record(Names.lockOnce) {
            guard let lock, let liveStream else { throw SkipCheck(reason: "no lock was made") }
            try await checkLockSeenOnce(lock, live: liveStream)
        }
        await record(Names.finalityHonoured) {
            guard let lock else { throw SkipCheck(reason: "no lock was made") }
            try await checkFinalityHonoured(lock)
        }
        var inbound: Transfer?
        await record(Names.badSignatures) {
            let transfer = try await makeInboundTransfer(nonce: 1, deadlineIn: 3_600)
            inbound = transfer
            try await checkBadSignatures(transfer)
        }
        await record(Names.release) {
            guard let inbound else { throw SkipCheck(reason: "no inbound transfer") }
            try await checkRelease(inbound)
        }
        await record(Names.secondRelease) {
            guard let inbound else { throw SkipCheck(reason: "no inbound transfer") }
            try await checkSecondRelease(inbound)
        }
        await record(Names.cancel) { try await checkCancel() }
        await record(Names.refund) { try await checkRefund() }
        await record(Names.assetPairs) { try await checkAssetPairs() }
        await record(Names.checkpoints) { try await checkCheckpoints() }
        await record(Names.reorg) { try await checkReorg() }
        return checks
    }
}

/// Thrown by a check the harness cannot exercise.
struct SkipCheck: Error {
    let reason: String
}
