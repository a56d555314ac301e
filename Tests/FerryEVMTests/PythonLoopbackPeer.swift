import FerryTestSupport
import Foundation

/// Starts a Python peer under `Tests/vectors` that listens on loopback and prints `{"port": N}` on its first line;
/// its stdin stays open (closing it stops the peer).
func startPythonLoopbackPeer(_ script: String, arguments: [String] = []) throws -> (process: ChildProcess, input: Pipe, port: Int) {
    let p = ChildProcess()
    p.executableURL = URL(fileURLWithPath: PythonVectors.python)
    p.arguments = [PythonVectors.packageRoot.appendingPathComponent("Tests/vectors/\(script)").path] + arguments
    let out = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardInput = input
    try p.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = out.fileHandleForReading.availableData
        guard !chunk.isEmpty else { throw DevNode.Failure(description: "\(script) exited before printing its port") }
        line.append(chunk)
    }
    let info = try JSONSerialization.jsonObject(with: line) as? [String: Any]
    guard let port = info?["port"] as? Int else { throw DevNode.Failure(description: "\(script) printed no port: \(String(decoding: line, as: UTF8.self))") }
    return (p, input, port)
}
