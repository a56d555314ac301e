import FerryAgent
import FerryAPI
import FerryChains
import FerryCore
import FerryRouter

/// Turns domain values into API bodies: amounts as decimal strings of their asset.
struct ResponseMapping: Sendable {
    let adapters: [ChainID: any ChainAdapter]

    func decimals(_ asset: AssetID) -> Int { adapters[asset.chain]?.info.asset(asset.symbol)?.decimals ?? 0 }

    func format(_ amount: Amount, _ asset: AssetID) -> String { amount.formatted(decimals: decimals(asset)) }

    static func api(_ asset: AssetID) -> APIAsset { APIAsset(chain: asset.chain.rawValue, asset: asset.symbol) }

    func nativeDecimals(ofNode node: String) -> Int {
        guard let chain = UInt64(RouteNode(id: node).chain) else { return 18 }
        return adapters[ChainID(chain)]?.info.nativeAsset.decimals ?? 18
    }

    func quote(_ q: PaymentQuote, id: String, check: APIPolicyCheck) -> APIQuote {
        let hops = q.route.legs.flatMap(\.hops).map { hop in
            let d = q.sourceDecimals
            return APIHop(lane: hop.lane, from: hop.from, to: hop.to, input: hop.input.formatted(decimals: d),
                          output: hop.output.formatted(decimals: q.destinationDecimals), bridgeFee: hop.fees.bridgeFee.formatted(decimals: d),
                          gasNative: hop.fees.gasNative.formatted(decimals: nativeDecimals(ofNode: hop.to)),
                          gasFee: hop.fees.gasFee.formatted(decimals: d), swapFee: hop.fees.swapFee.formatted(decimals: d),
                          priceImpact: hop.fees.priceImpact.formatted(decimals: d),
                          latency: APILatency(p50Ms: hop.latency.p50Ms, p95Ms: hop.latency.p95Ms))
        }
        return APIQuote(quoteID: id, from: Self.api(q.source), to: Self.api(q.destination), send: q.send.formatted(decimals: q.sourceDecimals),
                        deliver: q.deliver.formatted(decimals: q.destinationDecimals),
                        fee: q.send.saturatingSubtract(q.deliver).formatted(decimals: q.sourceDecimals), receiver: q.receiver.description,
                        hops: hops, eta: APILatency(p50Ms: q.route.eta.p50Ms, p95Ms: q.route.eta.p95Ms), expiresAtMs: q.expiresAtMs,
                        reason: q.route.reason, refundFee: q.refundFee?.formatted(decimals: q.destinationDecimals), policy: check)
    }

    func escrow(_ e: EscrowRecord) -> APIEscrow {
        APIEscrow(id: e.id, paymentID: e.paymentID, serviceID: e.offer.serviceID, provider: e.offer.provider.description,
                  state: e.state.rawValue, amount: format(e.amount, e.offer.asset), refundFee: format(e.refundFee, e.offer.asset),
                  deadlineMs: e.deadlineMs)
    }

    func payment(_ p: Payment, escrow: EscrowRecord?, policy: SpendingPolicy) -> APIPayment {
        let r = p.request
        let summary = p.quote.map { q in
            APIQuoteSummary(send: format(q.send, r.source), deliver: format(q.deliver, r.destination),
                            eta: APILatency(p50Ms: q.etaP50Ms, p95Ms: q.etaP95Ms), lanes: q.lanes, reason: q.reason,
                            refundFee: q.refundFee.map { format($0, r.destination) })
        }
        return APIPayment(id: p.id, state: p.state.rawValue, finished: Self.finished(p, escrow: escrow), from: Self.api(r.source),
                          to: Self.api(r.destination), amount: format(r.amount, r.destination), receiver: r.receiver.description,
                          quote: summary, budgetReserved: p.spend.map { policy.format($0.value) },
                          refusal: p.refusal.map { APIRefusal(rule: $0.rule.rawValue, message: $0.message) }, failure: p.failure,
                          messageID: p.messageId?.hex, lockTx: p.lockTx, lockHeight: p.lockHeight, lockFinalized: p.lockFinalized,
                          releaseHeight: p.releaseHeight, attestations: p.attestations, threshold: p.threshold,
                          escrow: escrow.map(self.escrow), hops: Self.hops(p), createdAtMs: p.createdAtMs, updatedAtMs: p.updatedAtMs)
    }

    /// The hops of a multi-hop payment; nil for a single-hop one.
    static func hops(_ p: Payment) -> [APIPaymentHop]? {
        guard let first = p.transfer, let onward = p.onward, !onward.isEmpty else { return nil }
        let locked = [first] + (p.forwarded ?? [])
        return ([first] + onward).enumerated().map { index, hop in
            APIPaymentHop(sourceChain: hop.sourceChain.rawValue, destChain: hop.destChain.rawValue,
                          messageID: index < locked.count ? locked[index].messageId.hex : nil)
        }
    }

    /// True when neither the payment nor its escrow will change again. A payment `awaiting_confirmation` counts as
    /// finished: the API has no way to continue it (the agent pays again with `confirm` and a new key).
    static func finished(_ p: Payment, escrow: EscrowRecord?) -> Bool {
        if p.state == .awaitingConfirmation { return true }
        guard p.state.isTerminal else { return false }
        guard p.request.escrow != nil, p.state == .delivered else { return true }
        guard let escrow else { return false }
        return escrow.state == .paidToProvider || escrow.state == .refunded
    }

    static func event(_ e: PaymentEvent, seq: Int) -> APIEvent {
        APIEvent(seq: seq, kind: e.kind.rawValue, atMs: e.atMs, detail: e.detail, height: e.height, count: e.count, threshold: e.threshold)
    }
}
