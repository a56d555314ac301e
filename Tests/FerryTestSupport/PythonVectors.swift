public import Foundation
import FerryTestSupport

/// Runs a vector generator under `Tests/vectors/` with the project's Python (FERRY_PYTHON, else `.venv/bin/python`,
/// else `python3`) and returns its standard output. Missing Python is a test failure, never a silent pass.
public enum PythonVectors {
    /// The package root, found from this file's path (`<root>/Tests/FerryTestSupport/PythonVectors.swift`).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The interpreter: FERRY_PYTHON, else `<root>/.venv/bin/python`, else `/usr/bin/python3`.
    public static var python: String {
        if let env = ProcessInfo.processInfo.environment["FERRY_PYTHON"], FileManager.default.isExecutableFile(atPath: env) {
            return env
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// A generator that failed or could not start.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `Tests/vectors/<script>` with `arguments` and returns its standard output.
    public static func run(_ script: String, _ arguments: [String]) throws -> Data {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [packageRoot.appendingPathComponent("Tests/vectors/\(script)").path] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script) failed with \(process.terminationStatus) (run `make setup` to install the test peers): "
                + String(decoding: errData, as: UTF8.self))
        }
        return data
    }
}
