import FerryChains
import FerryCore
import FerryCrypto
import Testing

/// Checkpoints on the simulated gateway (docs/architecture.md, "Checkpoints"): the same rules as the Vyper
/// gateway's `commit` / `releaseBatch`, whose twins are `Tests/vectors/gateway_checkpoints.py` and
/// `FerryEVMTests/CheckpointEVMTests.swift`.
@Suite("Simulated gateway checkpoints")
struct CheckpointGatewayTests {
    /// `count` inbound transfers from chain 999 with nonces `firstNonce...`, each to its own receiver.
    static func batch(_ chain: TestChain, count: Int, firstNonce: UInt64 = 0, deadlineIn: UInt64 = 3_600) async throws -> [Transfer] {
        var out: [Transfer] = []
        for i in 0..<count {
            out.append(try await chain.inbound(to: Address(Keccak256.hash("receiver \(firstNonce) \(i)")), amount: 1_000 + UInt64(i),
                                               nonce: firstNonce + UInt64(i), deadlineIn: deadlineIn))
        }
        return out
    }

    static func checkpoint(_ transfers: [Transfer], first: UInt64, last: UInt64) throws -> (FerryCheckpoint, MerkleTree) {
        let tree = try MerkleTree(transfers: transfers)
        return (FerryCheckpoint(sourceChain: TestChain.remote.rawValue, root: tree.root, firstNonce: first, lastNonce: last,
                                count: UInt32(transfers.count)), tree)
    }

    static func sign(_ chain: TestChain, _ checkpoint: FerryCheckpoint, by indices: [Int] = [0, 1]) throws -> [Signature] {
        try indices.map { try checkpoint.sign(with: chain.relayers[$0].key, in: chain.info.attestationDomain) }
    }

    static func expectRejected(_ chain: TestChain, _ call: GatewayCall, by signer: PrivateKeySigner, containing text: String,
                               sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            _ = try await chain.adapter.submit(call, signer: signer, priority: .high)
            Issue.record("accepted; expected a refusal containing \"\(text)\"", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("one commit and one batch release pay every leaf once; a later batch or a per-transfer release of a leaf is refused")
    func commitAndBatchRelease() async throws {
        let chain = try await TestChain.make(.evm)
        let executor = try await chain.account(9)
        let transfers = try await Self.batch(chain, count: 20)
        let (checkpoint, tree) = try Self.checkpoint(transfers, first: 0, last: 24)
        let start = try await chain.adapter.head().height
        let (_, committed) = try await chain.mine(.commit(checkpoint, signatures: Array(try Self.sign(chain, checkpoint).reversed())), by: executor)
        guard case .included(_, true, _) = committed else { Issue.record("commit: \(committed)"); return }
        let proofs = try transfers.indices.map { try tree.proof(forLeafAt: $0) }
        let (_, status) = try await chain.mine(.releaseBatch(root: tree.root, transfers: transfers, proofs: proofs), by: executor)
        guard case let .included(height, true, _) = status else { Issue.record("batch: \(status)"); return }
        for t in transfers {
            #expect(try await chain.adapter.gatewayState(of: t.messageId) == .released(height: height))
            #expect(try await chain.adapter.balance(of: t.receiver, asset: "USDC") == t.amount)
        }
        let released = try await chain.events(from: start).compactMap { event -> Bytes32? in
            if case let .released(id, _, _) = event { id } else { nil }
        }
        #expect(released == transfers.map(\.messageId))
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [transfers[3]], proofs: [proofs[3]]), by: executor,
                                  containing: "was already released")
        await Self.expectRejected(chain, .release(transfers[4], signatures: try chain.attest(.release(messageId: transfers[4].messageId))),
                                  by: executor, containing: "was already released")
        await chain.expectConserved()
    }

