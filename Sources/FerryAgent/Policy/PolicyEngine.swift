public import FerryCore

/// The rule a refusal names.
public enum PolicyRule: String, Sendable, Hashable, Codable, CaseIterable {
    case quoteExpired = "quote_expired"
    case chainNotAllowed = "chain_not_allowed"
    case assetNotAllowed = "asset_not_allowed"
    case counterpartyNotAllowed = "counterparty_not_allowed"
    case priceUnavailable = "price_unavailable"
    case perPaymentCap = "per_payment_cap"
    case maxFeeRatio = "max_fee_ratio"
    case maxLatency = "max_latency"
    case dailyBudget = "daily_budget"
    case confirmationRequired = "confirmation_required"
}

/// Why the policy said no: the rule and a sentence with the numbers.
public struct PolicyRefusal: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The rule that refused.
    public let rule: PolicyRule
    /// The rule and the numbers: "daily budget for USDC: 950.00 USD spent + 100.00 USD requested > 1000.00 USD".
    public let message: String

    /// Creates a refusal.
    public init(rule: PolicyRule, message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "refused by \(rule.rawValue): \(message)" }
}

/// What a payment would use of the policy's budgets, computed from a quote.
public struct SpendValue: Sendable, Hashable, Codable {
    /// The source asset's symbol (the budget key).
    public let asset: String
    /// Value of everything sent, reference smallest units, rounded up (against the agent).
    public let value: Amount

    /// Creates a spend value.
    public init(asset: String, value: Amount) {
        self.asset = asset
        self.value = value
    }
}

/// The policy's answer for one quote.
public enum PolicyDecision: Sendable, Hashable {
    /// Every rule passes; reserve `spend` against the budgets and go on.
    case approved(SpendValue)
    /// Every rule passes but the value is above the confirmation threshold and the request was not confirmed.
    case needsConfirmation(PolicyRefusal)
    /// A rule refuses.
    case refused(PolicyRefusal)

    /// The refusal, for `.needsConfirmation` and `.refused`.
    public var refusal: PolicyRefusal? {
        switch self {
        case .approved: nil
        case let .needsConfirmation(r), let .refused(r): r
        }
    }
}

/// Budget already used in the current window, per budget key (asset symbol, or `"*"` for all assets).
public typealias BudgetUsage = [String: Amount]

/// Checks final quotes against a ``SpendingPolicy`` with prices from a ``PriceFeed``. Pure and synchronous: the
/// budget numbers come in as ``BudgetUsage``; ``BudgetLedger`` re-checks them atomically when it reserves.
public struct PolicyEngine: Sendable {
    /// The policy.
    public let policy: SpendingPolicy
    /// The prices.
    public let prices: any PriceFeed

    /// Creates an engine.
    public init(policy: SpendingPolicy, prices: any PriceFeed) {
        self.policy = policy
        self.prices = prices
    }

