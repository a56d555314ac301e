import FerryChains
import FerryCore
import FerryCrypto

extension ConformanceSession {
    /// For adapters whose gateway takes checkpoints (``ChainAdapter/supportsCheckpoints``; skipped otherwise): a
    /// commit of a fresh source's first range (nonces 0...4, four leaves) on k `Checkpoint` signatures, refusals of
    /// a zero root, a repeated root, a range that does not continue the last and a proof for a non-member, then
    /// one batch release paying each receiver its amount once, and a second release of a leaf refused.
    func checkCheckpoints() async throws {
        guard adapter.supportsCheckpoints else { throw SkipCheck(reason: "the gateway has no checkpoints (supportsCheckpoints is false)") }
        var transfers: [Transfer] = []
        for i in 0..<4 {
            var t = try await makeInboundTransfer(nonce: 10 + UInt64(i), deadlineIn: 3_600)
            t.nonce = UInt64(i)
            transfers.append(t)
        }
        let tree = try MerkleTree(transfers: transfers)
        let checkpoint = FerryCheckpoint(sourceChain: lane.remoteChain.rawValue, root: tree.root, firstNonce: 0, lastNonce: 4, count: 4)
        let k = try await adapter.relayerSet().threshold
        let relayers = try await harness.relayerSigners()
        guard relayers.count >= k else { throw CheckFailure("harness gave \(relayers.count) relayer signers, threshold is \(k)") }
        func sign(_ c: FerryCheckpoint) throws -> [Signature] {
            try relayers.prefix(k).map { try $0.sign(digest: c.digest(in: info.attestationDomain)) }
        }
        let submitter = try await harness.makeFundedSigner(asset: info.nativeAsset.symbol, amount: Amount(0))
        var zero = checkpoint
        zero.root = .zero
        try await expectRejected(.commit(zero, signatures: try sign(zero)), signer: submitter, label: "commit of a zero root")
        if k >= 2 {
            try await expectRejected(.commit(checkpoint, signatures: Array(try sign(checkpoint).prefix(k - 1))), signer: submitter,
                                     label: "commit with one signature fewer than the threshold")
        }
        let proofs = try transfers.indices.map { try tree.proof(forLeafAt: $0) }
        try await expectRejected(.releaseBatch(root: tree.root, transfers: [transfers[0]], proofs: [proofs[0]]), signer: submitter,
                                 label: "release under a root never committed")
        let commit = try await adapter.submit(.commit(checkpoint, signatures: try sign(checkpoint)), signer: submitter, priority: .high)
        _ = try await waitForInclusion(commit, what: "commit")
        try await expectRejected(.commit(checkpoint, signatures: try sign(checkpoint)), signer: submitter, label: "a second commit of the same root")
        var gap = checkpoint
        gap.root = Keccak256.hash("ferry.conformance.gap")
        gap.firstNonce = 6
        gap.lastNonce = 9
        try await expectRejected(.commit(gap, signatures: try sign(gap)), signer: submitter, label: "a commit that skips nonce 5")
        var outsider = transfers[1]
        outsider.receiver = Self.evmShaped(Keccak256.hash("ferry.conformance.outsider"))
        try await expectRejected(.releaseBatch(root: tree.root, transfers: [outsider], proofs: [proofs[1]]), signer: submitter,
                                 label: "a proof for a transfer not in the root")
        var before: [Amount] = []
        for t in transfers { before.append(try await adapter.balance(of: t.receiver, asset: lane.asset)) }
        let batch = try await adapter.submit(.releaseBatch(root: tree.root, transfers: transfers, proofs: proofs), signer: submitter, priority: .high)
        _ = try await waitForInclusion(batch, what: "batch release")
        for (t, was) in zip(transfers, before) {
            let now = try await adapter.balance(of: t.receiver, asset: lane.asset)
            guard now >= was, try now - was == t.amount else {
                throw CheckFailure("batch release should pay \(t.amount) \(lane.asset) to \(t.receiver); balance went \(was) -> \(now)")
            }
            guard case .released = try await adapter.gatewayState(of: t.messageId) else {
                throw CheckFailure("gatewayState does not report \(t.messageId) released after the batch")
            }
        }
        try await expectRejected(.releaseBatch(root: tree.root, transfers: [transfers[2]], proofs: [proofs[2]]), signer: submitter,
                                 label: "a second release of a leaf in a later batch")
        try await expectRejected(.release(transfers[3], signatures: try await attest(.release(messageId: transfers[3].messageId))),
                                 signer: submitter, label: "a per-transfer release of a leaf released by proof")
    }
}
