public import FerryCore
public import FerryCrypto

/// The payload of `hello` and `heartbeat` frames: who the node is, what it speaks, where its chains stand.
public struct NodeStatus: Sendable, Hashable {
    /// Most chain heads one status may carry.
    public static let maxHeads = 32

    /// The node's identity (by convention its CURVE public key's 32 bytes).
    public let nodeId: Bytes32
    /// The highest frame version the node speaks (≥ 1).
    public let protocolVersion: UInt8
    /// When the status was made, in Unix milliseconds.
    public let timestampMillis: UInt64
    /// Chain heads, sorted by chain id, at most one per chain and at most ``maxHeads``.
    public let heads: [ChainHead]

    /// Creates a status; sorts `heads` by chain.
    /// - Throws: ``FrameError`` (`badField`) for more than ``maxHeads`` heads, two heads for one chain, or a
    ///   protocol version of 0.
    public init(nodeId: Bytes32, protocolVersion: UInt8 = FrameCodec.version, timestampMillis: UInt64,
                heads: [ChainHead]) throws(FrameError) {
        guard protocolVersion >= 1 else { throw FrameError(.badField, "protocol version 0 is not a version") }
        guard heads.count <= Self.maxHeads else {
            throw FrameError(.badField, "\(heads.count) chain heads, at most \(Self.maxHeads) allowed")
        }
        let sorted = heads.sorted { $0.chain < $1.chain }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.chain == b.chain {
            throw FrameError(.badField, "two heads for \(a.chain)")
        }
        self.nodeId = nodeId
        self.protocolVersion = protocolVersion
        self.timestampMillis = timestampMillis
        self.heads = sorted
    }
}
