import FerryCore
import FerryCrypto
@testable import FerryWire
import Foundation
import Testing

@Suite("Gossip over CURVE")
struct GossipNodeTests {
    @Test("every frame kind crosses a CURVE PUB/SUB link in order and arrives tagged with its sender")
    func exchange() async throws {
        let pair = try await NodePair.make()
        let frames = try Samples.allFrames()
        for frame in frames { try pair.a.publish(frame) }
        let received = try await collect(frames.count, from: pair.b.frames, "frames at b")
        #expect(received.map(\.frame) == frames)
        #expect(received.allSatisfy { $0.peer == pair.a.publicKey })
        try pair.b.publish(.heartbeat(try Samples.status()))
        let back = try await first(pair.a.frames, "heartbeat at a")
        #expect(back.frame == .heartbeat(try Samples.status()))
        #expect(back.peer == pair.b.publicKey)
        #expect(pair.b.rejections.snapshot.total == 0)
        await pair.close()
    }

    @Test("malformed frames are rejected and counted by reason while valid frames keep flowing")
    func malformedAreCounted() async throws {
        let pair = try await NodePair.make()
        let valid = FrameCodec.encode(.attestation(try Samples.attestation(withTransfer: true)))
        let garbage: [[[UInt8]]] = [
            [Array(valid.prefix(100))],  // truncated
            [[2] + valid.dropFirst()],  // wrong version
            [[1, 0x42, 9, 9]],  // unknown kind
            [valid + [0]],  // trailing byte
            [valid, valid],  // two parts
            [Array(valid.prefix(42)) + [9] + Array(valid.dropFirst(43))],  // bad action
            [[]],  // empty
            [Array("GET / HTTP/1.1\r\n\r\n".utf8)],  // garbage (wrong version)
        ]
        for parts in garbage { try pair.a.publish(rawParts: parts) }
        try pair.a.publish(.attestation(try Samples.attestation(withTransfer: false)))
        let got = try await first(pair.b.frames, "the valid frame after the garbage")
        #expect(got.frame == .attestation(try Samples.attestation(withTransfer: false)))
        let stats = pair.b.rejections.snapshot
        #expect(stats[.truncated] == 2)
        #expect(stats[.wrongVersion] == 2)
        #expect(stats[.unknownKind] == 1)
        #expect(stats[.badLength] == 2)
        #expect(stats[.badField] == 1)
        #expect(stats.total == garbage.count)
        await pair.close()
    }

    @Test("an oversized message is dropped by libzmq (ZMQ_MAXMSGSIZE) and the link recovers by itself")
    func oversizedDropsConnectionThenRecovers() async throws {
        let pair = try await NodePair.make()
        try pair.a.publish(rawParts: [[1, 3] + [UInt8](repeating: 0, count: FrameCodec.maxFrameSize)])
        // b's SUB is disconnected by libzmq and reconnects; its renewed subscription reaches a.
        _ = try await first(pair.a.subscriptions, "b's renewed subscription", where: { $0 >= 2 })
        try pair.a.publish(.request(try Samples.request()))
        let got = try await first(pair.b.frames, "a frame after the reconnect")
        #expect(got.frame == .request(try Samples.request()))
        await pair.close()
    }

