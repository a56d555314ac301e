import DequeModule
import FerryChains
public import FerryCore

/// One asset pair a relayer attests: what is locked on which chain, and what is paid for it on which chain.
public struct AssetPairKey: Sendable, Hashable {
    public let sourceChain: ChainID
    public let sourceAsset: Bytes32
    public let destChain: ChainID
    public let destAsset: Bytes32

    public init(sourceChain: ChainID, sourceAsset: Bytes32, destChain: ChainID, destAsset: Bytes32) {
        self.sourceChain = sourceChain
        self.sourceAsset = sourceAsset
        self.destChain = destChain
        self.destAsset = destAsset
    }
}

extension RelayerNode {
    // MARK: What this node attests (docs/architecture.md, "Gateway rules")

    /// Whether this node may attest a release of `transfer`: its source and destination assets are both listed
    /// in this node's registry (the adapters' ``ChainInfo/assets``) under the same symbol, or the pair is one of
    /// ``RelayerNodeConfiguration/extraAssetPairs``. A self-minted token, or a lock that names another asset on
    /// the destination than the one the registry pairs with it, is never attested; it times out and is refunded.
    /// Logs and counts a refusal (once per signing attempt); ``pairListed(_:)`` is the same check, silent.
    func attestable(_ transfer: Transfer) -> Bool {
        if pairListed(transfer) { return true }
        logger.error("not attesting a lock of an asset pair the registry does not list", metadata: [
            "message_id": "\(transfer.messageId.hex)", "source_asset": "\(transfer.sourceChain):\(transfer.sourceAsset.hex)",
            "dest_asset": "\(transfer.destChain):\(transfer.destAsset.hex)",
        ])
        stats.update { $0.unlistedPairs += 1 }
        return false
    }

    /// Whether the registry lists `transfer`'s asset pair (see ``attestable(_:)``).
    func pairListed(_ transfer: Transfer) -> Bool {
        let key = AssetPairKey(sourceChain: transfer.sourceChain, sourceAsset: transfer.sourceAsset,
                               destChain: transfer.destChain, destAsset: transfer.destAsset)
        if configuration.extraAssetPairs.contains(key) { return true }
        let source = configuration.adapters[transfer.sourceChain]?.info.assets.first { $0.gatewayID == transfer.sourceAsset }
        let dest = configuration.adapters[transfer.destChain]?.info.assets.first { $0.gatewayID == transfer.destAsset }
        guard let source, let dest else { return false }
        return source.symbol == dest.symbol
    }

    /// Whether `head`'s time is plausible: no further ahead of this node's clock than the stated drift.
    func headTimeTrusted(_ head: BlockRef, on chain: ChainID) -> Bool {
        let limit = now.addingReportingOverflow(configuration.maxClockDriftMillis)
        guard limit.overflow || head.timestampMillis <= limit.partialValue else {
            let before = stats.snapshot.untrustedHeads
            stats.update { $0.untrustedHeads += 1 }
            guard before % 100 == 0 else { return false }  // one line per hundred such heads, not one per block
            logger.warning("head of \(chain) claims a time ahead of this node's clock; not deciding cancels on it", metadata: [
                "height": "\(head.height)", "head_time_ms": "\(head.timestampMillis)", "clock_ms": "\(now)",
                "max_drift_ms": "\(configuration.maxClockDriftMillis)", "untrusted_heads": "\(before + 1)",
            ])
            return false
        }
        return true
    }

    /// Signs `Cancel` for transfers to `chain` whose deadline the chain's finalized time has passed, but only
    /// those the destination gateway itself shows neither released nor cancelled (its latest state, which
    /// contains the finalized one: a release after the finalized block is impossible, since every later block
    /// is later than the deadline). Transfers the chain could not be asked about are retried on the next head.
    func signCancels(_ transfers: [Transfer], on chain: ChainID, _ context: Context) async throws {
        guard !transfers.isEmpty, let adapter = configuration.adapters[chain] else { return }
        var safe: [Transfer] = []
        var later: [Transfer] = []
        for transfer in transfers {
            do {
                switch try await adapter.gatewayState(of: transfer.messageId) {
                case .none: safe.append(transfer)
                case .cancelled: break  // someone cancelled already; the event settles it
                case .released, .locked, .refunded: later.append(transfer)  // released (maybe not final yet): never cancel
                }
            } catch {
                later.append(transfer)
            }
        }
        if !later.isEmpty {
            book.state.withLock { s in
                for transfer in later {
                    s.deadlines[chain, default: .init()].insert(.init(deadline: transfer.deadline, id: transfer.messageId))
                }
            }
        }
        try await attest(safe, kind: .cancel, context)
    }

    /// Signs `Refund` for a transfer whose cancel on the destination is final, in the source gateway's domain.
    /// - Returns: false while the destination shows no cancel, or one not yet final.
    func signRefundIfFinal(_ entry: OpenTransfer, _ context: Context) async throws -> Bool {
        let transfer = entry.transfer
        guard let dest = configuration.adapters[transfer.destChain] else { return false }
        guard case let .cancelled(height) = try await dest.gatewayState(of: transfer.messageId) else { return false }
        guard height <= (try await dest.finalizedHeight()) else { return false }
        try await attest([transfer], kind: .refund, context)
        return true
    }
}

extension TransferBook.State {
    /// Records `head` (when trusted) and returns, in unix seconds, the time of the newest trusted head at or below
    /// the finalized height `head.height - depth`: a lower bound of the finalized block's time. Nil before any.
    mutating func finalizedSeconds(_ chain: ChainID, head: BlockRef, depth: UInt64, trusted: Bool) -> UInt64? {
        var heads = headTimes[chain] ?? []
        if trusted {
            while let last = heads.last, last.height >= head.height { heads.removeLast() }
            heads.append(head)
        }
        guard head.height >= depth else {
            headTimes[chain] = heads
            return nil
        }
        let finalHeight = head.height - depth
        // Keep the newest head at or below the finalized height and everything above it (bounded).
        while heads.count >= 2, heads[1].height <= finalHeight { heads.removeFirst() }
        while heads.count > 4_096 { heads.removeFirst() }
        headTimes[chain] = heads
        guard let final = heads.first, final.height <= finalHeight else { return nil }
        return final.timestampMillis / 1_000
    }

    /// Drops the heads a reorg from `height` replaced.
    mutating func forgetHeadTimes(_ chain: ChainID, from height: UInt64) {
        while let last = headTimes[chain]?.last, last.height >= height { headTimes[chain]?.removeLast() }
    }
}
