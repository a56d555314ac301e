import FerryCore
import FerryCrypto
import FerryWire
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import FerryTestSupport

@Suite("Interop with an independent Python peer")
struct InteropTests {
    /// FERRY_PYTHON, else `<package root>/.venv/bin/python`; missing is a failure, never a skip.
    static func python() throws -> String {
        if let env = ProcessInfo.processInfo.environment["FERRY_PYTHON"], !env.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: env) else {
                throw TimedOut(description: "FERRY_PYTHON=\(env) is not an executable: run `make setup`")
            }
            return env
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: venv) else {
            throw TimedOut(description: "no Python for the interop peer: set FERRY_PYTHON or run `make setup` to create \(venv)")
        }
        return venv
    }

    @Test("a pyzmq peer written from docs/wire.md exchanges attestation frames both ways over CURVE")
    func pythonPeer() async throws {
        let python = try Self.python()
        let swiftKeys = try CurveKeyPair.generate(), pythonKeys = try CurveKeyPair.generate()
        let node = try GossipNode(configuration: .init(keyPair: swiftKeys, allowedPeers: [pythonKeys.publicKey]))

        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            packageRoot.appendingPathComponent("Tests/vectors/wire_peer.py").path,
            "--endpoint", node.endpoint, "--server-key", swiftKeys.publicKey.z85,
            "--public", pythonKeys.publicKey.z85, "--secret", pythonKeys.secretKey.z85,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let lines = LineStream(output.fileHandleForReading)
        let (exits, exitContinuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exitContinuation.yield($0.terminationStatus); exitContinuation.finish() }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let endpointLine = try await first(lines.stream, within: .seconds(90), "the peer's ENDPOINT line",
                                           where: { $0.hasPrefix("ENDPOINT ") || $0.contains("Error") })
        try #require(endpointLine.hasPrefix("ENDPOINT "), "\(endpointLine)\n\(lines.transcript)")
        let endpoint = String(endpointLine.dropFirst("ENDPOINT ".count))
        try node.connect(to: .init(endpoint: endpoint, publicKey: pythonKeys.publicKey))

        // The peer subscribed to us: publish our attestation (without transfer, action cancel, v = 28).
        _ = try await first(node.subscriptions, within: .seconds(90), "the Python peer's subscription")
        let ours = try Attestation(
            destChain: 10, messageId: Bytes32(Samples.bytes(0xC3, 32)), action: .cancel,
            signer: SignerAddress(bytes: Samples.bytes(0x5E, 20)),
            signature: AttestationSignature(bytes: Samples.bytes(0x0A, 32) + Samples.bytes(0x0B, 32) + [28]))
        try node.publish(.attestation(ours))
        let batch = try Samples.batch(3)
        try node.publish(.attestations(batch))

        // From the peer: its own attestation (with the transfer) and the echoes of ours and of the batch, in any order.
        let received: [GossipNode.InboundFrame]
        do {
            received = try await collect(3, from: node.frames, within: .seconds(90), "frames from the Python peer")
        } catch {
            Issue.record("\(error); redials \(node.redials), events \(node.recentLinkEvents), stats \(node.statistics), rejections \(node.rejections.snapshot); the peer said:\n\(lines.transcript)")
            throw error
        }
        #expect(received.allSatisfy { $0.peer == pythonKeys.publicKey })
        let frames = received.map(\.frame)
        #expect(frames.contains(.attestation(try Samples.attestation(withTransfer: true))), "\(lines.transcript)")
        #expect(frames.contains(.attestation(ours)), "\(lines.transcript)")
        #expect(frames.contains(.attestations(batch)), "\(lines.transcript)")
        #expect(node.rejections.snapshot.total == 0)

        let status = try await first(exits, within: .seconds(90), "the peer's exit")
        #expect(status == 0, "\(lines.transcript)")
        let got = lines.transcript.split(separator: "\n").first { $0.hasPrefix("GOT ") }
        let fields = try JSONSerialization.jsonObject(with: Data((got?.dropFirst(4) ?? "{}").utf8)) as? [String: Any]
        #expect(fields?["destChain"] as? Int == 10)
        #expect(fields?["action"] as? Int == 2)
        #expect(fields?["v"] as? Int == 28)
        #expect(fields?["messageId"] as? String == String(repeating: "c3", count: 32))
        #expect(fields?["signer"] as? String == String(repeating: "5e", count: 20))
        let gotBatch = lines.transcript.split(separator: "\n").first { $0.hasPrefix("GOT-BATCH ") }
        let entries = try JSONSerialization.jsonObject(with: Data((gotBatch?.dropFirst(10) ?? "[]").utf8)) as? [[String: Any]]
        #expect(entries?.count == 3)
        #expect(entries?.map { $0["destChain"] as? Int } == batch.entries.map { Int($0.destChain.rawValue) })
        #expect(entries?.map { $0["action"] as? Int } == [1, 2, 1])
        #expect(!lines.transcript.contains("REJECT"), "\(lines.transcript)")
        await node.close()
    }
}

/// Lines of a pipe, read by a dedicated thread (blocking reads stay off the cooperative pool) into an AsyncStream.
final class LineStream: Sendable {
    let stream: AsyncStream<String>
    private let state = Mutex<(pending: [UInt8], transcript: String)>(([], ""))

    init(_ handle: FileHandle) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        self.stream = stream
        let thread = Thread { [self] in
            let fd = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                let data = buffer[0..<n]
                let lines: [String] = self.state.withLock { s in
                    s.pending += data
                    var out: [String] = []
                    while let nl = s.pending.firstIndex(of: 10) {
                        let line = String(decoding: s.pending[..<nl], as: UTF8.self)
                        s.pending.removeSubrange(...nl)
                        s.transcript += line + "\n"
                        out.append(line)
                    }
                    return out
                }
                for line in lines { continuation.yield(line) }
            }
            continuation.finish()
        }
        thread.start()
    }

    /// Everything read so far, for failure messages.
    var transcript: String { state.withLock { $0.transcript } }
}
