import FerryChains
import FerryCore
import FerryCrypto
import FerryTestSupport
import Foundation
import Testing

@testable import FerryEVM

/// Checkpoints on the compiled Vyper gateway on the py-evm dev node, driven through ``EVMAdapter``: the Swift
/// ``MerkleTree`` and ``FerryCheckpoint`` against the contract's own `verifyProof` and `checkpointDigest`, a commit
/// and a batch release, and the refusals with the gateway's reasons. The simulated twins are in
/// `FerryChainsTests/CheckpointGatewayTests.swift`; the Python ones in `Tests/vectors/gateway_checkpoints.py`.
@Suite("Vyper gateway checkpoints on the dev node", .serialized)
struct CheckpointEVMTests {
    static func reject(_ reasons: Set<String>, _ body: () async throws(ChainError) -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        await GatewayRulesEVMTests.expectRejected(reasons, body, sourceLocation: sourceLocation)
    }

    @Test("commit once, release a batch of 16 with proofs; the contract agrees with MerkleTree and FerryCheckpoint; refusals carry the gateway's reason")
    func commitAndBatch() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_481, remoteChain: 4_482)
        defer { bed.node.stop() }
        // py-evm estimates a 16-transfer batch by executing it several times: allow for a loaded machine.
        var configuration = bed.adapterConfiguration()
        configuration.rpc.timeout = .seconds(90)
        let adapter = try await EVMAdapter.connect(info: bed.info(), configuration: configuration)
        #expect(adapter.supportsCheckpoints)
        let executor = try await bed.fundedSigner(index: 1)
        let now = try await adapter.head().timestampMillis / 1_000
        let transfers = try (0..<17).map { i in
            GatewayRulesEVMTests.inbound(bed, sourceAsset: .zero, destAsset: .zero, amount: Amount(1_000_000 + UInt64(i)),
                                         receiver: try EthereumAddress(bytes: Keccak256.hash("receiver \(i)").bytes.suffix(20)),
                                         deadline: now + (i == 16 ? 120 : 3_600), nonce: UInt64(i))
        }
        let tree = try MerkleTree(transfers: transfers)
        let checkpoint = FerryCheckpoint(sourceChain: bed.remoteChain.rawValue, root: tree.root, firstNonce: 0, lastNonce: 19, count: 17)
        let domain = adapter.info.attestationDomain
        let proofs = try transfers.indices.map { try tree.proof(forLeafAt: $0) }

        // The contract's own view of the digest and the proofs.
        let digestCall = ABI.call(GatewayABI.functionSignatures["checkpointDigest"] ?? "",
                                  [.tuple([.uint64(checkpoint.sourceChain), .bytes32(checkpoint.root), .uint64(0), .uint64(19), .uint64(17)])])
        let contractDigest = try Bytes32(try await bed.client.call(EVMCall(to: bed.gateway, data: digestCall)))
        #expect(contractDigest == checkpoint.digest(in: domain))
        for index in [0, 7, 16] {
            let proof = proofs[index]
            let verify = ABI.call(GatewayABI.functionSignatures["verifyProof"] ?? "",
                                  [.bytes32(transfers[index].messageId), .array(proof.map { .bytes32($0) }), .bytes32(tree.root)])
            #expect(try GatewayABI.decodeUInt(try await bed.client.call(EVMCall(to: bed.gateway, data: verify))) == Amount(1))
        }

        let sigs = try EVMTestbed.relayers.prefix(3).map { try checkpoint.sign(with: $0.key, in: domain) }
        await Self.reject(["ferry: not enough signatures"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.commit(checkpoint, signatures: Array(sigs.prefix(2))), signer: executor, priority: .low)
        }
        var zero: FerryCheckpoint = checkpoint
        zero.root = Bytes32.zero
        await Self.reject(["ferry: zero root"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.commit(zero, signatures: sigs), signer: executor, priority: .low)
        }
        await Self.reject(["ferry: root not committed"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.releaseBatch(root: tree.root, transfers: [transfers[0]], proofs: [proofs[0]]),
                                         signer: executor, priority: .low)
        }
        let commit = try await adapter.submit(.commit(checkpoint, signatures: Array(sigs.reversed())), signer: executor, priority: .low)
        guard case .included(_, true, _) = try await adapter.transaction(commit) else { Issue.record("commit failed"); return }
        await Self.reject(["ferry: root already committed"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.commit(checkpoint, signatures: sigs), signer: executor, priority: .low)
        }

        var outsider = transfers[3]
        outsider.amount = Amount(5)
        await Self.reject(["ferry: proof does not match the committed root"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.releaseBatch(root: tree.root, transfers: [outsider], proofs: [proofs[3]]),
                                         signer: executor, priority: .low)
        }
        let batch = try await adapter.submit(.releaseBatch(root: tree.root, transfers: Array(transfers.prefix(16)), proofs: Array(proofs.prefix(16))),
                                             signer: executor, priority: .low)
        guard case .included(_, true, _) = try await adapter.transaction(batch) else { Issue.record("batch failed"); return }
        for t in transfers.prefix(16) {
            guard case .released = try await adapter.gatewayState(of: t.messageId) else { Issue.record("\(t.messageId) not released"); return }
            #expect(try await adapter.balance(of: t.receiver, asset: "ETH") == t.amount)
        }
        await Self.reject(["ferry: already released"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.releaseBatch(root: tree.root, transfers: [transfers[5]], proofs: [proofs[5]]), signer: executor, priority: .low)
        }

        // The 17th leaf: past its deadline it is not released with its proof, is cancelled, and then never released.
        _ = try await bed.rpc("evm_increaseTime", [.string(HexQuantity.encode(UInt64(200)))])
        _ = try await bed.rpc("evm_mine")
        let last = transfers[16], lastProof = proofs[16]
        await Self.reject(["ferry: deadline passed"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.releaseBatch(root: tree.root, transfers: [last], proofs: [lastProof]), signer: executor, priority: .low)
        }
        let cancel = try await adapter.submit(.cancel(last, signatures: try EVMTestbed.attest(.cancel(messageId: last.messageId), in: domain)),
                                              signer: executor, priority: .low)
        guard case .included(_, true, _) = try await adapter.transaction(cancel) else { Issue.record("cancel failed"); return }
        await Self.reject(["ferry: transfer cancelled"]) { () async throws(ChainError) in
            _ = try await adapter.submit(.releaseBatch(root: tree.root, transfers: [last], proofs: [lastProof]), signer: executor, priority: .low)
        }
    }

    @Test("the independent Python checkpoint suite passes on two py-evm nodes (Tests/vectors/gateway_checkpoints.py)")
    func pythonSuite() throws {
        let output = String(decoding: try PythonVectors.run("gateway_checkpoints.py", []), as: UTF8.self)
        #expect(output.contains(" passed, 0 failed"), "\(output)")
    }
}
