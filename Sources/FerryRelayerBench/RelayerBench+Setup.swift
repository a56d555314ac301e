import FerryChains
import FerryCore
import FerryWire
import Foundation
import Synchronization

extension RelayerBench {
    /// Two ledgers with a USDC lane both ways, deep liquidity, and gas money for every relayer.
    static func ledgers(keys: [PrivateKeySigner], threshold: Int, usdc: AssetInfo, clock: VirtualClock,
                        seed: UInt64) async throws -> [ChainID: SimulatedLedger] {
        let set = RelayerSet(members: keys.map(\.address), threshold: threshold)
        let gatewayA = try SimulatedChainConfig.defaultGateway(for: chainA)
        let gatewayB = try SimulatedChainConfig.defaultGateway(for: chainB)
        let configA = try SimulatedChainConfig.preset(
            .solana, id: chainA, tokens: [usdc], relayers: set,
            lanes: [LaneConfig(remoteChain: chainB, asset: "USDC", remoteDecimals: 6)],
            remoteGateways: [chainB: gatewayB], finalityDepth: 8, seed: seed)
        let configB = try SimulatedChainConfig.preset(
            .rollup, id: chainB, tokens: [usdc], relayers: set,
            lanes: [LaneConfig(remoteChain: chainA, asset: "USDC", remoteDecimals: 6)],
            remoteGateways: [chainA: gatewayA], finalityDepth: 3, seed: seed)
        // Block space sized 100x the presets so the chains are not the limit (the driver already keeps the clock
        // from outrunning the nodes); fee rules are otherwise the families' own.
        var wideA = configA
        wideA.feeMarket = SolanaFeeMarket(blockCapacity: 4_800_000_000)
        var wideB = configB
        wideB.feeMarket = RollupFeeMarket(execution: EIP1559FeeMarket(baseFeePerGas: 10_000_000, gasTarget: 500_000_000, baselineTip: 1_000_000))
        let a = SimulatedLedger(config: wideA, clock: .virtual(clock))
        let b = SimulatedLedger(config: wideB, clock: .virtual(clock))
        for ledger in [a, b] {
            try await ledger.addLiquidity("USDC", amount: Amount(1_000_000_000_000_000_000))
            let native = ledger.config.info.nativeAsset
            for key in keys {
                try await ledger.fund(Address(key.address.bytes32), asset: native.symbol,
                                      amount: try Amount(decimal: "1000000", decimals: native.decimals))
            }
        }
        return [chainA: a, chainB: b]
    }

    /// Funded senders, alternating between the two chains.
    static func senders(count: Int, ledgers: [ChainID: SimulatedLedger]) async throws -> [(PrivateKeySigner, ChainID)] {
        var out: [(PrivateKeySigner, ChainID)] = []
        for i in 0..<count {
            let chain = i % 2 == 0 ? chainA : chainB
            guard let ledger = ledgers[chain] else { continue }
            let signer = try PrivateKeySigner(seed: 0xB3AC4, index: UInt64(i))
            let native = ledger.config.info.nativeAsset
            try await ledger.fund(Address(signer.address.bytes32), asset: native.symbol,
                                  amount: try Amount(decimal: "100000", decimals: native.decimals))
            try await ledger.fund(Address(signer.address.bytes32), asset: "USDC", amount: Amount(1_000_000_000_000))
            out.append((signer, chain))
        }
        return out
    }

    /// Gossip nodes for every relayer, fully meshed, each admitting only the others' CURVE keys; returns once
    /// every publisher has all its subscribers, so nothing is published into the void.
    static func mesh(_ count: Int) async throws -> [GossipNode] {
        let pairs = try (0..<count).map { _ in try CurveKeyPair.generate() }
        var nodes: [GossipNode] = []
        for (i, pair) in pairs.enumerated() {
            let allowed = Set(pairs.enumerated().filter { $0.offset != i }.map(\.element.publicKey))
            nodes.append(try GossipNode(configuration: .init(keyPair: pair, listenEndpoint: "tcp://127.0.0.1:*", allowedPeers: allowed)))
        }
        for (i, node) in nodes.enumerated() {
            for (j, peer) in nodes.enumerated() where i != j {
                try node.connect(to: .init(endpoint: peer.endpoint, publicKey: peer.publicKey))
            }
        }
        for node in nodes {
            for await subscribers in node.subscriptions where subscribers >= count - 1 { break }
        }
        return nodes
    }
}

/// Follows both chains' gateway events: maps each lock to the benchmark's transfer index (through its payload
/// hash) and times its release. Thread-safe.
final class ReleaseTracker: Sendable {
    struct State {
        var submitted: [ContinuousClock.Instant?]
        var index: [Bytes32: Int] = [:]
        var releasedAt: [Bytes32: ContinuousClock.Instant] = [:]
        var done: Set<Bytes32> = []
        var releaseEvents = 0
        var latencies: [Duration] = []
    }

    private let state: Mutex<State>

    init(transfers: Int) { state = Mutex(State(submitted: Array(repeating: nil, count: transfers))) }

    /// The payload hash that tags transfer `i`.
    static func payload(_ i: Int) -> Bytes32 {
        var bytes = [UInt8](repeating: 0, count: 32)
        for k in 0..<8 { bytes[31 - k] = UInt8(truncatingIfNeeded: UInt64(i) >> (8 * k)) }
        bytes[0] = 0xBE
        return (try? Bytes32(bytes)) ?? .zero
    }

    static func index(of payload: Bytes32) -> Int? {
        let b = payload.bytes
        guard b[0] == 0xBE else { return nil }
        return Int(b[24...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    func locking(_ i: Int) { state.withLock { $0.submitted[i] = .now } }

    var released: Int { state.withLock { $0.done.count } }
    var releaseEvents: Int { state.withLock { $0.releaseEvents } }
    var latencies: [Duration] { state.withLock { $0.latencies } }

    func watch(_ adapter: SimulatedChainAdapter, chain: ChainID) async throws {
        for try await event in adapter.events(from: 0) {
            let now = ContinuousClock.now
            switch event {
            case let .locked(id, transfer, _, _):
                guard let i = Self.index(of: transfer.payloadHash) else { continue }
                state.withLock { s in
                    s.index[id] = i
                    if let at = s.releasedAt.removeValue(forKey: id) { s.finish(id, i, at) }
                }
            case let .released(id, _, _):
                state.withLock { s in
                    s.releaseEvents += 1
                    if let i = s.index[id] { s.finish(id, i, now) } else { s.releasedAt[id] = now }
                }
            default:
                continue
            }
        }
    }
}

extension ReleaseTracker.State {
    mutating func finish(_ id: Bytes32, _ i: Int, _ at: ContinuousClock.Instant) {
        guard done.insert(id).inserted, i < submitted.count, let start = submitted[i] else { return }
        latencies.append(at - start)
    }
}
