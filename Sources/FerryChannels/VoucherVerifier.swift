public import FerryChains
public import FerryCore
public import FerryCrypto

/// The provider's side of voucher channels: checks each voucher locally (one signature recovery, no chain
/// round trip) and keeps the best one per channel durably, so it can close the channel with it later.
///
/// A voucher is accepted when, in this order: its channel is known and open, belongs to this provider and
/// contract, is not within `closeMargin` seconds of its expiry; its cumulative amount is at most the deposit;
/// its signature recovers to the channel's agent; it is above the best voucher held (equal is a replay, lower
/// an older voucher); and, when the caller asks for a price, it adds exactly that price. Then it is written
/// to the ``ChannelStore`` (a compare-and-set that only raises the best) **before** ``accept(_:price:)``
/// returns: an acknowledged voucher survives a kill -9 of the provider.
///
/// Channel facts (deposit, status) come from the chain through ``track(_:)``; the verifier never trusts a
/// client's word about a deposit. The actor serializes checks; the in-memory best is claimed before the store
/// write suspends, so two concurrent vouchers of one channel cannot both pass the "above the best" check.
public actor VoucherVerifier {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Seconds before a channel's expiry from which vouchers are refused: the time the provider needs to
        /// get its close transaction mined (the contract refuses a close after the expiry).
        public var closeMargin: UInt64

        /// - Parameter closeMargin: seconds of headroom before expiry (default 300).
        public init(closeMargin: UInt64 = 300) {
            self.closeMargin = closeMargin
        }
    }

    /// The provider whose channels these are.
    public nonisolated let provider: EthereumAddress
    /// The channel contract they live in.
    public nonisolated let contract: ChannelContract
    private let store: ChannelStore
    private let configuration: Configuration
    private let clock: LedgerClock
    private var channels: [Bytes32: ChannelState] = [:]
    private var best: [Bytes32: SignedVoucher] = [:]

    /// A verifier for `provider`'s channels in `contract`, resuming from what `store` holds.
    /// - Parameters:
    ///   - clock: the time source for expiry checks (``LedgerClock/wall`` in production, virtual in tests).
    /// - Throws: ``VoucherError/store(operation:reason:)`` when the store cannot be read.
    public init(provider: EthereumAddress, contract: ChannelContract, store: ChannelStore,
                configuration: Configuration = .init(), clock: LedgerClock = .wall) async throws(VoucherError) {
        self.provider = provider
        self.contract = contract
        self.store = store
        self.configuration = configuration
        self.clock = clock
        for row in try await store.load(contract: contract) where row.state.provider == provider {
            channels[row.state.id] = row.state
            if let voucher = row.best { best[row.state.id] = voucher }
        }
    }

    /// Records a channel as read from the chain (after an open, a top-up, a claim, a close or a refund).
    /// Deposit and paid only grow and an ended channel stays ended, whatever order updates arrive in.
    /// - Throws: ``VoucherError/otherChannel(_:reason:)`` for another provider's or contract's channel;
    ///   ``VoucherError/store(operation:reason:)``.
    public func track(_ state: ChannelState) async throws(VoucherError) {
        guard state.contract == contract else {
            throw .otherChannel(state.id, reason: "it lives in \(state.contract), not \(contract)")
        }
        guard state.provider == provider else {
            throw .otherChannel(state.id, reason: "its provider is \(state.provider.checksummed), not \(provider.checksummed)")
        }
        var merged = state
        if let known = channels[state.id] {
            merged.deposit = max(known.deposit, state.deposit)
            merged.paid = max(known.paid, state.paid)
            merged.status = known.status == .open ? state.status : known.status
        }
        channels[state.id] = merged
        try await store.upsert(merged)
    }

    /// The result of an accepted voucher.
    public struct Accepted: Hashable, Sendable {
        /// The channel as it stood when the voucher was accepted.
        public let channel: ChannelState
        /// The voucher now held as the channel's best.
        public let voucher: SignedVoucher
        /// What this voucher added over the previous best (or over what the chain had paid, for the first one).
        public let increment: Amount
    }

    /// Checks `signed` and, if it passes, makes it the channel's best voucher durably before returning.
    /// - Parameter price: when given, the voucher must add exactly this over the best held (one x402 call).
    /// - Returns: the channel, the voucher and what it added.
    /// - Throws: a ``VoucherError`` naming the rule it broke; nothing is stored then.
    public func accept(_ signed: SignedVoucher, price: Amount? = nil) async throws(VoucherError) -> Accepted {
        let id = signed.voucher.channelId
        let amount = signed.voucher.cumulativeAmount
        guard let channel = channels[id] else { throw .unknownChannel(id) }
        guard channel.status == .open else { throw .channelEnded(id, status: channel.status) }
        let now = clock.unixMillis / 1000
        let (deadline, overflow) = now.addingReportingOverflow(configuration.closeMargin)
        guard !overflow, deadline <= channel.expiry else {
            throw .expired(channel: id, expiry: channel.expiry, now: now, closeMargin: configuration.closeMargin)
        }
        guard amount <= channel.deposit else {
            throw .overDeposit(channel: id, cumulativeAmount: amount, deposit: channel.deposit)
        }
        let signer: EthereumAddress?
        do { signer = try signed.signer(in: contract) } catch { signer = nil }
        guard signer == channel.agent else { throw .forgedSignature(channel: id, agent: channel.agent, signer: signer) }
        // Counts from what the chain already paid when that is more than the voucher held (or none is).
        let previous = max(best[id]?.voucher.cumulativeAmount ?? .zero, channel.paid)
        guard amount != previous else { throw .replayed(channel: id, cumulativeAmount: amount) }
        guard amount > previous else { throw .lowerAmount(channel: id, cumulativeAmount: amount, best: previous) }
        let increment = amount.saturatingSubtract(previous)
        if let price, increment != price {
            throw .wrongIncrement(channel: id, expected: price, actual: increment)
        }
        // Claim before suspending: a concurrent voucher of this channel now compares against this one.
        let displaced = best[id]
        best[id] = signed
        do throws(VoucherError) {
            _ = try await store.raiseBest(signed, atUnixSeconds: now)
        } catch {
            if best[id] == signed { best[id] = displaced }
            throw error
        }
        return Accepted(channel: channel, voucher: signed, increment: increment)
    }

    /// The best voucher held for `channelId`, if any.
    public func bestVoucher(for channelId: Bytes32) -> SignedVoucher? { best[channelId] }

    /// The channel `channelId` as last tracked, if known.
    public func channel(_ channelId: Bytes32) -> ChannelState? { channels[channelId] }

    /// Open channels that hold a voucher worth redeeming and expire within `seconds` from now, soonest first:
    /// what the provider should close now.
    public func dueForClose(within seconds: UInt64) -> [(channel: ChannelState, voucher: SignedVoucher)] {
        let now = clock.unixMillis / 1000
        let (horizon, overflow) = now.addingReportingOverflow(seconds)
        return channels.values
            .filter { $0.status == .open && (overflow || $0.expiry <= horizon) }
            .compactMap { channel in
                guard let voucher = best[channel.id], voucher.voucher.cumulativeAmount > channel.paid else { return nil }
                return (channel: channel, voucher: voucher)
            }
            .sorted { $0.channel.expiry < $1.channel.expiry }
    }
}
