/// A chain's numeric identifier (the EIP-155 chain id on EVM chains; registry-assigned elsewhere).
public struct ChainID: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static func < (a: ChainID, b: ChainID) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "chain \(rawValue)" }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// An asset on a chain, named by its registry symbol ("USDC" on chain 8453).
public struct AssetID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The chain the asset lives on.
    public let chain: ChainID
    /// The registry symbol, unique per chain.
    public let symbol: String

    public init(chain: ChainID, symbol: String) {
        self.chain = chain
        self.symbol = symbol
    }

    public static func < (a: AssetID, b: AssetID) -> Bool {
        (a.chain, a.symbol) < (b.chain, b.symbol)
    }

    /// "USDC@8453".
    public var description: String { "\(symbol)@\(chain.rawValue)" }
}
