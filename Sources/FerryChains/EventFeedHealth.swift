/// How an adapter's event stream has fared: what it refused from its node and whether it is stuck. Operators
/// see it in the relayer's `/healthz` and metrics.
public struct EventFeedHealth: Sendable, Hashable, Codable {
    /// Logs the stream refused, by reason (for example `foreign_or_removed`, `no_receipt`, `receipt_mismatch`).
    public var rejectedLogs: [String: Int]
    /// Polls that failed (timeouts, refused connections, oversized answers) and were retried.
    public var failedPolls: Int
    /// The last failure, if any.
    public var lastError: String?
    /// Unix milliseconds (wall clock) of the last poll that completed, reading a range or finding nothing new
    /// (before the first: when the first stream started); nil before any stream started. A stream held by a
    /// slow node, disagreeing providers or unconfirmable logs does not move it.
    public var lastAnswerAtMillis: UInt64?
    /// Unix milliseconds (wall clock) of the last failed poll; nil when none failed.
    public var lastFailureAtMillis: UInt64?

    public init(rejectedLogs: [String: Int] = [:], failedPolls: Int = 0, lastError: String? = nil,
                lastAnswerAtMillis: UInt64? = nil, lastFailureAtMillis: UInt64? = nil) {
        self.rejectedLogs = rejectedLogs
        self.failedPolls = failedPolls
        self.lastError = lastError
        self.lastAnswerAtMillis = lastAnswerAtMillis
        self.lastFailureAtMillis = lastFailureAtMillis
    }
}

/// An adapter that reports ``EventFeedHealth`` for its ``ChainAdapter/events(from:)`` streams (optional: the
/// relayer's health probe shows it when an adapter adopts this).
public protocol EventFeedReporting: Sendable {
    /// The health of this adapter's event streams now.
    var eventFeedHealth: EventFeedHealth { get }
}
