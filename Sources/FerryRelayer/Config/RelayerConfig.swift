public import FerryCore
public import FerryChains
import Foundation
internal import TOMLKit

/// A relayer node's configuration, read from `relayer.toml` (see `Relayer/relayer.toml` for a commented sample).
public struct RelayerConfig: Sendable, Hashable {
    /// A name for logs and metrics.
    public var nodeID: String
    /// Web3 v3 keystore holding the attestation key.
    public var keystorePath: String
    /// File holding the keystore password; when nil, `FERRY_PASSWORD` is used.
    public var passwordFile: String?
    /// SQLite journal file.
    public var journalPath: String
    /// Chain registry: a TOML file or a directory of them.
    public var registryPath: String
    /// Chains this node watches and serves.
    public var chains: [ChainID]
    /// ZeroMQ endpoint the gossip PUB socket binds (`tcp://127.0.0.1:7401`).
    public var listen: String
    /// File holding this node's CURVE secret key (Z85, 40 characters).
    public var curveSecretFile: String
    /// `host:port` for `/metrics` and `/healthz`; nil disables the endpoint.
    public var metrics: String?
    /// Signatures a release needs; must match every served gateway's on-chain threshold.
    public var threshold: Int
    /// Base delay before a backup executor acts, in milliseconds.
    public var graceMillis: UInt64
    /// Terminal transfers are pruned from the journal after this many hours.
    public var pruneAfterHours: UInt64
    /// `/healthz` answers 503 when a chain's unprocessed blocks span more than this many seconds of chain time.
    public var maxLagSeconds: UInt64
    /// How far ahead of this node's clock a chain's block time may be before no cancel is decided on it, in ms.
    public var maxClockDriftMillis: UInt64 = 30_000
    /// The other relayers.
    public var peers: [Peer]
    /// This node's own JSON-RPC providers by chain (`[[rpc]]`), replacing the registry's `rpc_url`,
    /// `rpc_quorum_urls` and `rpc_quorum` for that chain.
    public var rpc: [ChainID: RPCProviders] = [:]

    /// Another relayer node.
    public struct Peer: Sendable, Hashable {
        public var id: String
        /// Its gossip endpoint.
        public var endpoint: String
        /// Its CURVE public key (Z85, 40 characters): only these keys are admitted.
        public var curvePublicKey: String
        /// The Ethereum address it signs attestations with.
        public var address: EthereumAddress
    }

    /// Parses and validates a config file. Relative paths inside it are resolved against the file's directory.
    /// - Throws: ``ConfigError`` naming the file, the field and the problem.
    public static func load(path: String) throws(ConfigError) -> RelayerConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, field: nil, problem: "cannot read the file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(file: path, field: nil, problem: "the file is not valid UTF-8 text (TOML files must be UTF-8)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, file: path, baseDirectory: base)
    }

    /// Parses config text; `file` is only used in error messages, `baseDirectory` resolves relative paths.
    public static func parse(_ text: String, file: String, baseDirectory: String? = nil) throws(ConfigError) -> RelayerConfig {
        if let error = TOMLSyntax.check(text) { throw ConfigError(file: file, field: nil, problem: "not valid TOML at \(error)") }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, field: nil, problem: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column)")
        } catch {
            throw ConfigError(file: file, field: nil, problem: "not valid TOML: \(error)")
        }
        var reader = TableReader(table: root, file: file, prefix: "", baseDirectory: baseDirectory)
        let node = try reader.table("node")
        var n = TableReader(table: node, file: file, prefix: "node.", baseDirectory: baseDirectory)
        var config = RelayerConfig(
            nodeID: try n.string("id"),
            keystorePath: try n.path("keystore"),
            passwordFile: try n.optionalPath("password_file"),
            journalPath: try n.path("journal"),
            registryPath: try n.path("registry"),
            chains: try n.chainIDs("chains"),
            listen: try n.endpoint("listen"),
            curveSecretFile: try n.path("curve_secret_file"),
            metrics: try n.optionalString("metrics"),
            threshold: try n.int("threshold", in: 1...64),
            graceMillis: UInt64(try n.int("grace_ms", in: 1...3_600_000, default: 2_000)),
            pruneAfterHours: UInt64(try n.int("prune_after_hours", in: 1...87_600, default: 168)),
            maxLagSeconds: UInt64(try n.int("max_lag_seconds", in: 1...86_400, default: 60)),
            peers: [])
        config.maxClockDriftMillis = UInt64(try n.int("max_clock_drift_ms", in: 0...3_600_000, default: 30_000))
        try n.rejectUnknown()
        for (i, table) in try reader.tables("peers").enumerated() {
            var p = TableReader(table: table, file: file, prefix: "peers[\(i)].", baseDirectory: baseDirectory)
            let peer = Peer(id: try p.string("id"), endpoint: try p.endpoint("endpoint"),
                            curvePublicKey: try p.z85Key("curve_public_key"), address: try p.address("address"))
            try p.rejectUnknown()
            config.peers.append(peer)
        }
        for (i, table) in try reader.tables("rpc").enumerated() {
            var r = TableReader(table: table, file: file, prefix: "rpc[\(i)].", baseDirectory: baseDirectory)
            let chain = ChainID(UInt64(try r.int("chain", in: 1...Int.max)))
            let url = try r.httpURL("url")
            var quorumURLs: [String] = []
            if let list = r.value("quorum_urls") {
                guard let array = list.array else { throw r.error("quorum_urls", "must be an array of http(s) URLs") }
                for (j, item) in array.enumerated() {
                    guard let u = item.string, u.hasPrefix("http://") || u.hasPrefix("https://") else {
                        throw r.error("quorum_urls[\(j)]", "must be an http(s) URL")
                    }
                    quorumURLs.append(u)
                }
            }
            let quorum = try r.int("quorum", in: 1...(1 + quorumURLs.count), default: 1 + quorumURLs.count)
            try r.rejectUnknown()
            guard config.chains.contains(chain) else { throw r.error("chain", "chain \(chain.rawValue) is not in node.chains") }
            guard config.rpc[chain] == nil else { throw r.error("chain", "chain \(chain.rawValue) has two [[rpc]] tables") }
            config.rpc[chain] = RPCProviders(url: url, quorumURLs: quorumURLs, quorum: quorum)
        }
        try reader.rejectUnknown()
        guard config.threshold <= config.peers.count + 1 else {
            throw ConfigError(file: file, field: "node.threshold",
                              problem: "\(config.threshold) exceeds the \(config.peers.count + 1) relayers configured (this node and its peers)")
        }
        let ids = config.peers.map(\.id) + [config.nodeID]
        if let dup = ids.first(where: { id in ids.filter { $0 == id }.count > 1 }) {
            throw ConfigError(file: file, field: "peers", problem: "relayer id \"\(dup)\" appears more than once")
        }
        return config
    }
}

