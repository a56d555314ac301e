public import FerryChains
public import FerryCore
import FerryCrypto
import Foundation

/// A chain that can move a token between accounts directly (ERC-20 `transfer`): how an escrow pays a provider.
public protocol AccountTransferring: Sendable {
    /// Moves `amount` of `asset` from the signer's account to `receiver`.
    func transfer(_ amount: Amount, asset: String, to receiver: Address, signer: any TransactionSigner) async throws(ChainError)
}

extension SimulatedChainAdapter: AccountTransferring {
    public func transfer(_ amount: Amount, asset: String, to receiver: Address, signer: any TransactionSigner) async throws(ChainError) {
        try await ledger.transfer(amount, asset: asset, to: receiver, signer: signer)
    }
}

extension PaymentService {
    /// The escrow with `id`.
    public func escrow(_ id: String) async throws(PaymentError) -> EscrowRecord { try await store.escrow(id) }

    /// Confirms delivery of an escrowed service and pays the provider on the destination chain.
    ///
    /// `.resultHash` offers need `.result(bytes)` whose keccak-256 equals the committed hash; `.providerReceipt`
    /// offers need the provider's signature over ``ServiceOffer/receiptDigest(escrowID:resultHash:)`` (and, when a
    /// hash was committed, for that hash). Evidence that does not verify changes nothing.
    ///
    /// Order of effects: the escrow is claimed with one compare-and-set in the store (`funded` -> `paying`) before
    /// any chain action, so of any number of concurrent confirms (and the deadline's refund) exactly one moves the
    /// escrow's value, and only its own amount; then the payout; then the `escrow_confirmed` and `escrow_paid`
    /// events and `paid_to_provider`. A confirm that loses the claim, or whose payout the chain refuses (the escrow
    /// goes back to `funded`), appends no event.
    /// - Throws: ``PaymentError/escrowEvidenceRejected(escrowID:reason:)``, ``PaymentError/wrongState(id:state:operation:)``
    ///   (not funded, already being paid, or past the deadline), chain errors.
    public func confirmDelivery(escrowID: String, evidence: EscrowEvidence) async throws(PaymentError) -> EscrowRecord {
        let funded = try await store.escrow(escrowID)
        guard funded.state == .funded else { throw .wrongState(id: escrowID, state: funded.state.rawValue, operation: "confirm delivery of") }
        guard now() <= funded.deadlineMs else {
            throw .wrongState(id: escrowID, state: "past its deadline (\(funded.deadlineMs) ms)", operation: "confirm delivery of")
        }
        try Self.verify(evidence, for: funded)
        let chain = funded.offer.asset.chain
        guard let payer = adapters[chain] as? any AccountTransferring else {
            throw .wrongState(id: escrowID, state: "on \(chain), whose adapter cannot transfer between accounts", operation: "pay out")
        }
        let signer: any TransactionSigner
        do { signer = try escrowWallet.signer(for: chain) } catch { throw .wallet(error) }
        // The claim: whoever moves the stored escrow from `funded` pays; everyone else is told its state.
        var escrow = funded
        escrow.state = .paying
        escrow.updatedAtMs = now()
        guard try await store.update(escrow, expecting: .funded) else {
            let current = (try? await store.escrow(escrowID).state.rawValue) ?? "changed"
            throw .wrongState(id: escrowID, state: current, operation: "confirm delivery of")
        }
        do { try await payer.transfer(escrow.amount, asset: escrow.offer.asset.symbol, to: escrow.offer.provider, signer: signer) } catch {
            // The chain refused the payout: nothing moved, so the escrow is funded again (its deadline still applies).
            var back = escrow
            back.state = .funded
            back.updatedAtMs = now()
            _ = try? await store.update(back, expecting: .paying)
            throw .chain(error)
        }
        var payment = try await store.payment(escrow.paymentID)
        if let reservation = payment.reservation {
            do { try await budget.commit(reservation.id, nowMs: now()) } catch { throw .store(error) }
        }
        // The events and the terminal escrow state are one transaction, so a reader that sees the escrow settled
        // (the SSE stream ends on it) has every event already.
        payment.updatedAtMs = now()
        escrow.state = .paidToProvider
        escrow.updatedAtMs = now()
        _ = try await store.update(escrow, expecting: .paying, payment: payment, events: [
            event(.escrowConfirmed, "agent confirmed delivery of \(escrow.offer.serviceID)"),
            event(.escrowPaid, "paid \(escrow.amount) \(escrow.offer.asset.symbol) to provider \(escrow.offer.provider)"),
        ])
        return escrow
    }

