import FerryChains
import FerryCore
import FerryCrypto
@testable import FerryRelayer
import Testing

@Suite("RelayerConfig")
struct RelayerConfigTests {
    static let good = """
        [node]
        id = "relayer-1"
        keystore = "keys/relayer-1.json"
        journal = "/var/lib/ferry/journal.sqlite"
        registry = "../chains/devnet.toml"
        chains = [1, 10]
        listen = "tcp://127.0.0.1:7401"
        curve_secret_file = "keys/relayer-1.curve"
        metrics = "127.0.0.1:9401"
        threshold = 2

        [[peers]]
        id = "relayer-2"
        endpoint = "tcp://127.0.0.1:7402"
        curve_public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
        address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        """

    @Test("a valid file parses, with defaults and relative paths resolved against its directory")
    func parses() throws {
        let config = try RelayerConfig.parse(Self.good, file: "relayer.toml", baseDirectory: "/etc/ferry")
        #expect(config.nodeID == "relayer-1")
        #expect(config.keystorePath == "/etc/ferry/keys/relayer-1.json")
        #expect(config.registryPath == "/etc/chains/devnet.toml")
        #expect(config.journalPath == "/var/lib/ferry/journal.sqlite")
        #expect(config.chains == [1, 10])
        #expect(config.graceMillis == 2_000)
        #expect(config.maxClockDriftMillis == 30_000)
        #expect(config.peers.count == 1)
    }

    @Test("bad files name the field and the problem", arguments: [
        ("threshold = 2", "threshold = 3", "node.threshold"),
        ("chains = [1, 10]", "chains = [1, 1]", "node.chains[1]"),
        ("chains = [1, 10]", "chains = []", "node.chains"),
        ("listen = \"tcp://127.0.0.1:7401\"", "listen = \"127.0.0.1:7401\"", "node.listen"),
        ("curve_public_key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"", "curve_public_key = \"short\"", "peers[0].curve_public_key"),
        ("address = \"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"", "address = \"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\"", "peers[0].address"),
        ("metrics = \"127.0.0.1:9401\"", "metrics = \"127.0.0.1:9401\"\ncolour = \"blue\"", "node.colour"),
        ("keystore = \"keys/relayer-1.json\"", "", "node.keystore"),
        ("threshold = 2", "threshold = \"two\"", "node.threshold"),
        ("threshold = 2", "threshold = 2\nmax_clock_drift_ms = -1", "node.max_clock_drift_ms"),
    ])
    func badFields(original: String, replacement: String, field: String) {
        let text = Self.good.replacingOccurrences(of: original, with: replacement)
        let error = #expect(throws: ConfigError.self) { try RelayerConfig.parse(text, file: "relayer.toml") }
        #expect(error?.field == field, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("relayer.toml: \(field): ") == true)
    }

    @Test("[[rpc]] tables give this node its own providers per chain, with a quorum defaulting to all of them")
    func ownProviders() throws {
        let text = Self.good + """

            [[rpc]]
            chain = 1
            url = "https://a.example/v1/key"
            quorum_urls = ["https://b.example/rpc", "http://10.0.0.9:8545"]
            quorum = 2

            [[rpc]]
            chain = 10
            url = "http://127.0.0.1:8545"
            """
        let config = try RelayerConfig.parse(text, file: "relayer.toml")
        #expect(config.rpc[1] == RPCProviders(url: "https://a.example/v1/key", quorumURLs: ["https://b.example/rpc", "http://10.0.0.9:8545"], quorum: 2))
        #expect(config.rpc[10] == RPCProviders(url: "http://127.0.0.1:8545"))
        let entry = ChainEntry(info: ChainInfo(id: 1, name: "one", family: .evm, nativeAsset: AssetInfo(symbol: "ETH", decimals: 18, gatewayID: .zero),
                                               assets: [], finalityDepth: 3, blockTimeMillis: 1_000,
                                               gateway: try EthereumAddress(hex: "0x0000000000000000000000000000000000000001")),
                               adapter: .evmRPC, rpcURL: "https://shared.example", relayers: RelayerSet(members: [], threshold: 1), lanes: [], source: "c.toml")
        let own = entry.with(providers: try #require(config.rpc[1]))
        #expect(own.rpcURL == "https://a.example/v1/key" && own.rpcQuorumURLs.count == 2 && own.rpcQuorum == 2 && own.info == entry.info)
    }

    @Test("bad [[rpc]] tables name the field", arguments: [
        ("chain = 3\nurl = \"http://x\"", "rpc[0].chain"),
        ("chain = 1\nurl = \"ws://x\"", "rpc[0].url"),
        ("chain = 1\nurl = \"http://x\"\nquorum_urls = [\"http://y\"]\nquorum = 3", "rpc[0].quorum"),
        ("chain = 1\nurl = \"http://x\"\nquorum_urls = [\"y\"]", "rpc[0].quorum_urls[0]"),
        ("chain = 1\nurl = \"http://x\"\nproviders = 2", "rpc[0].providers"),
    ])
    func badProviders(table: String, field: String) {
        let error = #expect(throws: ConfigError.self) { try RelayerConfig.parse(Self.good + "\n\n[[rpc]]\n" + table, file: "relayer.toml") }
        #expect(error?.field == field, "\(String(describing: error))")
    }

    @Test("malformed TOML names the line")
    func malformed() {
        let error = #expect(throws: ConfigError.self) { try RelayerConfig.parse("[node\nid = 1", file: "r.toml") }
        #expect(error?.description.contains("line 1") == true)
    }
}
