public import FerryAgent
public import FerryChains
public import FerryCore
import FerryCrypto
public import FerryRelayer
public import FerryRouter
import FerryWire
public import Foundation
public import Logging

/// A complete Ferry world in one process: three simulated chains of different families on one ``VirtualClock``
/// (C is reached from A only through B, so some payments take a two-hop route),
/// `n` real ``RelayerNode``s gossiping over ZeroMQ (CURVE) with SQLite journals in a temporary directory, a funded
/// agent wallet, an escrow account, and the ``PaymentService`` the HTTP API serves.
///
/// `ferry demo`, `ferry serve` without chain configuration and the server's end-to-end tests all run on it.
/// Time moves when ``WorldDriver`` advances the clock. Call ``close()`` (or let the driver stop) to release the
/// gossip sockets; the temporary directory is removed by ``close()``.
public final class SimulatedWorld: Sendable {
    /// Knobs of the embedded world.
    public struct Options: Sendable {
        /// Seed of every key and every random choice.
        public var seed: UInt64 = 7
        /// Number of relayers (each watches every chain); the gateways need `threshold` of them.
        public var relayers: Int = 3
        public var threshold: Int = 2
        /// The agent's spending policy.
        public var policy: SpendingPolicy = SimulatedWorld.demoPolicy
        /// USDC the agent starts with on chain A, whole units.
        public var agentUSDC: UInt64 = 1_000
        /// Where the agent's SQLite database lives; nil = a file in the world's temporary directory.
        public var databasePath: String?

        /// Defaults: seed 7, 3 relayers with threshold 2, the demo policy, 1,000 USDC.
        public init() {}
    }

    /// Chain A: an EVM-like L1 (12 s blocks). The agent's money is here.
    public static let chainA = ChainID(1)
    /// Chain B: a rollup (2 s blocks). Services are priced here.
    public static let chainB = ChainID(8453)
    /// Chain C: Solana-like (400 ms slots). Bridged to B only: from A, payments go A -> B -> C.
    public static let chainC = ChainID(900)
    /// USDC on each chain.
    public static let usdcA = AssetID(chain: chainA, symbol: "USDC")
    public static let usdcB = AssetID(chain: chainB, symbol: "USDC")
    public static let usdcC = AssetID(chain: chainC, symbol: "USDC")

    /// The demo policy: 100 USD per payment, 500 USD a day of USDC, fees at most 2 %, p95 latency at most 10 min.
    public static var demoPolicy: SpendingPolicy {
        SpendingPolicy(perPaymentCap: Amount(10_000), budgets: ["USDC": Amount(50_000)], maxFeePPM: 20_000, maxLatencyMs: 600_000)
    }

    public let clock: VirtualClock
    public let ledgers: [ChainID: SimulatedLedger]
    public let adapters: [ChainID: any ChainAdapter]
    public let lanes: [BridgeLane]
    public let service: PaymentService
    public let relayers: [RelayerNode]
    let gossip: [GossipNode]
    /// The agent's account (same key on every chain).
    public let agentAccount: Address
    /// The account holding service escrows on chain B.
    public let escrowAccount: Address
    public let directory: URL
    public let options: Options

