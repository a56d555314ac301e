import FerryChains
import FerryCore
import FerryCrypto
import Testing

/// The gateway rules of docs/architecture.md ("Gateway rules") on the simulated gateway: registered asset pairs,
/// refunds on their own attestation, and releases that never spend refundable value. The Vyper gateway's twins
/// of these tests are in `FerryEVMTests/GatewayRulesEVMTests.swift`.
@Suite("Simulated gateway rules")
struct GatewayRulesTests {
    /// A chain with USDC (6 decimals) and WETH (18 decimals), each on its own lane to chain 999.
    static func twoAssetChain() async throws -> (TestChain, AssetInfo) {
        let base = try await TestChain.make(.evm)
        let weth = try AssetInfo.token(symbol: "WETH", decimals: 18)
        var config = base.ledger.config
        config.info = ChainInfo(id: config.info.id, name: config.info.name, family: config.info.family, nativeAsset: config.info.nativeAsset,
                                assets: config.info.assets + [weth], finalityDepth: config.info.finalityDepth,
                                blockTimeMillis: config.info.blockTimeMillis, gateway: config.info.gateway)
        config.lanes.append(LaneConfig(remoteChain: TestChain.remote, asset: "WETH", remoteDecimals: 18))
        let clock = VirtualClock()
        let ledger = SimulatedLedger(config: config, clock: .virtual(clock))
        try await ledger.addLiquidity("USDC", amount: Amount(1_000_000_000_000))
        let chain = TestChain(clock: clock, ledger: ledger, adapter: SimulatedChainAdapter(ledger: ledger), relayers: base.relayers,
                              usdc: base.usdc, remoteGateway: base.remoteGateway, seed: base.seed)
        return (chain, weth)
    }

    @Test("decimals mismatch: a lock of the 18-decimal token naming the 6-decimal one as destination asset is refused")
    func decimalsMismatchLock() async throws {
        let (chain, weth) = try await Self.twoAssetChain()
        let mallory = try await chain.account(1)
        try await chain.ledger.fund(chain.address(mallory), asset: "WETH", amount: Amount(1_000_000_000_000))
        var attack = try await chain.outbound(from: mallory, amount: 4_000_000_000, fee: 0)  // 4,000 USDC on the destination
        attack.sourceAsset = weth.gatewayID  // paid with 0.000000004 WETH
        await #expect(throws: ChainError.self) { _ = try await chain.adapter.submit(.lock(attack), signer: mallory, priority: .high) }
        do {
            _ = try await chain.adapter.submit(.lock(attack), signer: mallory, priority: .high)
        } catch {
            #expect("\(error)".contains("does not match the registered pair"), "\(error)")
        }
        #expect(try await chain.adapter.balance(of: chain.address(mallory), asset: "WETH") == Amount(1_000_000_000_000))
    }

    @Test("decimals mismatch: a release of 6-decimal USDC for a lock of the 18-decimal token is refused, even with k-of-n signatures")
    func decimalsMismatchRelease() async throws {
        let (chain, weth) = try await Self.twoAssetChain()
        let relayer = chain.relayers[0]
        try await chain.ledger.fund(Address(relayer.address.bytes32), asset: chain.info.nativeAsset.symbol, amount: Amount(10).power18)
        let receiver = Address(Keccak256.hash("mallory on the destination"))
        var forged = try await chain.inbound(to: receiver, amount: 4_000_000_000)
        forged.sourceAsset = weth.gatewayID
        let release = GatewayCall.release(forged, signatures: try chain.attest(.release(messageId: forged.messageId)))
        do {
            _ = try await chain.adapter.submit(release, signer: relayer, priority: .high)
            Issue.record("a release of USDC for a WETH lock was accepted")
        } catch {
            #expect("\(error)".contains("asset pair not registered"), "\(error)")
        }
        #expect(try await chain.adapter.balance(of: receiver, asset: "USDC") == .zero)
    }

    @Test("self-minted token: a release of real USDC for a lock of a token no registry lists is refused, even with k-of-n signatures")
    func selfMintedTokenRelease() async throws {
        let chain = try await TestChain.make(.rollup)
        let relayer = chain.relayers[0]
        try await chain.ledger.fund(Address(relayer.address.bytes32), asset: chain.info.nativeAsset.symbol, amount: Amount(10).power18)
        let receiver = Address(Keccak256.hash("mallory on the destination"))
        var forged = try await chain.inbound(to: receiver, amount: 5_000_000_000)
        forged.sourceAsset = Address(Keccak256.hash("mallory's own token")).bytes32
        let release = GatewayCall.release(forged, signatures: try chain.attest(.release(messageId: forged.messageId)))
        do {
            _ = try await chain.adapter.submit(release, signer: relayer, priority: .high)
            Issue.record("a release for a self-minted token's lock was accepted")
        } catch {
            #expect("\(error)".contains("asset pair not registered"), "\(error)")
        }
        #expect(try await chain.adapter.balance(of: receiver, asset: "USDC") == .zero)
        // The same lock on the source: an asset this gateway does not list.
        let mallory = try await chain.account(2)
        var lock = try await chain.outbound(from: mallory)
        lock.sourceAsset = forged.sourceAsset
        await #expect(throws: ChainError.self) { _ = try await chain.adapter.submit(.lock(lock), signer: mallory, priority: .high) }
    }

    @Test("releases never spend the value backing refundable locks; the refund still pays in full")
    func releasesKeepRefundableValue() async throws {
        let chain = try await TestChain.make(.evm, liquidity: .zero)
        let alice = try await chain.account(1)
        let (tx, _) = try await chain.mine(.lock(try await chain.outbound(from: alice, amount: 5_000_000, fee: 1_000, deadlineIn: 600)), by: alice)
        let locked = try #require(try await chain.events(from: 0).compactMap { e -> Transfer? in
            if case let .locked(_, t, _, id) = e, id == tx { t } else { nil }
        }.first)
        #expect(await chain.ledger.pool("USDC") == Amount(5_001_000))
        // An inbound release of 5 USDC would be paid only out of alice's locked value: refused.
        let relayer = chain.relayers[0]
        try await chain.ledger.fund(Address(relayer.address.bytes32), asset: chain.info.nativeAsset.symbol, amount: Amount(10).power18)
        let inbound = try await chain.inbound(to: Address(Keccak256.hash("bob")), amount: 5_000_000)
        do {
            _ = try await chain.adapter.submit(.release(inbound, signatures: try chain.attest(.release(messageId: inbound.messageId))),
                                               signer: relayer, priority: .high)
            Issue.record("a release spent the value backing a refundable lock")
        } catch {
            #expect("\(error)".contains("backing refundable locks"), "\(error)")
        }
        await chain.advance(blocks: 1 + 600_000 / chain.info.blockTimeMillis)
        let (_, status) = try await chain.mine(.refund(locked, signatures: try chain.attest(.refund(messageId: locked.messageId))), by: alice)
        guard case .included(_, true, _) = status else { Issue.record("\(status)"); return }
        #expect(try await chain.adapter.balance(of: chain.address(alice), asset: "USDC") == Amount(100_000_000))
        await chain.expectConserved()
    }
}

extension Amount {
    /// `self * 10^18`.
    var power18: Amount { (try? self * Amount(1_000_000_000_000_000_000)) ?? .max }
}