/// A configuration problem: which file, which field, what is wrong.
public typealias ConfigError = ConfigFileError

/// Reads typed fields from one TOML table, remembering which keys were used so unknown ones can be refused.
private struct TableReader {
    let table: TOMLTable
    let file: String
    let prefix: String
    let baseDirectory: String?
    var used: Set<String> = []

    init(table: TOMLTable, file: String, prefix: String, baseDirectory: String?) {
        self.table = table
        self.file = file
        self.prefix = prefix
        self.baseDirectory = baseDirectory
    }

    func error(_ key: String, _ problem: String) -> ConfigError {
        ConfigError(file: file, field: prefix + key, problem: problem)
    }

    mutating func value(_ key: String) -> TOMLValueConvertible? {
        used.insert(key)
        return table[key]
    }

    mutating func string(_ key: String) throws(ConfigError) -> String {
        guard let v = value(key) else { throw error(key, "missing (required)") }
        guard let s = v.string, !s.isEmpty else { throw error(key, "must be a non-empty string") }
        return s
    }

    mutating func optionalString(_ key: String) throws(ConfigError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string, !s.isEmpty else { throw error(key, "must be a non-empty string") }
        return s
    }

    mutating func path(_ key: String) throws(ConfigError) -> String {
        resolve(try string(key))
    }

    mutating func optionalPath(_ key: String) throws(ConfigError) -> String? {
        try optionalString(key).map(resolve)
    }

    func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let baseDirectory else { return path }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws(ConfigError) -> Int {
        guard let v = value(key) else {
            guard let fallback else { throw error(key, "missing (required)") }
            return fallback
        }
        guard let i = v.int else { throw error(key, "must be an integer") }
        guard range.contains(i) else { throw error(key, "\(i) is outside \(range.lowerBound)...\(range.upperBound)") }
        return i
    }

    mutating func chainIDs(_ key: String) throws(ConfigError) -> [ChainID] {
        guard let v = value(key) else { throw error(key, "missing (required): the chain ids this node serves") }
        guard let array = v.array, !array.isEmpty else { throw error(key, "must be a non-empty array of chain ids") }
        var out: [ChainID] = []
        for (i, item) in array.enumerated() {
            guard let id = item.int, id > 0 else { throw error("\(key)[\(i)]", "must be a positive integer chain id") }
            guard !out.contains(ChainID(UInt64(id))) else { throw error("\(key)[\(i)]", "chain \(id) is listed twice") }
            out.append(ChainID(UInt64(id)))
        }
        return out
    }

    mutating func endpoint(_ key: String) throws(ConfigError) -> String {
        let s = try string(key)
        guard s.hasPrefix("tcp://") || s.hasPrefix("ipc://") || s.hasPrefix("inproc://") else {
            throw error(key, "\"\(s)\" is not a ZeroMQ endpoint (tcp://host:port, ipc://path or inproc://name)")
        }
        return s
    }

    mutating func httpURL(_ key: String) throws(ConfigError) -> String {
        let s = try string(key)
        guard s.hasPrefix("http://") || s.hasPrefix("https://") else { throw error(key, "\"\(s)\" is not an http(s) URL") }
        return s
    }

    mutating func z85Key(_ key: String) throws(ConfigError) -> String {
        let s = try string(key)
        let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
        guard s.count == 40, s.allSatisfy(alphabet.contains) else {
            throw error(key, "must be a 40-character Z85 CURVE public key (make one with `ferry relayer keys new`)")
        }
        return s
    }

    mutating func address(_ key: String) throws(ConfigError) -> EthereumAddress {
        let s = try string(key)
        do { return try EthereumAddress(hex: s) } catch { throw self.error(key, error.description) }
    }

    mutating func table(_ key: String) throws(ConfigError) -> TOMLTable {
        guard let v = value(key) else { throw error(key, "missing section [\(prefix + key)]") }
        guard let t = v.table else { throw error(key, "must be a table [\(prefix + key)]") }
        return t
    }

    mutating func tables(_ key: String) throws(ConfigError) -> [TOMLTable] {
        guard let v = value(key) else { return [] }
        guard let array = v.array else { throw error(key, "must be an array of tables [[\(prefix + key)]]") }
        var out: [TOMLTable] = []
        for (i, item) in array.enumerated() {
            guard let t = item.table else { throw error("\(key)[\(i)]", "must be a table") }
            out.append(t)
        }
        return out
    }

    func rejectUnknown() throws(ConfigError) {
        for key in table.keys.sorted() where !used.contains(key) {
            throw error(key, "unknown setting (check the spelling against Relayer/relayer.toml)")
        }
    }
}
