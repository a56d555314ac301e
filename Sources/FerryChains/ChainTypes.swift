public import FerryCore
public import FerryCrypto

/// The ledger families Ferry simulates and routes across.
public enum ChainFamily: String, Sendable, Hashable, Codable, CaseIterable {
    /// EVM L1: EIP-1559 base fee, ~12 s blocks, deep finality.
    case evm
    /// Rollup: cheap execution plus an L1 data fee, fast blocks, delayed finality.
    case rollup
    /// Solana-like: fee per signature plus priority fee per compute unit, 400 ms slots.
    case solana
    /// Bitcoin-like: fee rate per vbyte from a mempool market, slow blocks, deep finality.
    case bitcoin
}

/// An asset a chain holds, as the registry declares it.
public struct AssetInfo: Sendable, Hashable {
    /// Registry symbol, unique per chain ("USDC").
    public let symbol: String
    /// Decimal places of one whole unit (6 for USDC, 18 for ETH).
    public let decimals: Int
    /// The id the gateway uses for it in ``Transfer/sourceAsset`` / ``Transfer/destAsset``
    /// (an ERC-20 address left-padded; zero for the native asset).
    public let gatewayID: Bytes32

    public init(symbol: String, decimals: Int, gatewayID: Bytes32) {
        self.symbol = symbol
        self.decimals = decimals
        self.gatewayID = gatewayID
    }
}

/// Static facts about a chain.
public struct ChainInfo: Sendable, Hashable {
    public let id: ChainID
    public let name: String
    public let family: ChainFamily
    /// The asset fees are paid in.
    public let nativeAsset: AssetInfo
    /// Every asset the gateway handles, native first.
    public let assets: [AssetInfo]
    /// Blocks on top of a block before it counts as final.
    public let finalityDepth: UInt64
    /// Target time between blocks, in milliseconds.
    public let blockTimeMillis: UInt64
    /// The gateway contract or program (the EIP-712 `verifyingContract` for attestations to this chain).
    public let gateway: EthereumAddress

    public init(id: ChainID, name: String, family: ChainFamily, nativeAsset: AssetInfo, assets: [AssetInfo],
                finalityDepth: UInt64, blockTimeMillis: UInt64, gateway: EthereumAddress) {
        self.id = id
        self.name = name
        self.family = family
        self.nativeAsset = nativeAsset
        self.assets = assets
        self.finalityDepth = finalityDepth
        self.blockTimeMillis = blockTimeMillis
        self.gateway = gateway
    }

    /// The asset with `symbol`, if the chain has it.
    public func asset(_ symbol: String) -> AssetInfo? { assets.first { $0.symbol == symbol } }

    /// The EIP-712 domain attestations for releases and cancels to this chain, and refunds of locks on it, are
    /// signed in.
    public var attestationDomain: EIP712Domain { .ferry(chainId: id.rawValue, gateway: gateway) }
}

/// A block by height and hash.
public struct BlockRef: Sendable, Hashable {
    public let height: UInt64
    public let hash: Bytes32
    /// Block time, unix milliseconds (virtual time on simulated chains).
    public let timestampMillis: UInt64

    public init(height: UInt64, hash: Bytes32, timestampMillis: UInt64) {
        self.height = height
        self.hash = hash
        self.timestampMillis = timestampMillis
    }
}

/// How urgently to get a transaction included.
public enum FeePriority: String, Sendable, Hashable, Codable, CaseIterable {
    case low, median, high
}

/// The cost of one gateway call now, in the chain's native smallest units.
public struct FeeEstimate: Sendable, Hashable {
    /// Cost at each priority; `low <= median <= high`, all positive.
    public let low: Amount
    public let median: Amount
    public let high: Amount
    /// The family's own fee parameters, for people ("base 31 gwei + tip 2 gwei", "12 sat/vB").
    public let detail: String
    /// When the estimate was taken (unix milliseconds, chain time).
    public let takenAtMillis: UInt64

    public init(low: Amount, median: Amount, high: Amount, detail: String, takenAtMillis: UInt64) {
        self.low = low
        self.median = median
        self.high = high
        self.detail = detail
        self.takenAtMillis = takenAtMillis
    }

    /// The cost at `priority`.
    public func cost(_ priority: FeePriority) -> Amount {
        switch priority { case .low: low; case .median: median; case .high: high }
    }
}

