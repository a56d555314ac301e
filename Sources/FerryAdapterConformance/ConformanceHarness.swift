public import FerryChains
public import FerryCore
public import FerryCrypto

/// What the conformance kit needs from an integrator besides the adapter: how to fund accounts, move the
/// chain forward, and sign as the gateway's relayers.
///
/// Implement it over a local dev node or a simulator of your chain; see `docs/adapters.md`.
public protocol ConformanceHarness: Sendable {
    /// The adapter under test.
    var adapter: any ChainAdapter { get }
    /// The lane the kit locks on and releases from.
    var lane: ConformanceLane { get }
    /// A fresh account holding at least `amount` of `asset` plus enough native asset for a dozen gateway calls.
    func makeFundedSigner(asset: String, amount: Amount) async throws -> any TransactionSigner
    /// Signers for at least `threshold` members of the gateway's relayer set (to make attestations).
    func relayerSigners() async throws -> [any TransactionSigner]
    /// Moves the chain forward by `blocks` blocks.
    func advance(blocks: UInt64) async throws
    /// Moves chain time forward by at least `seconds`.
    func advance(seconds: UInt64) async throws
    /// Replaces the last `depth` blocks, dropping their transactions. Return false when the chain cannot be
    /// reorganised on demand (the reorg check is then skipped, not failed).
    func reorg(depth: UInt64) async throws -> Bool
}

/// The lane the kit exercises: an asset of the adapter's chain and the remote side it pairs with.
/// The gateway must be able to release ``amount`` of ``asset`` on this lane (pool liquidity or burn/mint).
public struct ConformanceLane: Sendable, Hashable {
    /// Local asset symbol.
    public var asset: String
    /// The remote chain of the lane.
    public var remoteChain: ChainID
    /// The remote chain's gateway (its EIP-712 domain is where the remote side's attestations live).
    public var remoteGateway: EthereumAddress
    /// The remote side's asset id (``Transfer/destAsset`` of locks).
    public var remoteAsset: Bytes32
    /// Decimals of the asset on the remote chain.
    public var remoteDecimals: Int
    /// Amount per transfer in the kit, in destination smallest units.
    public var amount: Amount
    /// Relay fee per lock, in source smallest units.
    public var fee: Amount

    public init(asset: String, remoteChain: ChainID, remoteGateway: EthereumAddress, remoteAsset: Bytes32,
                remoteDecimals: Int, amount: Amount, fee: Amount = Amount(1)) {
        self.asset = asset
        self.remoteChain = remoteChain
        self.remoteGateway = remoteGateway
        self.remoteAsset = remoteAsset
        self.remoteDecimals = remoteDecimals
        self.amount = amount
        self.fee = fee
    }

    /// The remote chain's EIP-712 domain.
    public var remoteDomain: EIP712Domain { .ferry(chainId: remoteChain.rawValue, gateway: remoteGateway) }
}