    @Test("a subscriber whose key is not allowed gets nothing and is counted; allowing it at runtime admits it")
    func allowList() async throws {
        let server = try CurveKeyPair.generate(), friend = try CurveKeyPair.generate(), stranger = try CurveKeyPair.generate()
        let node = try GossipNode(configuration: .init(keyPair: server, allowedPeers: [friend.publicKey]))
        let friendNode = try GossipNode(configuration: .init(keyPair: friend, allowedPeers: []))
        let strangerNode = try GossipNode(configuration: .init(keyPair: stranger, allowedPeers: []))
        try friendNode.connect(to: .init(endpoint: node.endpoint, publicKey: server.publicKey))
        try strangerNode.connect(to: .init(endpoint: node.endpoint, publicKey: server.publicKey))

        let denied = try await first(node.authenticator.decisions, "the stranger's refusal", where: { !$0.admitted })
        #expect(denied.publicKey == stranger.publicKey)
        #expect(denied.reason == "public key not in the allow-list")
        _ = try await first(node.subscriptions, "the friend's subscription")

        let before = Frame.attestation(try Samples.attestation(withTransfer: false))
        try node.publish(before)
        #expect(try await first(friendNode.frames, "the frame at the friend").frame == before)
        #expect(node.authenticator.statistics.rejected >= 1)
        #expect(node.authenticator.statistics.admitted == 1)

        // Runtime change, no restart: the stranger's next redial is admitted.
        node.authenticator.allow(stranger.publicKey)
        _ = try await first(node.subscriptions, "the stranger's subscription", where: { $0 >= 2 })
        let after = Frame.attestation(try Samples.attestation(withTransfer: false, action: .cancel))
        try node.publish(after)
        // The first frame the stranger ever sees is the one published after it was allowed.
        #expect(try await first(strangerNode.frames, "the frame at the stranger").frame == after)
        #expect(try await first(friendNode.frames, "the second frame at the friend").frame == after)
        #expect(strangerNode.rejections.snapshot.total == 0)
        await friendNode.close()
        await strangerNode.close()
        await node.close()
    }

    @Test("a peer whose server key is not the pinned one is never trusted")
    func pinnedServerKey() async throws {
        let a = try CurveKeyPair.generate(), b = try CurveKeyPair.generate(), impostor = try CurveKeyPair.generate()
        let nodeA = try GossipNode(configuration: .init(keyPair: a, allowedPeers: [b.publicKey]))
        let nodeB = try GossipNode(configuration: .init(keyPair: b, allowedPeers: [a.publicKey]))
        // b dials a but expects the impostor's key: the handshake fails, no subscription ever reaches a.
        try nodeB.connect(to: .init(endpoint: nodeA.endpoint, publicKey: impostor.publicKey))
        // Fix it at runtime: drop the wrong key, dial with the right one.
        try nodeB.disconnect(from: impostor.publicKey)
        try nodeB.connect(to: .init(endpoint: nodeA.endpoint, publicKey: a.publicKey))
        #expect(nodeB.connectedPeers == [a.publicKey])
        do {
            _ = try await first(nodeA.subscriptions, "b's subscription with the right key")
        } catch {
            Issue.record("b's link events: \(nodeB.recentLinkEvents), a's ZAP: \(nodeA.authenticator.statistics) \(nodeA.authenticator.ioStatistics), b stats \(nodeB.statistics), a stats \(nodeA.statistics)")
            throw error
        }
        try nodeA.publish(.hello(try Samples.status()))
        #expect(try await first(nodeB.frames, "hello").peer == a.publicKey)
        await nodeA.close()
        await nodeB.close()
    }

    @Test("creating and closing many connected nodes leaks no file descriptors or threads")
    func noLeaks() async throws {
        // Warm up (first use of libzmq, Foundation, the test runner's own threads).
        try await NodePair.make().close()
        let fdsBefore = ProcessResources.openFileDescriptors, threadsBefore = ProcessResources.threads
        let rounds = 30
        for _ in 0..<rounds {
            let pair = try await NodePair.make()
            try pair.a.publish(.hello(try Samples.status()))
            _ = try await first(pair.b.frames, "hello")
            await pair.close()
        }
        let fdsAfter = ProcessResources.openFileDescriptors, threadsAfter = ProcessResources.threads
        // Each round opens ~30 descriptors and 8 threads; a leak of even one per round shows as >= 30.
        // The small slack absorbs other tests running in parallel in this process.
        #expect(fdsAfter - fdsBefore < 12, "fds \(fdsBefore) -> \(fdsAfter)")
        #expect(threadsAfter - threadsBefore < 6, "threads \(threadsBefore) -> \(threadsAfter)")
    }
}
