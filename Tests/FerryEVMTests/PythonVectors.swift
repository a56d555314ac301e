import Foundation
import Testing

/// Runs a vector generator under `Tests/vectors/` with the project's Python (FERRY_PYTHON, else `.venv/bin/python`,
/// else `python3`) and returns its standard output. Missing Python is a test failure, never a silent pass.
enum PythonVectors {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String {
        if let env = ProcessInfo.processInfo.environment["FERRY_PYTHON"], FileManager.default.isExecutableFile(atPath: env) {
            return env
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ script: String, _ arguments: [String]) throws -> Data {
        let process = Process()
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
