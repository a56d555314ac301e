public import FerryCore

/// The kind of gateway call, for sizing a transaction (gas, compute units, vbytes).
public enum GatewayCallKind: String, Sendable, Hashable, Codable, CaseIterable {
    case lock, release, cancel, refund
    /// A checkpoint commit and a batch release with proofs (gateways with checkpoints).
    case commit, releaseBatch
}

/// What a transaction offers to pay, fixed when it is signed.
public struct FeeBid: Sendable, Hashable, Codable {
    /// Resource units the call consumes (gas, compute units, vbytes).
    public var units: UInt64
    /// Most the sender accepts per unit for the burned base price (EIP-1559 `maxFeePerGas - maxPriorityFeePerGas`); 0 where there is none.
    public var maxBasePerUnit: UInt64
    /// Priority price per unit (wei/gas, micro-lamports/CU, sat/vB); orders the mempool.
    public var tipPerUnit: UInt64
    /// Per-transaction fee burned (rollup L1 data fee, half the Solana signature fee).
    public var fixedBurned: UInt64
    /// Per-transaction fee paid to the block producer (the other half of the Solana signature fee).
    public var fixedToProducer: UInt64

    public init(units: UInt64, maxBasePerUnit: UInt64, tipPerUnit: UInt64, fixedBurned: UInt64 = 0, fixedToProducer: UInt64 = 0) {
        self.units = units
        self.maxBasePerUnit = maxBasePerUnit
        self.tipPerUnit = tipPerUnit
        self.fixedBurned = fixedBurned
        self.fixedToProducer = fixedToProducer
    }

    private enum CodingKeys: String, CodingKey { case units, maxBasePerUnit, tipPerUnit, fixedBurned, fixedToProducer }

    /// Decodes every field as a whole number >= 0, naming the field that is not.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(units: try c.decodeCount(.units), maxBasePerUnit: try c.decodeCount(.maxBasePerUnit),
                  tipPerUnit: try c.decodeCount(.tipPerUnit), fixedBurned: try c.decodeCount(.fixedBurned),
                  fixedToProducer: try c.decodeCount(.fixedToProducer))
    }
}

/// What including a transaction costs its sender, split so conservation can be checked.
public struct FeeCharge: Sendable, Hashable {
    /// Removed from supply (EIP-1559 base fee, L1 data fee, burned half of a signature fee).
    public let burned: Amount
    /// Paid to the block producer's account.
    public let toProducer: Amount

    public init(burned: Amount, toProducer: Amount) {
        self.burned = burned
        self.toProducer = toProducer
    }

    /// `burned + toProducer`.
    public var total: Amount { (try? burned + toProducer) ?? .max }
}

/// A family's fee market: how calls are sized and priced, and how prices move block to block.
///
/// Implementations are value types owned by one ledger. Prices are in the native asset's smallest unit
/// divided by ``priceScale`` (1, or 1,000,000 for Solana's micro-lamports per compute unit).
public protocol FeeMarket: Sendable {
    /// Units one block can hold.
    var blockCapacity: UInt64 { get }
    /// Divisor turning `units × price` into native smallest units.
    var priceScale: UInt64 { get }
    /// The burned price per unit now (EIP-1559 base fee); 0 where the family has none.
    var basePerUnit: UInt64 { get }
    /// Share of each block other users fill, in percent of capacity, before congestion faults.
    var organicLoadPercent: UInt64 { get }
    /// Tip per unit the rest of the market pays now; real transactions bidding less wait for leftover space.
    var marketTip: UInt64 { get }
    /// Extra load in percent of capacity from a congestion fault (0 when calm). Raises ``marketTip`` too.
    var congestionPercent: UInt64 { get set }

    /// Units a gateway call of `kind` consumes.
    func units(for kind: GatewayCallKind) -> UInt64
    /// The bid a sender makes at `priority` for a call of `kind`.
    func bid(for kind: GatewayCallKind, priority: FeePriority) -> FeeBid
    /// Updates prices after a block that used `usedUnits` (EIP-1559 base fee, tip decay).
    mutating func endBlock(usedUnits: UInt64)
    /// A sudden fee spike: prices multiply by `factor` and then relax block by block.
    mutating func spike(factor: UInt64)
    /// The family's parameters for people ("base 20 gwei, tip 1.5 gwei").
    var detail: String { get }
}

extension FeeMarket {
    /// Tip at `priority` given today's market: half, one and two times the market tip (at least 1).
    func standardTip(_ priority: FeePriority) -> UInt64 {
        let pressured = Self.scaled(marketTip, percent: 100 + congestionPercent)
        switch priority {
        case .low: return max(1, pressured / 2)
        case .median: return max(1, pressured)
        case .high: return max(2, pressured.multipliedReportingOverflow(by: 2).overflow ? .max : pressured * 2)
        }
    }

    /// The charge for including `bid` now, or nil when its base-price cap is below the current base price.
    public func charge(for bid: FeeBid) -> FeeCharge? {
        guard bid.maxBasePerUnit >= basePerUnit else { return nil }
        let tip = bid.tipPerUnit  // maxFee = maxBase + tip, so the tip is always paid in full
        let burned = Self.perUnitCost(units: bid.units, price: basePerUnit, scale: priceScale) + UInt128(bid.fixedBurned)
        let producer = Self.perUnitCost(units: bid.units, price: tip, scale: priceScale) + UInt128(bid.fixedToProducer)
        return FeeCharge(burned: Self.amount(burned), toProducer: Self.amount(producer))
    }

    /// The most `bid` can cost: what the sender must hold when submitting.
    public func maximumCost(of bid: FeeBid) -> Amount {
        let perUnit = UInt128(bid.maxBasePerUnit) + UInt128(bid.tipPerUnit)
        let variable = (UInt128(bid.units) * perUnit + UInt128(priceScale) - 1) / UInt128(max(priceScale, 1))
        return Self.amount(variable + UInt128(bid.fixedBurned) + UInt128(bid.fixedToProducer))
    }

    /// Cost of one lock at each priority, as an adapter reports it.
    public func estimate(takenAtMillis: UInt64) -> FeeEstimate {
        let costs = FeePriority.allCases.map { charge(for: bid(for: .lock, priority: $0))?.total ?? .max }
        return FeeEstimate(low: costs[0], median: costs[1], high: costs[2], detail: detail, takenAtMillis: takenAtMillis)
    }

    static func perUnitCost(units: UInt64, price: UInt64, scale: UInt64) -> UInt128 {
        let s = UInt128(max(scale, 1))
        return (UInt128(units) * UInt128(price) + s - 1) / s  // fees round up, against the payer
    }

    static func amount(_ v: UInt128) -> Amount {
        Amount(words: (UInt64(truncatingIfNeeded: v), UInt64(truncatingIfNeeded: v >> 64), 0, 0))
    }

    static func scaled(_ value: UInt64, percent: UInt64) -> UInt64 {
        UInt64(clamping: UInt128(value) * UInt128(percent) / 100)
    }

    /// Moves `value` one eighth of the way back to `baseline` (how spikes relax).
    static func relax(_ value: UInt64, toward baseline: UInt64) -> UInt64 {
        if value > baseline { return value - max(1, (value - baseline) / 8) }
        if value < baseline { return value + max(1, (baseline - value) / 8) }
        return value
    }
}

/// Formats a price in `unit` with up to `decimals` fractional digits ("1.5 gwei").
func formatPrice(_ value: UInt64, decimals: Int, unit: String) -> String {
    "\(Amount(value).formatted(decimals: decimals)) \(unit)"
}
