import FerryChains
import FerryCore
import FerryCrypto

extension ConformanceSession {
    func checkFeeEstimates() async throws {
        let estimate = try await adapter.feeEstimate()
        guard !estimate.low.isZero else { throw CheckFailure("low estimate is zero (\(estimate.detail))") }
        guard estimate.low <= estimate.median, estimate.median <= estimate.high else {
            throw CheckFailure("estimates out of order: low \(estimate.low), median \(estimate.median), high \(estimate.high)")
        }
    }

    func checkFinalityConsistent() async throws {
        try await harness.advance(blocks: 2)
        // A live chain may grow between two calls: bracket the finalized height by a head read before and after.
        let before = try await adapter.head().height
        let finalized = try await adapter.finalizedHeight()
        let after = try await adapter.head().height
        let depth = info.finalityDepth
        let lowest = before > depth ? before - depth : 0
        let highest = after > depth ? after - depth : 0
        guard finalized <= highest else {
            throw CheckFailure("finalized height \(finalized) is above head \(after) - finality depth \(depth)")
        }
        guard finalized >= lowest else {
            throw CheckFailure("finalized height \(finalized) is below head \(before) - finality depth \(depth)")
        }
    }

    func checkLockMovesBalances() async throws -> LockFacts {
        let signer = try await harness.makeFundedSigner(asset: lane.asset, amount: try lane.amount * Amount(10))
        let sender = Address(signer.address.bytes32)
        guard let asset = info.asset(lane.asset) else { throw CheckFailure("the lane's asset \(lane.asset) is not in ChainInfo.assets") }
        let before = try await adapter.balance(of: sender, asset: lane.asset)
        let nativeBefore = try await adapter.balance(of: sender, asset: info.nativeAsset.symbol)
        let transfer = try await makeOutboundTransfer(sender: sender, deadlineIn: 3_600)
        let tx = try await adapter.submit(.lock(transfer), signer: signer, priority: .high)
        let height = try await waitForInclusion(tx, what: "lock")
        let after = try await adapter.balance(of: sender, asset: lane.asset)
        let sourceUnits = try Self.convert(lane.amount, from: lane.remoteDecimals, to: asset.decimals)
        let expected = try sourceUnits + lane.fee
        if asset.symbol == info.nativeAsset.symbol {
            guard after < before, try before - after > expected else {
                throw CheckFailure("native lock of \(expected) plus fees: balance went \(before) -> \(after)")
            }
        } else {
            guard after <= before, try before - after == expected else {
                throw CheckFailure("lock of \(sourceUnits) + fee \(lane.fee) \(lane.asset) should lower the sender's balance by \(expected); it went \(before) -> \(after)")
            }
            let nativeAfter = try await adapter.balance(of: sender, asset: info.nativeAsset.symbol)
            guard nativeAfter < nativeBefore else {
                throw CheckFailure("the lock's transaction fee was not charged: native balance \(nativeBefore) -> \(nativeAfter)")
            }
        }
        let locked = try await collect(from: height, through: height).compactMap { event -> LockFacts? in
            guard case let .locked(id, t, block, eventTx) = event, eventTx == tx else { return nil }
            return LockFacts(messageId: id, transfer: t, height: block.height, sender: signer)
        }
        guard let facts = locked.first else { throw CheckFailure("no Locked event for transaction \(tx) at height \(height)") }
        guard facts.transfer.messageId == facts.messageId else {
            throw CheckFailure("Locked event's messageId \(facts.messageId) is not keccak256(abi.encode(transfer)) = \(facts.transfer.messageId)")
        }
        guard case .locked = try await adapter.gatewayState(of: facts.messageId) else {
            throw CheckFailure("gatewayState(of: \(facts.messageId)) does not report the lock")
        }
        return facts
    }

    func checkLockSeenOnce(_ lock: LockFacts, live: AsyncThrowingStream<GatewayEvent, any Error>) async throws {
        let head = try await adapter.head().height
        var starts: [UInt64] = [0, lock.height]
        if lock.height > 0 { starts.append(lock.height - 1) }
        for start in starts {
            let events = try await collect(stream: adapter.events(from: start), through: head, label: "events(from: \(start))")
            try Self.expectOnce(lock, in: events, label: "events(from: \(start))")
        }
        let liveEvents = try await collect(stream: live, through: head, label: "a stream opened before the lock")
        try Self.expectOnce(lock, in: liveEvents, label: "a stream opened before the lock")
        try await harness.advance(blocks: 1)
        let after = try await collect(from: lock.height + 1, through: try await adapter.head().height)
        guard !after.contains(where: { if case let .locked(id, _, _, _) = $0 { id == lock.messageId } else { false } }) else {
            throw CheckFailure("events(from: \(lock.height + 1)) delivered the lock made at height \(lock.height)")
        }
    }

