import FerryChains
import FerryCore
import FerryWire

extension RelayerNode {
    // MARK: Publishing

    /// Gossips this node's signatures in batch frames (32 per frame).
    func publish(_ signatures: [(destChain: ChainID, messageId: Bytes32, signature: Signature)], kind: AttestationKind) {
        guard !signatures.isEmpty else { return }
        let action = AttestationAction(kind)
        do {
            let signer = try SignerAddress(bytes: me.bytes)
            var entries: [Attestation] = []
            entries.reserveCapacity(signatures.count)
            for (destChain, id, signature) in signatures {
                entries.append(try Attestation(destChain: destChain, messageId: id, action: action, signer: signer,
                                               signature: AttestationSignature(bytes: signature.rsv)))
            }
            for batch in AttestationBatch.batches(of: entries) { try gossip.publish(.attestations(batch)) }
        } catch {
            logger.warning("could not gossip \(signatures.count) attestations: \(error)")
        }
    }

    /// Asks the peers to republish their signatures for `ids` (64 per request frame).
    func requestAttestations(_ ids: [Bytes32]) {
        var start = 0
        while start < ids.count {
            let end = min(start + AttestationRequest.maxIds, ids.count)
            do {
                try gossip.publish(.request(try AttestationRequest(messageIds: Array(ids[start..<end]))))
            } catch {
                logger.warning("could not send an attestation request: \(error)")
                return
            }
            start = end
        }
    }

    // MARK: Receiving

    func receive(_ context: Context) async {
        for await inbound in gossip.frames {
            if Task.isCancelled { return }
            switch inbound.frame {
            case let .attestation(a):
                accept([a], context)
            case let .attestations(batch):
                accept(batch.entries, context)
            case let .request(request):
                answer(request)
            case .hello, .heartbeat:
                break
            }
        }
    }

    /// Holds peers' attestations as candidates (checked later, by an executor, only if needed) and schedules the
    /// transfers whose signatures reach the threshold. What needs no signature check is refused here: an unknown
    /// destination, a claimed signer outside the relayer set, a malformed signature.
    func accept(_ attestations: [Attestation], _ context: Context) {
        var rejected: [AttestationRejection: Int] = [:]
        var replays = 0, received = 0
        let me = self.me
        let (ready, _) = book.mutate(at: now) { s, _ -> [(Bytes32, SubmissionAction, ChainID)] in
            var ready: [(Bytes32, SubmissionAction, ChainID)] = []
            for a in attestations {
                guard let gateway = context.collector.gateway(for: a.destChain) else { rejected[.unknownChain, default: 0] += 1; continue }
                guard let signer = try? EthereumAddress(bytes: a.signer.bytes), let signature = try? Signature(rsv: a.signature.bytes),
                      signature.isLowS else {
                    rejected[.badSignature, default: 0] += 1
                    continue
                }
                guard gateway.members.contains(signer) else { rejected[.notMember, default: 0] += 1; continue }
                if signer == me { continue }  // this node's own signature, echoed back or forged: it has its own
                if s.settled.contains(a.messageId) { replays += 1; continue }
                let kind = AttestationKind(a.action)
                if let entry = s.open[a.messageId] {
                    if kind.verifyingChain(of: entry.transfer) != a.destChain { rejected[.unknownChain, default: 0] += 1; continue }
                    if entry.verified[kind]?[signer] != nil { continue }
                }
                let key = CandidateKey(messageId: a.messageId, kind: kind)
                var list = s.candidates[key] ?? []
                let candidate = Candidate(signer: signer, signature: signature)
                guard !list.contains(candidate) else { continue }
                guard list.lazy.filter({ $0.signer == signer }).count < TransferBook.maxCandidatesPerSigner,
                      list.count < 2 * gateway.members.count else { continue }
                if list.isEmpty { s.candidateOrder.append(key) }
                list.append(candidate)
                s.candidates[key] = list
                received += 1
                if let entry = s.open[a.messageId], entry.state != .seen, entry.state != .orphaned,
                   s.signerCount(a.messageId, kind, me: me) >= gateway.threshold {
                    ready.append((a.messageId, kind.action, entry.transfer.destChain))
                }
            }
            // Candidates for ids this node never learns about (or long settled) must not pile up.
            s.evictCandidates()
            return ready
        }
        if !rejected.isEmpty || replays > 0 || received > 0 {
            stats.update { s in
                for (reason, n) in rejected { s.rejected[reason, default: 0] += n }
                s.replays += replays
                s.received += received
            }
        }
        for (id, action, destChain) in ready { scheduleReady(id, action, destChain: destChain, context) }
    }

    /// Republishes this node's own signatures for the requested ids, with the transfer (a peer that missed the
    /// lock can then check what it is asked to co-sign).
    func answer(_ request: AttestationRequest) {
        let found: [(OpenTransfer, Bytes32)] = book.read { s in request.messageIds.compactMap { id in s.open[id].map { ($0, id) } } }
        guard let signer = try? SignerAddress(bytes: me.bytes) else { return }
        for (entry, id) in found {
            for (kind, signature) in entry.own {
                do {
                    let frame = Frame.attestation(try Attestation(
                        destChain: kind.verifyingChain(of: entry.transfer), messageId: id, action: AttestationAction(kind),
                        signer: signer, signature: AttestationSignature(bytes: signature.rsv), transfer: entry.transfer))
                    try gossip.publish(frame)
                } catch {
                    logger.warning("could not answer an attestation request: \(error)", metadata: ["message_id": "\(id.hex)"])
                }
            }
        }
    }

    // MARK: Housekeeping

    func maintain(_ context: Context) async throws {
        var lastPrune: UInt64 = 0
        while !Task.isCancelled {
            try await clock.sleep(untilUnixMillis: now + configuration.resendMillis)
            republish()
            if now - lastPrune > 3_600_000 {
                lastPrune = now
                let cutoff = now > configuration.pruneAfterMillis ? now - configuration.pruneAfterMillis : 0
                let removed = try await journal.prune(terminalBefore: cutoff)
                if removed > 0 { logger.info("pruned \(removed) finished transfers from the journal") }
            }
        }
    }

    /// PUB/SUB drops what a peer missed while it was down or still connecting: republish this node's signatures
    /// for transfers still open after a resend period.
    func republish(limit: Int = 8_192) {
        let clockNow = now
        let resend = configuration.resendMillis
        let (due, _) = book.mutate(at: clockNow) { s, _ -> [AttestationKind: [(ChainID, Bytes32, Signature)]] in
            var due: [AttestationKind: [(ChainID, Bytes32, Signature)]] = [:]
            var ids: [Bytes32] = []
            for (id, entry) in s.open where !entry.own.isEmpty && entry.publishedAtMillis + resend <= clockNow {
                for (kind, signature) in entry.own { due[kind, default: []].append((kind.verifyingChain(of: entry.transfer), id, signature)) }
                ids.append(id)
                if ids.count >= limit { break }
            }
            for id in ids { s.open[id]?.publishedAtMillis = clockNow }
            return due
        }
        for (kind, signatures) in due { publish(signatures.map { (destChain: $0.0, messageId: $0.1, signature: $0.2) }, kind: kind) }
    }
}

extension AttestationAction {
    /// The wire action of an attestation kind.
    init(_ kind: AttestationKind) {
        switch kind {
        case .release: self = .release
        case .cancel: self = .cancel
        case .refund: self = .refund
        }
    }
}

extension AttestationKind {
    /// The attestation kind of a wire action.
    init(_ action: AttestationAction) {
        switch action {
        case .release: self = .release
        case .cancel: self = .cancel
        case .refund: self = .refund
        }
    }
}
