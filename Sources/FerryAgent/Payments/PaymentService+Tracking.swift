import FerryChains
public import FerryCore
public import FerryCrypto

extension PaymentService {
    /// Reads the chains and moves payment `id` forward as far as they allow: lock included (`locked at height h`),
    /// lock final, released on the destination, final there (`delivered`, reservation committed), or cancelled and
    /// refunded (`refunded`, reservation released). A multi-hop route is followed hop by hop (`forwarded` each
    /// time a gateway locks the next hop); a hop refunded on its source chain ends it as `refunded` there.
    /// Safe to call any time, any number of times.
    /// - Throws: ``PaymentError`` (transient chain errors included; call again later).
    @discardableResult
    public func refresh(_ id: String) async throws(PaymentError) -> Payment {
        guard !busy.contains(id) else { return try await store.payment(id) }
        busy.insert(id)
        defer { busy.remove(id) }
        var payment = try await store.payment(id)
        var events: [PaymentEvent] = []
        let request = payment.request
        guard let source = adapters[request.source.chain], let destination = adapters[request.destination.chain] else {
            return payment
        }
        do {
            if payment.state == .submitted, let txHex = payment.lockTx {
                let tx = TxID(try Self.bytes32(txHex))
                switch try await source.transaction(tx) {
                case .pending: break
                case .dropped:
                    return try await fail(&payment, events, reason: "the lock transaction was dropped; nothing left the wallet")
                case let .included(_, false, reason):
                    return try await fail(&payment, events, reason: "the lock reverted: \(reason ?? "no reason given")")
                case let .included(height, true, _):
                    if let (transfer, block) = try await Self.findLock(tx, at: height, on: source) {
                        payment.transfer = transfer
                        payment.lockHeight = block
                        payment.state = .locked
                        events.append(event(.locked, "locked at height \(block) on \(request.source.chain); message \(transfer.messageId.hex)",
                                            height: block))
                    }
                }
            }
            if payment.state == .locked, let lockHeight = payment.lockHeight {
                if !payment.lockFinalized, try await source.finalizedHeight() >= lockHeight {
                    payment.lockFinalized = true
                    events.append(event(.finalized, "lock final on \(request.source.chain) (finalized height >= \(lockHeight))", height: lockHeight))
                }
                try await followHops(&payment, &events)
            }
            if payment.state == .released, let height = payment.releaseHeight, try await destination.finalizedHeight() >= height {
                payment.state = .delivered
                events.append(event(.delivered, "confirmed: release final on \(request.destination.chain)", height: height))
                if let terms = request.escrow {
                    let escrow = try await fund(escrowFor: payment, terms: terms)
                    payment.escrowID = escrow.id
                    events.append(event(.escrowFunded, "escrow \(escrow.id) holds \(escrow.amount) for \(terms.offer.serviceID); deadline \(escrow.deadlineMs) ms"))
                } else if let reservation = payment.reservation {
                    do { try await budget.commit(reservation.id, nowMs: now()) } catch { throw PaymentError.store(error) }
                }
            }
        } catch let error as ChainError {
            // Chain errors leave the payment as it is; the next refresh retries.
            if !events.isEmpty { try await save(&payment, events) }
            throw .chain(error)
        } catch let error as PaymentError {
            throw error
        } catch {
            throw .noRoute(reason: "unexpected error while tracking: \(error)")
        }
        if !events.isEmpty { try await save(&payment, events) }
        return payment
    }