    /// Checks `quote` for paying `counterparty` at `nowMs` (unix ms).
    ///
    /// Rules run in a fixed order (expiry, chains, assets, counterparty, prices, per-payment cap, fee ratio,
    /// latency, budget, confirmation) and the first failure is returned. Values round against the agent: what is
    /// spent rounds up, what is delivered rounds down.
    /// - Parameters:
    ///   - usage: budget already used in the window (from ``BudgetLedger/usage(nowMs:)``).
    ///   - confirmed: the caller explicitly confirmed this payment (lifts the confirmation threshold only).
    public func check(_ quote: PaymentQuote, counterparty: Address, nowMs: UInt64, usage: BudgetUsage = [:],
                      confirmed: Bool = false) -> PolicyDecision {
        if nowMs > quote.expiresAtMs {
            return .refused(.init(rule: .quoteExpired, message: "quote \(quote.route.id) expired at \(quote.expiresAtMs) ms, now is \(nowMs) ms; ask for a new quote"))
        }
        for chain in quote.chains.sorted() {
            if policy.deniedChains.contains(chain) {
                return .refused(.init(rule: .chainNotAllowed, message: "route touches \(chain), which the policy denies"))
            }
            if let allowed = policy.allowedChains, !allowed.contains(chain) {
                let list = allowed.sorted().map { "\($0.rawValue)" }.joined(separator: ", ")
                return .refused(.init(rule: .chainNotAllowed, message: "route touches \(chain), not in the allowed chains [\(list)]"))
            }
        }
        for asset in [quote.source, quote.destination] where !policy.permits(asset: asset) {
            return .refused(.init(rule: .assetNotAllowed, message: "asset \(asset) is not allowed by the policy's asset lists"))
        }
        if policy.deniedCounterparties.contains(counterparty) {
            return .refused(.init(rule: .counterpartyNotAllowed, message: "receiver \(counterparty) is on the deny list"))
        }
        if let allowed = policy.allowedCounterparties, !allowed.contains(counterparty) {
            return .refused(.init(rule: .counterpartyNotAllowed, message: "receiver \(counterparty) is not on the allow list"))
        }
        let spend: Amount, delivered: Amount
        switch (value(quote.send, of: quote.source, rounding: .up), value(quote.deliver, of: quote.destination, rounding: .down)) {
        case let (.success(s), .success(d)): (spend, delivered) = (s, d)
        case let (.failure(refusal), _), let (_, .failure(refusal)): return .refused(refusal)
        }
        if let cap = policy.perPaymentCap, spend > cap {
            return .refused(.init(rule: .perPaymentCap, message: "per-payment cap: \(policy.format(spend)) > \(policy.format(cap))"))
        }
        if let maxPPM = policy.maxFeePPM, let refusal = feeRatioRefusal(spend: spend, delivered: delivered, maxPPM: maxPPM) {
            return .refused(refusal)
        }
        if let maxLatency = policy.maxLatencyMs, quote.etaP95Ms > maxLatency {
            return .refused(.init(rule: .maxLatency, message: "max latency: p95 \(quote.etaP95Ms) ms > \(maxLatency) ms"))
        }
        let want = SpendValue(asset: quote.source.symbol, value: spend)
        if let refusal = budgetRefusal(for: want, usage: usage) { return .refused(refusal) }
        if let threshold = policy.confirmAbove, spend > threshold, !confirmed {
            return .needsConfirmation(.init(rule: .confirmationRequired,
                                            message: "\(policy.format(spend)) > confirmation threshold \(policy.format(threshold)); re-send with confirm = true"))
        }
        return .approved(want)
    }

    /// Value of `amount` of `asset` in reference smallest units.
    public func value(_ amount: Amount, of asset: AssetID, rounding: Rounding) -> Result<Amount, PolicyRefusal> {
        guard let rate = prices.rate(of: asset) else {
            return .failure(.init(rule: .priceUnavailable, message: "no \(policy.referenceUnit) price for \(asset); the policy cannot value it"))
        }
        do { return .success(try rate.convert(amount, rounding: rounding)) } catch {
            return .failure(.init(rule: .priceUnavailable, message: "valuing \(amount) of \(asset): \(error.description)"))
        }
    }

    /// The budget refusal for spending `want` on top of `usage`, or nil when every budget it falls under fits.
    public func budgetRefusal(for want: SpendValue, usage: BudgetUsage) -> PolicyRefusal? {
        Self.budgetRefusal(policy: policy, for: want, usage: usage)
    }

    static func budgetRefusal(policy: SpendingPolicy, for want: SpendValue, usage: BudgetUsage) -> PolicyRefusal? {
        for key in [want.asset, "*"] {
            guard let budget = policy.budgets[key] else { continue }
            let used = usage[key] ?? .zero
            let name = key == "*" ? "all assets" : key
            let hours = policy.windowSeconds / 3_600
            let message = "daily budget for \(name): \(policy.format(used)) spent + \(policy.format(want.value)) requested > \(policy.format(budget)) (rolling \(hours) h)"
            guard let total = try? used + want.value, total <= budget else {
                return PolicyRefusal(rule: .dailyBudget, message: message)
            }
        }
        return nil
    }

    private func feeRatioRefusal(spend: Amount, delivered: Amount, maxPPM: UInt64) -> PolicyRefusal? {
        let fees = spend.saturatingSubtract(delivered)
        guard !fees.isZero else { return nil }
        // fees / delivered > maxPPM / 1e6  <=>  fees * 1e6 > maxPPM * delivered, exactly (an overflowing right side
        // is larger than any left side that fits).
        let exceeds: Bool
        if delivered.isZero {
            exceeds = true
        } else if let lhs = try? fees * Amount(1_000_000) {
            exceeds = (try? delivered * Amount(maxPPM)).map { lhs > $0 } ?? false
        } else {
            exceeds = true
        }
        guard exceeds else { return nil }
        let ppm = delivered.isZero ? "unbounded"
            : ((try? fees.multiplied(by: Amount(1_000_000), dividedBy: delivered, rounding: .up))?.description ?? "unbounded")
        return PolicyRefusal(rule: .maxFeeRatio,
                             message: "max fee ratio: fees \(policy.format(fees)) on \(policy.format(delivered)) delivered = \(ppm) ppm > \(maxPPM) ppm")
    }
}
