public import FerryChains
public import FerryCore

/// EIP-1559 fee parameters for the next block, at three priorities.
///
/// How they are derived (``EVMFeeQuote/fetch(from:blocks:)``): one batch asks `eth_feeHistory` for the last
/// `blocks` blocks at the 10th, 50th and 90th reward percentiles, and `eth_maxPriorityFeePerGas`.
/// - base fee: the history's last entry, the base fee of the *next* block;
/// - tips: the median over the blocks of each percentile (low = p10, median = p50, high = p90). When the
///   blocks carried no transactions (all rewards zero, as on an idle dev chain), the node's suggestion `s`
///   is used instead: low `s/2`, median `s`, high `2s`. Every tip is at least 1 wei, and low <= median <= high;
/// - a transaction's `maxFeePerGas` is `2 * baseFee + tip`: it stays includable through six consecutive
///   full blocks (each raises the base fee by at most 12.5%), and the sender is only charged `baseFee + tip`.
public struct EVMFeeQuote: Sendable, Hashable {
    /// The next block's base fee, wei per gas.
    public let baseFee: Amount
    /// Priority fee (tip) per gas at low / median / high.
    public let tips: [FeePriority: Amount]

    public init(baseFee: Amount, tips: [FeePriority: Amount]) {
        self.baseFee = baseFee
        self.tips = tips
    }

    /// The tip at `priority`.
    public func tip(_ priority: FeePriority) -> Amount { tips[priority] ?? Amount(1) }

    /// `2 * baseFee + tip`: the fee cap a transaction at `priority` carries.
    public func maxFeePerGas(_ priority: FeePriority) throws(AmountError) -> Amount {
        try baseFee * Amount(2) + tip(priority)
    }

    /// What `gas` units are expected to cost at `priority`: `gas * (baseFee + tip)`.
    public func expectedCost(gas: UInt64, priority: FeePriority) throws(AmountError) -> Amount {
        try Amount(gas) * (baseFee + tip(priority))
    }

    /// Reads the fee market from `client` (one batch: `eth_feeHistory` and `eth_maxPriorityFeePerGas`).
    public static func fetch(from client: JSONRPCClient, blocks: Int = 20) async throws(RPCError) -> EVMFeeQuote {
        let answers = try await client.batch([
            RPCRequest("eth_feeHistory", [.string(HexQuantity.encode(UInt64(max(1, blocks)))), "latest", .array([.double(10), .double(50), .double(90)])]),
            RPCRequest("eth_maxPriorityFeePerGas"),
        ])
        let history = try EVMFeeHistory(json: try answers[0].get(), method: "eth_feeHistory")
        let suggested = try answers[1].get().amount(method: "eth_maxPriorityFeePerGas", field: "result")
        return quote(history: history, suggestedTip: suggested)
    }

    /// The quote for a fee history and the node's suggested tip (the rule in the type's documentation).
    public static func quote(history: EVMFeeHistory, suggestedTip: Amount) -> EVMFeeQuote {
        let base = history.baseFeePerGas.last ?? .zero
        let rows = history.reward.filter { $0.count == 3 && $0.contains { !$0.isZero } }
        var low: Amount, median: Amount, high: Amount
        if rows.isEmpty {
            median = suggestedTip
            low = (try? suggestedTip.dividedRounding(by: Amount(2), .down)) ?? suggestedTip
            high = (try? suggestedTip * Amount(2)) ?? suggestedTip
        } else {
            func middle(_ column: Int) -> Amount {
                let sorted = rows.map { $0[column] }.sorted()
                return sorted[sorted.count / 2]
            }
            low = middle(0)
            median = middle(1)
            high = middle(2)
        }
        let one = Amount(1)
        low = max(low, one)
        median = max(median, low)
        high = max(high, median)
        return EVMFeeQuote(baseFee: base, tips: [.low: low, .median: median, .high: high])
    }
}
