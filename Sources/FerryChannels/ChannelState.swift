public import FerryCore
public import FerryCrypto

/// One channel as its contract holds it (`FerryChannel.channels(channelId)`): parameters, deposit, what the
/// provider has been paid on-chain, and whether it is still open.
public struct ChannelState: Hashable, Sendable {
    /// Where a channel is in its life. A channel ends exactly once, closed or refunded.
    public enum Status: String, Hashable, Sendable, Codable, CustomStringConvertible {
        /// Deposited; vouchers are redeemable until the expiry inclusive.
        case open
        /// The provider closed it with a voucher; the rest went back to the agent.
        case closed
        /// Expired unclosed; the unspent rest went back to the agent.
        case refunded

        public var description: String { rawValue }
    }

    /// The contract the channel lives in.
    public let contract: ChannelContract
    /// Agent, provider, asset, expiry, salt.
    public let parameters: ChannelParameters
    /// `parameters.id(in: contract)`, computed once.
    public let id: Bytes32
    /// The total deposited (opens and top-ups), in the asset's smallest unit.
    public var deposit: Amount
    /// What the provider has already been paid on-chain by claims.
    public var paid: Amount
    /// Open, closed or refunded.
    public var status: Status

    /// A channel of `contract` with `parameters`; its id is derived from both.
    public init(contract: ChannelContract, parameters: ChannelParameters, deposit: Amount, paid: Amount = .zero,
                status: Status = .open) {
        self.contract = contract
        self.parameters = parameters
        self.id = parameters.id(in: contract)
        self.deposit = deposit
        self.paid = paid
        self.status = status
    }

    /// The agent (payer).
    public var agent: EthereumAddress { parameters.agent }
    /// The provider (payee).
    public var provider: EthereumAddress { parameters.provider }
    /// Unix seconds; redeemable until then inclusive.
    public var expiry: UInt64 { parameters.expiry }

    /// True while the provider can still redeem a voucher on-chain at `unixSeconds`.
    public func isRedeemable(atUnixSeconds unixSeconds: UInt64) -> Bool {
        status == .open && unixSeconds <= parameters.expiry
    }
}
