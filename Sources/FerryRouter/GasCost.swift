public import FerryCore

/// Destination gas for one lane: `gasUnits x gasPrice` in the destination chain's native smallest units,
/// converted into the lane's input asset with ``nativeToAsset`` (rounded up, against the payer).
public struct GasCost: Sendable, Hashable {
    /// Gas units the destination release consumes.
    public let gasUnits: UInt64
    /// Native smallest units per gas unit (wei/gas), from the fee snapshot.
    public let gasPrice: Amount
    /// One native smallest unit = `numerator/denominator` smallest units of the lane's input asset.
    public let nativeToAsset: ExchangeRate

    /// Creates a gas cost.
    public init(gasUnits: UInt64, gasPrice: Amount, nativeToAsset: ExchangeRate) {
        self.gasUnits = gasUnits
        self.gasPrice = gasPrice
        self.nativeToAsset = nativeToAsset
    }

    /// Gas in native smallest units.
    /// - Throws: ``AmountError/overflow(operation:)``.
    public func nativeCost() throws(AmountError) -> Amount {
        try Amount(gasUnits) * gasPrice
    }

    /// Gas converted into the lane's input asset, rounded up.
    /// - Throws: ``AmountError/overflow(operation:)``.
    public func assetCost() throws(AmountError) -> Amount {
        try nativeToAsset.convert(nativeCost(), rounding: .up)
    }
}
