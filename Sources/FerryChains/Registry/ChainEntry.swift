import FerryCore

/// How Ferry talks to a chain.
public enum AdapterKind: String, Sendable, Hashable, CaseIterable {
    /// An in-process ``SimulatedLedger``.
    case sim
    /// A simulated chain served by `ferry devnet` over HTTP.
    case simRemote = "sim-remote"
    /// An EVM node over JSON-RPC (FerryEVM).
    case evmRPC = "evm-rpc"
}

/// One chain of the registry (`chains/*.toml`).
public struct ChainEntry: Sendable, Hashable {
    public let info: ChainInfo
    public let adapter: AdapterKind
    /// Endpoint for `sim-remote` and `evm-rpc`.
    public let rpcURL: String?
    /// `evm-rpc`: further providers asked for the same gateway logs and block hashes (`rpc_quorum_urls`).
    public var rpcQuorumURLs: [String] = []
    /// `evm-rpc`: how many providers, `rpc_url` included, must agree (`rpc_quorum`; 1 trusts `rpc_url` alone).
    public var rpcQuorum: Int = 1
    public let relayers: RelayerSet
    public let lanes: [LaneConfig]
    /// The file it came from.
    public let source: String

    public init(info: ChainInfo, adapter: AdapterKind, rpcURL: String?, relayers: RelayerSet, lanes: [LaneConfig], source: String) {
        self.info = info
        self.adapter = adapter
        self.rpcURL = rpcURL
        self.relayers = relayers
        self.lanes = lanes
        self.source = source
    }
}
