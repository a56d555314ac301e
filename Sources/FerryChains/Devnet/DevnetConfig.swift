import TOMLKit
public import FerryCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `ferry devnet --config chains/devnet.toml` reads: where the chain files are and where to listen.
///
/// ```toml
/// chains_dir = "devnet"     # relative to this file; one TOML file per chain (docs/adapters.md)
/// host = "127.0.0.1"        # loopback only
/// port = 8645               # 0 picks a free port
/// seed = 1                  # ledger randomness (dropped transactions)
/// scenario = "faults.json"  # optional fault scenario (docs/scenarios.md), relative to this file
/// ```
public struct DevnetConfig: Sendable, Hashable {
    /// The chain registry directory, resolved against the config file's directory.
    public var chainsDirectory: String
    /// Loopback address to listen on.
    public var host: String
    /// Port to listen on; 0 picks a free one.
    public var port: Int
    /// Ledger randomness (dropped transactions), mixed with each chain id.
    public var seed: UInt64
    /// A fault scenario file, resolved like ``chainsDirectory``.
    public var scenario: String?

    /// Memberwise initializer.
    public init(chainsDirectory: String, host: String = "127.0.0.1", port: Int = 8645, seed: UInt64 = 1, scenario: String? = nil) {
        self.chainsDirectory = chainsDirectory
        self.host = host
        self.port = port
        self.seed = seed
        self.scenario = scenario
    }

    /// Reads a devnet config file.
    /// - Throws: ``RegistryError`` naming the file, the field and the problem.
    public static func load(path: String) throws(RegistryError) -> DevnetConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            let hint = path.hasPrefix("/") ? "" : " (relative to \(FileManager.default.currentDirectoryPath); pass --config)"
            throw RegistryError(file: path, field: "", problem: "cannot read the file: no such file or not readable\(hint)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RegistryError(file: path, field: "", problem: "the file is not UTF-8 text")
        }
        return try parse(toml: text, source: path)
    }

    /// Parses a devnet config; relative paths in it are resolved against `source`'s directory.
    public static func parse(toml text: String, source: String) throws(RegistryError) -> DevnetConfig {
        if let error = TOMLSyntax.check(text) { throw RegistryError(file: source, field: "", problem: "malformed TOML at \(error)") }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw RegistryError(file: source, field: "", problem: "malformed TOML: \(error)")
        }
        let r = TOMLReader(table: table, file: source, path: "")
        // A typo (`chain_dir`, `prot`) must not be silently ignored.
        let known: Set = ["chains_dir", "host", "port", "seed", "scenario"]
        if let unknown = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw r.error(unknown, "unknown key; a devnet config has \(known.sorted().joined(separator: ", "))")
        }
        let base = source.contains("/") ? String(source[..<(source.lastIndex(of: "/") ?? source.endIndex)]) : "."
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : base + "/" + path }
        let host = try r.optionalString("host") ?? "127.0.0.1"
        guard isLoopback(host) else {
            throw r.error("host", "must be a loopback address (127.0.0.1, ::1 or localhost): the devnet has no authentication, got \"\(host)\"")
        }
        var port = 8645
        if table["port"] != nil {
            let value = try r.count("port")
            guard value <= 65_535 else { throw r.error("port", "must be 0...65535, got \(value)") }
            port = Int(value)
        }
        let seed = table["seed"] == nil ? 1 : try r.count("seed")
        return DevnetConfig(chainsDirectory: resolve(try r.string("chains_dir")), host: host, port: port, seed: seed,
                            scenario: try r.optionalString("scenario").map(resolve))
    }

    /// True for `localhost`, `::1` and any `127.x.x.x` address.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in UInt8(part) != nil }
    }
}