    static func expectOnce(_ lock: LockFacts, in events: [GatewayEvent], label: String) throws {
        let count = events.filter { if case let .locked(id, _, _, _) = $0 { id == lock.messageId } else { false } }.count
        guard count == 1 else {
            throw CheckFailure("lock \(lock.messageId) (height \(lock.height)) was delivered \(count) times by \(label); expected exactly once")
        }
    }

    func checkFinalityHonoured(_ lock: LockFacts) async throws {
        let depth = info.finalityDepth
        var head = try await adapter.head().height
        while head < lock.height + depth {
            // A live chain may grow between two calls: judge the finalized height against the head read after it.
            let finalized = try await adapter.finalizedHeight()
            let after = try await adapter.head().height
            guard finalized < lock.height || after >= lock.height + depth else {
                throw CheckFailure("lock at height \(lock.height) counted final at head \(after) (depth \(after - lock.height) < \(depth))")
            }
            if after >= lock.height + depth { break }
            try await harness.advance(blocks: min(lock.height + depth - head, max(1, depth / 4)))
            head = try await adapter.head().height
        }
        let finalized = try await adapter.finalizedHeight()
        guard finalized >= lock.height else {
            throw CheckFailure("lock at height \(lock.height) not final at head \(head) (finalized \(finalized), depth \(depth))")
        }
    }

    func checkBadSignatures(_ transfer: Transfer) async throws {
        let relayers = try await harness.relayerSigners()
        let set = try await adapter.relayerSet()
        let k = set.threshold
        guard relayers.count >= k else { throw CheckFailure("harness gave \(relayers.count) relayer signers, threshold is \(k)") }
        let id = transfer.messageId
        let domain = info.attestationDomain
        let good = try relayers.prefix(k).map { try $0.sign(digest: FerryAttestation.release(messageId: id).digest(in: domain)) }
        let strangers = try (0..<k).map { i in try PrivateKeySigner(seed: 0xBAD5EED, index: UInt64(i)) }
        var cases: [(String, [Signature])] = [
            ("no signatures", []),
            ("signatures from keys outside the relayer set",
             try strangers.map { try $0.sign(digest: FerryAttestation.release(messageId: id).digest(in: domain)) }),
            ("signatures in another chain's domain",
             try relayers.prefix(k).map { try $0.sign(digest: FerryAttestation.release(messageId: id).digest(in: lane.remoteDomain)) }),
            ("Cancel attestations instead of Release",
             try relayers.prefix(k).map { try $0.sign(digest: FerryAttestation.cancel(messageId: id).digest(in: domain)) }),
        ]
        if k >= 2 {
            cases.append(("one fewer signature than the threshold", Array(good.prefix(k - 1))))
            cases.append(("the same relayer's signature repeated", Array(repeating: good[0], count: k)))
        }
        let submitter = try await harness.makeFundedSigner(asset: info.nativeAsset.symbol, amount: Amount(0))
        for (label, signatures) in cases {
            try await expectRejected(.release(transfer, signatures: signatures), signer: submitter, label: "release with \(label)")
        }
        let record = try await adapter.gatewayState(of: id)
        guard record == .none else { throw CheckFailure("after only bad releases the gateway records \(record) for \(id)") }
    }

    func checkRelease(_ transfer: Transfer) async throws {
        let before = try await adapter.balance(of: transfer.receiver, asset: lane.asset)
        let submitter = try await harness.makeFundedSigner(asset: info.nativeAsset.symbol, amount: Amount(0))
        let tx = try await adapter.submit(.release(transfer, signatures: try await attest(.release(messageId: transfer.messageId))),
                                          signer: submitter, priority: .high)
        _ = try await waitForInclusion(tx, what: "release")
        let after = try await adapter.balance(of: transfer.receiver, asset: lane.asset)
        guard after >= before, try after - before == transfer.amount else {
            throw CheckFailure("receiver should gain \(transfer.amount) \(lane.asset); balance went \(before) -> \(after)")
        }
        guard case .released = try await adapter.gatewayState(of: transfer.messageId) else {
            throw CheckFailure("gatewayState does not report message \(transfer.messageId) released")
        }
    }