    /// Starts refunds of every funded escrow whose deadline has passed: the escrow account locks the amount back
    /// to the agent's source chain, paying the refund fee stated in the original quote.
    /// - Returns: the escrows now refunding.
    @discardableResult
    public func expireEscrows() async throws(PaymentError) -> [EscrowRecord] {
        var out: [EscrowRecord] = []
        for var escrow in try await store.escrows(in: [.funded]) where now() > escrow.deadlineMs {
            let chain = escrow.offer.asset.chain
            guard let adapter = adapters[chain], let asset = adapter.info.asset(escrow.offer.asset.symbol),
                  let home = adapters[escrow.refundAsset.chain]?.info.asset(escrow.refundAsset.symbol) else {
                throw .unknownChain(chain, known: adapters.keys.sorted())
            }
            let signer: any TransactionSigner
            do { signer = try escrowWallet.signer(for: chain) } catch { throw .wallet(error) }
            let amount = escrow.amount.saturatingSubtract(escrow.refundFee)
            let transfer = Transfer(sourceChain: chain, destChain: escrow.refundAsset.chain, nonce: 0, sender: Address(signer.address.bytes32),
                                    receiver: escrow.refundReceiver, sourceAsset: asset.gatewayID, destAsset: home.gatewayID,
                                    amount: amount, fee: escrow.refundFee, deadline: now() / 1000 + 3_600,
                                    payloadHash: escrow.offer.payloadHash(resultHash: escrow.resultHash))
            // Claim the escrow before the refund lock: a confirm racing the deadline finds it `refunding`.
            escrow.state = .refunding
            escrow.refundTransfer = transfer
            escrow.updatedAtMs = now()
            var payment = try await store.payment(escrow.paymentID)
            payment.updatedAtMs = now()
            guard try await store.update(escrow, expecting: .funded, payment: payment, events: [
                event(.escrowExpired, "\(escrow.offer.serviceID) not confirmed by the deadline \(escrow.deadlineMs) ms"),
            ]) else { continue }
            let tx: TxID
            do { tx = try await adapter.submit(.lock(transfer), signer: signer, priority: configuration.lockPriority) } catch {
                var back = escrow
                back.state = .funded
                back.refundTransfer = nil
                _ = try? await store.update(back, expecting: .refunding)
                throw .chain(error)
            }
            escrow.refundLockTx = tx.hash.hex
            escrow.updatedAtMs = now()
            _ = try await store.update(escrow, expecting: .refunding)
            try await save(&payment, [event(.escrowRefundLocked,
                                            "refund of \(amount) (fee \(escrow.refundFee)) locked on \(chain) towards \(escrow.refundAsset.chain)")])
            out.append(escrow)
        }
        return out
    }

