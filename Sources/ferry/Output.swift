import ArgumentParser
import Foundation
import NIOCore

/// `--json` for every command: machine-readable output on stdout, one JSON object.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object instead of readable text.")
    var json = false

    /// Prints `value` as sorted, pretty JSON when `--json` is set, else calls `text`.
    func emit<T: Encodable>(_ value: T, text: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } else {
            print(text())
        }
    }
}

/// A failure the CLI reports as one line (and as `{"error": ...}` under `--json`) with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`; turns any error into a one-line message (JSON when asked) and exit code 1, never a stack trace.
func reportingErrors(_ output: OutputOptions, _ body: () async throws -> Void) async throws {
    try await reportingErrors(json: output.json, body)
}

/// As ``reportingErrors(_:_:)`` for commands with their own `--json` flag. (An `OutputOptions` built in code, not
/// parsed, must not be read: ArgumentParser traps with "Can't read a value from a parsable argument definition".)
func reportingErrors(json: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let message = String(describing: error)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: (try? encoder.encode(["error": message])) ?? Data(), as: UTF8.self))
        } else {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        }
        throw ExitCode(1)
    }
}

/// Runs a server's service group; a failure to listen (the address in use, or not available on this host) becomes
/// a one-line error naming the address and what to do, instead of NIO's `bind(descriptor:ptr:bytes:)` text.
func runListening(host: String, port: Int, _ run: () async throws -> Void) async throws {
    do {
        try await run()
    } catch let error as IOError where error.errnoCode == EADDRINUSE {
        throw CLIError("cannot listen on \(host):\(port): the address is in use (another process holds that port; stop it, pass another --port, or 0 for a free one)")
    } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
        throw CLIError("cannot listen on \(host):\(port): \(String(cString: strerror(error.errnoCode)))")
    }
}