    @Test("commit refuses zero, duplicate, under-threshold, non-contiguous, oversized and byzantine roots")
    func commitRefusals() async throws {
        let chain = try await TestChain.make(.rollup)
        let executor = try await chain.account(9)
        let transfers = try await Self.batch(chain, count: 5)
        let (good, tree) = try Self.checkpoint(transfers, first: 0, last: 4)
        let signatures = try Self.sign(chain, good)
        func variant(_ change: (inout FerryCheckpoint) -> Void) -> FerryCheckpoint {
            var copy = good
            change(&copy)
            return copy
        }
        let zero = variant { $0.root = .zero }
        await Self.expectRejected(chain, .commit(zero, signatures: try Self.sign(chain, zero)), by: executor, containing: "zero root")
        await Self.expectRejected(chain, .commit(good, signatures: [signatures[0]]), by: executor, containing: "needs 2 of 3")
        let gap = variant { $0.firstNonce = 1; $0.lastNonce = 9 }
        await Self.expectRejected(chain, .commit(gap, signatures: try Self.sign(chain, gap)), by: executor, containing: "not contiguous")
        let empty = variant { $0.count = 0 }
        await Self.expectRejected(chain, .commit(empty, signatures: try Self.sign(chain, empty)), by: executor, containing: "count must be 1 to 256")
        let huge = variant { $0.count = 257; $0.lastNonce = 1_000 }
        await Self.expectRejected(chain, .commit(huge, signatures: try Self.sign(chain, huge)), by: executor, containing: "count must be 1 to 256")
        let crowded = variant { $0.lastNonce = 3 }
        await Self.expectRejected(chain, .commit(crowded, signatures: try Self.sign(chain, crowded)), by: executor, containing: "more leaves")
        // Byzantine: the honest signatures do not commit a root with a message dropped, added or reordered, or another range.
        let dropped = try MerkleTree(transfers: Array(transfers.dropLast())).root
        let added = try MerkleTree(transfers: transfers + (try await Self.batch(chain, count: 1, firstNonce: 4))).root
        let reordered = try MerkleTree(transfers: Array(transfers.reversed())).root
        for root in [dropped, added, reordered] {
            #expect(root != good.root)
            await Self.expectRejected(chain, .commit(variant { $0.root = root }, signatures: signatures), by: executor, containing: "not a relayer")
        }
        await Self.expectRejected(chain, .commit(variant { $0.lastNonce = 5 }, signatures: signatures), by: executor, containing: "not a relayer")
        let (_, status) = try await chain.mine(.commit(good, signatures: signatures), by: executor)
        guard case .included(_, true, _) = status else { Issue.record("\(status)"); return }
        await Self.expectRejected(chain, .commit(good, signatures: signatures), by: executor, containing: "already committed")
        // The next range must start at 5; a release under a root never committed is refused.
        let later = try await Self.batch(chain, count: 2, firstNonce: 5)
        let (next, nextTree) = try Self.checkpoint(later, first: 6, last: 7)
        await Self.expectRejected(chain, .commit(next, signatures: try Self.sign(chain, next)), by: executor, containing: "starts at 5")
        await Self.expectRejected(chain, .releaseBatch(root: nextTree.root, transfers: later, proofs: [[], []]), by: executor,
                                  containing: "not committed")
        #expect(tree.root == good.root)
    }

