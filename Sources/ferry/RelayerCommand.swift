import ArgumentParser
import FerryChains
import FerryCore
import FerryCrypto
import FerryRelayer
import FerryRelayerOps
import FerryWire
import Foundation
import Logging
import ServiceLifecycle

struct RelayerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relayer",
        abstract: "Run a Ferry relayer node and manage its keys.",
        discussion: "Operator guide: Relayer/RUNBOOK.md. Sample config: Relayer/relayer.toml.",
        subcommands: [Run.self, Keys.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a relayer node until SIGTERM or SIGINT (graceful stop).",
            discussion: """
                The keystore password comes from FERRY_PASSWORD, else the config's node.password_file.
                Logs go to stderr; /metrics and /healthz are served on node.metrics when it is set.
                """)

        @Option(name: .long, help: "The relayer config file (see Relayer/relayer.toml).")
        var config: String

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
        var logLevel: String = "info"

        func validate() throws {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
            }
        }

        func run() async throws {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "ferry.relayer")
            do {
                try await RelayerLauncher(configPath: config, logger: logger).run()
            } catch {
                logger.critical("relayer stopped: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the CURVE key pair that authenticates this node's gossip.",
            subcommands: [New.self])

        struct New: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Generate a CURVE key pair; write the secret key to a file (mode 0600) and print the public key.",
                discussion: """
                    The public key (Z85, 40 characters) goes into the other relayers' [[peers]] curve_public_key.
                    The secret file is what node.curve_secret_file names. FILE.pub gets the public key too.
                    """)

            @Option(name: .long, help: "Secret key file to create (refused if it exists). Without it, both keys are printed.")
            var out: String?

            @OptionGroup var output: OutputOptions

            func run() async throws {
                try await reportingErrors(output) {
                    let pair = try CurveKeyPair.generate()
                    guard let out else {
                        try output.emit(["public_key": pair.publicKey.z85, "secret_key": pair.secretKey.z85]) {
                            "public \(pair.publicKey.z85)\nsecret \(pair.secretKey.z85)"
                        }
                        return
                    }
                    try SecretFile.create(out, contents: pair.secretKey.z85 + "\n", mode: 0o600)
                    try SecretFile.create(out + ".pub", contents: pair.publicKey.z85 + "\n", mode: 0o644)
                    try output.emit(["public_key": pair.publicKey.z85, "secret_file": out]) { pair.publicKey.z85 }
                }
            }
        }
    }
}

/// Files that must not exist yet and must not be readable by others while being written.
enum SecretFile {
    /// Creates `path` exclusively with `mode` (no window where it is world-readable) and writes `contents`.
    static func create(_ path: String, contents: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else {
            throw CLIError("cannot create \(path): \(String(cString: strerror(errno)))" + (errno == EEXIST ? " (Ferry never overwrites a key file)" : ""))
        }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Reads a small secret file, trimmed; warns when group or others may read it.
    static func read(_ path: String, what: String, logger: Logger) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the \(what) \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & 0o077 != 0 {
            logger.warning("the \(what) \(path) is readable by group or others; chmod 600 it")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
