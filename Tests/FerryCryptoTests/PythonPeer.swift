import Foundation
import FerryTestSupport

/// Runs the Python reference implementations (eth-account, eth-keys, ...) the tests cross-check against.
///
/// The interpreter is `$FERRY_PYTHON`, else `<package>/.venv/bin/python`, else `python3` on PATH.
/// A missing interpreter or a failing script is an error (the test fails), never a silent pass.
enum PythonPeer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The package root, found from this file's path (`<root>/Tests/FerryCryptoTests/PythonPeer.swift`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let vectorsDirectory = packageRoot.appendingPathComponent("Tests/vectors")

    /// The interpreter and any leading arguments (`/usr/bin/env python3` for the PATH fallback).
    static func interpreter() -> (executable: URL, leadingArguments: [String]) {
        if let configured = ProcessInfo.processInfo.environment["FERRY_PYTHON"], !configured.isEmpty {
            return (URL(fileURLWithPath: configured), [])
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python")
        if FileManager.default.isExecutableFile(atPath: venv.path) {
            return (venv, [])
        }
        return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"])
    }

    /// Runs `Tests/vectors/<script>` with `arguments`, feeding `stdin`; returns stdout.
    /// - Throws: `Failure` naming the interpreter, exit status and stderr when it does not exit 0.
    static func run(script: String, arguments: [String] = [], stdin: [UInt8] = []) throws -> Data {
        let (executable, leading) = interpreter()
        let scriptPath = vectorsDirectory.appendingPathComponent(script).path
        let process = ChildProcess()
        process.executableURL = executable
        process.arguments = leading + [scriptPath] + arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot start Python (\(executable.path)) for \(script): \(error). "
                + "Run `make setup` or set FERRY_PYTHON to a python with Tests/requirements.txt installed.")
        }
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        input.fileHandleForWriting.write(Data(stdin))
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let err = errorData.waitAndGet()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable.path) \(script) exited with status \(process.terminationStatus): "
                + String(decoding: err, as: UTF8.self)
                + " (run `make setup`, or set FERRY_PYTHON to a python with Tests/requirements.txt installed)")
        }
        return out
    }

    /// Runs `script` and decodes its stdout as JSON of type `T`.
    static func json<T: Decodable>(_ type: T.Type, script: String, arguments: [String] = []) throws -> T {
        let data = try run(script: script, arguments: arguments)
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// A value written by one thread and read by another after it finished.
private final class LockedData: @unchecked Sendable {  // guarded by `condition`
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func waitAndGet() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