    @Test("proofs for non-members, other roots' leaves and wrong sources are refused; a refused batch releases nothing")
    func proofRefusals() async throws {
        let chain = try await TestChain.make(.solana)
        let executor = try await chain.account(9)
        let transfers = try await Self.batch(chain, count: 6)
        let (checkpoint, tree) = try Self.checkpoint(transfers, first: 0, last: 9)
        _ = try await chain.mine(.commit(checkpoint, signatures: try Self.sign(chain, checkpoint)), by: executor)
        let proofs = try transfers.indices.map { try tree.proof(forLeafAt: $0) }
        var outsider = transfers[2]
        outsider.amount = Amount(999_999)  // another message id, nonce inside the range
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [transfers[0], outsider], proofs: [proofs[0], proofs[2]]),
                                  by: executor, containing: "proof does not match the committed root")
        #expect(try await chain.adapter.gatewayState(of: transfers[0].messageId) == GatewayRecord.none)
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [transfers[1]], proofs: [proofs[0]]),
                                  by: executor, containing: "proof does not match")
        let beyond = try await Self.batch(chain, count: 1, firstNonce: 10)
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: beyond, proofs: [proofs[0]]), by: executor,
                                  containing: "outside the checkpoint's range")
        var elsewhere = transfers[0]
        elsewhere.sourceChain = ChainID(998)
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [elsewhere], proofs: [proofs[0]]), by: executor,
                                  containing: "not the checkpoint's source")
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [transfers[0], transfers[0]], proofs: [proofs[0], proofs[0]]),
                                  by: executor, containing: "was already released")
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: transfers, proofs: Array(proofs.dropLast())),
                                  by: executor, containing: "one proof per transfer")
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [], proofs: []), by: executor, containing: "empty batch")
        await chain.expectConserved()
    }

    @Test("a committed but unreleased transfer past its deadline is not released with its proof, and can be cancelled; then never released")
    func cancelAfterCommit() async throws {
        let chain = try await TestChain.make(.evm)
        let executor = try await chain.account(9)
        let transfers = try await Self.batch(chain, count: 3, deadlineIn: 60)
        let (checkpoint, tree) = try Self.checkpoint(transfers, first: 0, last: 2)
        _ = try await chain.mine(.commit(checkpoint, signatures: try Self.sign(chain, checkpoint)), by: executor)
        let proofs = try transfers.indices.map { try tree.proof(forLeafAt: $0) }
        _ = try await chain.mine(.releaseBatch(root: tree.root, transfers: [transfers[0]], proofs: [proofs[0]]), by: executor)
        chain.clock.advance(by: .seconds(120))
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [transfers[1]], proofs: [proofs[1]]), by: executor,
                                  containing: "has passed")
        let (_, status) = try await chain.mine(.cancel(transfers[1], signatures: try chain.attest(.cancel(messageId: transfers[1].messageId))),
                                               by: executor)
        guard case .included(_, true, _) = status else { Issue.record("cancel: \(status)"); return }
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: [transfers[1]], proofs: [proofs[1]]), by: executor,
                                  containing: "was cancelled")
        await Self.expectRejected(chain, .cancel(transfers[0], signatures: try chain.attest(.cancel(messageId: transfers[0].messageId))),
                                  by: executor, containing: "already released")
        await chain.expectConserved()
    }

    @Test("a reorg that drops a commit and its batch forgets the root, the range and the releases; the commit can land again")
    func reorgUndoesCommit() async throws {
        let chain = try await TestChain.make(.evm)
        let executor = try await chain.account(9)
        await chain.advance(blocks: 5)
        let transfers = try await Self.batch(chain, count: 4)
        let (checkpoint, tree) = try Self.checkpoint(transfers, first: 0, last: 3)
        let signatures = try Self.sign(chain, checkpoint)
        let proofs = try transfers.indices.map { try tree.proof(forLeafAt: $0) }
        _ = try await chain.mine(.commit(checkpoint, signatures: signatures), by: executor)
        let (_, status) = try await chain.mine(.releaseBatch(root: tree.root, transfers: transfers, proofs: proofs), by: executor)
        guard case .included(_, true, _) = status else { Issue.record("batch: \(status)"); return }
        try await chain.ledger.apply(.reorg(depth: 3, dropTransactions: true))
        for t in transfers {
            #expect(try await chain.adapter.gatewayState(of: t.messageId) == GatewayRecord.none)
            #expect(try await chain.adapter.balance(of: t.receiver, asset: "USDC") == .zero)
        }
        await Self.expectRejected(chain, .releaseBatch(root: tree.root, transfers: transfers, proofs: proofs), by: executor,
                                  containing: "not committed")
        // Another executor: the dropped transaction's hash stays known to the ledger.
        let (_, again) = try await chain.mine(.commit(checkpoint, signatures: signatures), by: try await chain.account(8))
        guard case .included(_, true, _) = again else { Issue.record("commit after the reorg: \(again)"); return }
        await chain.expectConserved()
    }
}
