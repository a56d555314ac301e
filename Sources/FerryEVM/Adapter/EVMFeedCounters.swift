public import FerryChains
import Foundation
import Synchronization

extension EVMAdapter {
    /// What the adapter's event streams refused and how their polls fared (``EventFeedHealth``). Thread-safe;
    /// shared by every stream of one adapter.
    public final class FeedCounters: Sendable {
        /// Why a log from the node was not believed.
        public enum Rejection: String, Sendable, CaseIterable {
            /// Not from the gateway address, flagged `removed`, outside the range asked for, or not a gateway event.
            case foreignOrRemoved = "foreign_or_removed"
            /// The node has no receipt for the log's transaction.
            case noReceipt = "no_receipt"
            /// The receipt failed, sits in another block, or has no identical log at that index.
            case receiptMismatch = "receipt_mismatch"
        }

        private let state = Mutex(EventFeedHealth())

        public init() {}

        /// A copy of the counters now.
        public var health: EventFeedHealth { state.withLock { $0 } }

        func record(rejected reason: Rejection) {
            state.withLock { $0.rejectedLogs[reason.rawValue, default: 0] += 1 }
        }

        /// A stream starts: until its first answer, its silence counts from now.
        func recordStart() {
            let now = Self.unixMillis()
            state.withLock { s in if s.lastAnswerAtMillis == nil { s.lastAnswerAtMillis = now } }
        }

        /// A poll that completed: a range read and delivered, or nothing new at the head.
        func recordAnswer() {
            let now = Self.unixMillis()
            state.withLock { $0.lastAnswerAtMillis = now }
        }

        /// A failed poll and why.
        func record(failure: String) {
            let now = Self.unixMillis()
            state.withLock { s in
                s.failedPolls += 1
                s.lastError = failure
                s.lastFailureAtMillis = now
            }
        }

        static func unixMillis() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1_000)) }
    }
}

extension EVMAdapter: EventFeedReporting {
    /// The health of this adapter's event streams (see ``FeedCounters``).
    public var eventFeedHealth: EventFeedHealth { feedCounters.health }
}
