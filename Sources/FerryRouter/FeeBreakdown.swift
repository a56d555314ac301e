public import FerryCore

/// What one hop charges, in the hop's input asset unless stated otherwise.
public struct FeeBreakdown: Sendable, Hashable, Codable {
    /// Bridge fee: flat + proportional (rounded up).
    public let bridgeFee: Amount
    /// Destination gas in the destination chain's native smallest units.
    public let gasNative: Amount
    /// Destination gas converted into the input asset (rounded up).
    public let gasFee: Amount
    /// AMM pool fee.
    public let swapFee: Amount
    /// AMM price impact: what the swap costs beyond the spot price, before the pool fee.
    public let priceImpact: Amount

    /// Creates a breakdown.
    public init(bridgeFee: Amount, gasNative: Amount, gasFee: Amount, swapFee: Amount, priceImpact: Amount) {
        self.bridgeFee = bridgeFee
        self.gasNative = gasNative
        self.gasFee = gasFee
        self.swapFee = swapFee
        self.priceImpact = priceImpact
    }
}
