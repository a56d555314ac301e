/// What an attestation authorizes: the EIP-712 type signed (`Release(bytes32 messageId)` or `Cancel(...)`).
public enum AttestationAction: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Pay the receiver on the destination chain.
    case release = 1
    /// Cancel on the destination after the deadline, so the source can refund.
    case cancel = 2

    public var description: String { self == .release ? "release" : "cancel" }
}
