/// A rollup's fee market: a cheap EIP-1559 execution fee on L2 plus an L1 data fee for posting the
/// transaction's bytes to L1 (burned from the rollup's point of view: it leaves for L1).
public struct RollupFeeMarket: FeeMarket, Hashable {
    /// The L2 execution market (low base fee, small tips).
    public private(set) var execution: EIP1559FeeMarket
    /// L1 base fee per gas the sequencer pays to post data, in wei.
    public private(set) var l1BaseFeePerGas: UInt64
    /// What L1 fee the market relaxes back to after a spike.
    public let baselineL1BaseFee: UInt64
    /// Compressed bytes posted to L1 per gateway call.
    public let l1BytesPerCall: UInt64
    /// L1 gas per posted byte (16 for non-zero calldata bytes).
    public let l1GasPerByte: UInt64

    public init(execution: EIP1559FeeMarket = EIP1559FeeMarket(baseFeePerGas: 10_000_000, gasTarget: 5_000_000, baselineTip: 1_000_000),
                l1BaseFeePerGas: UInt64 = 20_000_000_000, l1BytesPerCall: UInt64 = 200, l1GasPerByte: UInt64 = 16) {
        self.execution = execution
        self.l1BaseFeePerGas = l1BaseFeePerGas
        self.baselineL1BaseFee = l1BaseFeePerGas
        self.l1BytesPerCall = l1BytesPerCall
        self.l1GasPerByte = l1GasPerByte
    }

    public var blockCapacity: UInt64 { execution.blockCapacity }
    public var priceScale: UInt64 { 1 }
    public var basePerUnit: UInt64 { execution.basePerUnit }
    public var organicLoadPercent: UInt64 { execution.organicLoadPercent }
    public var marketTip: UInt64 { execution.marketTip }
    public var congestionPercent: UInt64 {
        get { execution.congestionPercent }
        set { execution.congestionPercent = newValue }
    }

    /// The L1 data fee of one call now, in wei.
    public var l1DataFee: UInt64 { UInt64(clamping: UInt128(l1BytesPerCall) * UInt128(l1GasPerByte) * UInt128(l1BaseFeePerGas)) }

    public func units(for kind: GatewayCallKind) -> UInt64 { execution.units(for: kind) }

    public func bid(for kind: GatewayCallKind, priority: FeePriority) -> FeeBid {
        var bid = execution.bid(for: kind, priority: priority)
        bid.fixedBurned = l1DataFee
        return bid
    }

    public mutating func endBlock(usedUnits: UInt64) {
        execution.endBlock(usedUnits: usedUnits)
        l1BaseFeePerGas = Self.relax(l1BaseFeePerGas, toward: baselineL1BaseFee)
    }

    public mutating func spike(factor: UInt64) {
        execution.spike(factor: factor)
        l1BaseFeePerGas = UInt64(clamping: UInt128(l1BaseFeePerGas) * UInt128(max(1, factor)))
    }

    public var detail: String {
        "L2 \(execution.detail) + L1 data fee \(formatPrice(l1DataFee, decimals: 9, unit: "gwei")) per call"
    }
}
