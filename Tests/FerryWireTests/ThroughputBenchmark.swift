import FerryCore
import FerryWire
import Foundation
import Testing

/// Frames/s through PUB/SUB on loopback: plain libzmq, libzmq with CURVE, and a CURVE GossipNode pair
/// (ZAP, I/O threads, decoding, AsyncStream). Opt-in: `FERRY_WIRE_BENCH=1 swift test --filter ThroughputBenchmark`.
@Suite("Wire throughput", .enabled(if: ProcessInfo.processInfo.environment["FERRY_WIRE_BENCH"] != nil))
struct ThroughputBenchmark {
    static let frames = Int(ProcessInfo.processInfo.environment["FERRY_WIRE_BENCH_FRAMES"] ?? "") ?? 200_000

    /// Raw libzmq PUB -> SUB on two dedicated threads, unlimited queues so nothing is dropped.
    static func raw(curve: Bool, count: Int, payload: [UInt8]) async throws -> Double {
        let context = try ZMQContext()
        let pub = try ZMQSocket(context: context, kind: .pub)
        let sub = try ZMQSocket(context: context, kind: .sub)
        for s in [pub, sub] {
            try s.setOption(.sendHighWaterMark(0))
            try s.setOption(.receiveHighWaterMark(0))
        }
        if curve {
            let server = try CurveKeyPair.generate(), client = try CurveKeyPair.generate()
            try pub.setOption(.curveServer(secretKey: server.secretKey))
            try sub.setOption(.curveClient(serverKey: server.publicKey, keyPair: client))
        }
        let endpoint = try pub.bind("tcp://127.0.0.1:*")
        try sub.subscribe()
        try sub.connect(endpoint)
        // Handshake: publish probes until one arrives (no sleeps).
        while true {
            try pub.send([[0]])
            if (try? sub.receive(nonBlocking: true)) != nil { break }
            await Task.yield()
        }
        while (try? sub.receive(nonBlocking: true)) != nil {}
        let box = SocketPair(pub: pub, sub: sub)
        let start = ContinuousClock.now
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let receiver = Thread {
                var n = 0
                while n < count {
                    guard let parts = try? box.sub.receive() else { break }
                    if parts.first?.count == payload.count { n += 1 }  // late handshake probes are skipped
                }
                done.resume()
            }
            receiver.start()
            let sender = Thread { for _ in 0..<count { try? box.pub.send([payload]) } }
            sender.start()
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        pub.close()
        sub.close()
        return Double(count) / seconds
    }

    @Test("frames per second: plain libzmq, libzmq + CURVE, GossipNode + CURVE")
    func throughput() async throws {
        let payload = FrameCodec.encode(.attestation(try Samples.attestation(withTransfer: false)))
        let plain = try await Self.raw(curve: false, count: Self.frames, payload: payload)
        let curve = try await Self.raw(curve: true, count: Self.frames, payload: payload)

        let ka = try CurveKeyPair.generate(), kb = try CurveKeyPair.generate()
        var ca = GossipNode.Configuration(keyPair: ka, allowedPeers: [kb.publicKey])
        var cb = GossipNode.Configuration(keyPair: kb, allowedPeers: [ka.publicKey])
        for c in [\GossipNode.Configuration.sendHighWaterMark, \.receiveHighWaterMark] { ca[keyPath: c] = 0; cb[keyPath: c] = 0 }
        ca.sendQueueCapacity = Self.frames
        cb.frameBufferCapacity = Self.frames
        let a = try GossipNode(configuration: ca), b = try GossipNode(configuration: cb)
        try b.connect(to: .init(endpoint: a.endpoint, publicKey: ka.publicKey))
        _ = try await first(a.subscriptions, "b's subscription")
        let frame = Frame.attestation(try Samples.attestation(withTransfer: false))
        let start = ContinuousClock.now
        async let received = collect(Self.frames, from: b.frames, within: .seconds(120), "benchmark frames")
        for _ in 0..<Self.frames { try a.publish(frame) }
        let got = try await received
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let node = Double(got.count) / seconds
        print(String(format: "wire throughput, %d frames of %d B: plain libzmq %.0f/s, libzmq+CURVE %.0f/s, GossipNode+CURVE %.0f/s (%.0f%% of CURVE raw, %.0f%% of plain)",
                     Self.frames, payload.count, plain, curve, node, 100 * node / curve, 100 * node / plain))
        #expect(got.count == Self.frames)
        await a.close()
        await b.close()
    }
}

/// Hands two sockets to the benchmark's sender and receiver threads.
struct SocketPair: @unchecked Sendable {
    // Safe: after the handover, `pub` is used only by the sender thread and `sub` only by the receiver thread.
    let pub: ZMQSocket
    let sub: ZMQSocket
}
