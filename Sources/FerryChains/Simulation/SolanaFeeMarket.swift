/// The Solana-like fee market: a fixed fee per signature (half burned, half to the leader) plus a priority
/// fee in micro-lamports per compute unit (to the leader).
public struct SolanaFeeMarket: FeeMarket, Hashable {
    /// Lamports per signature (5,000 on Solana).
    public let lamportsPerSignature: UInt64
    /// Signatures on a gateway call (the fee payer's).
    public let signaturesPerCall: UInt64
    /// Compute-unit limit requested per gateway call kind.
    public let computeUnitsPerCall: [GatewayCallKind: UInt64]
    /// Compute units per block (48M on Solana).
    public let blockCapacity: UInt64
    /// Typical priority price when calm, micro-lamports per CU.
    public let baselineTip: UInt64
    public private(set) var marketTip: UInt64
    public var congestionPercent: UInt64 = 0

    public init(lamportsPerSignature: UInt64 = 5_000, signaturesPerCall: UInt64 = 1,
                computeUnitsPerCall: [GatewayCallKind: UInt64] = [.lock: 200_000, .release: 300_000, .cancel: 150_000, .refund: 200_000],
                blockCapacity: UInt64 = 48_000_000, baselineTip: UInt64 = 10_000) {
        self.lamportsPerSignature = lamportsPerSignature
        self.signaturesPerCall = max(1, signaturesPerCall)
        self.computeUnitsPerCall = computeUnitsPerCall
        self.blockCapacity = blockCapacity
        self.baselineTip = baselineTip
        self.marketTip = baselineTip
    }

    public var priceScale: UInt64 { 1_000_000 }
    public var basePerUnit: UInt64 { 0 }
    public var organicLoadPercent: UInt64 { 40 }

    public func units(for kind: GatewayCallKind) -> UInt64 { computeUnitsPerCall[kind] ?? 200_000 }

    public func bid(for kind: GatewayCallKind, priority: FeePriority) -> FeeBid {
        let signatureFee = lamportsPerSignature * signaturesPerCall
        let burned = signatureFee / 2
        return FeeBid(units: units(for: kind), maxBasePerUnit: 0, tipPerUnit: standardTip(priority),
                      fixedBurned: burned, fixedToProducer: signatureFee - burned)
    }

    public mutating func endBlock(usedUnits: UInt64) { marketTip = Self.relax(marketTip, toward: baselineTip) }

    public mutating func spike(factor: UInt64) { marketTip = UInt64(clamping: UInt128(marketTip) * UInt128(max(1, factor))) }

    public var detail: String {
        "\(lamportsPerSignature) lamports/signature + \(standardTip(.median)) micro-lamports/CU priority"
    }
}
