/// The Bitcoin-like fee market: a fee rate in sat/vB, all of it to the miner; blocks take the
/// highest-paying transactions first up to the block's vbyte limit.
public struct BitcoinFeeMarket: FeeMarket, Hashable {
    /// Virtual bytes per gateway call kind (the anchor transaction carrying the call).
    public let vbytesPerCall: [GatewayCallKind: UInt64]
    /// Block space in vbytes (1,000,000 on Bitcoin).
    public let blockCapacity: UInt64
    /// Fee rate the market clears at when calm, sat/vB.
    public let baselineRate: UInt64
    public private(set) var marketTip: UInt64
    public var congestionPercent: UInt64 = 0
    /// The lowest fee rate nodes relay, sat/vB.
    public let minimumRelayRate: UInt64

    public init(vbytesPerCall: [GatewayCallKind: UInt64] = [.lock: 250, .release: 400, .cancel: 300, .refund: 300],
                blockCapacity: UInt64 = 1_000_000, baselineRate: UInt64 = 12, minimumRelayRate: UInt64 = 1) {
        self.vbytesPerCall = vbytesPerCall
        self.blockCapacity = blockCapacity
        self.baselineRate = max(1, baselineRate)
        self.marketTip = max(1, baselineRate)
        self.minimumRelayRate = max(1, minimumRelayRate)
    }

    public var priceScale: UInt64 { 1 }
    public var basePerUnit: UInt64 { 0 }
    /// Bitcoin blocks are usually nearly full.
    public var organicLoadPercent: UInt64 { 90 }

    public func units(for kind: GatewayCallKind) -> UInt64 { vbytesPerCall[kind] ?? 300 }

    public func bid(for kind: GatewayCallKind, priority: FeePriority) -> FeeBid {
        FeeBid(units: units(for: kind), maxBasePerUnit: 0, tipPerUnit: max(minimumRelayRate, standardTip(priority)))
    }

    public mutating func endBlock(usedUnits: UInt64) { marketTip = Self.relax(marketTip, toward: baselineRate) }

    public mutating func spike(factor: UInt64) { marketTip = UInt64(clamping: UInt128(marketTip) * UInt128(max(1, factor))) }

    public var detail: String { "\(standardTip(.median)) sat/vB" }
}
