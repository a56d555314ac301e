public import FerryCore

/// The height a node has seen on one chain, as reported in ``NodeStatus``.
public struct ChainHead: Sendable, Hashable {
    /// The chain.
    public let chain: ChainID
    /// Its head height (block or slot number) as the node sees it.
    public let height: UInt64

    /// Creates a head report.
    public init(chain: ChainID, height: UInt64) {
        self.chain = chain
        self.height = height
    }
}