/// One call into a Ferry gateway.
public enum GatewayCall: Sendable, Hashable {
    /// Source chain: take `transfer.amount + transfer.fee` (converted by the gateway's lane) from the signer
    /// and emit `Locked(messageId, transfer)`. The gateway assigns the nonce; the one in `transfer` is ignored.
    /// `onward` holds the rest of a multi-hop route (see ``TransferRoute``); the gateway keeps it for the relayers
    /// (``ChainAdapter/onwardHops(of:)``).
    case lock(Transfer, onward: [Transfer] = [])
    /// Destination chain: pay `transfer.amount` to the receiver, given k-of-n `Release` attestations. For a hop
    /// that forwards, `onward` is the rest of the route: the gateway locks `onward[0]` from the payer's account
    /// in the same transaction instead of paying out, and emits `Released` and `Locked`.
    case release(Transfer, signatures: [Signature], onward: [Transfer] = [])
    /// Destination chain, after the deadline: mark the id cancelled so it can never be released, given k-of-n `Cancel` attestations.
    case cancel(Transfer, signatures: [Signature])
    /// Source chain: refund the sender what the lock took, given k-of-n `Refund` attestations (signed in the source
    /// gateway's own domain, once the destination's cancel is final).
    case refund(Transfer, signatures: [Signature])
    /// Destination chain, gateways with checkpoints (``ChainAdapter/supportsCheckpoints``): record `checkpoint.root`,
    /// given k-of-n `Checkpoint` attestations in the gateway's domain. Refused for a zero root, a root already
    /// committed, and a nonce range that does not continue the source's last one (docs/architecture.md, "Checkpoints").
    case commit(FerryCheckpoint, signatures: [Signature])
    /// Destination chain, gateways with checkpoints: release `transfers` of the committed checkpoint `root`, each with
    /// its Merkle proof (``MerkleTree``), under the rules of a release; all or nothing. Forwarding hops are released
    /// one by one with ``release(_:signatures:onward:)``.
    case releaseBatch(root: Bytes32, transfers: [Transfer], proofs: [[Bytes32]])
}

/// A transaction id (hash) on its chain.
public struct TxID: Sendable, Hashable, CustomStringConvertible {
    public let hash: Bytes32
    public init(_ hash: Bytes32) { self.hash = hash }
    public var description: String { hash.hex }
}

/// Where a submitted transaction stands.
public enum TxStatus: Sendable, Hashable {
    /// In the mempool, not yet in a block.
    case pending
    /// In block `height`; `succeeded == false` means it was included but reverted with `reason`.
    case included(height: UInt64, succeeded: Bool, reason: String?)
    /// Gone from the mempool without inclusion (dropped, replaced, or reorged out and not re-included).
    case dropped
}

/// The gateway's record of one message id, on this chain.
public enum GatewayRecord: Sendable, Hashable {
    /// Nothing recorded.
    case none
    /// Source side: locked at `height`.
    case locked(Transfer, height: UInt64)
    /// Source side: refunded after a cancel.
    case refunded(height: UInt64)
    /// Destination side: released (consumed) at `height`.
    case released(height: UInt64)
    /// Destination side: cancelled at `height`; can never be released.
    case cancelled(height: UInt64)
}

/// Something the gateway did, as an event stream reports it.
public enum GatewayEvent: Sendable, Hashable {
    case locked(messageId: Bytes32, transfer: Transfer, block: BlockRef, tx: TxID)
    case released(messageId: Bytes32, block: BlockRef, tx: TxID)
    case cancelled(messageId: Bytes32, block: BlockRef, tx: TxID)
    case refunded(messageId: Bytes32, block: BlockRef, tx: TxID)
    /// Blocks from `fromHeight` were replaced: forget what was delivered at or above it; new events follow.
    case reorg(fromHeight: UInt64)
    /// The chain advanced to `block` (lets consumers track finality without events).
    case head(BlockRef)
}

/// The relayers a gateway trusts and how many must agree.
public struct RelayerSet: Sendable, Hashable {
    public let members: [EthereumAddress]
    /// Signatures needed, `1 <= threshold <= members.count`.
    public let threshold: Int

    public init(members: [EthereumAddress], threshold: Int) {
        self.members = members
        self.threshold = threshold
    }
}
