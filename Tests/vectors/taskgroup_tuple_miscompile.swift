// Swift 6.3.1 on x86_64 Linux, -O: a task group whose child tasks return a *tuple* from a do/catch corrupts the
// tuple's other elements (here the id comes back 0 or as a heap address), while -Onone is correct. This is why
// the relayer's /healthz listed made-up chain ids (issue 13, H): ChainProbe.refresh() returned
// `(ChainID, Result<BlockRef, any Error>)` from each child. Ferry's sources no longer use tuple child results
// (TaskGroupPatternTests scans for them). Reproduce with:
//     swiftc -O -o /tmp/tg Tests/vectors/taskgroup_tuple_miscompile.swift && /tmp/tg    # "bad: 100" when affected
// Note for ThreadSanitizer runs: on Linux it reports "Swift access race" inside `Mutex.withLock` under contention
// (the lock's PI-futex slow path is invisible to it); a contended counter still ends exact, so those are false
// positives. ThreadSanitizer found nothing else in the relayer ops tests.
struct Big: Sendable { let a: UInt64; let b: UInt64; let c: UInt64; let d: UInt64; let e: UInt64; let f: UInt64 }
struct E: Error { let s: String }
func work(_ i: UInt64) async throws -> Big { try? await Task.sleep(for: .milliseconds(1)); if i == 2 { throw E(s: "x \(i)") }; return Big(a: i, b: 2, c: 3, d: 4, e: 5, f: 6) }
var bad = 0
for _ in 0..<50 {
    await withTaskGroup(of: (UInt64, Big?).self) { group in
        for i in UInt64(1)...3 {
            group.addTask { do { return (i, try await work(i)) } catch { return (i, nil) } }
        }
        for await (id, r) in group where !(1...3).contains(id) { bad += 1; if bad < 3 { print("id \(id) \(String(describing: r))") } }
    }
}
print("bad:", bad)
