import FerryChains
import FerryCore
import Testing

@Suite("Fee markets")
struct FeeMarketTests {
    struct BaseFeeVector: Sendable, CustomTestStringConvertible {
        let base: UInt64, used: UInt64, target: UInt64, expected: UInt64
        var testDescription: String { "base \(base) used \(used)/\(target) -> \(expected)" }
    }

    // Values from the EIP-1559 reference formula (integer division at each step).
    static let vectors: [BaseFeeVector] = [
        .init(base: 1_000_000_000, used: 15_000_000, target: 15_000_000, expected: 1_000_000_000),
        .init(base: 1_000_000_000, used: 30_000_000, target: 15_000_000, expected: 1_125_000_000),
        .init(base: 1_000_000_000, used: 0, target: 15_000_000, expected: 875_000_000),
        .init(base: 1_000_000_000, used: 20_000_000, target: 15_000_000, expected: 1_041_666_666),
        .init(base: 1_000_000_000, used: 10_000_000, target: 15_000_000, expected: 958_333_334),
        .init(base: 7, used: 15_000_001, target: 15_000_000, expected: 8),  // the increase is at least 1
        .init(base: 7, used: 0, target: 15_000_000, expected: 7),           // 7 * 1 / 8 rounds to no decrease
        .init(base: 100, used: 0, target: 15_000_000, expected: 88),
    ]

    @Test("EIP-1559 base fee follows the EIP's integer formula", arguments: vectors)
    func eip1559(vector: BaseFeeVector) {
        #expect(EIP1559FeeMarket.nextBaseFee(parentBaseFee: vector.base, parentGasUsed: vector.used,
                                             parentGasTarget: vector.target) == vector.expected)
    }

    @Test("fee estimates are positive and ordered on every family", arguments: ChainFamily.allCases)
    func ordered(family: ChainFamily) async throws {
        let chain = try await TestChain.make(family)
        await chain.advance(blocks: 3)
        let estimate = try await chain.adapter.feeEstimate()
        #expect(!estimate.low.isZero)
        #expect(estimate.low <= estimate.median && estimate.median <= estimate.high, "\(estimate)")
        #expect(!estimate.detail.isEmpty)
    }

    @Test("a fee spike raises the estimate on every family", arguments: ChainFamily.allCases)
    func spike(family: ChainFamily) async throws {
        let chain = try await TestChain.make(family)
        let before = try await chain.adapter.feeEstimate()
        try await chain.ledger.apply(.feeSpike(factor: 10))
        let after = try await chain.adapter.feeEstimate()
        #expect(after.median > before.median, "before \(before.detail), after \(after.detail)")
        #expect(after.high > before.high)
        await chain.expectConserved()
    }

    @Test("congestion fills EVM blocks, so the base fee climbs block after block")
    func congestionRaisesBaseFee() async throws {
        let chain = try await TestChain.make(.evm)
        let before = try await chain.adapter.feeEstimate()
        try await chain.ledger.apply(.congestion(extraLoadPercent: 100, durationSeconds: 600))
        await chain.advance(blocks: 10)
        let during = try await chain.adapter.feeEstimate()
        #expect(during.low > before.low)
        // 10 full blocks: base fee x 1.125^10 ~ 3.2
        #expect(during.low > (try before.low * Amount(2)))
        await chain.advance(blocks: 200)  // congestion over: blocks back at target, base fee stops climbing
        let later1 = try await chain.adapter.feeEstimate()
        await chain.advance(blocks: 5)
        let later2 = try await chain.adapter.feeEstimate()
        #expect(later2.low <= later1.low)
    }

    @Test("on a congested Bitcoin-like chain the higher fee rate is mined first")
    func bitcoinPriority() async throws {
        let chain = try await TestChain.make(.bitcoin)
        try await chain.ledger.apply(.congestion(extraLoadPercent: 200, durationSeconds: 7_200))
        let cheap = try await chain.account(1), rich = try await chain.account(2)
        let slow = try await chain.adapter.submit(.lock(try await chain.outbound(from: cheap)), signer: cheap, priority: .low)
        let fast = try await chain.adapter.submit(.lock(try await chain.outbound(from: rich)), signer: rich, priority: .high)
        await chain.advance(blocks: 1)
        #expect(try await chain.adapter.transaction(fast) == .included(height: 1, succeeded: true, reason: nil))
        #expect(try await chain.adapter.transaction(slow) == .pending)
        await chain.expectConserved()
    }
}
