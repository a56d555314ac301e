import FerryClient
import FerryServer
import FerryTestSupport
import Foundation
import Testing

/// Issue 14: one API key holding event streams used to take every connection and lock other clients out.
@Suite("Event-stream caps per agent and in total, over real sockets", .serialized, .timeLimit(.minutes(2)))
struct StreamCapTests {
    /// Opens `GET /v1/payments/{id}/events` with `key`; the text holds the whole head, and the problem body for a
    /// refusal or the first event for an accepted stream.
    static func stream(_ port: Int, _ id: String, key: String) async throws -> (socket: LoopbackSocket, text: String) {
        let socket = try await LoopbackSocket(port: port)
        try await socket.send("GET /v1/payments/\(id)/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(key)\r\n\r\n")
        var (text, _) = await socket.receive(timeout: .seconds(10), until: "\r\n\r\n")
        let marker = text.hasPrefix("HTTP/1.1 200") ? "event: escrow_funded" : "\"status\":429"
        if !text.contains(marker) { text += await socket.receive(timeout: .seconds(10), until: marker).text }
        return (socket, text)
    }

    static func isRefusal(_ text: String) -> Bool {
        let lower = text.lowercased()
        return text.hasPrefix("HTTP/1.1 429") && lower.contains("retry-after: 5\r\n")
            && lower.contains("content-type: application/problem+json") && text.contains("too-many-streams")
    }

    static func healthz(_ port: Int) async throws -> Bool {
        let socket = try await LoopbackSocket(port: port)
        defer { socket.close() }
        try await socket.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        return await socket.receive(timeout: .seconds(5), until: "\"status\"").text.hasPrefix("HTTP/1.1 200")
    }

    /// A funded escrow of `client`'s agent, once the stream that watched it fund has ended on the server.
    static func waitingEscrow(_ client: FerryClient, _ metrics: ServerMetrics) async throws -> String {
        let id = try await ConnectionTests.waitingEscrow(client)
        try await waitUntil("the funding watch stream ended", timeout: .seconds(5), every: .milliseconds(10)) { metrics.openStreams == 0 }
        return id
    }

    @Test("of 8 concurrent streams of one agent with a cap of 3, 5 get 429 with Retry-After; another agent and /healthz are served; closing a stream frees its slot")
    func perAgentCap() async throws {
        let server = try await ServerWorld.make(limits: ServerLimits(maxStreamsPerAgent: 3))
        let metrics = server.ferry.api.metrics
        try await server.live { client, port in
            let other = FerryClient(baseURL: "http://127.0.0.1:\(port)", apiKey: ServerWorld.otherKey)
            let mine = try await Self.waitingEscrow(client, metrics)
            let theirs = try await Self.waitingEscrow(other, metrics)
            // All at once: the slot is claimed atomically, so exactly the cap gets through.
            let attempts = try await withThrowingTaskGroup(of: (LoopbackSocket, String).self) { group in
                for _ in 0..<8 { group.addTask { try await Self.stream(port, mine, key: ServerWorld.apiKey) } }
                var all: [(LoopbackSocket, String)] = []
                for try await attempt in group { all.append(attempt) }
                return all
            }
            let open = attempts.filter { $0.1.hasPrefix("HTTP/1.1 200") }
            let refused = attempts.filter { Self.isRefusal($0.1) }
            #expect(open.count == 3 && refused.count == 5, "\(attempts.map { $0.1.prefix(40) })")
            #expect(metrics.openStreams == 3)
            refused.forEach { $0.0.close() }

            let (otherStream, otherText) = try await Self.stream(port, theirs, key: ServerWorld.otherKey)
            #expect(otherText.hasPrefix("HTTP/1.1 200") && otherText.contains("event: escrow_funded"), "\(otherText.prefix(200))")
            #expect(try await Self.healthz(port))
            let exposition = try await Self.get(port, "/metrics")
            #expect(exposition.contains("ferry_event_streams_refused_total{cap=\"agent\"} 5"), "\(exposition.prefix(2000))")

            // Closing one of agent-1's streams frees its slot for agent-1.
            open.first?.0.close()
            try await waitUntil("the closed stream ended", timeout: .seconds(5), every: .milliseconds(10)) { metrics.openStreams == 3 }
            let (again, againText) = try await Self.stream(port, mine, key: ServerWorld.apiKey)
            #expect(againText.hasPrefix("HTTP/1.1 200"), "\(againText.prefix(200))")
            for socket in [again, otherStream] + open.map(\.0) { socket.close() }
            try await waitUntil("every stream ended", timeout: .seconds(5), every: .milliseconds(10)) { metrics.openStreams == 0 }
        }
    }

    @Test("streams stop at half the connection cap by default, so /healthz is still served while one agent holds them all")
    func totalCapBelowConnectionCap() async throws {
        // A real ServiceGroup: the connection cap applies (HummingbirdTesting's live mode drops it).
        let server = try await ServerWorld.make(limits: ServerLimits(maxConnections: 10, maxStreamsPerAgent: 100))
        let metrics = server.ferry.api.metrics
        let keeper = SocketKeeper()
        try await server.ferry.serving(logger: ServerWorld.quiet) { port in
            let client = FerryClient(baseURL: "http://127.0.0.1:\(port)", apiKey: ServerWorld.apiKey)
            let id = try await Self.waitingEscrow(client, metrics)
            // As many streams as there are connections (the probe of issue 14): half are refused, not held.
            var refused = 0
            for _ in 0..<10 {
                let (socket, text) = try await Self.stream(port, id, key: ServerWorld.apiKey)
                if Self.isRefusal(text) {
                    #expect(text.contains("server already holds 5"), "\(text.prefix(400))")
                    refused += 1
                    socket.close()
                } else {
                    #expect(text.hasPrefix("HTTP/1.1 200"), "\(text.prefix(200))")
                    keeper.keep(socket)
                }
            }
            #expect(refused == 5 && metrics.openStreams == 5, "refused \(refused), open \(metrics.openStreams)")
            #expect(try await Self.healthz(port), "/healthz answers while the streams are held")
            keeper.closeAll()
            try await waitUntil("every stream ended", timeout: .seconds(5), every: .milliseconds(10)) { metrics.openStreams == 0 }
        }
        await server.world.close()
    }

    static func get(_ port: Int, _ path: String) async throws -> String {
        let socket = try await LoopbackSocket(port: port)
        defer { socket.close() }
        try await socket.send("GET \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        return await socket.receive(timeout: .seconds(5)).text
    }
}
