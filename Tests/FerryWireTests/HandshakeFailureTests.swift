import FerryTestSupport
import FerryWire
import Testing

@Suite("Gossip handshakes with another security mechanism are counted")
struct HandshakeFailureTests {
    @Test("a NULL client and a PLAIN client of a CURVE gossip socket are refused and counted (wrong_mechanism, or abandoned when the client notices the mismatch first)")
    func nullAndPlain() async throws {
        let node = try GossipNode(configuration: .init(keyPair: try CurveKeyPair.generate(), allowedPeers: []))
        let context = try ZMQContext()
        let null = try ZMQSocket(context: context, kind: .sub)
        try null.setOption(.linger(milliseconds: 0))
        try null.connect(node.endpoint)
        try await waitUntil("the NULL attempt counted", timeout: .seconds(60)) { Self.refused(node) >= 1 }
        let plain = try ZMQSocket(context: context, kind: .sub)
        try plain.setOption(.linger(milliseconds: 0))
        try plain.setOption(.plainClient(username: "admin", password: "admin"))
        let before = Self.refused(node)
        try plain.connect(node.endpoint)
        try await waitUntil("the PLAIN attempt counted", timeout: .seconds(60)) {
            Self.refused(node) > before
        }
        #expect(node.authenticator.statistics.admitted == 0)
        null.close()
        plain.close()
        await node.close()
    }

    /// Handshakes refused for the client's mechanism: the server reads the client's greeting first (a mismatch) or
    /// the client reads the server's first and hangs up (abandoned); which one wins is a race, and the client never
    /// retries after either.
    static func refused(_ node: GossipNode) -> Int {
        let counts = node.handshakeFailures.statistics
        return counts.wrongMechanism + counts.abandoned
    }
}
