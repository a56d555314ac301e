@testable import FerryRelayer
@testable import FerryRelayerOps
import Testing

@Suite("Relayer /healthz heights")
struct HealthHeightTests {
    @Test("a node that processed blocks after the last probe never reports processed above head")
    func processedNotAboveHead() async throws {
        let f = try await OpsFixture()
        await f.probe.refresh()
        let probed = try #require(f.probe.chains.first).head
        f.node.stats.update { $0.processedHeight[OpsFixture.chain.rawValue] = probed + 11 }
        let chain = try #require(f.probe.chains.first)
        #expect(chain.processed == probed + 11)
        #expect(chain.head >= chain.processed && chain.lagBlocks == 0, "\(chain)")
        await f.cleanUp()
    }
}

@Suite("Relayer metrics of gossip handshakes")
struct HandshakeMetricTests {
    @Test("/metrics exposes gossip handshakes refused for another mechanism")
    func exposed() async throws {
        let f = try await OpsFixture()
        let text = String(decoding: try await f.metrics.render(), as: UTF8.self)
        #expect(text.contains(#"ferry_wire_handshakes_failed_total{reason="wrong_mechanism"} 0"#), "\(text)")
        await f.cleanUp()
    }
}
