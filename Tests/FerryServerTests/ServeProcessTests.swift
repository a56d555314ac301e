import FerryServer
import FerryTestSupport
import Foundation
import Testing

/// The `ferry` executable built beside this test bundle, if it was built.
private let ferryExecutable: URL? = {
    let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ferry")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

@Suite("ferry serve as a process under a small descriptor limit", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: ferryExecutable != nil, "build the ferry product first"))
struct ServeProcessTests {
    @Test("200 half-sent requests under `ulimit -n 256`: the server lives, cuts them off, serves a healthy client, and stops on SIGTERM with an event stream open")
    func descriptorLimit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("keys.txt")
        try (APIKeyStore.line(agent: "agent", key: "process-key") + "\n").write(to: keys, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -n 256 && exec \"$0\" \"$@\"", try #require(ferryExecutable).path, "serve", "--port", "0",
                             "--api-keys", keys.path, "--database", directory.appendingPathComponent("agent.sqlite").path,
                             "--idle-timeout", "2", "--request-timeout", "2"]
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var port = 0
        try await waitUntil("ferry serve announces its port", timeout: .seconds(30), every: .milliseconds(50)) {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            guard let range = text.range(of: "http://127.0.0.1:") else { return false }
            port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
            return port > 0
        }
        var slow: [LoopbackSocket] = []
        for _ in 0..<200 {
            let socket = try await LoopbackSocket(port: port)
            try await socket.send("GET /v1/chains HTTP/1.1\r\nHost: test\r\n")
            slow.append(socket)
        }
        #expect(process.isRunning, "the server died under descriptor pressure")
        let healthy = try await LoopbackSocket(port: port)
        try await healthy.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        let (text, _) = await healthy.receive(timeout: .seconds(20), until: "\"status\"")
        #expect(text.contains("200 OK"), "a healthy client was not served: \(text)")
        #expect(process.isRunning)
        var closed = 0
        for socket in slow.prefix(20) where await socket.receive(timeout: .seconds(5)).closed { closed += 1 }
        #expect(closed == 20, "slow clients are cut off")
        slow.forEach { $0.close() }
        healthy.close()
        // An event stream open across SIGTERM: a payment that takes minutes of real time to deliver at speed 1.
        let pay = try await LoopbackSocket(port: port)
        let body = #"{"from":{"chain":1,"asset":"USDC"},"to":{"chain":8453,"asset":"USDC"},"amount":"25","receiver":"0x00000000000000000000000000000000000000aa"}"#
        try await pay.send("POST /v1/payments HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer process-key\r\nIdempotency-Key: sigterm\r\n"
                           + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let created = await pay.receive(timeout: .seconds(10), until: "\"state\"").text
        let paymentID = try #require(created.range(of: #"pay_[0-9a-f-]+"#, options: .regularExpression).map { String(created[$0]) }, "\(created)")
        let stream = try await LoopbackSocket(port: port)
        try await stream.send("GET /v1/payments/\(paymentID)/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer process-key\r\n\r\n")
        let opened = await stream.receive(timeout: .seconds(10), until: "event: quoted").text
        #expect(opened.contains("200 OK") && !opened.contains("event: end"), "\(opened.prefix(300))")
        let stopping = ContinuousClock.now
        process.terminate()
        var iterator = exits.makeAsyncIterator()
        let status = await iterator.next()
        #expect(status == 0 && process.terminationReason == .exit)
        #expect(ContinuousClock.now - stopping < .seconds(12), "SIGTERM took longer than the drain time")
        #expect(await stream.receive(timeout: .seconds(5)).closed, "the stream ended with the server")
        stream.close()
        pay.close()
    }
}
