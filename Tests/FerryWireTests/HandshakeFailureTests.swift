import FerryTestSupport
import FerryWire
import Testing

@Suite("Gossip handshakes with another security mechanism are counted")
struct HandshakeFailureTests {
    @Test("a NULL client and a PLAIN client of a CURVE gossip socket are refused and counted as wrong_mechanism")
    func nullAndPlain() async throws {
        let node = try GossipNode(configuration: .init(keyPair: try CurveKeyPair.generate(), allowedPeers: []))
        let context = try ZMQContext()
        let null = try ZMQSocket(context: context, kind: .sub)
        try null.setOption(.linger(milliseconds: 0))
        try null.connect(node.endpoint)
        try await waitUntil("the NULL attempt counted", timeout: .seconds(60)) { node.handshakeFailures.statistics.wrongMechanism >= 1 }
        let plain = try ZMQSocket(context: context, kind: .sub)
        try plain.setOption(.linger(milliseconds: 0))
        try plain.setOption(.plainClient(username: "admin", password: "admin"))
        let before = node.handshakeFailures.statistics.wrongMechanism
        try plain.connect(node.endpoint)
        try await waitUntil("the PLAIN attempt counted", timeout: .seconds(60)) {
            node.handshakeFailures.statistics.wrongMechanism > before
        }
        #expect(node.authenticator.statistics.admitted == 0)
        null.close()
        plain.close()
        await node.close()
    }
}
