import Synchronization

/// Commits a node's journal batches in the order they were made, several per SQLite transaction.
///
/// ``enqueue(_:)`` never blocks (the node calls it while it updates its in-memory view, so batches are ordered
/// exactly as the changes they describe); ``durable(_:)`` waits until a batch is on disk, which a node does
/// before the action the batch enables (gossiping a signature, sending a transaction). ``run()`` is the writer:
/// whatever queued while the previous group was being written becomes the next group.
final class JournalPipeline: Sendable {
    private struct State {
        var queue: [JournalBatch] = []
        var enqueued: UInt64 = 0
        var committed: UInt64 = 0
        var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var failure: JournalError?
        var stopped = false
    }

    let journal: Journal
    private let state = Mutex(State())
    private let signal = WakeSignal()

    init(journal: Journal) { self.journal = journal }

    /// Batches nobody waits for are written with the next group someone waits for, or after this long, or once
    /// this many are queued: fewer, larger transactions write each hot page once instead of once per batch.
    static let lingerMillis = 5
    static let lingerBatches = 64

    /// Queues `batch` and returns its sequence number (0 for an empty batch, which is durable at once).
    func enqueue(_ batch: JournalBatch) -> UInt64 {
        guard !batch.isEmpty else { return 0 }
        let (sequence, backlog) = state.withLock { s -> (UInt64, Int) in
            s.queue.append(batch)
            s.enqueued += 1
            return (s.enqueued, s.queue.count)
        }
        if backlog == 1 || backlog >= Self.lingerBatches { signal.fire() }
        return sequence
    }

    /// Asks the writer to commit what is queued now rather than after the linger time.
    func flush() { signal.fire() }

    /// Returns once batch `sequence` (and every earlier one) is committed.
    /// - Throws: the ``JournalError`` that stopped the writer, or `CancellationError` when the node is stopping.
    func durable(_ sequence: UInt64) async throws {
        if state.withLock({ $0.committed >= sequence && $0.failure == nil }) { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { s -> Result<Bool, any Error> in
                if let failure = s.failure { return .failure(failure) }
                if s.committed >= sequence { return .success(true) }
                if s.stopped { return .failure(CancellationError()) }
                s.waiters.append((sequence, continuation))
                return .success(false)
            }
            switch outcome {
            case .success(true): continuation.resume()
            case .success(false): signal.fire()
            case let .failure(error): continuation.resume(throwing: error)
            }
        }
    }

    /// The sequence number of the latest batch queued (durable once ``durable(_:)`` returns for it).
    var lastEnqueued: UInt64 { state.withLock { $0.enqueued } }

    /// Batches queued and not yet committed.
    var backlog: Int { state.withLock { $0.queue.count } }

    /// The writer loop; returns when cancelled, throws when the journal refuses a group (the node must stop:
    /// its in-memory view is ahead of its journal, and a restart reloads the journal).
    func run() async throws {
        defer { stop(with: nil) }
        while !Task.isCancelled {
            await signal.wait()
            // Nobody is waiting yet: let more batches join this group (a waiter or a full queue cuts it short).
            if state.withLock({ $0.waiters.isEmpty && $0.queue.count < Self.lingerBatches }) { await lingerOrSignal() }
            if Task.isCancelled { break }
            let (batches, last) = take()
            guard !batches.isEmpty else { continue }
            do {
                try await journal.commit(batches)
            } catch {
                if Task.isCancelled {
                    putBack(batches)
                    break
                }
                stop(with: error)
                throw error
            }
            committed(upTo: last)
        }
        // Stopping: write what is still queued, so a graceful stop keeps everything the node did.
        let (batches, last) = take()
        guard !batches.isEmpty else { return }
        do {
            try journal.commitBlocking(batches)
            committed(upTo: last)
        } catch {
            stop(with: error)
            throw error
        }
    }

    private func take() -> ([JournalBatch], UInt64) {
        state.withLock { s -> ([JournalBatch], UInt64) in
            defer { s.queue.removeAll(keepingCapacity: true) }
            return (s.queue, s.enqueued)
        }
    }

    /// Returns batches whose write was abandoned to the front of the queue.
    private func putBack(_ batches: [JournalBatch]) {
        state.withLock { s in s.queue = batches + s.queue }
    }

    private func committed(upTo last: UInt64) {
        let ready = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.committed = last
            var done: [CheckedContinuation<Void, any Error>] = []
            s.waiters.removeAll { w in
                guard w.sequence <= last else { return false }
                done.append(w.continuation)
                return true
            }
            return done
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns when signalled or after ``lingerMillis``, whichever is first.
    private func lingerOrSignal() async {
        let signal = self.signal
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await signal.wait() }
            group.addTask { try? await Task.sleep(for: .milliseconds(Self.lingerMillis)) }
            await group.next()
            group.cancelAll()
        }
    }

    private func stop(with error: JournalError?) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.stopped = true
            if let error { s.failure = error }
            defer { s.waiters.removeAll() }
            return s.waiters.map(\.continuation)
        }
        for continuation in waiters {
            if let error { continuation.resume(throwing: error) } else { continuation.resume(throwing: CancellationError()) }
        }
    }
}
