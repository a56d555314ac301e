import FerryAdapterConformance
import FerryChains
import FerryCore
import FerryCrypto
import Testing

/// One simulated chain set up for tests: ledger, adapter, virtual clock, relayer keys, a USDC lane.
struct TestChain {
    static let remote = ChainID(999)
    let clock: VirtualClock
    let ledger: SimulatedLedger
    let adapter: SimulatedChainAdapter
    let relayers: [PrivateKeySigner]
    let usdc: AssetInfo
    let remoteGateway: EthereumAddress
    let seed: UInt64

    /// A chain of `family` with 3 relayers (threshold 2), USDC (6 decimals) on a lock/release lane to chain 999
    /// with 1,000,000 USDC of liquidity.
    static func make(_ family: ChainFamily, id: ChainID = 7, seed: UInt64 = 42, mode: LaneMode = .lockRelease,
                     rateLimit: RateLimit? = nil, liquidity: Amount = Amount(1_000_000_000_000)) async throws -> TestChain {
        let relayers = try (0..<3).map { try PrivateKeySigner(seed: seed, index: $0) }
        let usdc = try AssetInfo.token(symbol: "USDC", decimals: 6)
        let remoteGateway = try SimulatedChainConfig.defaultGateway(for: remote)
        let config = try SimulatedChainConfig.preset(
            family, id: id, tokens: [usdc], relayers: RelayerSet(members: relayers.map(\.address), threshold: 2),
            lanes: [LaneConfig(remoteChain: remote, asset: "USDC", remoteDecimals: 6, mode: mode, rateLimit: rateLimit)],
            remoteGateways: [remote: remoteGateway], seed: seed)
        let clock = VirtualClock()
        let ledger = SimulatedLedger(config: config, clock: .virtual(clock))
        if !liquidity.isZero { try await ledger.addLiquidity("USDC", amount: liquidity) }
        return TestChain(clock: clock, ledger: ledger, adapter: SimulatedChainAdapter(ledger: ledger), relayers: relayers,
                         usdc: usdc, remoteGateway: remoteGateway, seed: seed)
    }

    var info: ChainInfo { ledger.config.info }

    var lane: ConformanceLane {
        ConformanceLane(asset: "USDC", remoteChain: Self.remote, remoteGateway: remoteGateway, remoteAsset: usdc.gatewayID,
                        remoteDecimals: 6, amount: Amount(25_000_000), fee: Amount(10_000))
    }

    func harness(adapter: (any ChainAdapter)? = nil) -> SimulatedConformanceHarness {
        SimulatedConformanceHarness(ledger: ledger, clock: clock, lane: lane, relayers: relayers, adapter: adapter, seed: seed)
    }

    /// A funded account: 100 native units and `usdc` USDC smallest units.
    func account(_ index: UInt64, usdc: Amount = Amount(100_000_000)) async throws -> PrivateKeySigner {
        let signer = try PrivateKeySigner(seed: seed ^ 0x5EED, index: index)
        var whole = Amount(1)
        for _ in 0..<info.nativeAsset.decimals { whole = try whole * Amount(10) }
        try await ledger.fund(address(signer), asset: info.nativeAsset.symbol, amount: try whole * Amount(100))
        try await ledger.fund(address(signer), asset: "USDC", amount: usdc)
        return signer
    }

    func address(_ signer: PrivateKeySigner) -> Address { Address(signer.address.bytes32) }

    func advance(blocks: UInt64) async {
        clock.advance(by: .milliseconds(Int64(blocks * info.blockTimeMillis)))
        _ = await ledger.pendingCount
    }

    func now() async throws -> UInt64 { try await adapter.head().timestampMillis / 1000 }

    /// An outbound USDC transfer from `sender` (amount in remote units = local units here).
    func outbound(from sender: PrivateKeySigner, amount: UInt64 = 5_000_000, fee: UInt64 = 1_000, deadlineIn: UInt64 = 3_600) async throws -> Transfer {
        Transfer(sourceChain: info.id, destChain: Self.remote, nonce: 0, sender: address(sender),
                 receiver: Address(Keccak256.hash("receiver")), sourceAsset: usdc.gatewayID, destAsset: usdc.gatewayID,
                 amount: Amount(amount), fee: Amount(fee), deadline: try await now() + deadlineIn)
    }

    /// An inbound USDC transfer to `receiver` from chain 999.
    func inbound(to receiver: Address, amount: UInt64 = 5_000_000, nonce: UInt64 = 1, deadlineIn: UInt64 = 3_600) async throws -> Transfer {
        Transfer(sourceChain: Self.remote, destChain: info.id, nonce: nonce, sender: Address(Keccak256.hash("remote sender")),
                 receiver: receiver, sourceAsset: usdc.gatewayID, destAsset: usdc.gatewayID, amount: Amount(amount),
                 fee: .zero, deadline: try await now() + deadlineIn)
    }

    /// Signatures of relayers `indices` over `attestation` in `domain` (this chain's by default).
    func attest(_ attestation: FerryAttestation, by indices: [Int] = [0, 1], in domain: EIP712Domain? = nil) throws -> [Signature] {
        let digest = attestation.digest(in: domain ?? info.attestationDomain)
        return try indices.map { try relayers[$0].key.sign(digest: digest) }
    }

    var remoteDomain: EIP712Domain { .ferry(chainId: Self.remote.rawValue, gateway: remoteGateway) }

    /// Submits and mines `call`; returns the status.
    func mine(_ call: GatewayCall, by signer: PrivateKeySigner, priority: FeePriority = .high) async throws -> (TxID, TxStatus) {
        let tx = try await adapter.submit(call, signer: signer, priority: priority)
        for _ in 0..<20 {
            let status = try await adapter.transaction(tx)
            if status != .pending { return (tx, status) }
            await advance(blocks: 1)
        }
        return (tx, try await adapter.transaction(tx))
    }

    /// Every asset's conservation equation holds.
    func expectConserved(sourceLocation: SourceLocation = #_sourceLocation) async {
        for line in await ledger.conservation() {
            #expect(line.holds, "\(line) (seed \(seed))", sourceLocation: sourceLocation)
        }
    }

    /// All events from `height` up to the current head.
    func events(from height: UInt64) async throws -> [GatewayEvent] {
        let head = try await adapter.head().height
        var out: [GatewayEvent] = []
        for try await event in adapter.events(from: height) {
            out.append(event)
            if case let .head(ref) = event, ref.height >= head { break }
        }
        return out
    }
}

extension GatewayEvent {
    var lockedMessageId: Bytes32? {
        if case let .locked(id, _, _, _) = self { id } else { nil }
    }
}
