import FerryChains
import FerryCore
import FerryEVM
import Logging

/// Builds a chain adapter for each registry entry, by its `adapter` kind.
///
/// One builder per kind: a new kind plugs in with one line in ``builders``.
enum AdapterFactory {
    typealias Builder = @Sendable (ChainEntry, ChainRegistry, Logger) async throws -> any ChainAdapter

    static let builders: [AdapterKind: Builder] = [
        .sim: { entry, registry, logger in try privateSimulation(entry, registry, logger) },
        .simRemote: { entry, _, _ in try RemoteChainAdapter(entry: entry) },
        .evmRPC: { entry, _, _ in try await EVMAdapter.connect(entry: entry) },
    ]

    /// Adapters for `chains`, in the registry's terms; `providers` replaces an entry's endpoints (a relayer's own
    /// `[[rpc]]` tables).
    /// - Throws: ``CLIError`` naming the chain, its file and the adapter kind this build lacks.
    static func adapters(for chains: [ChainID], registry: ChainRegistry, providers: [ChainID: RPCProviders] = [:],
                         logger: Logger) async throws -> [ChainID: any ChainAdapter] {
        var out: [ChainID: any ChainAdapter] = [:]
        for chain in chains {
            guard var entry = registry[chain] else { throw CLIError("chain \(chain.rawValue) is not in the registry") }
            if let own = providers[chain] { entry = entry.with(providers: own) }
            guard let build = builders[entry.adapter] else {
                let known = builders.keys.map(\.rawValue).sorted().joined(separator: ", ")
                throw CLIError("""
                    \(entry.source): adapter "\(entry.adapter.rawValue)" is not available in this build of ferry \
                    (available: \(known)); see Relayer/RUNBOOK.md
                    """)
            }
            out[chain] = try await build(entry, registry, logger)
        }
        return out
    }

    /// `adapter = "sim"`: a simulated ledger inside this process, on the wall clock. Each relayer process gets
    /// its own private chain, so this is only good for a smoke test of one node; share chains with `ferry devnet`.
    private static func privateSimulation(_ entry: ChainEntry, _ registry: ChainRegistry, _ logger: Logger) throws -> any ChainAdapter {
        logger.warning("chain \(entry.info.id.rawValue) uses adapter \"sim\": a private in-process chain no other relayer sees (smoke tests only)")
        let ledger = SimulatedLedger(config: try registry.simulatedConfig(for: entry.info.id), clock: .wall)
        return SimulatedChainAdapter(ledger: ledger)
    }
}
