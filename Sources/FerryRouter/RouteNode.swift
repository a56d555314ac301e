public import FerryCore

/// A place value can sit: one asset on one chain. Ids are `"chain:ASSET"` ("base:USDC").
public struct RouteNode: Sendable, Hashable, Codable {
    /// Unique id, `"chain:ASSET"` by convention.
    public let id: String
    /// The chain name (the part of `id` before the first `:`, or the whole id).
    public let chain: String

    /// A node from its id; the chain is the prefix before the first `:`.
    public init(id: String) {
        self.id = id
        if let colon = id.firstIndex(of: ":") { chain = String(id[..<colon]) } else { chain = id }
    }

    /// A node with an explicit chain name.
    public init(id: String, chain: String) {
        self.id = id
        self.chain = chain
    }

    /// A node for a registry asset: id `"<chainID>:<symbol>"`.
    public init(asset: AssetID) {
        self.init(id: "\(asset.chain.rawValue):\(asset.symbol)", chain: "\(asset.chain.rawValue)")
    }
}
