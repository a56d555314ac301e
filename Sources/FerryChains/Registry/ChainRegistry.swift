public import FerryCore
import FerryCrypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every chain Ferry knows, loaded from `chains/*.toml` (one file per chain).
public struct ChainRegistry: Sendable {
    /// Entries sorted by chain id.
    public let entries: [ChainEntry]

    /// A registry of `entries`.
    /// - Throws: ``RegistryError`` for two entries with the same id (naming both files) or a lane to an unknown chain.
    public init(entries: [ChainEntry]) throws(RegistryError) {
        var seen: [ChainID: ChainEntry] = [:]
        for entry in entries {
            if let other = seen[entry.info.id] {
                throw RegistryError(file: entry.source, field: "id",
                                    problem: "duplicate chain id \(entry.info.id.rawValue), also used by \(other.source)")
            }
            seen[entry.info.id] = entry
        }
        for entry in entries {
            for (index, lane) in entry.lanes.enumerated() where seen[lane.remoteChain] == nil {
                throw RegistryError(file: entry.source, field: "lanes[\(index)].remote_chain",
                                    problem: "no chain with id \(lane.remoteChain.rawValue) in the registry")
            }
        }
        self.entries = entries.sorted { $0.info.id < $1.info.id }
    }

    /// Loads every `*.toml` file in `directory` (sorted by name).
    /// - Throws: ``RegistryError`` for an unreadable directory or file, or any invalid entry.
    public static func load(directory: String) throws(RegistryError) -> ChainRegistry {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw RegistryError(file: directory, field: "", problem: "cannot list the directory: \(error.localizedDescription)")
        }
        var entries: [ChainEntry] = []
        for name in names.sorted() where name.hasSuffix(".toml") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw RegistryError(file: path, field: "", problem: "cannot read the file as UTF-8")
            }
            entries.append(try ChainEntry.parse(toml: text, source: path))
        }
        guard !entries.isEmpty else { throw RegistryError(file: directory, field: "", problem: "no *.toml chain files") }
        return try ChainRegistry(entries: entries)
    }

    /// `entry`'s lanes with each remote asset filled in from the remote chain's asset of the same symbol (when the
    /// remote chain is registered and the lane does not name one).
    public func pairedLanes(of entry: ChainEntry) -> [LaneConfig] {
        entry.lanes.map { lane in
            var lane = lane
            if lane.remoteAsset == nil, let remote = self[lane.remoteChain]?.info.asset(lane.asset) { lane.remoteAsset = Address(remote.gatewayID) }
            return lane
        }
    }

    /// The entry for `id`.
    public subscript(id: ChainID) -> ChainEntry? { entries.first { $0.info.id == id } }

    /// A simulated ledger configuration for `id`, with every lane's remote gateway taken from the registry.
    /// - Throws: ``RegistryError`` when `id` is not registered.
    public func simulatedConfig(for id: ChainID, seed: UInt64 = 1) throws(RegistryError) -> SimulatedChainConfig {
        guard let entry = self[id] else { throw RegistryError(file: "registry", field: "", problem: "no chain with id \(id.rawValue)") }
        let preset: SimulatedChainConfig
        do {
            preset = try SimulatedChainConfig.preset(entry.info.family, id: id, relayers: entry.relayers)
        } catch {
            throw RegistryError(file: entry.source, field: "", problem: "\(error)")
        }
        var remotes: [ChainID: EthereumAddress] = [:]
        for lane in entry.lanes { remotes[lane.remoteChain] = self[lane.remoteChain]?.info.gateway }
        return SimulatedChainConfig(info: entry.info, relayers: entry.relayers, lanes: pairedLanes(of: entry), remoteGateways: remotes,
                                    feeMarket: preset.feeMarket, seed: seed ^ id.rawValue)
    }
}
