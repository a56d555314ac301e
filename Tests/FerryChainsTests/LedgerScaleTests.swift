@testable import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

/// Many transfers through one simulated ledger: everything is mined and conserved, and the ledger keeps only the
/// history a reorg needs. Quick by default; `FERRY_SIM_SCALE_TRANSFERS=20000` makes it a measurement that prints the
/// cost per submission and per block as the gateway's records grow (timings are printed, never asserted).
@Suite("Ledger scale")
struct LedgerScaleTests {
    static var transfers: Int { Int(ProcessInfo.processInfo.environment["FERRY_SIM_SCALE_TRANSFERS"] ?? "") ?? 800 }

    @Test("bulk locks and releases are all mined and conserved, with undo history for maxReorgDepth blocks only")
    func bulk() async throws {
        let perBlock = 80
        let relayers = try (0..<3).map { try PrivateKeySigner(seed: 21, index: $0) }
        let usdc = try AssetInfo.token(symbol: "USDC", decimals: 6)
        let remote = ChainID(999)
        var config = try SimulatedChainConfig.preset(
            .solana, id: 7, tokens: [usdc], relayers: RelayerSet(members: relayers.map(\.address), threshold: 2),
            lanes: [LaneConfig(remoteChain: remote, asset: "USDC", remoteDecimals: 6)],
            remoteGateways: [remote: try SimulatedChainConfig.defaultGateway(for: remote)], finalityDepth: 8, seed: 21)
        // Block space for every submission of a step, so each step is exactly one block.
        config.feeMarket = SolanaFeeMarket(blockCapacity: 4_800_000_000)
        let clock = VirtualClock()
        let ledger = SimulatedLedger(config: config, clock: .virtual(clock))
        try await ledger.addLiquidity("USDC", amount: Amount(1_000_000_000_000_000))
        let senders = try (0..<UInt64(perBlock / 2)).map { try PrivateKeySigner(seed: 22, index: $0) }
        for signer in senders + [relayers[0]] {
            try await ledger.fund(Address(signer.address.bytes32), asset: "SOL", amount: Amount(1_000_000_000_000_000))
            try await ledger.fund(Address(signer.address.bytes32), asset: "USDC", amount: Amount(1_000_000_000_000))
        }
        let receiver = Address(Keccak256.hash("receiver"))
        let deadline = clock.unixMillis / 1000 + 86_400

        var submitted: [TxID] = []
        var submitTime = Duration.zero, blockTime = Duration.zero
        var done = 0, blocks = 0
        while done < Self.transfers {
            let count = min(perBlock, Self.transfers - done)
            let start = ContinuousClock.now
            for i in done..<(done + count) {
                let call: GatewayCall
                let signer: PrivateKeySigner
                if i % 2 == 0 {
                    signer = senders[(i / 2) % senders.count]
                    call = .lock(Transfer(sourceChain: 7, destChain: remote, nonce: 0, sender: Address(signer.address.bytes32),
                                          receiver: receiver, sourceAsset: usdc.gatewayID, destAsset: usdc.gatewayID,
                                          amount: Amount(1_000_000), fee: Amount(100), deadline: deadline))
                } else {
                    // Every release from one relayer account: one sender with a whole block's worth pending.
                    signer = relayers[0]
                    let t = Transfer(sourceChain: remote, destChain: 7, nonce: UInt64(i), sender: receiver, receiver: receiver,
                                     sourceAsset: usdc.gatewayID, destAsset: usdc.gatewayID, amount: Amount(1_000_000),
                                     fee: .zero, deadline: deadline)
                    let digest = FerryAttestation.release(messageId: t.messageId).digest(in: config.info.attestationDomain)
                    call = .release(t, signatures: try relayers.prefix(2).map { try $0.key.sign(digest: digest) })
                }
                submitted.append(try await ledger.submit(call, signer: signer, priority: .high))
            }
            let submittedAt = ContinuousClock.now
            clock.advance(by: .milliseconds(Int64(config.info.blockTimeMillis)))
            #expect(await ledger.pendingCount == 0)
            blockTime += ContinuousClock.now - submittedAt
            submitTime += submittedAt - start
            done += count
            blocks += 1
            if blocks % 50 == 0 || done == Self.transfers {
                let perSubmission = Self.micros(submitTime) / Double(done), perBlock = Self.micros(blockTime) / 1_000 / Double(blocks)
                print("ledger scale: \(done) transfers, \(String(format: "%.0f us per submission, %.1f ms per block", perSubmission, perBlock))"
                      + " on average so far")
            }
        }

        for tx in submitted {
            guard case .included(_, true, _) = try await ledger.transaction(tx) else {
                Issue.record("\(tx): \(try await ledger.transaction(tx))")
                break
            }
        }
        let depth = Int(config.maxReorgDepth)
        #expect(await ledger.history.count == min(depth, blocks))
        #expect(await ledger.history.allSatisfy { $0.transactions.count <= perBlock })
        #expect(await ledger.state.journal.isEmpty)
        for line in await ledger.conservation() { #expect(line.holds, "\(line)") }

        // A stream from genesis catches up in large batches.
        let head = try await ledger.head()
        var locks = 0, releases = 0
        for try await event in SimulatedChainAdapter(ledger: ledger).events(from: 0) {
            if case .locked = event { locks += 1 }
            if case .released = event { releases += 1 }
            if case let .head(ref) = event, ref.height >= head.height { break }
        }
        #expect(locks + releases == Self.transfers)

        // The deepest reorg the ledger allows re-mines the last blocks from the kept history alone.
        try await ledger.reorg(depth: UInt64(min(depth, blocks)))
        #expect(try await ledger.head().height == head.height)
        #expect(try await ledger.head().hash != head.hash)
        #expect(await ledger.pendingCount == 0)
        for tx in submitted.suffix(min(depth, blocks) * perBlock) {
            guard case .included(_, true, _) = try await ledger.transaction(tx) else {
                Issue.record("after the reorg \(tx): \(try await ledger.transaction(tx))")
                break
            }
        }
        for line in await ledger.conservation() { #expect(line.holds, "\(line)") }
    }

    static func micros(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
    }
}
