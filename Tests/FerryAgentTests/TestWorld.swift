import FerryAgent
import FerryChains
import FerryCore
import FerryCrypto
import FerryRouter
import Foundation
import Testing

/// Two simulated chains on one virtual clock, a USDC lane each way, 3 relayers (threshold 2), a funded agent
/// wallet on chain A, an escrow account on chain B, and a PaymentService over a real SQLite file. With
/// `withChainC`, a third chain C reached from A only through B (lanes B <-> C), for multi-hop routes.
struct TestWorld {
    static let a = ChainID(1)
    static let b = ChainID(2)
    static let c = ChainID(3)
    static let usdcA = AssetID(chain: a, symbol: "USDC")
    static let usdcB = AssetID(chain: b, symbol: "USDC")
    static let usdcC = AssetID(chain: c, symbol: "USDC")

    let clock: VirtualClock
    let ledgerA: SimulatedLedger
    let ledgerB: SimulatedLedger
    let ledgerC: SimulatedLedger?
    let adapters: [ChainID: any ChainAdapter]
    let relayers: [PrivateKeySigner]
    let agent: PrivateKeySigner
    let escrowKey: PrivateKeySigner
    let executor: PrivateKeySigner
    let service: PaymentService
    let quoter: AdapterQuoter
    let prices: PriceTable
    let directory: URL

