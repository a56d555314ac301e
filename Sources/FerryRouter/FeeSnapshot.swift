public import FerryCore

/// Market conditions at one instant, from which lane fees and capacities are built.
///
/// The router never calls chain adapters: the caller takes a snapshot (gas prices, native-asset prices,
/// liquidity headroom) and builds a ``RouteGraph`` from it with ``RouteGraph/init(specs:nodes:snapshot:)``.
public struct FeeSnapshot: Sendable, Hashable, Codable {
    /// Identifier quoted back in every ``Quote``.
    public let id: String
    /// When it was taken, Unix milliseconds.
    public let takenAtMs: UInt64
    /// Gas price per chain name, in the chain's native smallest unit per gas unit.
    public var gasPrices: [String: Amount]
    /// Per chain name: one native smallest unit = `numerator/denominator` smallest units of the routing unit.
    public var nativeRates: [String: ExchangeRate]
    /// Per lane id: remaining capacity (pool liquidity or rate-limit headroom), overriding the spec's capacity.
    public var headroom: [String: Amount]

    /// Creates a snapshot.
    public init(id: String, takenAtMs: UInt64, gasPrices: [String: Amount] = [:], nativeRates: [String: ExchangeRate] = [:],
                headroom: [String: Amount] = [:]) {
        self.id = id
        self.takenAtMs = takenAtMs
        self.gasPrices = gasPrices
        self.nativeRates = nativeRates
        self.headroom = headroom
    }
}