    /// Follows the hop being tracked: released (and, for a hop that forwards, the next hop's lock found and
    /// tracked in turn), cancelled, or refunded on its source chain.
    private func followHops(_ payment: inout Payment, _ events: inout [PaymentEvent]) async throws {
        let hopCount = 1 + (payment.onward?.count ?? 0)
        while payment.state == .locked, let hop = payment.currentHop,
              let hopSource = adapters[hop.sourceChain], let hopDestination = adapters[hop.destChain] {
            let index = payment.forwarded?.count ?? 0
            let label = hopCount > 1 ? "hop \(index + 1) of \(hopCount) " : ""
            switch try await hopDestination.gatewayState(of: hop.messageId) {
            case let .released(height) where hop.forwards:
                // The forwarding gateway locked the next hop in the release's block: the lock whose route commitment
                // `hop` carries, from the same payer.
                guard let (next, _) = try await Self.findLock(at: height, on: hopDestination, where: { transfer, _ in
                    transfer.routeCommitment == hop.payloadHash && transfer.sender == hop.sender
                }) else { return }
                payment.forwarded = (payment.forwarded ?? []) + [next]
                payment.cancelled = false
                events.append(event(.forwarded, "\(label)released at height \(height) on \(hop.destChain) and forwarded: hop \(index + 2) locked there as message \(next.messageId.hex)",
                                    height: height))
                continue
            case let .released(height):
                payment.releaseHeight = height
                payment.state = .released
                events.append(event(.released, "\(label)released to \(hop.receiver.description) at height \(height) on \(hop.destChain)", height: height))
            case let .cancelled(height) where !payment.cancelled:
                payment.cancelled = true
                events.append(event(.cancelled, "\(label)cancelled at height \(height) on \(hop.destChain); refund follows", height: height))
            default: break
            }
            if payment.state == .locked, case let .refunded(height) = try await hopSource.gatewayState(of: hop.messageId) {
                payment.state = .refunded
                if let reservation = payment.reservation {
                    do { try await budget.release(reservation.id, nowMs: now()) } catch { throw PaymentError.store(error) }
                }
                events.append(event(.refunded, "\(label)refunded to the wallet at height \(height) on \(hop.sourceChain)", height: height))
            }
            return
        }
    }

    /// Refreshes every payment that is not finished; returns them.
    @discardableResult
    public func refreshAll() async throws(PaymentError) -> [Payment] {
        var out: [Payment] = []
        for payment in try await store.payments(in: [.submitted, .locked, .released]) {
            out.append(try await refresh(payment.id))
        }
        return out
    }

    /// Records that `count` of the `threshold` attestations the destination gateway needs have been seen for
    /// `messageId` (fed by the relayer network or its gossip). Only increases are recorded.
    /// A payment that ``refresh(_:)`` is working on is left alone (the next report records the count): saving the
    /// record read before the refresh's write would undo it.
    public func recordAttestations(messageId: Bytes32, count: Int, threshold: Int) async throws(PaymentError) {
        guard let found = try await store.payment(messageId: messageId), count > found.attestations else { return }
        // Claim before reading the record that is written back (actor reentrancy: no await between check and insert).
        guard busy.insert(found.id).inserted else { return }
        defer { busy.remove(found.id) }
        var payment = try await store.payment(found.id)
        guard count > payment.attestations else { return }
        payment.attestations = count
        payment.threshold = threshold
        try await save(&payment, [event(.attested, "attested \(count)/\(threshold)", count: count, threshold: threshold)])
    }

    /// Follows `chain`'s gateway events from `height` and refreshes unfinished payments when something happens
    /// there. Runs until cancelled; meant to run as a long-lived service next to the HTTP server.
    public func follow(chain: ChainID, from height: UInt64) async throws {
        guard let adapter = adapters[chain] else { throw PaymentError.unknownChain(chain, known: adapters.keys.sorted()) }
        for try await event in adapter.events(from: height) {
            switch event {
            case .locked, .released, .cancelled, .refunded, .head:
                _ = try await refreshAll()
                _ = try await refreshEscrows()
            case .reorg:
                continue
            }
        }
    }

    /// The Locked event of transaction `tx`, included at `height` (read from the adapter's event stream).
    static func findLock(_ tx: TxID, at height: UInt64, on adapter: any ChainAdapter) async throws(ChainError) -> (Transfer, UInt64)? {
        try await findLock(at: height, on: adapter) { _, id in id == tx }
    }

    /// The first Locked event from `height` up to the head that `matches` (transfer, transaction), with its height.
    static func findLock(at height: UInt64, on adapter: any ChainAdapter,
                         where matches: (Transfer, TxID) -> Bool) async throws(ChainError) -> (Transfer, UInt64)? {
        do {
            for try await event in adapter.events(from: height) {
                switch event {
                case let .locked(_, transfer, block, id) where matches(transfer, id): return (transfer, block.height)
                case let .head(ref) where ref.height >= height: return nil
                default: continue
                }
            }
        } catch let error as ChainError {
            throw error
        } catch {
            throw .unreachable(adapter.info.id, underlying: String(describing: error))
        }
        return nil
    }

    static func bytes32(_ hex: String) throws(PaymentError) -> Bytes32 {
        do { return try Bytes32(hex: hex) } catch { throw .store(.corrupt(what: "hash \(hex)", reason: error.description)) }
    }
}
