/// One named check of the conformance kit and how it went.
public struct ConformanceCheck: Sendable, Hashable, CustomStringConvertible {
    public enum Outcome: Sendable, Hashable {
        case passed
        case failed(reason: String)
        /// The harness cannot exercise this (e.g. no on-demand reorgs).
        case skipped(reason: String)
    }

    /// A sentence naming the property ("a lock is seen exactly once by the event stream from any start height").
    public let name: String
    public let outcome: Outcome

    public init(name: String, outcome: Outcome) {
        self.name = name
        self.outcome = outcome
    }

    public var failed: Bool { if case .failed = outcome { true } else { false } }

    public var description: String {
        switch outcome {
        case .passed: "PASS  \(name)"
        case let .failed(reason): "FAIL  \(name)\n        \(reason)"
        case let .skipped(reason): "SKIP  \(name) (\(reason))"
        }
    }
}

/// The result of running the kit against one adapter: every check, passed or not, with reasons.
public struct ConformanceReport: Sendable, Hashable, CustomStringConvertible {
    /// "chain 11155111 (sepolia, evm)".
    public let subject: String
    public let checks: [ConformanceCheck]

    public init(subject: String, checks: [ConformanceCheck]) {
        self.subject = subject
        self.checks = checks
    }

    /// True when no check failed (skipped ones do not count against).
    public var passed: Bool { !checks.contains { $0.failed } }
    public var failures: [ConformanceCheck] { checks.filter(\.failed) }

    /// Looks a check up by name.
    public func check(named name: String) -> ConformanceCheck? { checks.first { $0.name == name } }

    public var description: String {
        let verdict = passed ? "conforms" : "does NOT conform (\(failures.count) of \(checks.count) checks failed)"
        return "Adapter conformance for \(subject): \(verdict)\n" + checks.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Thrown by ``AdapterConformance/verify(_:)``: carries the whole report, and prints it.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    public let report: ConformanceReport
    public var description: String { report.description }
}
