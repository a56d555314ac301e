public import FerryChains
import FerryCore
import Foundation
internal import TOMLKit

extension RelayerConfig {
    /// Loads the chain registry `registry` names: a directory of chain files, a single chain file, or a devnet
    /// config (`chains/devnet.toml`) whose `chains_dir` names the directory, relative to the file.
    /// - Throws: ``RegistryError`` for an unreadable path or an invalid entry; ``ConfigError`` when a chain this
    ///   node serves is not in the registry.
    public func loadRegistry() throws -> ChainRegistry {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: registryPath, isDirectory: &isDirectory) else {
            throw ConfigError(file: registryPath, field: nil, problem: "the registry (node.registry) does not exist")
        }
        let registry: ChainRegistry
        if isDirectory.boolValue {
            registry = try ChainRegistry.load(directory: registryPath)
        } else {
            guard let data = FileManager.default.contents(atPath: registryPath) else {
                throw ConfigError(file: registryPath, field: nil, problem: "cannot read the registry file")
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                throw ConfigError(file: registryPath, field: nil, problem: "the file is not valid UTF-8 text (TOML files must be UTF-8)")
            }
            if TOMLSyntax.check(text) == nil, let table = try? TOMLTable(string: text), let dir = table["chains_dir"]?.string {
                let base = URL(fileURLWithPath: registryPath).deletingLastPathComponent()
                let path = dir.hasPrefix("/") ? dir : base.appendingPathComponent(dir).standardizedFileURL.path
                registry = try ChainRegistry.load(directory: path)
            } else {
                registry = try ChainRegistry(entries: [try ChainEntry.parse(toml: text, source: registryPath)])
            }
        }
        for chain in chains where registry[chain] == nil {
            throw ConfigError(file: registryPath, field: nil,
                              problem: "chain \(chain.rawValue) (listed in node.chains) is not in the registry; known: \(registry.entries.map(\.info.id.rawValue))")
        }
        return registry
    }
}
