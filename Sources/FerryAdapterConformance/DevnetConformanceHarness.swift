public import FerryChains
public import FerryCore
import FerryCrypto
import Synchronization

/// A ``ConformanceHarness`` for a chain served by `ferry devnet`, driven through its admin API: the faucet funds
/// accounts, the devnet clock is moved forward instead of waiting, and a reorg fault replaces blocks.
///
/// The devnet runs on wall-clock time, so blocks also come by themselves; ``advance(blocks:)`` moves the clock and
/// then checks that the head really got there (bounded by `waitLimit`), rather than assuming it.
public final class DevnetConformanceHarness: ConformanceHarness {
    /// The adapter under test (``remote``).
    public let adapter: any ChainAdapter
    /// The remote adapter under test.
    public let remote: RemoteChainAdapter
    /// The devnet's admin client (faucet, clock, faults).
    public let admin: DevnetAdminClient
    /// The lane the kit exercises.
    public let lane: ConformanceLane
    private let relayers: [any TransactionSigner]
    private let seed: UInt64
    private let waitLimit: Duration
    private let accounts = Mutex<UInt64>(0)

    /// - Parameters:
    ///   - remote: the adapter under test.
    ///   - admin: the same devnet's admin client.
    ///   - relayers: signers for the chain's relayer set (devnet chains use `PrivateKeySigner(seed: 1, index: 0...2)`).
    ///   - seed: makes this harness's accounts differ from another's on the same devnet.
    ///   - waitLimit: how long to wait for the devnet to reach a height before failing.
    public init(remote: RemoteChainAdapter, admin: DevnetAdminClient, lane: ConformanceLane, relayers: [any TransactionSigner],
                seed: UInt64, waitLimit: Duration = .seconds(20)) {
        self.remote = remote
        self.adapter = remote
        self.admin = admin
        self.lane = lane
        self.relayers = relayers
        self.seed = seed
        self.waitLimit = waitLimit
    }

    public func makeFundedSigner(asset: String, amount: Amount) async throws -> any TransactionSigner {
        let index = accounts.withLock { n in
            n += 1
            return n
        }
        let signer = try PrivateKeySigner(seed: seed ^ 0xDE7_0000, index: index)
        let account = Address(signer.address.bytes32)
        let native = remote.info.nativeAsset
        var whole = Amount(1)
        for _ in 0..<native.decimals { whole = try whole * Amount(10) }
        try await admin.fund(account, asset: native.symbol, amount: try whole * Amount(100), on: remote.info.id)
        if !amount.isZero { try await admin.fund(account, asset: asset, amount: amount, on: remote.info.id) }
        return signer
    }

    public func relayerSigners() async throws -> [any TransactionSigner] { relayers }

    public func advance(blocks: UInt64) async throws {
        let target = try await remote.head().height + blocks
        try await admin.advanceTime(milliseconds: blocks * max(1, remote.info.blockTimeMillis))
        try await waitForHeight(target)
    }

    public func advance(seconds: UInt64) async throws {
        let before = try await remote.head()
        try await admin.advanceTime(milliseconds: seconds * 1000)
        // The clock moved; the chain shows it once a block carries the new time.
        let blocks = (seconds * 1000 + remote.info.blockTimeMillis - 1) / max(1, remote.info.blockTimeMillis)
        try await waitForHeight(before.height + max(1, blocks))
    }

    public func reorg(depth: UInt64) async throws -> Bool {
        try await admin.apply(.reorg(depth: depth, dropTransactions: true), on: remote.info.id)
        return true
    }

    /// Returns once the chain's head is at `height` or above: reads the head, and otherwise follows the event
    /// stream (the devnet's long-poll) until a `.head` reaches it, for at most `waitLimit`.
    public func waitForHeight(_ height: UInt64) async throws {
        if try await remote.head().height >= height { return }
        let stream = remote.events(from: height)
        let limit = waitLimit
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await event in stream {
                    if case let .head(block) = event, block.height >= height { return true }
                }
                return false
            }
            group.addTask {
                // A bound on a devnet that stopped producing blocks, not a wait for something to happen.
                try await ContinuousClock().sleep(for: limit)
                return false
            }
            defer { group.cancelAll() }
            guard try await group.next() == true else {
                throw DevnetHarnessError(description: "\(remote.info.id) did not reach height \(height) within \(limit)")
            }
        }
    }
}

/// The devnet did not get where the harness needed it in time.
public struct DevnetHarnessError: Error, CustomStringConvertible {
    /// What did not happen in time.
    public let description: String
}