    func checkSecondRelease(_ transfer: Transfer) async throws {
        let submitter = try await harness.makeFundedSigner(asset: info.nativeAsset.symbol, amount: Amount(0))
        try await expectRejected(.release(transfer, signatures: try await attest(.release(messageId: transfer.messageId))),
                                 signer: submitter, label: "a second release of \(transfer.messageId)")
    }

    func checkCancel() async throws {
        // The deadline lies beyond the next blocks, so "before the deadline" holds when the cancel is mined.
        let window = 120 + 3 * (info.blockTimeMillis + 999) / 1000
        let transfer = try await makeInboundTransfer(nonce: 2, deadlineIn: window)
        let submitter = try await harness.makeFundedSigner(asset: info.nativeAsset.symbol, amount: Amount(0))
        let cancel = GatewayCall.cancel(transfer, signatures: try await attest(.cancel(messageId: transfer.messageId)))
        try await expectRejected(cancel, signer: submitter, label: "cancel before the deadline")
        try await harness.advance(seconds: window + 60)
        let tx = try await adapter.submit(cancel, signer: submitter, priority: .high)
        _ = try await waitForInclusion(tx, what: "cancel after the deadline")
        guard case .cancelled = try await adapter.gatewayState(of: transfer.messageId) else {
            throw CheckFailure("gatewayState does not report message \(transfer.messageId) cancelled")
        }
        try await expectRejected(.release(transfer, signatures: try await attest(.release(messageId: transfer.messageId))),
                                 signer: submitter, label: "release after cancel")
    }

    func checkRefund() async throws {
        let signer = try await harness.makeFundedSigner(asset: lane.asset, amount: try lane.amount * Amount(10))
        let sender = Address(signer.address.bytes32)
        // Long enough for the lock to be mined on slow chains, short enough to pass within the check.
        let window = 120 + 4 * info.blockTimeMillis / 1_000
        let transfer = try await makeOutboundTransfer(sender: sender, deadlineIn: window)
        let tx = try await adapter.submit(.lock(transfer), signer: signer, priority: .high)
        let height = try await waitForInclusion(tx, what: "lock to refund")
        let locked = try await collect(from: height, through: height).compactMap { event -> Transfer? in
            guard case let .locked(_, t, _, eventTx) = event, eventTx == tx else { return nil }
            return t
        }
        guard let lockedTransfer = locked.first else { throw CheckFailure("no Locked event for the lock to refund") }
        let id = lockedTransfer.messageId
        let remote = lane.remoteDomain
        let relayers = try await harness.relayerSigners()
        let k = try await adapter.relayerSet().threshold
        let own = info.attestationDomain
        let releaseSigs = try relayers.prefix(k).map { try $0.sign(digest: FerryAttestation.release(messageId: id).digest(in: remote)) }
        try await expectRejected(.refund(lockedTransfer, signatures: releaseSigs), signer: signer,
                                 label: "refund with Release attestations (no cancel)")
        let remoteCancelSigs = try relayers.prefix(k).map { try $0.sign(digest: FerryAttestation.cancel(messageId: id).digest(in: remote)) }
        let cancelSigs = try relayers.prefix(k).map { try $0.sign(digest: FerryAttestation.refund(messageId: id).digest(in: own)) }
        if k >= 2 {
            try await expectRejected(.refund(lockedTransfer, signatures: Array(cancelSigs.prefix(k - 1))), signer: signer,
                                     label: "refund with fewer Refund attestations than the threshold")
        }
        // A refund is only possible once the destination could have cancelled, i.e. after the deadline.
        try await expectRejected(.refund(lockedTransfer, signatures: cancelSigs), signer: signer, label: "refund before the deadline")
        try await harness.advance(seconds: window + 1 + info.blockTimeMillis / 1_000)
        // The destination's Cancel signatures prove nothing about what the destination did: never a refund.
        try await expectRejected(.refund(lockedTransfer, signatures: remoteCancelSigs), signer: signer,
                                 label: "refund with the destination's Cancel attestations")
        let refundSigsElsewhere = try relayers.prefix(k).map { try $0.sign(digest: FerryAttestation.refund(messageId: id).digest(in: remote)) }
        try await expectRejected(.refund(lockedTransfer, signatures: refundSigsElsewhere), signer: signer,
                                 label: "refund with Refund attestations in another gateway's domain")
        let before = try await adapter.balance(of: sender, asset: lane.asset)
        let refund = try await adapter.submit(.refund(lockedTransfer, signatures: cancelSigs), signer: signer, priority: .high)
        _ = try await waitForInclusion(refund, what: "refund")
        let after = try await adapter.balance(of: sender, asset: lane.asset)
        guard after > before || lane.asset == info.nativeAsset.symbol else {
            throw CheckFailure("refund did not return the locked value: balance \(before) -> \(after)")
        }
        guard case .refunded = try await adapter.gatewayState(of: id) else {
            throw CheckFailure("gatewayState does not report message \(id) refunded")
        }
        try await expectRejected(.refund(lockedTransfer, signatures: cancelSigs), signer: signer, label: "a second refund")
    }

