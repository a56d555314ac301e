/// The EVM L1 fee market: an EIP-1559 base fee (burned) that follows gas used against the target,
/// plus a priority fee per gas paid to the block producer.
public struct EIP1559FeeMarket: FeeMarket, Hashable {
    /// `BASE_FEE_MAX_CHANGE_DENOMINATOR` of EIP-1559.
    public static let maxChangeDenominator: UInt64 = 8

    /// Base fee per gas now, in wei.
    public private(set) var baseFeePerGas: UInt64
    /// The calm base fee other users are used to paying: above it, their demand shrinks in proportion.
    public let baselineBaseFee: UInt64
    /// Gas target per block; the limit is `elasticity × target`.
    public let gasTarget: UInt64
    /// `ELASTICITY_MULTIPLIER`: 2 on Ethereum.
    public let elasticity: UInt64
    /// Typical priority fee per gas (wei) when calm.
    public let baselineTip: UInt64
    public private(set) var marketTip: UInt64
    public var congestionPercent: UInt64 = 0
    /// Gas per gateway call kind.
    public let gasPerCall: [GatewayCallKind: UInt64]

    /// An Ethereum-like market: base fee 20 gwei, 15M gas target, 1.5 gwei tips, ~120k gas per gateway call.
    public init(baseFeePerGas: UInt64 = 20_000_000_000, gasTarget: UInt64 = 15_000_000, elasticity: UInt64 = 2,
                baselineTip: UInt64 = 1_500_000_000,
                gasPerCall: [GatewayCallKind: UInt64] = [.lock: 120_000, .release: 150_000, .cancel: 90_000, .refund: 110_000]) {
        self.baseFeePerGas = baseFeePerGas
        self.baselineBaseFee = max(1, baseFeePerGas)
        self.gasTarget = max(1, gasTarget)
        self.elasticity = max(1, elasticity)
        self.baselineTip = baselineTip
        self.marketTip = baselineTip
        self.gasPerCall = gasPerCall
    }

    public var blockCapacity: UInt64 { gasTarget * elasticity }
    public var priceScale: UInt64 { 1 }
    public var basePerUnit: UInt64 { baseFeePerGas }
    /// Other users fill exactly the target when calm, so the base fee holds steady. Their demand is elastic: at a
    /// base fee above the calm one they send proportionally less, so sustained extra load (Ferry's own) settles at
    /// a higher but finite price instead of compounding 12.5% a block forever.
    public var organicLoadPercent: UInt64 {
        let calm = 100 / elasticity
        guard baseFeePerGas > baselineBaseFee else { return calm }
        return UInt64(clamping: UInt128(calm) * UInt128(baselineBaseFee) / UInt128(baseFeePerGas))
    }

    public func units(for kind: GatewayCallKind) -> UInt64 { gasPerCall[kind] ?? 150_000 }

    public func bid(for kind: GatewayCallKind, priority: FeePriority) -> FeeBid {
        // Wallets cap the base fee at twice the current one: room for six full blocks of increases.
        let doubled = baseFeePerGas.multipliedReportingOverflow(by: 2)
        return FeeBid(units: units(for: kind), maxBasePerUnit: doubled.overflow ? .max : doubled.partialValue,
                      tipPerUnit: standardTip(priority))
    }

    public mutating func endBlock(usedUnits: UInt64) {
        baseFeePerGas = Self.nextBaseFee(parentBaseFee: baseFeePerGas, parentGasUsed: usedUnits, parentGasTarget: gasTarget)
        marketTip = Self.relax(marketTip, toward: baselineTip)
    }

    public mutating func spike(factor: UInt64) {
        baseFeePerGas = UInt64(clamping: UInt128(baseFeePerGas) * UInt128(max(1, factor)))
        marketTip = UInt64(clamping: UInt128(marketTip) * UInt128(max(1, factor)))
    }

    public var detail: String {
        "base \(formatPrice(baseFeePerGas, decimals: 9, unit: "gwei")) + tip \(formatPrice(standardTip(.median), decimals: 9, unit: "gwei")) per gas"
    }

    /// The EIP-1559 base fee of the next block, integer arithmetic exactly as the EIP's reference code.
    public static func nextBaseFee(parentBaseFee: UInt64, parentGasUsed: UInt64, parentGasTarget: UInt64) -> UInt64 {
        let base = UInt128(parentBaseFee), target = UInt128(max(1, parentGasTarget)), used = UInt128(parentGasUsed)
        let denominator = UInt128(maxChangeDenominator)
        if used == target { return parentBaseFee }
        if used > target {
            let delta = max(base * (used - target) / target / denominator, 1)
            return UInt64(clamping: base + delta)
        }
        let delta = base * (target - used) / target / denominator
        return UInt64(base - delta)
    }
}
