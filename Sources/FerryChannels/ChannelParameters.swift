public import FerryCrypto

/// What identifies a channel: who pays whom, in which asset, until when, and a salt that tells apart
/// channels otherwise alike. The channel id is derived from these, so it is known before the channel exists.
public struct ChannelParameters: Hashable, Sendable {
    /// The payer, who signs vouchers and gets the unspent rest back.
    public let agent: EthereumAddress
    /// The payee, the only one who may claim or close.
    public let provider: EthereumAddress
    /// The deposit's asset as the gateway spells it: zero for the native coin, else a left-padded ERC-20 address.
    public let asset: Bytes32
    /// Unix seconds; vouchers are redeemable until this instant inclusive, the refund only after it.
    public let expiry: UInt64
    /// Any 32 bytes the agent picks.
    public let salt: Bytes32

    /// `keccak256("ChannelOpen(address agent,address provider,uint64 expiry,bytes32 salt)")` (`OPEN_TYPEHASH`).
    public static let openTypeHash = Keccak256.hash("ChannelOpen(address agent,address provider,uint64 expiry,bytes32 salt)")

    /// The parameters of one channel.
    public init(agent: EthereumAddress, provider: EthereumAddress, asset: Bytes32, expiry: UInt64, salt: Bytes32) {
        self.agent = agent
        self.provider = provider
        self.asset = asset
        self.expiry = expiry
        self.salt = salt
    }

    /// The channel id in `contract`: `keccak256(abi.encode(chainId, contract, agent, provider, asset, expiry, salt))`,
    /// as `FerryChannel.channelId` computes it.
    public func id(in contract: ChannelContract) -> Bytes32 {
        var words = [UInt8]()
        words.reserveCapacity(7 * 32)
        words += Bytes32(bigEndianWords: (0, 0, 0, contract.chainId)).bytes
        words += contract.address.bytes32.bytes
        words += agent.bytes32.bytes
        words += provider.bytes32.bytes
        words += asset.bytes
        words += Bytes32(bigEndianWords: (0, 0, 0, expiry)).bytes
        words += salt.bytes
        return Keccak256.hash(words)
    }

    /// The `payloadHash` a Ferry transfer must carry to fund this channel through `openFromRelease`:
    /// `keccak256(abi.encode(OPEN_TYPEHASH, agent, provider, expiry, salt))`. The asset and amount are the
    /// transfer's own `destAsset` and `amount`.
    public var openPayloadHash: Bytes32 {
        var words = Self.openTypeHash.bytes
        words.reserveCapacity(5 * 32)
        words += agent.bytes32.bytes
        words += provider.bytes32.bytes
        words += Bytes32(bigEndianWords: (0, 0, 0, expiry)).bytes
        words += salt.bytes
        return Keccak256.hash(words)
    }
}
