import FerryAdapterConformance
import FerryChains
import FerryCore
import FerryCrypto
import Testing

@Suite("Adapter conformance kit")
struct ConformanceTests {
    @Test("the simulated adapter conforms on every family", arguments: ChainFamily.allCases)
    func simulatedFamiliesConform(family: ChainFamily) async throws {
        let chain = try await TestChain.make(family)
        let report = await AdapterConformance.run(chain.harness())
        #expect(report.passed, "\(report)")
        #expect(report.checks.count == 13)
        #expect(report.checks.allSatisfy { if case .passed = $0.outcome { true } else { false } }, "\(report)")
        await chain.expectConserved()
    }

    @Test("verify() throws the readable report when a check fails")
    func brokenAdapterFails() async throws {
        let chain = try await TestChain.make(.solana)
        let broken = DuplicatingAdapter(inner: chain.adapter)
        let report = await AdapterConformance.run(chain.harness(adapter: broken), streamTimeout: .seconds(10))
        #expect(!report.passed)
        let check = try #require(report.check(named: AdapterConformance.CheckName.lockOnce))
        guard case let .failed(reason) = check.outcome else {
            Issue.record("expected the exactly-once check to fail:\n\(report)")
            return
        }
        #expect(reason.contains("delivered 2 times"), "\(reason)")
        #expect(reason.contains("expected exactly once"))
        #expect(report.description.contains("FAIL  \(AdapterConformance.CheckName.lockOnce)"))
        await #expect(throws: ConformanceFailure.self) {
            try await AdapterConformance.verify(chain.harness(adapter: broken), streamTimeout: .seconds(10))
        }
    }

    @Test("an adapter whose gateway accepts a second release fails the kit")
    func replayingAdapterFails() async throws {
        let chain = try await TestChain.make(.evm)
        let report = await AdapterConformance.run(chain.harness(adapter: ForgetfulReleaseAdapter(inner: chain.adapter)))
        let check = try #require(report.check(named: AdapterConformance.CheckName.secondRelease))
        #expect(check.failed, "\(report)")
        #expect("\(check)".contains("was accepted and succeeded"), "\(check)")
    }
}

/// A broken adapter: every Locked event is delivered twice.
struct DuplicatingAdapter: ChainAdapter {
    let inner: SimulatedChainAdapter
    var info: ChainInfo { inner.info }
    func head() async throws(ChainError) -> BlockRef { try await inner.head() }
    func finalizedHeight() async throws(ChainError) -> UInt64 { try await inner.finalizedHeight() }
    func balance(of account: Address, asset: String) async throws(ChainError) -> Amount { try await inner.balance(of: account, asset: asset) }
    func feeEstimate() async throws(ChainError) -> FeeEstimate { try await inner.feeEstimate() }
    func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        try await inner.submit(call, signer: signer, priority: priority)
    }
    func transaction(_ id: TxID) async throws(ChainError) -> TxStatus { try await inner.transaction(id) }
    func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord { try await inner.gatewayState(of: messageId) }
    func relayerSet() async throws(ChainError) -> RelayerSet { try await inner.relayerSet() }
    func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> {
        let upstream = inner.events(from: height)
        let feed = Duplicator(upstream: upstream)
        return AsyncThrowingStream(unfolding: { try await feed.next() })
    }

    /// Unsafe-sendable: `AsyncThrowingStream(unfolding:)` calls `next()` serially, never concurrently.
    final class Duplicator: @unchecked Sendable {
        var iterator: AsyncThrowingStream<GatewayEvent, any Error>.AsyncIterator
        var repeatNext: GatewayEvent?
        init(upstream: AsyncThrowingStream<GatewayEvent, any Error>) { iterator = upstream.makeAsyncIterator() }
        func next() async throws -> GatewayEvent? {
            if let event = repeatNext {
                repeatNext = nil
                return event
            }
            let event = try await iterator.next()
            if case .locked = event { repeatNext = event }
            return event
        }
    }
}

/// A broken adapter: the second release of an id is reported as included and successful without reaching the chain.
actor ForgetfulReleaseAdapter: ChainAdapter {
    let inner: SimulatedChainAdapter
    var released: Set<Bytes32> = []
    var fakes: Set<TxID> = []
    init(inner: SimulatedChainAdapter) { self.inner = inner }
    nonisolated var info: ChainInfo { inner.info }
    func head() async throws(ChainError) -> BlockRef { try await inner.head() }
    func finalizedHeight() async throws(ChainError) -> UInt64 { try await inner.finalizedHeight() }
    func balance(of account: Address, asset: String) async throws(ChainError) -> Amount { try await inner.balance(of: account, asset: asset) }
    func feeEstimate() async throws(ChainError) -> FeeEstimate { try await inner.feeEstimate() }
    func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        if case let .release(transfer, _, _) = call, released.contains(transfer.messageId) {
            let fake = TxID(Keccak256.hash("fake" + transfer.messageId.hex))
            fakes.insert(fake)
            return fake
        }
        let id = try await inner.submit(call, signer: signer, priority: priority)
        if case let .release(transfer, _, _) = call { released.insert(transfer.messageId) }
        return id
    }
    func transaction(_ id: TxID) async throws(ChainError) -> TxStatus {
        if fakes.contains(id) { return .included(height: try await inner.head().height, succeeded: true, reason: nil) }
        return try await inner.transaction(id)
    }
    func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord { try await inner.gatewayState(of: messageId) }
    func relayerSet() async throws(ChainError) -> RelayerSet { try await inner.relayerSet() }
    nonisolated func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> { inner.events(from: height) }
}
