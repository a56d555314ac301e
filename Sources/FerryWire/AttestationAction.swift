/// What an attestation authorizes: the EIP-712 type signed (`Release(bytes32 messageId)` or `Cancel(...)`).
public enum AttestationAction: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Pay the receiver on the destination chain.
    case release = 1
    /// Cancel on the destination after the deadline, so the source can refund.
    case cancel = 2
    /// Refund on the source after the destination's cancel is final (signed in the source gateway's domain;
    /// the attestation's chain field then names the source chain).
    case refund = 3

    public var description: String {
        switch self {
        case .release: "release"
        case .cancel: "cancel"
        case .refund: "refund"
        }
    }
}
