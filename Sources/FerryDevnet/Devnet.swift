public import FerryChains
public import FerryCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The simulated chains one `ferry devnet` serves: a ``SimulatedLedger`` per registry entry, all on one
/// ``DevnetClock`` (wall-clock time, so every process that talks to the devnet sees the same chains).
public struct Devnet: Sendable {
    /// The registry the chains come from.
    public let registry: ChainRegistry
    /// The devnet's shared time.
    public let clock: DevnetClock
    /// One ledger per served chain, by id.
    public let ledgers: [ChainID: SimulatedLedger]
    /// The token admin calls must carry in ``DevnetAPI/adminTokenHeader``; nil disables the admin API.
    public let adminToken: String?

    /// A devnet of every `sim` and `sim-remote` chain of `registry` (`evm-rpc` entries are real chains and are skipped).
    /// - Parameters:
    ///   - seed: ledger randomness (dropped transactions), mixed with each chain id.
    ///   - adminToken: what admin calls must present; nil turns the admin API off.
    ///   - scenario: faults to schedule on the chains, relative to start.
    /// - Throws: ``RegistryError`` when an entry cannot be simulated, or when no entry can.
    public init(registry: ChainRegistry, seed: UInt64 = 1, adminToken: String?, clock: DevnetClock = DevnetClock(),
                scenario: FaultScenario? = nil) async throws(RegistryError) {
        var ledgers: [ChainID: SimulatedLedger] = [:]
        for entry in registry.entries where entry.adapter != .evmRPC {
            let config = try registry.simulatedConfig(for: entry.info.id, seed: seed)
            let ledger = SimulatedLedger(config: config, clock: clock.ledgerClock)
            if let scenario { await ledger.schedule(scenario) }
            ledgers[entry.info.id] = ledger
        }
        guard !ledgers.isEmpty else {
            throw RegistryError(file: "registry", field: "", problem: "no simulated chains to serve (every entry is evm-rpc)")
        }
        self.registry = registry
        self.clock = clock
        self.ledgers = ledgers
        self.adminToken = adminToken
    }

    /// Loads the registry and scenario a ``DevnetConfig`` names and builds the devnet.
    /// - Throws: ``RegistryError`` or ``ScenarioError`` naming the file and field.
    public init(config: DevnetConfig, adminToken: String?, clock: DevnetClock = DevnetClock()) async throws {
        let registry = try ChainRegistry.load(directory: config.chainsDirectory)
        var scenario: FaultScenario?
        if let path = config.scenario {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RegistryError(file: path, field: "", problem: "cannot read the scenario file")
            }
            scenario = try FaultScenario.decode(json: String(decoding: data, as: UTF8.self), source: path)
        }
        try await self.init(registry: registry, seed: config.seed, adminToken: adminToken, clock: clock, scenario: scenario)
    }

    /// Served chain ids, ascending.
    public var chainIDs: [ChainID] { ledgers.keys.sorted() }

    /// Moves the devnet's time forward and produces every chain's due blocks before returning.
    public func advanceTime(millis: UInt64) async -> DevnetAPI.ClockState {
        clock.advance(millis: millis)
        for ledger in ledgers.values { _ = await ledger.pendingCount }
        return DevnetAPI.ClockState(offsetMillis: clock.offsetMillis, nowMillis: clock.unixMillis)
    }

    /// A random 128-bit admin token, as 32 hex digits.
    public static func makeAdminToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let word = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - word.count) + word
        }.joined()
    }
}