    /// Moves refunding escrows forward: records the refund lock's message id, and marks the escrow `refunded`
    /// (budget reservation released) once the source chain's gateway has released it to the agent.
    @discardableResult
    public func refreshEscrows() async throws(PaymentError) -> [EscrowRecord] {
        var out: [EscrowRecord] = []
        for var escrow in try await store.escrows(in: [.refunding]) {
            guard let source = adapters[escrow.offer.asset.chain], let home = adapters[escrow.refundAsset.chain],
                  let txHex = escrow.refundLockTx else { continue }
            do {
                if escrow.refundLockHeight == nil, case let .included(height, true, _) = try await source.transaction(TxID(try Self.bytes32(txHex))),
                   let (transfer, block) = try await Self.findLock(TxID(try Self.bytes32(txHex)), at: height, on: source) {
                    escrow.refundTransfer = transfer
                    escrow.refundLockHeight = block
                }
                guard escrow.refundLockHeight != nil, let transfer = escrow.refundTransfer, case let .released(height) = try await home.gatewayState(of: transfer.messageId) else {
                    _ = try await store.update(escrow, expecting: .refunding)
                    out.append(escrow)
                    continue
                }
                var payment = try await store.payment(escrow.paymentID)
                if let reservation = payment.reservation {
                    do { try await budget.release(reservation.id, nowMs: now()) } catch { throw PaymentError.store(error) }
                }
                // Event and terminal state in one transaction, as for a payout; a second refresher racing this one
                // loses the compare-and-set and appends nothing.
                payment.updatedAtMs = now()
                escrow.state = .refunded
                escrow.updatedAtMs = now()
                _ = try await store.update(escrow, expecting: .refunding, payment: payment, events: [
                    event(.escrowRefunded, "refund released to the agent at height \(height) on \(escrow.refundAsset.chain)", height: height),
                ])
            } catch let error as ChainError {
                throw .chain(error)
            } catch let error as PaymentError {
                throw error
            } catch {
                throw .noRoute(reason: "unexpected error while tracking escrow \(escrow.id): \(error)")
            }
            out.append(escrow)
        }
        return out
    }

    /// Creates the escrow record for a delivered service payment.
    func fund(escrowFor payment: Payment, terms: EscrowTerms) async throws(PaymentError) -> EscrowRecord {
        let funded = now()
        let (deadline, overflow) = funded.addingReportingOverflow(terms.offer.deliverySeconds.multipliedReportingOverflow(by: 1_000).partialValue)
        let refundReceiver: Address
        do { refundReceiver = try wallet.account(on: payment.request.source.chain) } catch { throw .wallet(error) }
        let escrow = EscrowRecord(id: "esc_" + String(payment.id.dropFirst(4)), paymentID: payment.id, offer: terms.offer,
                                  resultHash: terms.resultHash, amount: payment.transfer?.amount ?? payment.request.amount,
                                  refundFee: payment.quote?.refundFee ?? .zero, refundAsset: payment.request.source,
                                  refundReceiver: refundReceiver, state: .funded, fundedAtMs: funded,
                                  deadlineMs: overflow ? .max : deadline, updatedAtMs: funded)
        return try await store.insert(escrow)
    }

    static func verify(_ evidence: EscrowEvidence, for escrow: EscrowRecord) throws(PaymentError) {
        switch (escrow.offer.verification, evidence) {
        case let (.resultHash, .result(bytes)):
            let got = Keccak256.hash(bytes)
            guard let want = escrow.resultHash, got == want else {
                throw .escrowEvidenceRejected(escrowID: escrow.id,
                                              reason: "result hash \(got.hex) does not match the committed \(escrow.resultHash?.hex ?? "(none)")")
            }
        case let (.providerReceipt(key), .receipt(hash, signature)):
            if let want = escrow.resultHash, want != hash {
                throw .escrowEvidenceRejected(escrowID: escrow.id, reason: "receipt is for result \(hash.hex), the request committed \(want.hex)")
            }
            let signer: EthereumAddress
            do { signer = try signature.recoverAddress(digest: ServiceOffer.receiptDigest(escrowID: escrow.id, resultHash: hash)) } catch {
                throw .escrowEvidenceRejected(escrowID: escrow.id, reason: "receipt signature does not recover: \(error)")
            }
            guard signer == key else {
                throw .escrowEvidenceRejected(escrowID: escrow.id, reason: "receipt signed by \(signer.checksummed), not the provider's key \(key.checksummed)")
            }
        case (.resultHash, .receipt):
            throw .escrowEvidenceRejected(escrowID: escrow.id, reason: "the offer verifies by result hash; present the result")
        case (.providerReceipt, .result):
            throw .escrowEvidenceRejected(escrowID: escrow.id, reason: "the offer verifies by provider receipt; present the signed receipt")
        }
    }
}
