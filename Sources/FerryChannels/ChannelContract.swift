public import FerryCrypto

/// Where channels live: one `FerryChannel` contract (or simulated channel program) on one chain.
///
/// Everything signed for a channel is bound to this pair: the channel id hashes it, and the voucher's
/// EIP-712 domain is `{name: "Ferry Channel", version: "1", chainId, verifyingContract: address}`.
public struct ChannelContract: Hashable, Sendable, CustomStringConvertible {
    /// The EIP-155 chain id of the chain the contract is on.
    public let chainId: UInt64
    /// The contract's address.
    public let address: EthereumAddress
    /// The voucher signing domain, computed once.
    public let domain: EIP712Domain

    /// The EIP-712 domain name the contract uses (`NAME_HASH` in `FerryChannel.vy`).
    public static let domainName = "Ferry Channel"
    /// The EIP-712 domain version (`VERSION_HASH` in `FerryChannel.vy`).
    public static let domainVersion = "1"

    /// The contract at `address` on chain `chainId`.
    public init(chainId: UInt64, address: EthereumAddress) {
        self.chainId = chainId
        self.address = address
        self.domain = EIP712Domain(name: Self.domainName, version: Self.domainVersion, chainId: chainId,
                                   verifyingContract: address)
    }

    public var description: String { "FerryChannel \(address.checksummed) on chain \(chainId)" }
}
