import FerryAPI
import FerryClient
import FerryCore
import FerryCrypto
import FerryServer
import FerryTestSupport
import Foundation
import Logging
import Testing

@Suite("Connections over real sockets: streams end when clients leave, slow clients are cut off, the cap holds",
       .serialized, .timeLimit(.minutes(2)))
struct ConnectionTests {
    static let bearer = "Authorization: Bearer \(ServerWorld.apiKey)\r\n"

    /// An escrow payment that waits (30 days) for the agent's confirmation once funded; its id after `escrow_funded`.
    static func waitingEscrow(_ client: FerryClient) async throws -> String {
        let request = EndToEndTests.escrowRequest(amount: "25", deliverySeconds: 30 * 86_400, provider: Address(Keccak256.hash("slow provider")))
        let payment = try await client.pay(request, idempotencyKey: "waiting-\(UUID().uuidString)")
        for try await update in client.events(payment.id) {
            if case let .event(e) = update, e.kind == "escrow_funded" { return payment.id }
        }
        throw TestFailure("the stream ended before the escrow was funded")
    }

    static func openStream(_ port: Int, _ id: String) async throws -> LoopbackSocket {
        let socket = try await LoopbackSocket(port: port)
        try await socket.send("GET /v1/payments/\(id)/events HTTP/1.1\r\nHost: test\r\n\(bearer)\r\n")
        let (text, _) = await socket.receive(timeout: .seconds(10), until: "event: escrow_funded")
        #expect(text.contains("200 OK") && text.contains("event: escrow_funded"), "\(text.prefix(200))")
        return socket
    }

    @Test("closing 50 event streams ends them on the server within seconds")
    func streamsEndWhenClientsLeave() async throws {
        let server = try await ServerWorld.make(limits: ServerLimits(maxStreamsPerAgent: 50))
        let metrics = server.ferry.api.metrics
        try await server.live { client, port in
            let id = try await Self.waitingEscrow(client)
            var sockets: [LoopbackSocket] = []
            for _ in 0..<50 { sockets.append(try await Self.openStream(port, id)) }
            try await waitUntil("50 streams open", timeout: .seconds(10)) { metrics.openStreams >= 50 }
            for socket in sockets { socket.close() }
            try await waitUntil("every stream ended", timeout: .seconds(5), every: .milliseconds(20)) { metrics.openStreams == 0 }
        }
    }

    @Test("a stream with no news gets keep-alive comments although the world keeps moving")
    func keepAlive() async throws {
        let server = try await ServerWorld.make(limits: ServerLimits(streamKeepAlive: .milliseconds(300)))
        try await server.live { client, port in
            let id = try await Self.waitingEscrow(client)
            let socket = try await Self.openStream(port, id)
            let (text, closed) = await socket.receive(timeout: .seconds(10), until: ": keep-alive")
            #expect(text.contains(": keep-alive") && !closed)
            socket.close()
        }
    }

    @Test("graceful shutdown ends open event streams and returns promptly")
    func shutdownEndsStreams() async throws {
        let server = try await ServerWorld.make()
        let keeper = SocketKeeper()
        let started = ContinuousClock.now
        let stopped = try await server.ferry.serving(logger: ServerWorld.quiet) { port in
            let client = FerryClient(baseURL: "http://127.0.0.1:\(port)", apiKey: ServerWorld.apiKey)
            let id = try await Self.waitingEscrow(client)
            keeper.keep(try await Self.openStream(port, id))
            keeper.keep(try await Self.openStream(port, id))
            return ContinuousClock.now
        }
        let drain = ContinuousClock.now - stopped
        #expect(drain < .seconds(5), "graceful shutdown took \(drain) with streams open (started \(started))")
        keeper.closeAll()
        await server.world.close()
    }

    @Test("a half-sent request and a silent connection are closed after the idle timeout")
    func slowClientsCutOff() async throws {
        let server = try await ServerWorld.make(limits: ServerLimits(idleTimeout: .seconds(1), requestReadTimeout: .seconds(1)))
        try await server.live { _, port in
            let silent = try await LoopbackSocket(port: port)
            let halfHead = try await LoopbackSocket(port: port)
            try await halfHead.send("GET /healthz HTTP/1.1\r\nHost: test\r\n")
            let halfBody = try await LoopbackSocket(port: port)
            try await halfBody.send("POST /v1/quotes HTTP/1.1\r\nHost: test\r\n\(Self.bearer)Content-Length: 100\r\n\r\n{\"from\":")
            for socket in [silent, halfHead, halfBody] {
                let (_, closed) = await socket.receive(timeout: .seconds(8))
                #expect(closed, "the server closed the connection")
            }
            // A healthy client is still served.
            let healthy = try await LoopbackSocket(port: port)
            try await healthy.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            let (text, _) = await healthy.receive(timeout: .seconds(5), until: "\"status\"")
            #expect(text.contains("200 OK"))
        }
    }

    @Test("past the connection cap new clients wait; they are served as soon as a slot frees")
    func connectionCap() async throws {
        // Served by a real ServiceGroup: HummingbirdTesting's live mode drops the connection cap from the configuration.
        let server = try await ServerWorld.make(limits: ServerLimits(maxConnections: 2))
        try await server.ferry.serving(logger: ServerWorld.quiet) { port in
            let first = try await LoopbackSocket(port: port)
            let second = try await LoopbackSocket(port: port)
            try await first.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            try await second.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(await first.receive(timeout: .seconds(5), until: "\"status\"").text.contains("200 OK"))
            #expect(await second.receive(timeout: .seconds(5), until: "\"status\"").text.contains("200 OK"))
            let third = try await LoopbackSocket(port: port)
            try await third.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(await third.receive(timeout: .milliseconds(500)).text.isEmpty, "held back while two connections are open")
            first.close()
            #expect(await third.receive(timeout: .seconds(5), until: "\"status\"").text.contains("200 OK"))
            second.close()
            third.close()
        }
        await server.world.close()
    }
}

/// Sockets a test keeps open past the closure that opened them.
final class SocketKeeper: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var sockets: [LoopbackSocket] = []

    func keep(_ socket: LoopbackSocket) { lock.withLock { sockets.append(socket) } }

    func closeAll() { lock.withLock { sockets.forEach { $0.close() } } }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
