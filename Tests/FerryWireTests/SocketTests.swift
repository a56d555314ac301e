import FerryCore
@testable import FerryWire
import Foundation
import Testing

@Suite("ZeroMQ wrapper")
struct SocketTests {
    @Test("libzmq has CURVE and a key pair round-trips through Z85")
    func keys() throws {
        #expect(ZMQContext.hasCurve)
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.z85.count == 40)
        #expect(try CurvePublicKey(z85: pair.publicKey.z85) == pair.publicKey)
        #expect(try CurveSecretKey(z85: pair.secretKey.z85) == pair.secretKey)
        #expect(!"\(pair)".contains(pair.secretKey.z85))
        #expect("\(pair.secretKey)" == "CurveSecretKey(redacted)")
    }

    @Test("Z85 matches the RFC 32 test vector and refuses bad input")
    func z85() throws {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(try Z85.encode(bytes) == "HelloWorld")
        #expect(try Z85.decode("HelloWorld") == bytes)
        #expect(throws: WireError.self) { try Z85.encode([1, 2, 3]) }
        #expect(throws: WireError.self) { try Z85.decode("Hell") }
        #expect(throws: WireError.self) { try Z85.decode("Hell\"World") }
        #expect(throws: WireError.self) { try CurvePublicKey(z85: "short") }
        #expect(throws: WireError.self) { try CurvePublicKey(bytes: [1, 2]) }
    }

    @Test("binding tcp://127.0.0.1:* reports the port chosen; bad endpoints are typed errors")
    func bindReportsEndpoint() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .pull)
        let endpoint = try socket.bind("tcp://127.0.0.1:*")
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))
        let other = try ZMQSocket(context: context, kind: .pull)
        #expect {
            try other.bind(endpoint)
        } throws: { error in
            guard case .invalidEndpoint(let ep, _)? = error as? WireError else { return false }
            return ep == endpoint
        }
        #expect(throws: WireError.self) { try other.connect("nonsense://x") }
        other.close()
        #expect(throws: WireError.closed("PULL socket (bind)")) { try other.bind("tcp://127.0.0.1:*") }
    }

    @Test("a non-blocking receive on an empty socket is wouldBlock")
    func wouldBlock() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .pull)
        try socket.bind("inproc://would-block")
        #expect(throws: WireError.wouldBlock(operation: "zmq_msg_recv")) { try socket.receive(nonBlocking: true) }
    }

    @Test("multipart messages go through the poller's I/O thread in order, with excess parts capped")
    func pollerMultipart() async throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context: context, kind: .pull)
        let endpoint = try pull.bind("tcp://127.0.0.1:*")
        let push = try ZMQSocket(context: context, kind: .push)
        try push.connect(endpoint)
        let poller = try ZMQPoller(maxParts: 4)
        let pullID = try poller.add(pull)
        let pushID = try poller.add(push, mode: .sendOnly)
        for i in 0..<100 { try poller.send([[UInt8(i)], Array("part two".utf8), []], on: pushID) }
        try poller.send((0..<10).map { [UInt8($0)] }, on: pushID)
        let messages = try await collect(101, from: poller.messages, "messages")
        for (i, m) in messages.prefix(100).enumerated() {
            #expect(m.socket == pullID)
            #expect(m.parts == [[UInt8(i)], Array("part two".utf8), []])
        }
        #expect(messages[100].parts == [[0], [1], [2], [3], []])
        await poller.close()
        #expect(poller.statistics.sent == 101)
        #expect(throws: WireError.closed("ZMQPoller")) { try poller.send([[1]], on: pushID) }
        await poller.close()  // idempotent
    }

    @Test("closing a poller ends its stream and frees its sockets")
    func pollerClose() async throws {
        let context = try ZMQContext()
        let poller = try ZMQPoller()
        let pull = try ZMQSocket(context: context, kind: .pull)
        try pull.bind("inproc://close-test")
        try poller.add(pull)
        await poller.close()
        var count = 0
        for await _ in poller.messages { count += 1 }
        #expect(count == 0)
        // The endpoint is free again: the socket was closed by the I/O thread.
        let again = try ZMQSocket(context: context, kind: .pull)
        try again.bind("inproc://close-test")
    }
}
