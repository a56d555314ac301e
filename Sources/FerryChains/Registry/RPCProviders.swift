/// The JSON-RPC providers one node uses for one chain: a primary it reads everything from, and optionally more
/// providers that must agree with it (a quorum) before the node believes a range of gateway events.
///
/// A chain entry carries defaults (`rpc_url`, `rpc_quorum_urls`, `rpc_quorum` in `chains/*.toml`); a relayer
/// overrides them per chain in its own config (`[[rpc]]` in `relayer.toml`) so that relayers do not all trust
/// one provider. See `docs/operators.md`.
public struct RPCProviders: Sendable, Hashable {
    /// The primary endpoint: every read and submission goes here.
    public var url: String
    /// Further endpoints asked for the same gateway logs and block hashes.
    public var quorumURLs: [String]
    /// How many providers (the primary included) must give the same answer: 1 trusts the primary alone.
    public var quorum: Int

    /// - Parameter quorum: clamped to `1...(1 + quorumURLs.count)`.
    public init(url: String, quorumURLs: [String] = [], quorum: Int = 1) {
        self.url = url
        self.quorumURLs = quorumURLs
        self.quorum = min(max(1, quorum), 1 + quorumURLs.count)
    }
}

extension ChainEntry {
    /// The providers the entry names, when it names a URL.
    public var providers: RPCProviders? {
        rpcURL.map { RPCProviders(url: $0, quorumURLs: rpcQuorumURLs, quorum: rpcQuorum) }
    }

    /// This entry with its providers replaced (a relayer's own choice of endpoints).
    public func with(providers: RPCProviders) -> ChainEntry {
        var entry = ChainEntry(info: info, adapter: adapter, rpcURL: providers.url, relayers: relayers, lanes: lanes, source: source)
        entry.rpcQuorumURLs = providers.quorumURLs
        entry.rpcQuorum = providers.quorum
        return entry
    }
}