    /// A lock that names another destination asset than the registered pair's, a lock of an asset the gateway
    /// does not list, and a release whose source asset is not the one paired with the destination asset: all
    /// refused, whatever the signatures.
    func checkAssetPairs() async throws {
        let signer = try await harness.makeFundedSigner(asset: lane.asset, amount: try lane.amount * Amount(10))
        var wrongDest = try await makeOutboundTransfer(sender: Address(signer.address.bytes32), deadlineIn: 3_600)
        let stranger = Self.evmShaped(Keccak256.hash("ferry.conformance.unregistered.asset")).bytes32
        wrongDest.destAsset = stranger
        try await expectRejected(.lock(wrongDest), signer: signer, label: "lock naming a destination asset outside the registered pair")
        var selfMinted = try await makeOutboundTransfer(sender: Address(signer.address.bytes32), deadlineIn: 3_600)
        selfMinted.sourceAsset = stranger
        try await expectRejected(.lock(selfMinted), signer: signer, label: "lock of an asset with no registered pair")
        var inbound = try await makeInboundTransfer(nonce: 7, deadlineIn: 3_600)
        inbound.sourceAsset = stranger
        let submitter = try await harness.makeFundedSigner(asset: info.nativeAsset.symbol, amount: Amount(0))
        try await expectRejected(.release(inbound, signatures: try await attest(.release(messageId: inbound.messageId))),
                                 signer: submitter, label: "release of a transfer from an unpaired source asset")
    }

    func checkReorg() async throws {
        let depth = min(3, info.finalityDepth)
        let signer = try await harness.makeFundedSigner(asset: lane.asset, amount: try lane.amount * Amount(10))
        let start = try await adapter.head().height + 1
        let stream = adapter.events(from: start)
        let transfer = try await makeOutboundTransfer(sender: Address(signer.address.bytes32), deadlineIn: 3_600)
        let tx = try await adapter.submit(.lock(transfer), signer: signer, priority: .high)
        let height = try await waitForInclusion(tx, what: "lock before the reorg")
        let head = try await adapter.head().height
        guard head - height < depth else { throw SkipCheck(reason: "lock already \(head - height) blocks deep") }
        let seen = try await collect(stream: stream, through: head, label: "the stream before the reorg")
        guard seen.contains(where: { if case let .locked(_, _, _, t) = $0 { t == tx } else { false } }) else {
            throw CheckFailure("the stream did not deliver the lock at height \(height) before the reorg")
        }
        // A live chain may have grown since: a reorg that replaces none of the delivered blocks owes no notice.
        let atReorg = try await adapter.head().height
        guard atReorg < head + depth else {
            throw SkipCheck(reason: "the chain grew \(atReorg - head) blocks past the stream before the reorg")
        }
        guard try await harness.reorg(depth: depth) else { throw SkipCheck(reason: "the harness cannot cause reorgs") }
        // A live chain may have grown past the lock before the reorg was made, so the notice may start above the
        // lock's height: any notice counts.
        let notice = try await first(in: stream, label: "the stream after a reorg of depth \(depth)") { event in
            if case .reorg = event { return true }
            return false
        }
        guard notice != nil else { throw CheckFailure("no .reorg notice after a reorg of depth \(depth)") }
    }
}