    static func make(policy: SpendingPolicy = SpendingPolicy(), agentUSDC: UInt64 = 10_000_000_000, seed: UInt64 = 7,
                     withChainC: Bool = false) async throws -> TestWorld {
        let relayers = try (0..<3).map { try PrivateKeySigner(seed: seed, index: $0) }
        let usdc = try AssetInfo.token(symbol: "USDC", decimals: 6)
        let set = RelayerSet(members: relayers.map(\.address), threshold: 2)
        let gatewayA = try SimulatedChainConfig.defaultGateway(for: a)
        let gatewayB = try SimulatedChainConfig.defaultGateway(for: b)
        let gatewayC = try SimulatedChainConfig.defaultGateway(for: c)
        var lanesB = [LaneConfig(remoteChain: a, asset: "USDC", remoteDecimals: 6)]
        var remotesB = [a: gatewayA]
        if withChainC {
            lanesB.append(LaneConfig(remoteChain: c, asset: "USDC", remoteDecimals: 6))
            remotesB[c] = gatewayC
        }
        let configA = try SimulatedChainConfig.preset(.evm, id: a, tokens: [usdc], relayers: set,
                                                      lanes: [LaneConfig(remoteChain: b, asset: "USDC", remoteDecimals: 6)],
                                                      remoteGateways: [b: gatewayB], finalityDepth: 3, seed: seed)
        let configB = try SimulatedChainConfig.preset(.rollup, id: b, tokens: [usdc], relayers: set, lanes: lanesB,
                                                      remoteGateways: remotesB, finalityDepth: 3, seed: seed)
        let clock = VirtualClock()
        let ledgerA = SimulatedLedger(config: configA, clock: .virtual(clock))
        let ledgerB = SimulatedLedger(config: configB, clock: .virtual(clock))
        try await ledgerA.addLiquidity("USDC", amount: Amount(1_000_000_000_000))
        try await ledgerB.addLiquidity("USDC", amount: Amount(1_000_000_000_000))
        var ledgerC: SimulatedLedger?
        if withChainC {
            let configC = try SimulatedChainConfig.preset(.solana, id: c, tokens: [usdc], relayers: set,
                                                          lanes: [LaneConfig(remoteChain: b, asset: "USDC", remoteDecimals: 6)],
                                                          remoteGateways: [b: gatewayB], finalityDepth: 8, seed: seed)
            let ledger = SimulatedLedger(config: configC, clock: .virtual(clock))
            try await ledger.addLiquidity("USDC", amount: Amount(1_000_000_000_000))
            ledgerC = ledger
        }
        let agent = try PrivateKeySigner(seed: seed, index: 100)
        let escrowKey = try PrivateKeySigner(seed: seed, index: 101)
        let executor = try PrivateKeySigner(seed: seed, index: 102)
        let eth = try Amount(1_000_000_000_000_000_000) * Amount(100)
        try await ledgerA.fund(Address(agent.address.bytes32), asset: "ETH", amount: eth)
        try await ledgerA.fund(Address(agent.address.bytes32), asset: "USDC", amount: Amount(agentUSDC))
        for ledger in [ledgerA, ledgerB] {
            try await ledger.fund(Address(escrowKey.address.bytes32), asset: "ETH", amount: eth)
            try await ledger.fund(Address(executor.address.bytes32), asset: "ETH", amount: eth)
        }
        var adapters: [ChainID: any ChainAdapter] = [a: SimulatedChainAdapter(ledger: ledgerA), b: SimulatedChainAdapter(ledger: ledgerB)]
        var lanes = [
            BridgeLane(from: usdcA, to: usdcB, flatFee: Amount(100_000), feePPM: 500, latency: Latency(p50Ms: 60_000, p95Ms: 120_000)),
            BridgeLane(from: usdcB, to: usdcA, flatFee: Amount(200_000), feePPM: 500, latency: Latency(p50Ms: 90_000, p95Ms: 180_000)),
        ]
        var signers: [ChainID: any TransactionSigner] = [a: agent]
        if let ledgerC {
            try await ledgerC.fund(Address(executor.address.bytes32), asset: ledgerC.config.info.nativeAsset.symbol,
                                   amount: try Amount(decimal: "1000", decimals: ledgerC.config.info.nativeAsset.decimals))
            adapters[c] = SimulatedChainAdapter(ledger: ledgerC)
            lanes.append(BridgeLane(from: usdcB, to: usdcC, flatFee: Amount(50_000), feePPM: 300, latency: Latency(p50Ms: 30_000, p95Ms: 60_000)))
            lanes.append(BridgeLane(from: usdcC, to: usdcB, flatFee: Amount(50_000), feePPM: 300, latency: Latency(p50Ms: 30_000, p95Ms: 60_000)))
            // The same key on every chain of a route: a later hop's refund reaches the wallet on that hop's source.
            signers[b] = agent
            signers[c] = agent
        }
        // 1 wei = 3000e6 / 1e18 USDC smallest units (ETH at 3,000 USDC).
        let ethRate = try ExchangeRate(numerator: 3, denominator: Amount(1_000_000_000))
        // 1 lamport-like unit of C's native asset (9 decimals) = 0.15 USDC smallest units.
        let solRate = try ExchangeRate(numerator: 3, denominator: Amount(20))
        let quoter = AdapterQuoter(adapters: adapters, lanes: lanes, nativeRates: [a: ethRate, b: ethRate, c: solRate], validForMs: 30_000,
                                   now: { clock.unixMillis })
        var prices = PriceTable()
        try prices.setPrice(usdcA, decimals: 6, price: 100)
        try prices.setPrice(usdcB, decimals: 6, price: 100)
        if withChainC { try prices.setPrice(usdcC, decimals: 6, price: 100) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try AgentDatabase(path: directory.appendingPathComponent("agent.sqlite").path)
        let service = PaymentService(adapters: adapters, wallet: Wallet(signers: signers), escrowWallet: Wallet(signers: [b: escrowKey]),
                                     quoter: quoter, policy: policy, prices: prices, database: database,
                                     now: { clock.unixMillis })
        return TestWorld(clock: clock, ledgerA: ledgerA, ledgerB: ledgerB, ledgerC: ledgerC, adapters: adapters, relayers: relayers, agent: agent,
                         escrowKey: escrowKey, executor: executor, service: service, quoter: quoter, prices: prices, directory: directory)
    }

    var agentAccount: Address { Address(agent.address.bytes32) }

    func balance(_ account: Address, on chain: ChainID, _ asset: String = "USDC") async throws -> Amount {
        guard let adapter = adapters[chain] else { return .zero }
        return try await adapter.balance(of: account, asset: asset)
    }

    /// Advances virtual time and lets both ledgers produce the blocks due.
    func advance(seconds: Int64) async {
        clock.advance(by: .seconds(seconds))
        _ = await ledgerA.pendingCount
        _ = await ledgerB.pendingCount
        _ = await ledgerC?.pendingCount
    }

    /// A request for `amount` USDC (smallest units) from A to `receiver` on B.
    func request(_ amount: UInt64, to receiver: Address = Address(Keccak256.hash("merchant")), confirm: Bool = false) -> PaymentRequest {
        PaymentRequest(source: Self.usdcA, destination: Self.usdcB, amount: Amount(amount), receiver: receiver, confirm: confirm)
    }

    /// Stands in for the relayer network: waits for the lock to be final, signs 2-of-3 Release attestations in
    /// the destination's domain, submits the release, and reports the attestations to the service.
    func relay(_ paymentID: String, into chain: ChainID = b) async throws {
        var payment = try await service.refresh(paymentID)
        var rounds = 0
        while payment.state == .submitted, rounds < 20 {
            rounds += 1
            await advance(seconds: 12)
            payment = try await service.refresh(paymentID)
        }
        let transfer = try #require(payment.transfer, "payment \(payment.state) has no transfer")
        rounds = 0
        while !payment.lockFinalized, rounds < 20 {
            rounds += 1
            await advance(seconds: 12)
            payment = try await service.refresh(paymentID)
        }
        try await release(transfer, on: chain)
        try await service.recordAttestations(messageId: transfer.messageId, count: 2, threshold: 2)
    }

    /// Signs and submits a release of `transfer` on `chain` (with the route's `onward` hops for a hop that
    /// forwards), and mines it.
    func release(_ transfer: Transfer, on chain: ChainID, onward: [Transfer] = []) async throws {
        let adapter = try #require(adapters[chain])
        let digest = FerryAttestation.release(messageId: transfer.messageId).digest(in: adapter.info.attestationDomain)
        let signatures = try [relayers[0], relayers[1]].map { try $0.key.sign(digest: digest) }
        let tx = try await adapter.submit(.release(transfer, signatures: signatures, onward: onward), signer: executor, priority: .high)
        var rounds = 0
        while try await adapter.transaction(tx) == .pending, rounds < 20 {
            rounds += 1
            await advance(seconds: 2)
        }
        let status = try await adapter.transaction(tx)
        guard case .included(_, true, _) = status else { Issue.record("release not included: \(status)"); return }
    }

    /// Refreshes until the payment reaches `state` (or 40 rounds of `step` seconds pass).
    @discardableResult
    func settle(_ paymentID: String, until state: PaymentState, step: Int64 = 6) async throws -> Payment {
        var payment = try await service.refresh(paymentID)
        var rounds = 0
        while payment.state != state, rounds < 40 {
            rounds += 1
            await advance(seconds: step)
            payment = try await service.refresh(paymentID)
        }
        return payment
    }
}
