public import FerryCore
public import FerryCrypto

/// How a gateway moves value on a lane.
public enum LaneMode: String, Sendable, Hashable, Codable {
    /// Locks go into a pool; releases pay out of it (needs liquidity).
    case lockRelease
    /// Locks burn; releases mint (a wrapped or natively-issued token).
    case burnMint
}

/// A token-bucket limit on a lane: at most `capacity` smallest units at once, refilling `refillPerSecond`
/// per second of chain time.
public struct RateLimit: Sendable, Hashable, Codable {
    public var capacity: Amount
    public var refillPerSecond: Amount

    public init(capacity: Amount, refillPerSecond: Amount) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
    }
}

/// One lane of a gateway: the registered asset pair between this chain and a remote one (docs/architecture.md,
/// "Gateway rules"). Locks to the remote chain of `asset` must name the paired remote asset; releases from the
/// remote chain in `asset` must come from it. The remote gateway registers the mirror lane.
public struct LaneConfig: Sendable, Hashable, Codable {
    /// The other chain.
    public var remoteChain: ChainID
    /// The local asset symbol.
    public var asset: String
    /// Decimals of the asset on the remote chain (transfer amounts are in destination units).
    public var remoteDecimals: Int
    public var mode: LaneMode
    /// Applies to locks (outbound) and releases (inbound) on this lane; nil for no limit.
    public var rateLimit: RateLimit?
    /// The gateway id of the paired asset on the remote chain; nil for the local asset's own id (simulated
    /// tokens have the same id on every chain, and native pairs with native). The registry fills it in from the
    /// remote chain's asset of the same symbol.
    public var remoteAsset: Address?

    public init(remoteChain: ChainID, asset: String, remoteDecimals: Int, mode: LaneMode = .lockRelease, rateLimit: RateLimit? = nil,
                remoteAsset: Address? = nil) {
        self.remoteChain = remoteChain
        self.asset = asset
        self.remoteDecimals = remoteDecimals
        self.mode = mode
        self.rateLimit = rateLimit
        self.remoteAsset = remoteAsset
    }

    /// The remote asset this lane pairs a local asset of gateway id `localID` with.
    public func pairedAsset(localID: Bytes32) -> Bytes32 { remoteAsset?.bytes32 ?? localID }
}

/// Everything a ``SimulatedLedger`` needs: chain facts, gateway configuration, fee market, faults' limits.
public struct SimulatedChainConfig: Sendable {
    public var info: ChainInfo
    /// Relayers the gateway trusts and the threshold it needs.
    public var relayers: RelayerSet
    public var lanes: [LaneConfig]
    /// Gateway address of each remote chain (for operators' reference; refunds verify `Refund` attestations in
    /// this gateway's own domain, so a changed remote registration cannot strand them).
    public var remoteGateways: [ChainID: EthereumAddress]
    public var feeMarket: any FeeMarket
    /// The account block producers' fees are paid to.
    public var producer: Address
    /// Deepest reorg the ledger keeps state for (must stay below the finality depth to be meaningful).
    public var maxReorgDepth: UInt64
    /// Seed for everything random in the ledger (dropped transactions).
    public var seed: UInt64

    public init(info: ChainInfo, relayers: RelayerSet, lanes: [LaneConfig] = [], remoteGateways: [ChainID: EthereumAddress] = [:],
                feeMarket: any FeeMarket, producer: Address? = nil, maxReorgDepth: UInt64? = nil, seed: UInt64 = 1) {
        self.info = info
        self.relayers = relayers
        self.lanes = lanes
        self.remoteGateways = remoteGateways
        self.feeMarket = feeMarket
        self.producer = producer ?? Address(Keccak256.hash("ferry.sim.producer.\(info.id.rawValue)"))
        self.maxReorgDepth = maxReorgDepth ?? min(64, max(1, info.finalityDepth))
        self.seed = seed
    }

    /// The lane for `asset` towards or from `remote`, if configured.
    public func lane(remote: ChainID, asset: String) -> LaneConfig? {
        lanes.first { $0.remoteChain == remote && $0.asset == asset }
    }

    /// A chain of `family` with the family's usual timing, native asset and fee market.
    /// - Parameters:
    ///   - tokens: extra assets besides the native one (see ``AssetInfo/token(symbol:decimals:)``).
    ///   - finalityDepth: overrides the family default (EVM 64, rollup 300, Solana 32, Bitcoin 6).
    public static func preset(_ family: ChainFamily, id: ChainID, name: String? = nil, tokens: [AssetInfo] = [],
                              relayers: RelayerSet, lanes: [LaneConfig] = [], remoteGateways: [ChainID: EthereumAddress] = [:],
                              finalityDepth: UInt64? = nil, seed: UInt64 = 1) throws(CryptoError) -> SimulatedChainConfig {
        let native: AssetInfo
        let market: any FeeMarket
        let blockMillis: UInt64
        let depth: UInt64
        switch family {
        case .evm:
            native = AssetInfo(symbol: "ETH", decimals: 18, gatewayID: .zero)
            market = EIP1559FeeMarket(); blockMillis = 12_000; depth = 64
        case .rollup:
            native = AssetInfo(symbol: "ETH", decimals: 18, gatewayID: .zero)
            market = RollupFeeMarket(); blockMillis = 2_000; depth = 300
        case .solana:
            native = AssetInfo(symbol: "SOL", decimals: 9, gatewayID: .zero)
            market = SolanaFeeMarket(); blockMillis = 400; depth = 32
        case .bitcoin:
            native = AssetInfo(symbol: "BTC", decimals: 8, gatewayID: .zero)
            market = BitcoinFeeMarket(); blockMillis = 600_000; depth = 6
        }
        let gateway = try SimulatedChainConfig.defaultGateway(for: id)
        let info = ChainInfo(id: id, name: name ?? "\(family.rawValue)-\(id.rawValue)", family: family, nativeAsset: native,
                             assets: [native] + tokens, finalityDepth: finalityDepth ?? depth, blockTimeMillis: blockMillis,
                             gateway: gateway)
        return SimulatedChainConfig(info: info, relayers: relayers, lanes: lanes, remoteGateways: remoteGateways,
                                    feeMarket: market, seed: seed)
    }

    /// The gateway address a simulated chain uses unless told otherwise: derived from its id.
    public static func defaultGateway(for id: ChainID) throws(CryptoError) -> EthereumAddress {
        try EthereumAddress.derived(from: "ferry.sim.gateway.\(id.rawValue)")
    }
}

extension AssetInfo {
    /// A token whose gateway id is derived from its symbol (the same on every simulated chain).
    public static func token(symbol: String, decimals: Int) throws(CryptoError) -> AssetInfo {
        AssetInfo(symbol: symbol, decimals: decimals, gatewayID: try EthereumAddress.derived(from: "ferry.sim.token.\(symbol)").bytes32)
    }
}

extension EthereumAddress {
    /// A deterministic address from a label (last 20 bytes of its keccak).
    static func derived(from label: String) throws(CryptoError) -> EthereumAddress {
        try EthereumAddress(hex: Hex.prefixed(Keccak256.hash(label).bytes.suffix(20)))
    }
}
