public import FerryCore
public import FerryCrypto

/// The one protocol an integrator implements to add a chain to Ferry.
///
/// An adapter reads a ledger and drives its Ferry gateway. It holds no keys: calls that change state take a
/// ``TransactionSigner``. Every method is safe to call concurrently. Failures are ``ChainError``s.
/// Run `FerryAdapterConformance` against an implementation to check it behaves as Ferry expects.
public protocol ChainAdapter: Sendable {
    /// Static facts: id, family, native asset, finality depth, block time.
    var info: ChainInfo { get }

    /// The newest block the adapter knows.
    func head() async throws(ChainError) -> BlockRef

    /// The highest block at least ``ChainInfo/finalityDepth`` deep: events at or below it will not be reorged.
    func finalizedHeight() async throws(ChainError) -> UInt64

    /// Balance of `account` in `asset` (a symbol from ``ChainInfo/assets``), in smallest units.
    func balance(of account: Address, asset: String) async throws(ChainError) -> Amount

    /// What one gateway call costs now, in native smallest units, at low / median / high priority.
    func feeEstimate() async throws(ChainError) -> FeeEstimate

    /// Signs and submits one gateway call; returns once the chain has accepted it into its mempool.
    /// Inclusion is observed through ``transaction(_:)`` and ``events(from:)``.
    ///
    /// Submitting a release, cancel or refund identical to one still pending from the same signer **replaces** it
    /// (same nonce, higher fee) and returns the replacement's id; the old id then reports ``TxStatus/dropped``.
    /// Callers use this, with a higher `priority`, to unstick a transaction priced below a rising market. Locks are
    /// never replaced: two identical locks are two payments.
    func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID

    /// Where a submitted transaction is now.
    func transaction(_ id: TxID) async throws(ChainError) -> TxStatus

    /// The gateway's own record of a message id: the source of truth for idempotent relaying.
    func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord

    /// Gateway events from `height` (inclusive) onward, in chain order, followed live.
    ///
    /// When blocks the stream already delivered are replaced, it yields ``GatewayEvent/reorg(fromHeight:)``
    /// and then the new chain's events from that height. After each batch of blocks it yields
    /// ``GatewayEvent/head(_:)`` (consumers and the conformance kit use it to know they are caught up).
    /// The stream ends only when the consumer stops.
    func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error>

    /// The relayer set and threshold the gateway verifies attestations against.
    func relayerSet() async throws(ChainError) -> RelayerSet

    /// The rest of a multi-hop route whose forwarding hop `messageId` was locked here (see ``TransferRoute``):
    /// what a relayer passes to the destination with the release. Empty for a transfer that does not forward.
    /// Gateways that do not support routes need not implement it; they must then refuse forwarding locks.
    func onwardHops(of messageId: Bytes32) async throws(ChainError) -> [Transfer]

    /// Whether this chain's gateway forwards multi-hop routes: keeps onward hops on a lock, and locks the next
    /// hop when it releases a forwarding one. Payers check it before routing through the chain.
    var forwardsRoutes: Bool { get }

    /// Whether this chain's gateway takes checkpoints: ``GatewayCall/commit(_:signatures:)`` and
    /// ``GatewayCall/releaseBatch(root:transfers:proofs:)`` (docs/architecture.md, "Checkpoints"). Relayers use the
    /// per-transfer `release` for lanes whose destination says no; every gateway keeps the per-transfer path.
    var supportsCheckpoints: Bool { get }
}

extension ChainAdapter {
    /// A gateway without multi-hop routes: no lock has onward hops.
    public func onwardHops(of messageId: Bytes32) async throws(ChainError) -> [Transfer] { [] }

    /// A gateway without multi-hop routes.
    public var forwardsRoutes: Bool { false }

    /// A gateway without checkpoints: per-transfer releases only.
    public var supportsCheckpoints: Bool { false }
}

/// A key that can authorise transactions on a chain. Ferry's keystore-backed wallet implements it;
/// adapters never see key bytes.
public protocol TransactionSigner: Sendable {
    /// The account the signatures belong to.
    var address: EthereumAddress { get }
    /// Signs a 32-byte digest (recoverable, low-s).
    func sign(digest: Bytes32) throws -> Signature
}
