public import FerryCore

/// Prices assets in a policy's reference unit: one smallest unit of an asset is worth
/// `numerator / denominator` smallest reference units. Integer ratios only; money is never a `Double`.
public protocol PriceFeed: Sendable {
    /// The rate for `asset`, or nil when the feed has no price (the policy then refuses: it fails closed).
    func rate(of asset: AssetID) -> ExchangeRate?
}

/// A fixed table of prices (tests, the demo, or a snapshot of a live feed).
public struct PriceTable: PriceFeed, Hashable {
    /// Rates by asset.
    public var rates: [AssetID: ExchangeRate]

    /// A table with the given rates.
    public init(rates: [AssetID: ExchangeRate] = [:]) { self.rates = rates }

    public func rate(of asset: AssetID) -> ExchangeRate? { rates[asset] }

    /// Sets the price of one whole unit of `asset` (with `decimals` places) to `price` reference smallest units.
    ///
    /// USDC (6 decimals) at 1.00 USD (2 decimals) is `setPrice(usdc, decimals: 6, price: 100)`.
    /// - Throws: ``AmountError`` when `10^decimals` overflows.
    public mutating func setPrice(_ asset: AssetID, decimals: Int, price: Amount) throws(AmountError) {
        var scale = Amount(1)
        for _ in 0..<max(0, decimals) { scale = try scale * Amount(10) }
        rates[asset] = try ExchangeRate(numerator: price, denominator: scale)
    }
}