    /// Builds the world: chains, funded accounts, relayer keys and journals, gossip mesh, payment service.
    /// - Parameter logger: passed to relayers; give a quiet one for terminal demos.
    public init(options: Options = Options(), logger: Logger) async throws {
        self.options = options
        let seed = options.seed
        let relayerKeys = try (0..<UInt64(options.relayers)).map { try PrivateKeySigner(seed: seed, index: $0) }
        let usdc = try AssetInfo.token(symbol: "USDC", decimals: 6)
        let set = RelayerSet(members: relayerKeys.map(\.address), threshold: options.threshold)
        let a = Self.chainA, b = Self.chainB, c = Self.chainC
        var configA = try SimulatedChainConfig.preset(
            .evm, id: a, name: "ethereum-sim", tokens: [usdc], relayers: set,
            lanes: [LaneConfig(remoteChain: b, asset: "USDC", remoteDecimals: 6)],
            remoteGateways: [b: try SimulatedChainConfig.defaultGateway(for: b)], finalityDepth: 2, seed: seed)
        // A calm L1 (2 gwei base fee) so a refund back to it costs cents, not dollars.
        configA.feeMarket = EIP1559FeeMarket(baseFeePerGas: 2_000_000_000)
        let configB = try SimulatedChainConfig.preset(
            .rollup, id: b, name: "base-sim", tokens: [usdc], relayers: set,
            lanes: [LaneConfig(remoteChain: a, asset: "USDC", remoteDecimals: 6), LaneConfig(remoteChain: c, asset: "USDC", remoteDecimals: 6)],
            remoteGateways: [a: try SimulatedChainConfig.defaultGateway(for: a), c: try SimulatedChainConfig.defaultGateway(for: c)],
            finalityDepth: 4, seed: seed)
        let configC = try SimulatedChainConfig.preset(
            .solana, id: c, name: "solana-sim", tokens: [usdc], relayers: set,
            lanes: [LaneConfig(remoteChain: b, asset: "USDC", remoteDecimals: 6)],
            remoteGateways: [b: try SimulatedChainConfig.defaultGateway(for: b)], finalityDepth: 16, seed: seed)
        let clock = VirtualClock()
        let ledgerA = SimulatedLedger(config: configA, clock: .virtual(clock))
        let ledgerB = SimulatedLedger(config: configB, clock: .virtual(clock))
        let ledgerC = SimulatedLedger(config: configC, clock: .virtual(clock))
        let agent = try PrivateKeySigner(seed: seed, index: 100)
        let escrow = try PrivateKeySigner(seed: seed, index: 101)
        for ledger in [ledgerA, ledgerB, ledgerC] {
            try await ledger.addLiquidity("USDC", amount: try Amount(decimal: "1000000", decimals: 6))
            let native = ledger.config.info.nativeAsset
            let gas = try Amount(decimal: "100", decimals: native.decimals)  // 100 ETH or 100 SOL of fees
            for key in relayerKeys + [agent, escrow] {
                try await ledger.fund(Address(key.address.bytes32), asset: native.symbol, amount: gas)
            }
        }
        try await ledgerA.fund(Address(agent.address.bytes32), asset: "USDC", amount: Amount(options.agentUSDC) * Amount(1_000_000))
        let adapters: [ChainID: any ChainAdapter] = [a: SimulatedChainAdapter(ledger: ledgerA), b: SimulatedChainAdapter(ledger: ledgerB),
                                                     c: SimulatedChainAdapter(ledger: ledgerC)]
        // Two bridges from A to B, so routing has a real choice: a cheap standard lane and a fast express lane.
        let lanes = [
            BridgeLane(from: Self.usdcA, to: Self.usdcB, flatFee: Amount(100_000), feePPM: 500,
                       latency: Latency(p50Ms: 60_000, p95Ms: 120_000), bridge: "ferry"),
            BridgeLane(from: Self.usdcA, to: Self.usdcB, flatFee: Amount(600_000), feePPM: 0,
                       latency: Latency(p50Ms: 30_000, p95Ms: 45_000), bridge: "ferry-express"),
            BridgeLane(from: Self.usdcB, to: Self.usdcA, flatFee: Amount(200_000), feePPM: 500,
                       latency: Latency(p50Ms: 60_000, p95Ms: 120_000), bridge: "ferry"),
            // C is bridged to B only.
            BridgeLane(from: Self.usdcB, to: Self.usdcC, flatFee: Amount(20_000), feePPM: 300,
                       latency: Latency(p50Ms: 20_000, p95Ms: 40_000), bridge: "ferry"),
            BridgeLane(from: Self.usdcC, to: Self.usdcB, flatFee: Amount(20_000), feePPM: 300,
                       latency: Latency(p50Ms: 20_000, p95Ms: 40_000), bridge: "ferry"),
        ]
        // ETH at 3,000 USDC: 1 wei = 3000e6 / 1e18 = 3 / 1e9 USDC smallest units.
        let ethRate = try ExchangeRate(numerator: 3, denominator: Amount(1_000_000_000))
        // SOL at 150 USDC: 1 lamport = 150e6 / 1e9 = 3 / 20 USDC smallest units.
        let solRate = try ExchangeRate(numerator: 3, denominator: Amount(20))
        let now: @Sendable () -> UInt64 = { clock.unixMillis }
        let quoter = AdapterQuoter(adapters: adapters, lanes: lanes, nativeRates: [a: ethRate, b: ethRate, c: solRate], validForMs: 30_000,
                                   now: now)
        var prices = PriceTable()
        try prices.setPrice(Self.usdcA, decimals: 6, price: 100)
        try prices.setPrice(Self.usdcB, decimals: 6, price: 100)
        try prices.setPrice(Self.usdcC, decimals: 6, price: 100)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-world-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try AgentDatabase(path: options.databasePath ?? directory.appendingPathComponent("agent.sqlite").path)
        service = PaymentService(adapters: adapters, wallet: Wallet(signers: [a: agent, b: agent, c: agent]), escrowWallet: Wallet(signers: [b: escrow]),
                                 quoter: quoter, policy: options.policy, prices: prices, database: database, now: now)
        // Relayers: a full CURVE mesh on loopback, each admitting only the others' keys.
        let pairs = try (0..<options.relayers).map { _ in try CurveKeyPair.generate() }
        var gossip: [GossipNode] = []
        for (i, pair) in pairs.enumerated() {
            let allowed = Set(pairs.enumerated().filter { $0.offset != i }.map(\.element.publicKey))
            gossip.append(try GossipNode(configuration: .init(keyPair: pair, listenEndpoint: "tcp://127.0.0.1:*", allowedPeers: allowed)))
        }
        for (i, node) in gossip.enumerated() {
            for (j, peer) in gossip.enumerated() where i != j {
                try node.connect(to: .init(endpoint: peer.endpoint, publicKey: peer.publicKey))
            }
        }
        for node in gossip {
            for await subscribers in node.subscriptions where subscribers >= options.relayers - 1 { break }
        }
        var nodes: [RelayerNode] = []
        for (i, key) in relayerKeys.enumerated() {
            let configuration = RelayerNodeConfiguration(nodeID: "relayer-\(i)", key: key.key, adapters: adapters)
            let journal = try Journal(path: directory.appendingPathComponent("relayer-\(i).sqlite").path)
            nodes.append(RelayerNode(configuration: configuration, journal: journal, gossip: gossip[i], clock: .virtual(clock), logger: logger))
        }
        self.clock = clock
        self.ledgers = [a: ledgerA, b: ledgerB, c: ledgerC]
        self.adapters = adapters
        self.lanes = lanes
        self.relayers = nodes
        self.gossip = gossip
        self.agentAccount = Address(agent.address.bytes32)
        self.escrowAccount = Address(escrow.address.bytes32)
        self.directory = directory
    }

    /// Closes the gossip sockets and removes the temporary directory.
    public func close() async {
        for node in gossip { await node.close() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// `account`'s balance of `asset` on `chain` (smallest units).
    public func balance(_ account: Address, on chain: ChainID, _ asset: String = "USDC") async throws -> Amount {
        guard let adapter = adapters[chain] else { throw PaymentError.unknownChain(chain, known: adapters.keys.sorted()) }
        return try await adapter.balance(of: account, asset: asset)
    }

    /// How many distinct relayers' release signatures the relayers hold for `messageId`: the most any node has
    /// while the transfer is in progress, else what the journals kept (own signatures and those an executor used).
    func releaseAttestations(_ messageId: Bytes32) async -> Int {
        var best = 0
        for node in relayers {
            if let live = node.attestationCount(messageId, kind: .release) {
                best = max(best, live)
            } else if let records = try? await node.journal.attestations(for: messageId, kind: .release) {
                best = max(best, Set(records.map(\.signer)).count)
            }
        }
        return best
    }
}
