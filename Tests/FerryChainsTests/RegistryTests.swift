import FerryAdapterConformance
import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@Suite("Chain registry")
struct RegistryTests {
    static let devnetDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("chains/devnet").path

    static let valid = """
    id = 5
    name = "test"
    family = "evm"
    finality_depth = 10
    block_time_ms = 1000
    [native]
    symbol = "ETH"
    decimals = 18
    [[tokens]]
    symbol = "USDC"
    decimals = 6
    [relayers]
    threshold = 1
    members = ["0x76B26a54E273D4Faf7c7C9D7F44aF983304c6a5e"]
    [[lanes]]
    remote_chain = 6
    asset = "USDC"
    remote_decimals = 6
    capacity = 1000
    refill_per_second = "10"
    """

    @Test("the devnet registry has at least five chains across all four families")
    func devnet() throws {
        let registry = try ChainRegistry.load(directory: Self.devnetDirectory)
        #expect(registry.entries.count >= 5)
        #expect(Set(registry.entries.map(\.info.family)) == Set(ChainFamily.allCases))
        for entry in registry.entries {
            #expect(entry.relayers.threshold == 2)
            #expect(entry.info.asset("USDC")?.decimals == 6)
            #expect(!entry.lanes.isEmpty)
        }
    }

    @Test("every devnet chain, built from the registry, passes the conformance kit")
    func devnetConforms() async throws {
        let registry = try ChainRegistry.load(directory: Self.devnetDirectory)
        let relayers = try (0..<3).map { try PrivateKeySigner(seed: 1, index: $0) }
        for entry in registry.entries {
            let config = try registry.simulatedConfig(for: entry.info.id)
            let clock = VirtualClock()
            let ledger = SimulatedLedger(config: config, clock: .virtual(clock))
            try await ledger.addLiquidity("USDC", amount: Amount(1_000_000_000_000))
            let lane = try #require(entry.lanes.first)
            let remote = try #require(registry[lane.remoteChain])
            let harness = SimulatedConformanceHarness(
                ledger: ledger, clock: clock,
                lane: ConformanceLane(asset: "USDC", remoteChain: lane.remoteChain, remoteGateway: remote.info.gateway,
                                      remoteAsset: try #require(remote.info.asset("USDC")).gatewayID, remoteDecimals: 6,
                                      amount: Amount(2_000_000), fee: Amount(1_000)),
                relayers: relayers)
            let report = await AdapterConformance.run(harness)
            #expect(report.passed, "\(report)")
            for line in await ledger.conservation() { #expect(line.holds, "\(entry.info.name): \(line)") }
        }
    }

    @Test("a valid entry parses with its lane's rate limit")
    func parses() throws {
        let entry = try ChainEntry.parse(toml: Self.valid, source: "t.toml")
        #expect(entry.info.id == 5)
        #expect(entry.adapter == .sim)
        #expect(entry.lanes.first?.rateLimit == RateLimit(capacity: Amount(1000), refillPerSecond: Amount(10)))
    }

    @Test("a lane pairs its asset with the remote chain's asset of the same symbol, or the remote_asset it names")
    func lanePairs() throws {
        let directory = URL(fileURLWithPath: Self.devnetDirectory).deletingLastPathComponent().appendingPathComponent("evm-local").path
        let registry = try ChainRegistry.load(directory: directory)
        let one = try #require(registry[ChainID(1337)]), two = try #require(registry[ChainID(1338)])
        let lanes = registry.pairedLanes(of: one)
        let tusd = try #require(lanes.first { $0.asset == "TUSD" })
        #expect(tusd.remoteAsset == Address(try #require(two.info.asset("TUSD")).gatewayID))
        #expect(lanes.first { $0.asset == "ETH" }?.remoteAsset == Address(Bytes32.zero))
        #expect(try registry.simulatedConfig(for: ChainID(1337)).lanes == lanes)
        let named = try ChainEntry.parse(toml: Self.valid.replacingOccurrences(
            of: "remote_decimals = 6", with: "remote_decimals = 6\nremote_asset = \"0x00000000000000000000000000000000000000aa\""), source: "t.toml")
        #expect(named.lanes.first?.remoteAsset == Address(try Bytes32(hex: "0x00000000000000000000000000000000000000000000000000000000000000aa")))
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        let name: String, from: String, to: String, field: String, problem: String
        var testDescription: String { name }
    }

    @Test("bad chain files get an error naming the file, the field and the problem", arguments: [
        BadFile(name: "malformed TOML", from: "id = 5", to: "id = = 5", field: "", problem: "malformed TOML"),
        BadFile(name: "unknown family", from: "family = \"evm\"", to: "family = \"cosmos\"", field: "family", problem: "unknown family \"cosmos\""),
        BadFile(name: "negative integer", from: "finality_depth = 10", to: "finality_depth = -3", field: "finality_depth", problem: "must not be negative"),
        BadFile(name: "non-integer", from: "block_time_ms = 1000", to: "block_time_ms = 1.5", field: "block_time_ms", problem: "whole number"),
        BadFile(name: "negative amount", from: "refill_per_second = \"10\"", to: "refill_per_second = \"-10\"", field: "lanes[0].refill_per_second", problem: "invalid amount"),
        BadFile(name: "fractional amount", from: "capacity = 1000", to: "capacity = 10.5", field: "lanes[0].capacity", problem: "whole number"),
        BadFile(name: "decimal string amount", from: "capacity = 1000", to: "capacity = \"1.5\"", field: "lanes[0].capacity", problem: "invalid amount"),
        BadFile(name: "unknown asset", from: "asset = \"USDC\"", to: "asset = \"DAI\"", field: "lanes[0].asset", problem: "unknown asset \"DAI\""),
        BadFile(name: "missing field", from: "name = \"test\"", to: "", field: "name", problem: "is missing"),
        BadFile(name: "threshold above members", from: "threshold = 1", to: "threshold = 2", field: "relayers.threshold", problem: "between 1 and"),
        BadFile(name: "bad checksum", from: "0x76B26a54E273D4Faf7c7C9D7F44aF983304c6a5e", to: "0x76b26a54E273D4Faf7c7C9D7F44aF983304c6a5e",
                field: "relayers.members[0]", problem: "checksum"),
        BadFile(name: "unknown adapter", from: "name = \"test\"", to: "name = \"test\"\nadapter = \"cosmos-grpc\"", field: "adapter", problem: "unknown adapter"),
        BadFile(name: "remote adapter without URL", from: "name = \"test\"", to: "name = \"test\"\nadapter = \"evm-rpc\"", field: "rpc_url", problem: "required"),
    ])
    func badFile(bad: BadFile) {
        let text = Self.valid.replacingOccurrences(of: bad.from, with: bad.to)
        #expect(text != Self.valid)
        do {
            _ = try ChainEntry.parse(toml: text, source: "chains/bad.toml")
            Issue.record("accepted \(bad.name)")
        } catch {
            #expect(error.file == "chains/bad.toml")
            #expect(error.field == (bad.field.isEmpty ? nil : bad.field), "\(error)")
            #expect(error.problem.contains(bad.problem), "\(error)")
        }
    }

    @Test("duplicate chain ids are refused, naming both files")
    func duplicates() throws {
        let a = try ChainEntry.parse(toml: Self.valid, source: "a.toml")
        let b = try ChainEntry.parse(toml: Self.valid, source: "b.toml")
        #expect(throws: RegistryError(file: "b.toml", field: "id", problem: "duplicate chain id 5, also used by a.toml")) {
            _ = try ChainRegistry(entries: [a, b])
        }
        #expect(throws: RegistryError(file: "a.toml", field: "lanes[0].remote_chain", problem: "no chain with id 6 in the registry")) {
            _ = try ChainRegistry(entries: [a])
        }
    }

    @Test("a missing directory is a clear error, not a crash")
    func missingDirectory() {
        #expect(throws: RegistryError.self) { _ = try ChainRegistry.load(directory: "/nonexistent/chains") }
    }
}
