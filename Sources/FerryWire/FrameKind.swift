/// The kind byte (offset 1) of a frame. Values are fixed by docs/wire.md; new kinds get new values.
public enum FrameKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A node announces itself after connecting: ``NodeStatus``.
    case hello = 0x01
    /// Periodic liveness and chain heads: ``NodeStatus``.
    case heartbeat = 0x02
    /// A relayer's signature on a release or cancel: ``Attestation``.
    case attestation = 0x03
    /// Asks peers to republish attestations for message ids: ``AttestationRequest``.
    case request = 0x04
    /// Up to 32 attestations without transfers: ``AttestationBatch``.
    case attestations = 0x05

    public var description: String {
        switch self {
        case .hello: "hello"
        case .heartbeat: "heartbeat"
        case .attestation: "attestation"
        case .request: "request"
        case .attestations: "attestations"
        }
    }
}
