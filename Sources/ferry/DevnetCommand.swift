import ArgumentParser
import FerryChains
import FerryDevnet
import Foundation
import Logging
import ServiceLifecycle

/// `ferry devnet`: serves the registry's simulated chains over HTTP on loopback, on wall-clock time, until
/// Ctrl-C or SIGTERM.
struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract: "Serve the simulated chains over HTTP on loopback so relayers and agents share them.",
        discussion: """
            Prints one line per chain (or, with --json, one JSON line with the port and admin token) once listening.
            Stops cleanly on Ctrl-C or SIGTERM. API and admin calls: docs/devnet.md.
            """)

    @Option(name: .long, help: "Devnet config file (chains_dir, host, port, seed, scenario).")
    var config = "chains/devnet.toml"

    @Option(name: .long, help: "Port to listen on, overriding the config; 0 picks a free one.")
    var port: Int?

    @Option(name: .long, help: "Loopback address to listen on, overriding the config (127.0.0.1, ::1, localhost).")
    var host: String?

    @Option(name: .long, help: "Token admin calls must send in X-Ferry-Devnet-Admin (default: a new random one each run).")
    var adminToken: String?

    @Flag(name: .long, help: "Turn the admin API (faucet, liquidity, faults, clock) off.")
    var noAdmin = false

    @Flag(name: .long, help: "Print one JSON line (url, port, adminToken, chains) instead of readable text.")
    var json = false

    func validate() throws {
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port must be 0...65535, got \(port)") }
        if let host, !DevnetConfig.isLoopback(host) {
            throw ValidationError("--host must be a loopback address (127.0.0.1, ::1 or localhost): the devnet has no authentication; got \(host)")
        }
        if let adminToken, adminToken.count < 8 { throw ValidationError("--admin-token must be at least 8 characters") }
        if noAdmin, adminToken != nil { throw ValidationError("--admin-token and --no-admin contradict each other") }
    }

    func run() async throws {
        try await reportingErrors(json: json) {
            var settings = try DevnetConfig.load(path: config)
            if let port { settings.port = port }
            if let host { settings.host = host }
            let token = noAdmin ? nil : (adminToken ?? Devnet.makeAdminToken())
            let devnet = try await Devnet(config: settings, adminToken: token)
            var logger = Logger(label: "ferry.devnet", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = .info
            let announce = DevnetAnnouncement(devnet: devnet, host: settings.host, adminToken: token, json: json)
            let app = try DevnetServer.application(devnet: devnet, host: settings.host, port: settings.port, logger: logger) { port in
                announce.print(port: port)
            }
            let group = ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await runListening(host: settings.host, port: settings.port) { try await group.run() }
        }
    }
}

/// What `ferry devnet` prints once it listens.
struct DevnetAnnouncement: Sendable {
    let devnet: Devnet
    let host: String
    let adminToken: String?
    let json: Bool

    struct Line: Encodable {
        let url: String
        let host: String
        let port: Int
        let adminToken: String?
        let chains: [Chain]
    }

    struct Chain: Encodable {
        let id: UInt64
        let name: String
        let family: String
        let url: String
    }

    func print(port: Int) {
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let root = "http://\(hostPart):\(port)"
        let chains = devnet.chainIDs.compactMap { id in
            devnet.ledgers[id].map { ledger in
                let info = ledger.config.info
                return Chain(id: id.rawValue, name: info.name, family: info.family.rawValue,
                             url: "\(root)\(DevnetAPI.chainsPath)/\(id.rawValue)")
            }
        }
        var text: String
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let line = Line(url: root, host: host, port: port, adminToken: adminToken, chains: chains)
            text = String(decoding: (try? encoder.encode(line)) ?? Data("{}".utf8), as: UTF8.self)
        } else {
            text = "ferry devnet listening on \(root) (Ctrl-C to stop)\n"
            let width = chains.map(\.name.count).max() ?? 0
            for chain in chains {
                text += "  \(chain.id)  \(chain.name.padding(toLength: width, withPad: " ", startingAt: 0))  "
                text += "\(chain.family.padding(toLength: 7, withPad: " ", startingAt: 0))  \(chain.url)\n"
            }
            text += adminToken.map { "admin token (header \(DevnetAPI.adminTokenHeader)): \($0)" } ?? "admin API disabled"
        }
        // Scripts read this line through a pipe: write it and flush at once.
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
