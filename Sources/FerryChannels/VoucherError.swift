public import FerryCore
public import FerryCrypto

/// Why a provider refused a voucher or a channel; each case carries the facts a person needs, and
/// ``reason`` is the stable string x402 answers carry (`invalidReason`, docs/x402.md).
public enum VoucherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The voucher names a channel this provider does not know (never opened, or not yet seen on-chain).
    case unknownChannel(Bytes32)
    /// The channel belongs to another contract or provider: a voucher for someone else's channel.
    case otherChannel(Bytes32, reason: String)
    /// The channel was closed or refunded; no voucher is worth anything any more.
    case channelEnded(Bytes32, status: ChannelState.Status)
    /// The signature does not recover to the channel's agent (`signer` is nil when nothing recovers).
    case forgedSignature(channel: Bytes32, agent: EthereumAddress, signer: EthereumAddress?)
    /// The same cumulative amount as the best voucher already held: a replay.
    case replayed(channel: Bytes32, cumulativeAmount: Amount)
    /// Below the best voucher already held: an older voucher never wins.
    case lowerAmount(channel: Bytes32, cumulativeAmount: Amount, best: Amount)
    /// More than the channel's deposit; the contract would refuse to pay it.
    case overDeposit(channel: Bytes32, cumulativeAmount: Amount, deposit: Amount)
    /// Too close to (or past) the expiry for the provider to redeem it on-chain in time.
    case expired(channel: Bytes32, expiry: UInt64, now: UInt64, closeMargin: UInt64)
    /// The step over the best voucher is not the price asked for this call.
    case wrongIncrement(channel: Bytes32, expected: Amount, actual: Amount)
    /// The provider's store failed; nothing was acknowledged.
    case store(operation: String, reason: String)

    /// The x402 `invalidReason` for this refusal.
    public var reason: String {
        switch self {
        case .unknownChannel: "invalid_ferry_channel_unknown"
        case .otherChannel: "invalid_ferry_channel_other_channel"
        case .channelEnded: "invalid_ferry_channel_ended"
        case .forgedSignature: "invalid_ferry_channel_signature"
        case .replayed: "invalid_ferry_channel_replayed"
        case .lowerAmount: "invalid_ferry_channel_lower_amount"
        case .overDeposit: "invalid_ferry_channel_over_deposit"
        case .expired: "invalid_ferry_channel_expired"
        case .wrongIncrement: "invalid_ferry_channel_amount_mismatch"
        case .store: "ferry_channel_store_failed"
        }
    }

    public var description: String {
        switch self {
        case let .unknownChannel(id):
            "voucher for channel \(id.hex), which this provider does not know"
        case let .otherChannel(id, reason):
            "voucher for channel \(id.hex), which is not this provider's: \(reason)"
        case let .channelEnded(id, status):
            "channel \(id.hex) is \(status); it takes no more vouchers"
        case let .forgedSignature(id, agent, signer):
            "voucher for channel \(id.hex) is not signed by its agent \(agent.checksummed) (recovered "
                + (signer.map(\.checksummed) ?? "nothing") + ")"
        case let .replayed(id, amount):
            "voucher for channel \(id.hex) replays cumulative amount \(amount), already held"
        case let .lowerAmount(id, amount, best):
            "voucher for channel \(id.hex) has cumulative amount \(amount), below the \(best) already held"
        case let .overDeposit(id, amount, deposit):
            "voucher for channel \(id.hex) has cumulative amount \(amount), over the deposit \(deposit)"
        case let .expired(id, expiry, now, margin):
            "channel \(id.hex) expires at \(expiry); at \(now) with a close margin of \(margin) s it takes no more vouchers"
        case let .wrongIncrement(id, expected, actual):
            "voucher for channel \(id.hex) adds \(actual), but the price is \(expected)"
        case let .store(operation, reason):
            "channel store \(operation) failed: \(reason)"
        }
    }
}
