import FerryAPI
import FerryClient
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a payment's event stream (`GET /v1/payments/{id}/events`) to its `end`, printing the timeline as it goes.
struct PaymentFollower: Sendable {
    enum Mode: Sendable {
        /// Timeline lines plus a carriage-return-updated progress line (state, attestations k/n, elapsed): a terminal.
        case progress
        /// Timeline lines only: a pipe or file.
        case lines
        /// Nothing (`--json` prints the final payment).
        case silent
    }

    let client: FerryClient
    let mode: Mode

    /// `.progress` when stdout is a terminal, else `.lines`; `.silent` under `--json`.
    static func mode(json: Bool) -> Mode {
        if json { return .silent }
        return isatty(STDOUT_FILENO) == 1 ? .progress : .lines
    }

    /// What the progress line shows.
    struct Progress: Sendable {
        var state: String
        var attestations: Int
        var threshold: Int?
        var last: String?
        var origin: UInt64?
        var drawn = false
        let started = ContinuousClock.now
    }

    /// Kinds that are also payment states: the progress line shows them as the state.
    static let states: Set<String> = ["authorized", "submitted", "locked", "released", "delivered", "refunded", "failed", "refused"]

    /// Follows `initial` until the server sends `end`; returns the final payment.
    /// - Throws: ``FerryClientError``, or ``CLIError`` when the stream closes before `end`.
    func follow(_ initial: APIPayment) async throws -> APIPayment {
        let progress = Locked(Progress(state: initial.state, attestations: initial.attestations, threshold: initial.threshold))
        let client = client
        let mode = mode
        return try await withThrowingTaskGroup(of: APIPayment?.self) { group in
            group.addTask {
                for try await update in client.events(initial.id) {
                    switch update {
                    case let .event(e): progress.withLock { Self.record(e, in: &$0, mode: mode) }
                    case let .end(final):
                        progress.withLock { p in
                            p.state = final.state
                            Self.clear(&p, mode: mode)
                        }
                        return final
                    }
                }
                progress.withLock { Self.clear(&$0, mode: mode) }
                throw CLIError("the event stream of \(initial.id) closed before the payment finished; "
                               + "`ferry status \(initial.id) --follow` picks it up again")
            }
            if mode == .progress {
                group.addTask {
                    while !Task.isCancelled {
                        progress.withLock { Self.draw(&$0) }
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                    return nil
                }
            }
            while let result = try await group.next() {
                if let final = result {
                    group.cancelAll()
                    return final
                }
            }
            throw CLIError("the event stream of \(initial.id) ended without a final payment")
        }
    }

    // MARK: Drawing (called with the progress lock held, so lines never interleave)

    static func record(_ e: APIEvent, in p: inout Progress, mode: Mode) {
        if p.origin == nil { p.origin = e.atMs }
        if states.contains(e.kind) { p.state = e.kind }
        if e.kind == "finalized" { p.state = "locked (finalized)" }
        if let count = e.count { p.attestations = count }
        if let threshold = e.threshold { p.threshold = threshold }
        p.last = e.kind
        guard mode != .silent else { return }
        clear(&p, mode: mode)
        Console.line(PaymentText.event(e, origin: p.origin ?? e.atMs))
        if mode == .progress { draw(&p) }
    }

    static func draw(_ p: inout Progress) {
        let elapsed = ContinuousClock.now - p.started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var line = "  \(p.state)  attestations \(p.attestations)" + (p.threshold.map { "/\($0)" } ?? "")
        if let last = p.last { line += "  last \(last)" }
        line += "  " + String(format: "%.1f", seconds) + "s"
        Console.out("\r\u{1B}[2K" + line)
        p.drawn = true
    }

    static func clear(_ p: inout Progress, mode: Mode) {
        guard mode == .progress, p.drawn else { return }
        Console.out("\r\u{1B}[2K")
        p.drawn = false
    }

    // MARK: Snapshot

    /// The timeline so far without following: the stream's events until `end` or until it has been quiet for
    /// `quiet` (the server sends the past events at once, then waits for new ones). Returns the final payment when
    /// the stream ended.
    func timeline(_ id: String, quiet: Duration = .milliseconds(400)) async throws -> (events: [APIEvent], final: APIPayment?) {
        struct Seen: Sendable {
            var events: [APIEvent] = []
            var final: APIPayment?
            var last = ContinuousClock.now
            var done = false
        }
        let seen = Locked(Seen())
        let started = ContinuousClock.now
        let client = client
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await update in client.events(id) {
                    switch update {
                    case let .event(e): seen.withLock { $0.events.append(e); $0.last = .now }
                    case let .end(final): seen.withLock { $0.final = final }
                    }
                }
                seen.withLock { $0.done = true }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(50))
                    let quietEnough = seen.withLock { s in
                        s.done || (!s.events.isEmpty && ContinuousClock.now - s.last > quiet) || ContinuousClock.now - started > .seconds(5)
                    }
                    if quietEnough { return }
                }
            }
            // The first to finish decides: the stream's end (or its error), or the quiet period.
            try await group.next()
            group.cancelAll()
        }
        return seen.withLock { ($0.events, $0.final) }
    }
}

/// A `Mutex` that child tasks can share (a noncopyable `Mutex` cannot be captured by their closures).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
