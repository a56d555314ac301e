public import FerryCore
public import FerryCrypto

/// The payload of a `request` frame: "republish what you have signed for these message ids".
///
/// A node sends it after a restart or when it sees a lock but too few attestations; every peer that holds
/// attestations for a listed id publishes them again (PUB/SUB drops frames while a subscriber is down).
public struct AttestationRequest: Sendable, Hashable {
    /// Most ids one request may list.
    public static let maxIds = 64

    /// The ids asked for, sorted ascending, without duplicates, 1 to ``maxIds`` of them.
    public let messageIds: [Bytes32]

    /// Creates a request; sorts and de-duplicates `messageIds`.
    /// - Throws: ``FrameError`` (`badField`) for no id or more than ``maxIds`` distinct ids.
    public init(messageIds: [Bytes32]) throws(FrameError) {
        let ids = Array(Set(messageIds)).sorted()
        guard !ids.isEmpty else { throw FrameError(.badField, "a request lists at least one message id") }
        guard ids.count <= Self.maxIds else {
            throw FrameError(.badField, "\(ids.count) message ids, at most \(Self.maxIds) per request")
        }
        self.messageIds = ids
    }
}
