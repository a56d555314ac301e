import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@testable import FerryEVM

/// `EVMAdapter` against real `evm_node.py` processes with the compiled gateway.
@Suite("EVM adapter against the dev node", .serialized)
struct EVMAdapterTests {
    static let milliEther = Amount(1_000_000_000_000_000)

    static func receiverAddress(_ tag: String) throws -> EthereumAddress {
        try EthereumAddress(bytes: Keccak256.hash(Array(tag.utf8)).bytes.suffix(20))
    }

    static func expectRejected(_ reason: String, _ body: () async throws(ChainError) -> Void,
                               sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("expected a rejection with \"\(reason)\"", sourceLocation: sourceLocation)
        } catch {
            guard case let .rejected(_, actual) = error else {
                Issue.record("expected .rejected(\(reason)), got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(actual == reason, sourceLocation: sourceLocation)
        }
    }

    @Test("start-up refuses a node of another chain id, naming both, and a gateway address without code")
    func startupChecks() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_401, remoteChain: 4_402)
        defer { bed.node.stop() }
        // The addresses chains/evm-local/*.toml promise.
        #expect(bed.gateway == (try EthereumAddress(hex: "0xF2E246BB76DF876Cef8b38ae84130F4F55De395b")))
        #expect(bed.token == (try EthereumAddress(hex: "0x2946259E0334f33A064106302415aD3391BeD384")))
        #expect(EVMTestbed.relayers.map(\.address.checksummed).first == "0xaACbA3be470B448680FFD3abf1B4D2e83f9CA930")
        let wrong = bed.info()
        let info = ChainInfo(id: ChainID(4_999), name: "wrong", family: .evm, nativeAsset: wrong.nativeAsset, assets: wrong.assets,
                             finalityDepth: 3, blockTimeMillis: 1_000, gateway: bed.gateway)
        do {
            _ = try await EVMAdapter.connect(info: info, configuration: bed.adapterConfiguration())
            Issue.record("connected to a node of the wrong chain")
        } catch {
            #expect(error == .chainIDMismatch(configured: ChainID(4_999), reported: 4_401, endpoint: bed.node.url))
            #expect(error.description.contains("4401") && error.description.contains("4999"))
        }
        let nowhere = ChainInfo(id: ChainID(4_401), name: "x", family: .evm, nativeAsset: wrong.nativeAsset, assets: wrong.assets,
                                finalityDepth: 3, blockTimeMillis: 1_000, gateway: try Self.receiverAddress("no gateway"))
        await #expect(throws: EVMStartupError.gatewayMissing(ChainID(4_401), gateway: nowhere.gateway, endpoint: bed.node.url)) {
            try await EVMAdapter.connect(info: nowhere, configuration: bed.adapterConfiguration())
        }
    }

    @Test("20 concurrent locks from one account are all mined with nonces 0...19; a restarted adapter continues at 20")
    func concurrentLocks() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_411, remoteChain: 4_412)
        defer { bed.node.stop() }
        let adapter = try await bed.adapter()
        let signer = try await bed.fundedSigner(index: 1, ether: 100)
        let head = try await adapter.head()
        let receiver = Address(try Self.receiverAddress("concurrent").bytes32)
        let ids = try await withThrowingTaskGroup(of: TxID.self) { group in
            for i in 0..<20 {
                group.addTask {
                    let t = Transfer(sourceChain: ChainID(4_411), destChain: ChainID(4_412), nonce: 0, sender: Address(signer.address.bytes32),
                                     receiver: receiver, sourceAsset: .zero, destAsset: .zero, amount: try Self.milliEther + Amount(UInt64(i)),
                                     fee: Amount(1), deadline: head.timestampMillis / 1000 + 3_600)
                    return try await adapter.submit(.lock(t), signer: signer, priority: .median)
                }
            }
            return try await group.reduce(into: [TxID]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 20)
        var nonces: [UInt64] = []
        for id in ids {
            guard case .included(_, succeeded: true, _) = try await adapter.transaction(id) else { Issue.record("\(id) not mined"); continue }
            let tx = try #require(try await bed.client.transaction(id.hash))
            nonces.append(try tx.field("nonce", method: "t").quantity(method: "t", field: "nonce"))
        }
        #expect(nonces.sorted() == Array(0..<20))
        #expect(try await bed.client.transactionCount(of: signer.address, at: .latest) == 20)
        let restarted = try await bed.adapter()
        #expect(try await restarted.nonces.peek(signer.address) == 20)
    }

    @Test("lock on node 1 is seen once; 3-of-5 release on node 2 pays the receiver; a second release is refused")
    func lockAndRelease() async throws {
        let a = try await EVMTestbed.start(chainId: 4_421, remoteChain: 4_422)
        defer { a.node.stop() }
        let b = try await EVMTestbed.start(chainId: 4_422, remoteChain: 4_421)
        defer { b.node.stop() }
        let source = try await a.adapter(), destination = try await b.adapter()
        let sender = try await a.fundedSigner(index: 1, tokens: Amount(5_000_000))
        let senderAddress = Address(sender.address.bytes32)
        #expect(try await source.balance(of: senderAddress, asset: "ETH") == EVMTestbed.ether * Amount(10))
        #expect(try await source.balance(of: senderAddress, asset: "TUSD") == Amount(5_000_000))
        await #expect(throws: ChainError.unknown(ChainID(4_421), what: "asset DOGE")) {
            try await source.balance(of: senderAddress, asset: "DOGE")
        }

        let stream = source.events(from: try await source.head().height + 1)
        let receiver = try Self.receiverAddress("lock and release")
        let now = try await source.head().timestampMillis / 1000
        let outbound = Transfer(sourceChain: ChainID(4_421), destChain: ChainID(4_422), nonce: 0, sender: senderAddress,
                                receiver: Address(receiver.bytes32), sourceAsset: .zero, destAsset: .zero, amount: Self.milliEther,
                                fee: Amount(7), deadline: now + 3_600)
        let lockTx = try await source.submit(.lock(outbound), signer: sender, priority: .high)
        guard case let .included(lockHeight, true, nil) = try await source.transaction(lockTx) else { Issue.record("lock not mined"); return }
        #expect(try await source.balance(of: senderAddress, asset: "ETH") < EVMTestbed.ether * Amount(10) - Self.milliEther)

        // Mine three more blocks, then read until the stream has passed them: the lock must appear exactly once.
        _ = try await a.rpc("evm_mine", ["0x3"])
        let events = try await read(stream) { seen in
            seen.contains { if case let .head(ref) = $0 { ref.height >= lockHeight + 3 } else { false } }
        }
        let locks = events.compactMap { event -> Transfer? in
            if case let .locked(_, transfer, block, tx) = event, tx == lockTx { #expect(block.height == lockHeight); return transfer }
            return nil
        }
        #expect(locks.count == 1)
        let locked = try #require(locks.first)
        #expect(locked.amount == Self.milliEther && locked.sender == senderAddress && locked.sourceChain == ChainID(4_421))
        #expect(try await source.gatewayState(of: locked.messageId) == .locked(locked, height: lockHeight))

        // A token lock approves first, then locks amount + fee.
        let tokenLock = Transfer(sourceChain: ChainID(4_421), destChain: ChainID(4_422), nonce: 0, sender: senderAddress,
                                 receiver: Address(receiver.bytes32), sourceAsset: a.token.bytes32, destAsset: b.token.bytes32,
                                 amount: Amount(1_000_000), fee: Amount(500), deadline: now + 3_600)
        _ = try await source.submit(.lock(tokenLock), signer: sender, priority: .median)
        #expect(try await source.balance(of: senderAddress, asset: "TUSD") == Amount(5_000_000 - 1_000_500))

        // Release on node 2 with three of five relayers, handed over in scrambled order.
        let domain = destination.info.attestationDomain
        let signatures = try EVMTestbed.attest(.release(messageId: locked.messageId), in: domain).reversed()
        let submitter = try await b.fundedSigner(index: 9)
        let releaseTx = try await destination.submit(.release(locked, signatures: Array(signatures)), signer: submitter, priority: .median)
        guard case let .included(releaseHeight, true, _) = try await destination.transaction(releaseTx) else { Issue.record("release failed"); return }
        #expect(try await b.client.balance(of: receiver) == Self.milliEther)
        #expect(try await destination.gatewayState(of: locked.messageId) == .released(height: releaseHeight))
        #expect(try await destination.relayerSet() == RelayerSet(members: EVMTestbed.relayers.map(\.address), threshold: 3))

        // The same release again: refused before sending, or reverted on chain with the gateway's reason.
        await Self.expectRejected("ferry: already released") { () async throws(ChainError) in
            _ = try await destination.submit(.release(locked, signatures: Array(signatures)), signer: submitter, priority: .median)
        }
        let unchecked = try await b.adapter(preflight: false)
        let replay = try await unchecked.submit(.release(locked, signatures: Array(signatures)), signer: submitter, priority: .median)
        guard case let .included(_, succeeded, reason) = try await unchecked.transaction(replay) else { Issue.record("replay not mined"); return }
        #expect(!succeeded)
        #expect(reason == "ferry: already released")
        #expect(try await b.client.balance(of: receiver) == Self.milliEther)
    }

    @Test("forged, under-threshold, duplicated and wrong-domain signatures and an early refund are refused with clear reasons")
    func onChainSafety() async throws {
        let a = try await EVMTestbed.start(chainId: 4_431, remoteChain: 4_432)
        defer { a.node.stop() }
        let adapter = try await a.adapter(), unchecked = try await a.adapter(preflight: false)
        let submitter = try await a.fundedSigner(index: 2)
        let now = try await adapter.head().timestampMillis / 1000
        let inbound = Transfer(sourceChain: ChainID(4_432), destChain: ChainID(4_431), nonce: 3, sender: Address(submitter.address.bytes32),
                               receiver: Address(submitter.address.bytes32), sourceAsset: .zero, destAsset: .zero, amount: Amount(1_000),
                               fee: .zero, deadline: now + 3_600)
        let id = inbound.messageId
        let domain = adapter.info.attestationDomain
        let strangers = try (0..<3).map { try PrivateKeySigner(seed: 0xBAD, index: UInt64($0)) }
        let good = try EVMTestbed.attest(.release(messageId: id), in: domain)
        let cases: [(String, [Signature], String)] = [
            ("forged", try strangers.map { try $0.sign(digest: FerryAttestation.release(messageId: id).digest(in: domain)) },
             "ferry: signer is not a relayer"),
            ("under threshold", Array(good.prefix(2)), "ferry: not enough signatures"),
            ("duplicated", [good[0], good[0], good[1]], "ferry: signers must be distinct and in ascending order"),
            ("wrong domain", try EVMTestbed.attest(.release(messageId: id), in: .ferry(chainId: 4_432, gateway: a.gateway)),
             "ferry: signer is not a relayer"),
            ("cancel instead of release", try EVMTestbed.attest(.cancel(messageId: id), in: domain), "ferry: signer is not a relayer"),
        ]
        for (label, signatures, reason) in cases {
            await Self.expectRejected(reason) { () async throws(ChainError) in
                _ = try await adapter.submit(.release(inbound, signatures: signatures), signer: submitter, priority: .low)
            }
            let tx = try await unchecked.submit(.release(inbound, signatures: signatures), signer: submitter, priority: .low)
            #expect(try await unchecked.transaction(tx) != .included(height: 0, succeeded: true, reason: nil), "\(label)")
            guard case let .included(_, false, onChainReason) = try await unchecked.transaction(tx) else {
                Issue.record("\(label): not reverted on chain"); continue
            }
            #expect(onChainReason == reason, "\(label)")
        }
        #expect(try await adapter.gatewayState(of: id) == GatewayRecord.none)

        // Multi-hop routes: this gateway does not forward, so the adapter refuses both ends before sending anything
        // (a forwarding release would otherwise pay the forward address).
        let noForwarding = "this gateway does not forward multi-hop routes; lock or release single-hop transfers only"
        var forwarding = inbound
        forwarding.receiver = .forward
        let nonceBefore = try await a.client.transactionCount(of: submitter.address)
        await Self.expectRejected(noForwarding) { () async throws(ChainError) in
            _ = try await adapter.submit(.release(forwarding, signatures: good), signer: submitter, priority: .low)
        }
        await Self.expectRejected(noForwarding) { () async throws(ChainError) in
            _ = try await adapter.submit(.lock(forwarding), signer: submitter, priority: .low)
        }
        #expect(try await a.client.transactionCount(of: submitter.address) == nonceBefore, "nothing was sent")

        // Refund before any cancel (and before the deadline) is refused.
        let sender = try await a.fundedSigner(index: 3)
        let lock = Transfer(sourceChain: ChainID(4_431), destChain: ChainID(4_432), nonce: 0, sender: Address(sender.address.bytes32),
                            receiver: Address(sender.address.bytes32), sourceAsset: .zero, destAsset: .zero, amount: Amount(10_000),
                            fee: Amount(1), deadline: now + 3_600)
        let lockTx = try await adapter.submit(.lock(lock), signer: sender, priority: .low)
        guard case let .included(height, true, _) = try await adapter.transaction(lockTx) else { Issue.record("lock failed"); return }
        guard case let .locked(locked, _) = try await adapter.gatewayState(of: try #require(try await lockedID(adapter, height))) else {
            Issue.record("no lock recorded"); return
        }
        let remote = EIP712Domain.ferry(chainId: 4_432, gateway: a.gateway)
        let cancelSignatures = try EVMTestbed.attest(.cancel(messageId: locked.messageId), in: remote)
        await Self.expectRejected("ferry: deadline not reached") { () async throws(ChainError) in
            _ = try await adapter.submit(.refund(locked, signatures: cancelSignatures), signer: sender, priority: .low)
        }
        // An unknown signer cannot pay: insufficient funds is reported with the numbers.
        let broke = try PrivateKeySigner(seed: 0xB0B, index: 0)
        do {
            _ = try await adapter.submit(.lock(lock), signer: broke, priority: .low)
            Issue.record("a lock from an empty account was accepted")
        } catch {
            guard case let .insufficientFunds(chain, asset, needed, available) = error else { Issue.record("got \(error)"); return }
            #expect(chain == ChainID(4_431) && asset == "ETH" && available == .zero && needed >= Amount(10_001))
        }
    }

    func lockedID(_ adapter: EVMAdapter, _ height: UInt64) async throws -> Bytes32? {
        let logs = try await adapter.client.logs(address: adapter.info.gateway, from: height, to: height, topic0: [GatewayABI.lockedTopic])
        return logs.first?.topics[1]
    }
}
