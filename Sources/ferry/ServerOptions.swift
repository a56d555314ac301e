import ArgumentParser
import FerryAPI
import FerryClient
import Foundation

/// `--server` and `--api-key` for the commands that talk to a running `ferry serve`.
struct ServerOptions: ParsableArguments {
    /// Where `ferry serve` listens by default (its `--host`/`--port` defaults).
    static let defaultServer = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("Base URL of a running `ferry serve` (default: $FERRY_SERVER, else \(ServerOptions.defaultServer)).",
                               valueName: "url"))
    var server: String?

    @Option(name: .customLong("api-key"),
            help: ArgumentHelp("The agent's bearer key (default: $FERRY_API_KEY; `ferry serve` prints one). Never printed.",
                               valueName: "key"))
    var apiKey: String?

    /// `--server`, else `$FERRY_SERVER`, else the default, without a trailing slash.
    var baseURL: String {
        let url = server ?? ProcessInfo.processInfo.environment["FERRY_SERVER"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultServer
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// `--api-key`, else `$FERRY_API_KEY`.
    var key: String? {
        apiKey ?? ProcessInfo.processInfo.environment["FERRY_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ValidationError("--server must be an http(s) URL like \(Self.defaultServer), not \"\(baseURL)\"")
        }
        guard let key, !key.isEmpty else {
            throw ValidationError("no API key: pass --api-key or set FERRY_API_KEY (`ferry serve` prints one at start)")
        }
        // The key goes into a header: refuse what would break it, without echoing the key.
        guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw ValidationError("--api-key/FERRY_API_KEY must be printable ASCII without spaces")
        }
    }

    /// A client for the server (validated: the key is present).
    func client() throws -> FerryClient {
        guard let key else { throw CLIError("no API key: pass --api-key or set FERRY_API_KEY") }
        return FerryClient(baseURL: baseURL, apiKey: key)
    }
}

/// Writes to stdout unbuffered, so progress redraws, text and JSON come out in the order they were written.
enum Console {
    static func out(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func line(_ text: String = "") { out(text + "\n") }
    static func err(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    /// Prints an API body as the server sends it: the same `FerryJSON` encoding, one line.
    static func serverJSON<T: Encodable>(_ value: T) throws {
        line(String(decoding: try FerryJSON.encoder().encode(value), as: UTF8.self))
    }
}

/// Like ``reportingErrors(_:_:)``, and a server problem prints as one line naming its title, detail, field and rule
/// (under `--json`: the problem JSON itself on stdout). Exit code 1.
func reportingProblems(_ output: OutputOptions, _ body: () async throws -> Void) async throws {
    try await reportingErrors(output) {
        do {
            try await body()
        } catch let error as FerryClientError {
            guard let problem = error.problem else { throw error }
            if output.json { try Console.serverJSON(problem) } else { Console.err("error: \(ProblemText.line(problem))") }
            throw ExitCode(1)
        }
    }
}

/// One-line rendering of a problem.
enum ProblemText {
    static func line(_ p: APIProblem) -> String {
        var text = "\(p.title) (\(p.status)): \(p.detail)"
        if let field = p.field { text += " [field: \(field)]" }
        if let rule = p.rule { text += " [rule: \(rule)]" }
        if let id = p.paymentID { text += " [payment: \(id)]" }
        return text
    }
}
