public import FerryChains
public import FerryCore
import FerryCrypto
import Synchronization

/// A ``ConformanceHarness`` over a ``SimulatedLedger`` on a ``VirtualClock``: how Ferry runs the kit on its
/// own simulated families, and a worked example for integrators.
public final class SimulatedConformanceHarness: ConformanceHarness {
    public let adapter: any ChainAdapter
    public let ledger: SimulatedLedger
    public let clock: VirtualClock
    public let lane: ConformanceLane
    private let relayers: [any TransactionSigner]
    private let seed: UInt64
    private let accounts = Mutex<UInt64>(0)

    /// - Parameters:
    ///   - adapter: the adapter under test (defaults to a ``SimulatedChainAdapter`` over `ledger`).
    ///   - relayers: signers for the ledger's relayer set.
    public init(ledger: SimulatedLedger, clock: VirtualClock, lane: ConformanceLane, relayers: [any TransactionSigner],
                adapter: (any ChainAdapter)? = nil, seed: UInt64 = 1) {
        self.ledger = ledger
        self.clock = clock
        self.lane = lane
        self.relayers = relayers
        self.adapter = adapter ?? SimulatedChainAdapter(ledger: ledger)
        self.seed = seed
    }

    public func makeFundedSigner(asset: String, amount: Amount) async throws -> any TransactionSigner {
        let index = accounts.withLock { n in
            n += 1
            return n
        }
        let signer = try PrivateKeySigner(seed: seed ^ 0xACC0_0000, index: index)
        let account = Address(signer.address.bytes32)
        let native = ledger.config.info.nativeAsset
        var whole = Amount(1)
        for _ in 0..<native.decimals { whole = try whole * Amount(10) }
        try await ledger.fund(account, asset: native.symbol, amount: try whole * Amount(100))
        if !amount.isZero { try await ledger.fund(account, asset: asset, amount: amount) }
        return signer
    }

    public func relayerSigners() async throws -> [any TransactionSigner] { relayers }

    public func advance(blocks: UInt64) async throws {
        clock.advance(by: .milliseconds(Int64(clamping: blocks * ledger.config.info.blockTimeMillis)))
        _ = await ledger.pendingCount  // produce the blocks now
    }

    public func advance(seconds: UInt64) async throws {
        clock.advance(by: .seconds(Int64(clamping: seconds)))
        _ = await ledger.pendingCount
    }

    public func reorg(depth: UInt64) async throws -> Bool {
        try await ledger.reorg(depth: depth, dropTransactions: true)
        return true
    }
}
