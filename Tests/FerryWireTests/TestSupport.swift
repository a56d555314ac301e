import FerryCore
import FerryCrypto
import FerryWire
import Foundation
import Testing

/// A test's wait ran out: the thing awaited did not happen.
struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Waits for the first element of `stream` that satisfies `predicate`, failing after `timeout`.
/// The timeout is a deadline, not a delay: the wait ends as soon as the element arrives.
func first<T: Sendable>(_ stream: AsyncStream<T>, within timeout: Duration = .seconds(10), _ what: String,
                        where predicate: @escaping @Sendable (T) -> Bool = { _ in true }) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            for await element in stream where predicate(element) { return element }
            throw TimedOut(description: "stream ended while waiting for \(what)")
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut(description: "no \(what) within \(timeout)")
        }
        defer { group.cancelAll() }
        guard let value = try await group.next(), let value else {
            throw TimedOut(description: "no \(what)")
        }
        return value
    }
}

/// Collects `count` elements of `stream`, failing after `timeout`.
func collect<T: Sendable>(_ count: Int, from stream: AsyncStream<T>, within timeout: Duration = .seconds(10),
                          _ what: String) async throws -> [T] {
    try await withThrowingTaskGroup(of: [T].self) { group in
        group.addTask {
            var out: [T] = []
            for await element in stream {
                out.append(element)
                if out.count == count { return out }
            }
            throw TimedOut(description: "stream ended after \(out.count) of \(count) \(what)")
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut(description: "fewer than \(count) \(what) within \(timeout)")
        }
        defer { group.cancelAll() }
        return try await group.next() ?? []
    }
}

/// Sample values shared by the tests (the same as docs/wire.md's worked example and Tests/vectors/wire_peer.py).
enum Samples {
    static func bytes(_ byte: UInt8, _ count: Int) -> [UInt8] { [UInt8](repeating: byte, count: count) }

    static let transfer = Transfer(
        sourceChain: 1, destChain: 8453, nonce: 42,
        sender: Address((try? Bytes32(leftPadding: bytes(0x11, 20))) ?? .zero),
        receiver: Address((try? Bytes32(leftPadding: bytes(0x22, 20))) ?? .zero),
        sourceAsset: (try? Bytes32(bytes(0x33, 32))) ?? .zero, destAsset: (try? Bytes32(bytes(0x44, 32))) ?? .zero,
        amount: 12_500_000, fee: 1_000, deadline: 1_800_000_000,
        payloadHash: (try? Bytes32(bytes(0x55, 32))) ?? .zero)

    static func signature(_ v: UInt8 = 27) throws -> AttestationSignature {
        try AttestationSignature(bytes: bytes(0x01, 32) + bytes(0x02, 32) + [v])
    }

    /// A release attestation, with or without the transfer.
    static func attestation(withTransfer: Bool, action: AttestationAction = .release) throws -> Attestation {
        try Attestation(destChain: transfer.destChain, messageId: transfer.messageId, action: action,
                        signer: SignerAddress(bytes: bytes(0xAB, 20)), signature: signature(),
                        transfer: withTransfer ? transfer : nil)
    }

    static func status(heads: Int = 3) throws -> NodeStatus {
        try NodeStatus(nodeId: Bytes32(bytes(0x77, 32)), timestampMillis: 1_700_000_000_123,
                       heads: (0..<heads).map { ChainHead(chain: ChainID(UInt64(100 - $0)), height: UInt64(1000 + $0)) })
    }

    static func request(ids: Int = 2) throws -> AttestationRequest {
        try AttestationRequest(messageIds: (0..<ids).map { i in (try? Bytes32(bytes(UInt8(truncatingIfNeeded: 0x90 &+ i), 32))) ?? .zero })
    }

    /// A batch of `count` attestations for distinct ids, alternating release and cancel.
    static func batch(_ count: Int) throws -> AttestationBatch {
        var entries: [Attestation] = []
        for i in 0..<count {
            let chain = ChainID(UInt64(8453 + i % 3))
            let id = try Bytes32(bytes(UInt8(truncatingIfNeeded: 0x10 &+ i), 32))
            let action: AttestationAction = i % 2 == 0 ? .release : .cancel
            let signer = try SignerAddress(bytes: bytes(UInt8(0xA0 + i % 16), 20))
            let v: UInt8 = i % 2 == 0 ? 27 : 28
            entries.append(try Attestation(destChain: chain, messageId: id, action: action, signer: signer, signature: signature(v)))
        }
        return try AttestationBatch(entries)
    }

    /// One frame of every kind, with payload sizes at their extremes too.
    static func allFrames() throws -> [Frame] {
        [
            .hello(try status(heads: 0)), .hello(try status(heads: NodeStatus.maxHeads)), .heartbeat(try status()),
            .attestation(try attestation(withTransfer: false)), .attestation(try attestation(withTransfer: true)),
            .attestation(try attestation(withTransfer: false, action: .cancel)),
            .request(try request(ids: 1)), .request(try request(ids: AttestationRequest.maxIds)),
            .attestations(try batch(1)), .attestations(try batch(AttestationBatch.maxEntries)),
        ]
    }
}

/// Two gossip nodes that admit and subscribe to each other.
struct NodePair {
    let a: GossipNode
    let b: GossipNode

    static func make() async throws -> NodePair {
        let ka = try CurveKeyPair.generate(), kb = try CurveKeyPair.generate()
        let a = try GossipNode(configuration: .init(keyPair: ka, allowedPeers: [kb.publicKey]))
        let b = try GossipNode(configuration: .init(keyPair: kb, allowedPeers: [ka.publicKey]))
        try a.connect(to: .init(endpoint: b.endpoint, publicKey: kb.publicKey))
        try b.connect(to: .init(endpoint: a.endpoint, publicKey: ka.publicKey))
        _ = try await first(a.subscriptions, "b's subscription at a")
        _ = try await first(b.subscriptions, "a's subscription at b")
        return NodePair(a: a, b: b)
    }

    func close() async {
        await a.close()
        await b.close()
    }
}

/// Open file descriptors and threads of this process.
enum ProcessResources {
    static var openFileDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static var threads: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1
    }
}
