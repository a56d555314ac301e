public import FerryCore

/// Where one transfer stands in a relayer's journal.
///
/// ```
/// seen -> final -> attested -> submitted -> released
///   |        \________\___________\_______> cancelled -> refunded
///   '-> orphaned (the lock was reorged away before it was final; may be seen again)
/// ```
/// `released`, `refunded` and `orphaned` are terminal (an orphan re-enters as `seen` if the lock is
/// mined again). `submitted -> attested` happens when a submission was dropped and must be retried.
/// What the gateways record is the truth: a node that lags behind may observe a release, cancel or refund
/// before its own bookkeeping got there, so those outcomes are accepted from any earlier live state — but
/// never released after cancelled or refunded, nor the reverse.
public enum TransferState: String, Sendable, Hashable, CaseIterable, Codable {
    case seen, final, attested, submitted, released, cancelled, refunded, orphaned

    /// True when nothing more will happen to the transfer.
    public var isTerminal: Bool { self == .released || self == .refunded || self == .orphaned }

    /// Whether the journal accepts a move from `self` to `next`.
    public func canMove(to next: TransferState) -> Bool {
        switch (self, next) {
        case (.seen, .final), (.seen, .orphaned):
            true
        case (.final, .attested), (.attested, .submitted), (.submitted, .attested):
            true
        case (.seen, .released), (.final, .released), (.attested, .released), (.submitted, .released):
            true
        case (.seen, .cancelled), (.final, .cancelled), (.attested, .cancelled), (.submitted, .cancelled):
            true
        case (.cancelled, .refunded), (.seen, .refunded), (.final, .refunded), (.attested, .refunded), (.submitted, .refunded):
            true
        case (.orphaned, .seen):
            true
        default:
            false
        }
    }
}

/// What an attestation authorises.
public enum AttestationKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Release on the destination (signed in the destination gateway's domain).
    case release
    /// Cancel on the destination after the deadline (destination domain).
    case cancel
    /// Refund on the source once the destination's cancel is final (source gateway's domain).
    case refund

    /// The chain whose gateway verifies this kind of attestation for `transfer`: the destination for release
    /// and cancel, the source for refund.
    public func verifyingChain(of transfer: Transfer) -> ChainID {
        self == .refund ? transfer.sourceChain : transfer.destChain
    }

    /// The gateway call these signatures authorise.
    public var action: SubmissionAction {
        switch self {
        case .release: .release
        case .cancel: .cancel
        case .refund: .refund
        }
    }

    /// The attestation kind a gateway call needs.
    public init(_ action: SubmissionAction) {
        switch action {
        case .release: self = .release
        case .cancel: self = .cancel
        case .refund: self = .refund
        }
    }
}

/// A gateway action a relayer submits.
public enum SubmissionAction: String, Sendable, Hashable, CaseIterable, Codable {
    case release, cancel, refund
}

/// Where a submission stands.
public enum SubmissionState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Recorded before sending: the intent survives a crash between journal and chain.
    case intended
    /// The chain accepted it into its mempool.
    case sent
    /// The chain included it, or its effect was found already on-chain.
    case confirmed
    /// The chain refused it or dropped it; `lastError` says why.
    case failed
}
