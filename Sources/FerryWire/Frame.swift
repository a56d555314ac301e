/// One decoded wire frame. ``FrameCodec`` turns it into bytes and back; docs/wire.md gives the layouts.
public enum Frame: Sendable, Hashable {
    /// Sent once after a node starts or a peer subscribes.
    case hello(NodeStatus)
    /// Sent periodically.
    case heartbeat(NodeStatus)
    /// A signed release or cancel.
    case attestation(Attestation)
    /// A request to republish attestations (catch-up after a restart).
    case request(AttestationRequest)
    /// Several signed releases or cancels in one frame (steady-state gossip).
    case attestations(AttestationBatch)

    /// The kind byte this frame is written with.
    public var kind: FrameKind {
        switch self {
        case .hello: .hello
        case .heartbeat: .heartbeat
        case .attestation: .attestation
        case .request: .request
        case .attestations: .attestations
        }
    }
}
