// ordo-one package-benchmark target for FerryWire. Target entry for Benchmarks/Package.swift:
//   .executableTarget(name: "WireBenchmarks",
//                     dependencies: [.product(name: "Benchmark", package: "package-benchmark"),
//                                    .product(name: "FerryWire", package: "Ferry"),
//                                    .product(name: "FerryCore", package: "Ferry"),
//                                    .product(name: "FerryCrypto", package: "Ferry")],
//                     path: "Benchmarks/WireBenchmarks",
//                     plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")])
import Benchmark
import FerryCore
import FerryCrypto
import FerryWire

/// A fixed 129-byte attestation frame (no transfer), as relayers gossip them.
private func sampleAttestation() throws -> Frame {
    .attestation(try Attestation(
        destChain: 8453, messageId: Bytes32([UInt8](repeating: 0xC3, count: 32)), action: .release,
        signer: SignerAddress(bytes: [UInt8](repeating: 0xAB, count: 20)),
        signature: AttestationSignature(bytes: [UInt8](repeating: 1, count: 64) + [27])))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(5))

    Benchmark("FrameCodec encode+decode attestation") { benchmark in
        let frame = try sampleAttestation()
        for _ in benchmark.scaledIterations {
            blackHole(try FrameCodec.decode(FrameCodec.encode(frame)))
        }
    }

    Benchmark("GossipNode CURVE PUB/SUB loopback, 10k frames",
              configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { benchmark in
        let ka = try CurveKeyPair.generate(), kb = try CurveKeyPair.generate()
        var ca = GossipNode.Configuration(keyPair: ka, allowedPeers: [kb.publicKey])
        ca.sendHighWaterMark = 0
        ca.sendQueueCapacity = 20_000
        var cb = GossipNode.Configuration(keyPair: kb, allowedPeers: [ka.publicKey])
        cb.receiveHighWaterMark = 0
        cb.frameBufferCapacity = 20_000
        let a = try GossipNode(configuration: ca), b = try GossipNode(configuration: cb)
        try b.connect(to: .init(endpoint: a.endpoint, publicKey: ka.publicKey))
        for await _ in a.subscriptions { break }
        let frame = try sampleAttestation()
        benchmark.startMeasurement()
        for _ in 0..<10_000 { try a.publish(frame) }
        var n = 0
        for await _ in b.frames {
            n += 1
            if n == 10_000 { break }
        }
        benchmark.stopMeasurement()
        await a.close()
        await b.close()
    }
}
