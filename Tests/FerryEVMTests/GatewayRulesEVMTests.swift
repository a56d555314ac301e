import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@testable import FerryEVM

/// The gateway rules of docs/architecture.md ("Gateway rules") on the compiled Vyper gateway, on the py-evm dev
/// node: the attacks of issue 13 (self-minted token, decimals mismatch, refund after release, lane arithmetic,
/// releases spending refundable value, pause). The simulated gateway's twins are in `GatewayRulesTests`.
@Suite("Vyper gateway rules on the dev node", .serialized)
struct GatewayRulesEVMTests {
    static let anyReason: Set<String> = []

    /// Expects `body` to be refused with one of `reasons`.
    static func expectRejected(_ reasons: Set<String>, _ body: () async throws(ChainError) -> Void,
                               sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("expected a rejection with one of \(reasons)", sourceLocation: sourceLocation)
        } catch {
            guard case let .rejected(_, actual) = error else {
                Issue.record("expected .rejected(\(reasons)), got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(reasons.contains(actual), "\(actual)", sourceLocation: sourceLocation)
        }
    }

    /// An inbound transfer to `bed` from its remote chain.
    static func inbound(_ bed: EVMTestbed, sourceAsset: Bytes32, destAsset: Bytes32, amount: Amount, receiver: EthereumAddress,
                        deadline: UInt64, nonce: UInt64 = 1) -> Transfer {
        Transfer(sourceChain: bed.remoteChain, destChain: ChainID(bed.node.chainId), nonce: nonce,
                 sender: Address(receiver.bytes32), receiver: Address(receiver.bytes32), sourceAsset: sourceAsset, destAsset: destAsset,
                 amount: amount, fee: .zero, deadline: deadline)
    }

    static func tokenBalance(_ bed: EVMTestbed, _ token: EthereumAddress, of owner: EthereumAddress) async throws -> Amount {
        try GatewayABI.decodeUInt(try await bed.client.call(EVMCall(to: token, data: GatewayABI.balanceOf(owner))))
    }

    @Test("self-minted token: its lock is refused on the source, and a release of real TUSD for it is refused on the destination")
    func selfMintedToken() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_441, remoteChain: 4_442)
        defer { bed.node.stop() }
        let adapter = try await bed.adapter()
        let mallory = try await bed.fundedSigner(index: 1)
        // Mallory deploys and mints her own "TUSD".
        let ctor = ABI.encode([.string("Test USD"), .string("TUSD"), .uint64(6)])
        let fake = try #require(try await bed.send(from: mallory, to: nil, data: try EVMTestbed.artifact("TestToken") + ctor).contractAddress)
        try await bed.send(from: mallory, to: fake, data: ABI.call("mint(address,uint256)", [.address(mallory.address), .uint(Amount(10_000_000_000))]))
        let now = try await adapter.head().timestampMillis / 1_000
        let lock = Transfer(sourceChain: ChainID(4_441), destChain: ChainID(4_442), nonce: 0, sender: Address(mallory.address.bytes32),
                            receiver: Address(mallory.address.bytes32), sourceAsset: fake.bytes32, destAsset: bed.token.bytes32,
                            amount: Amount(5_000_000_000), fee: .zero, deadline: now + 3_600)
        await Self.expectRejected(["ferry: asset pair not registered"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.lock(lock), signer: mallory, priority: .low)
        }
        // On the destination: even k-of-n Release signatures pay nothing for it.
        let receiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000a1")
        let forged = Self.inbound(bed, sourceAsset: fake.bytes32, destAsset: bed.token.bytes32, amount: Amount(5_000_000_000),
                                  receiver: receiver, deadline: now + 3_600)
        let sigs = try EVMTestbed.attest(.release(messageId: forged.messageId), in: adapter.info.attestationDomain)
        await Self.expectRejected(["ferry: asset pair not registered"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.release(forged, signatures: sigs), signer: mallory, priority: .low)
        }
        #expect(try await Self.tokenBalance(bed, bed.token, of: receiver) == .zero)
    }

    @Test("decimals mismatch: ETH (18) cannot buy TUSD (6) on either side; a registered 6-to-18 pair converts, rounding up")
    func decimalsMismatch() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_451, remoteChain: 4_452)
        defer { bed.node.stop() }
        let adapter = try await bed.adapter()
        let mallory = try await bed.fundedSigner(index: 1, tokens: Amount(100_000_000))
        let now = try await adapter.head().timestampMillis / 1_000
        // 4,000 TUSD on the destination for 0.000000004 ETH.
        let lock = Transfer(sourceChain: ChainID(4_451), destChain: ChainID(4_452), nonce: 0, sender: Address(mallory.address.bytes32),
                            receiver: Address(mallory.address.bytes32), sourceAsset: .zero, destAsset: bed.token.bytes32,
                            amount: Amount(4_000_000_000), fee: .zero, deadline: now + 3_600)
        await Self.expectRejected(["ferry: destination asset does not match the registered pair"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.lock(lock), signer: mallory, priority: .low)
        }
        let receiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000a2")
        let forged = Self.inbound(bed, sourceAsset: .zero, destAsset: bed.token.bytes32, amount: Amount(4_000_000_000),
                                  receiver: receiver, deadline: now + 3_600)
        let sigs = try EVMTestbed.attest(.release(messageId: forged.messageId), in: adapter.info.attestationDomain)
        await Self.expectRejected(["ferry: asset pair not registered"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.release(forged, signatures: sigs), signer: mallory, priority: .low)
        }
        #expect(try await Self.tokenBalance(bed, bed.token, of: receiver) == .zero)

        // A lane where the remote side has 18 decimals: the lock takes the amount in 6-decimal units, rounded up.
        let remote18 = try EthereumAddress(hex: "0x00000000000000000000000000000000000018d8").bytes32
        let third = ChainID(4_453)
        let sig = GatewayABI.functionSignatures
        try await bed.send(from: bed.owner, to: bed.gateway, data: ABI.call(sig["setDestinationGateway"] ?? "", [.uint64(third.rawValue), .address(bed.gateway)]))
        try await bed.send(from: bed.owner, to: bed.gateway, data: ABI.call(sig["setLaneLimit"] ?? "", [
            .uint64(third.rawValue), .bytes32(bed.token.bytes32), .uint(Amount(1_000_000_000_000)), .uint(Amount(1_000_000))]))
        try await bed.send(from: bed.owner, to: bed.gateway, data: GatewayABI.setAssetPair(
            remoteChain: third, localAsset: bed.token.bytes32, remoteAsset: remote18, localDecimals: 6, remoteDecimals: 18))
        let amount = try Amount(5) * Amount(1_000_000_000_000_000_000) + Amount(1)  // 5 tokens and 1 wei-unit on the remote side
        var scaled = lock
        scaled.destChain = third
        scaled.sourceAsset = bed.token.bytes32
        scaled.destAsset = remote18
        scaled.amount = amount
        scaled.fee = Amount(7)
        #expect(try await adapter.lockTotal(scaled) == Amount(5_000_000 + 1 + 7))
        let before = try await Self.tokenBalance(bed, bed.token, of: mallory.address)
        let tx = try await adapter.submit(.lock(scaled), signer: mallory, priority: .low)
        guard case .included(_, true, _) = try await adapter.transaction(tx) else { Issue.record("scaled lock failed"); return }
        #expect(try await Self.tokenBalance(bed, bed.token, of: mallory.address) == before.saturatingSubtract(Amount(5_000_008)))
    }

    @Test("a refund needs Refund attestations in the source's domain: the destination's Cancel signatures never refund a released transfer")
    func refundAfterRelease() async throws {
        let a = try await EVMTestbed.start(chainId: 4_461, remoteChain: 4_462)
        let b = try await EVMTestbed.start(chainId: 4_462, remoteChain: 4_461)
        defer { a.node.stop(); b.node.stop() }
        let adapterA = try await a.adapter(), adapterB = try await b.adapter()
        let alice = try await a.fundedSigner(index: 1)
        let now = try await adapterA.head().timestampMillis / 1_000
        let lock = Transfer(sourceChain: ChainID(4_461), destChain: ChainID(4_462), nonce: 0, sender: Address(alice.address.bytes32),
                            receiver: Address(alice.address.bytes32), sourceAsset: .zero, destAsset: .zero,
                            amount: EVMTestbed.ether, fee: Amount(1_000), deadline: now + 600)
        let lockTx = try await adapterA.submit(.lock(lock), signer: alice, priority: .low)
        guard case let .included(height, true, _) = try await adapterA.transaction(lockTx) else { Issue.record("lock failed"); return }
        let logs = try await adapterA.client.logs(address: a.gateway, from: height, to: height, topic0: [GatewayABI.lockedTopic])
        let id = try #require(logs.first?.topics[1])
        guard case let .locked(locked, _) = try await adapterA.gatewayState(of: id) else { Issue.record("no lock"); return }
        // Released on B at its deadline...
        let relayerB = try await b.fundedSigner(index: 2)
        let release = try await adapterB.submit(.release(locked, signatures: try EVMTestbed.attest(.release(messageId: id), in: adapterB.info.attestationDomain)),
                                                signer: relayerB, priority: .low)
        guard case .included(_, true, _) = try await adapterB.transaction(release) else { Issue.record("release failed"); return }
        // ...then, past the deadline, k Cancel signatures made in B's domain try to refund it on A: refused.
        _ = try await a.rpc("evm_increaseTime", [.string(HexQuantity.encode(UInt64(700)))])
        _ = try await a.rpc("evm_mine")
        let cancelSigs = try EVMTestbed.attest(.cancel(messageId: id), in: adapterB.info.attestationDomain)
        await Self.expectRejected(["ferry: signer is not a relayer", "ferry: signers must be distinct and in ascending order"]) { () async throws(ChainError) in
            _ = try await adapterA.submit(.refund(locked, signatures: cancelSigs), signer: alice, priority: .low)
        }
        #expect(try await adapterA.gatewayState(of: id) == .locked(locked, height: height))
        // What a refund needs: Refund in A's own domain (relayers give it only after B's Cancelled is final).
        let refundSigs = try EVMTestbed.attest(.refund(messageId: id), in: adapterA.info.attestationDomain)
        let refundable = try GatewayABI.decodeUInt(try await a.client.call(EVMCall(to: a.gateway, data: ABI.call(
            GatewayABI.functionSignatures["refundable"] ?? "", [.bytes32(.zero)]))))
        #expect(refundable == (try EVMTestbed.ether + Amount(1_000)))
        // The gateway is paused: refunds go through all the same.
        try await a.send(from: a.owner, to: a.gateway, data: ABI.call(GatewayABI.functionSignatures["setPaused"] ?? "", [.bool(true)]))
        let refund = try await adapterA.submit(.refund(locked, signatures: refundSigs), signer: alice, priority: .low)
        guard case .included(_, true, _) = try await adapterA.transaction(refund) else { Issue.record("refund while paused failed"); return }
        guard case .refunded = try await adapterA.gatewayState(of: id) else { Issue.record("not refunded"); return }
    }

    @Test("lane arithmetic: a huge refill rate does not block the lane, and setLaneLimit never refills a drained lane")
    func laneArithmetic() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_471, remoteChain: 4_472)
        defer { bed.node.stop() }
        let adapter = try await bed.adapter()
        let relayer = try await bed.fundedSigner(index: 1)
        let sig = GatewayABI.functionSignatures
        func setLane(_ capacity: Amount, _ refill: Amount) async throws {
            try await bed.send(from: bed.owner, to: bed.gateway, data: ABI.call(sig["setLaneLimit"] ?? "", [
                .uint64(4_472), .bytes32(.zero), .uint(capacity), .uint(refill)]))
        }
        func headroom() async throws -> Amount {
            try GatewayABI.decodeUInt(try await bed.client.call(EVMCall(to: bed.gateway, data: ABI.call(sig["laneHeadroom"] ?? "", [
                .uint64(4_472), .bytes32(.zero)]))))
        }
        func release(_ amount: Amount, nonce: UInt64) async throws -> TxStatus {
            let now = try await adapter.head().timestampMillis / 1_000
            let t = Self.inbound(bed, sourceAsset: .zero, destAsset: .zero, amount: amount,
                                 receiver: try EthereumAddress(hex: "0x00000000000000000000000000000000000000a4"), deadline: now + 3_600, nonce: nonce)
            let tx = try await adapter.submit(.release(t, signatures: try EVMTestbed.attest(.release(messageId: t.messageId), in: adapter.info.attestationDomain)),
                                              signer: relayer, priority: .low)
            return try await adapter.transaction(tx)
        }
        try await setLane(try EVMTestbed.ether * Amount(10), .max)
        guard case .included(_, true, _) = try await release(EVMTestbed.ether, nonce: 1) else { Issue.record("first release failed"); return }
        guard case .included(_, true, _) = try await release(EVMTestbed.ether, nonce: 2) else {
            Issue.record("the second release on a lane with a huge refill rate failed (refill arithmetic overflow)"); return
        }
        // Drain a slow lane, then tighten it: the level stays where it was.
        try await setLane(try EVMTestbed.ether * Amount(2), Amount(1))
        guard case .included(_, true, _) = try await release(try EVMTestbed.ether * Amount(2), nonce: 3) else { Issue.record("drain failed"); return }
        try await setLane(EVMTestbed.ether, Amount(1))
        #expect(try await headroom() < Amount(1_000), "tightening a drained lane refilled it")
    }

    @Test("releases never spend the value backing refundable locks")
    func releasesKeepRefundableValue() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_481, remoteChain: 4_482)
        defer { bed.node.stop() }
        let adapter = try await bed.adapter()
        let alice = try await bed.fundedSigner(index: 1, tokens: Amount(10_000_000))
        let now = try await adapter.head().timestampMillis / 1_000
        let lock = Transfer(sourceChain: ChainID(4_481), destChain: ChainID(4_482), nonce: 0, sender: Address(alice.address.bytes32),
                            receiver: Address(alice.address.bytes32), sourceAsset: bed.token.bytes32, destAsset: bed.token.bytes32,
                            amount: Amount(5_000_000), fee: Amount(1_000), deadline: now + 3_600)
        let tx = try await adapter.submit(.lock(lock), signer: alice, priority: .low)
        guard case .included(_, true, _) = try await adapter.transaction(tx) else { Issue.record("lock failed"); return }
        // The gateway holds 1,000,000 TUSD of liquidity plus alice's 5.001 locked: a release of liquidity + 1 unit
        // could only be paid with her refundable value.
        let liquidity = Amount(1_000_000_000_000)
        #expect(try await Self.tokenBalance(bed, bed.token, of: bed.gateway) == (try liquidity + Amount(5_001_000)))
        let receiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000a5")
        let t = Self.inbound(bed, sourceAsset: bed.token.bytes32, destAsset: bed.token.bytes32, amount: try liquidity + Amount(1),
                             receiver: receiver, deadline: now + 3_600)
        let relayer = try await bed.fundedSigner(index: 2)
        let sigs = try EVMTestbed.attest(.release(messageId: t.messageId), in: adapter.info.attestationDomain)
        await Self.expectRejected(["ferry: release would spend refundable value"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.release(t, signatures: sigs), signer: relayer, priority: .low)
        }
        #expect(try await Self.tokenBalance(bed, bed.token, of: receiver) == .zero)
    }

    @Test("a cancel is sent with a fixed gas limit that covers what the dev node measures")
    func cancelGasLimit() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_491, remoteChain: 4_492)
        defer { bed.node.stop() }
        let adapter = try await bed.adapter()
        let relayer = try await bed.fundedSigner(index: 1)
        let now = try await adapter.head().timestampMillis / 1_000
        let t = Self.inbound(bed, sourceAsset: .zero, destAsset: .zero, amount: Amount(1_000),
                             receiver: try EthereumAddress(hex: "0x00000000000000000000000000000000000000a6"), deadline: now + 10)
        _ = try await bed.rpc("evm_increaseTime", [.string(HexQuantity.encode(UInt64(60)))])
        _ = try await bed.rpc("evm_mine")
        let sigs = try EVMTestbed.attest(.cancel(messageId: t.messageId), in: adapter.info.attestationDomain, count: 5)
        let tx = try await adapter.submit(.cancel(t, signatures: sigs), signer: relayer, priority: .low)
        let receipt = try #require(try await bed.client.receipt(tx.hash))
        #expect(receipt.succeeded)
        #expect(receipt.gasUsed < EVMAdapter.cancelGasLimit(signatures: 5), "gas used \(receipt.gasUsed)")
        print("cancel with 5 signatures used \(receipt.gasUsed) gas; the fixed limit is \(EVMAdapter.cancelGasLimit(signatures: 5))")
    }
}
