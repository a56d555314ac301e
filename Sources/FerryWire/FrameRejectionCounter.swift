import Synchronization

/// Counts rejected frames by ``FrameError/Reason``; thread-safe, for metrics (`frames_rejected_total{reason}`).
public final class FrameRejectionCounter: Sendable {
    private let counts = Mutex([Int](repeating: 0, count: FrameError.Reason.allCases.count))

    /// A counter at zero.
    public init() {}

    /// Counts one rejection.
    public func record(_ reason: FrameError.Reason) {
        let index = Self.index(reason)
        counts.withLock { $0[index] += 1 }
    }

    /// The counts so far.
    public var snapshot: FrameRejectionStats {
        FrameRejectionStats(counts: counts.withLock { $0 })
    }

    static func index(_ reason: FrameError.Reason) -> Int {
        FrameError.Reason.allCases.firstIndex(of: reason) ?? 0
    }
}

/// Rejected-frame counts at one moment.
public struct FrameRejectionStats: Sendable, Hashable, CustomStringConvertible {
    fileprivate let counts: [Int]

    fileprivate init(counts: [Int]) { self.counts = counts }

    /// Rejections for `reason`.
    public subscript(reason: FrameError.Reason) -> Int { counts[FrameRejectionCounter.index(reason)] }

    /// All rejections.
    public var total: Int { counts.reduce(0, +) }

    /// "truncated=1 oversized=0 ..." in ``FrameError/Reason/allCases`` order.
    public var description: String {
        FrameError.Reason.allCases.map { "\($0)=\(self[$0])" }.joined(separator: " ")
    }
}
