import FerryChains
import Testing

@Suite("Virtual clock and seeded randomness")
struct VirtualClockTests {
    @Test("sleepers resume only when time is advanced past their deadline")
    func sleepersResumeOnAdvance() async throws {
        let clock = VirtualClock()
        try await withThrowingTaskGroup(of: Int.self) { group throws in
            group.addTask { try await clock.sleep(until: .init(offset: .seconds(5))); return 5 }
            group.addTask { try await clock.sleep(until: .init(offset: .seconds(1))); return 1 }
            while clock.sleeperCount < 2 { await Task.yield() }
            clock.advance(by: .seconds(2))
            let first = try await group.next()
            #expect(first == 1)
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .seconds(3))
            let second = try await group.next()
            #expect(second == 5)
        }
        #expect(clock.now.offset == .seconds(5))
    }

    @Test("a cancelled sleeper throws CancellationError and leaves no waiter behind")
    func cancellation() async throws {
        let clock = VirtualClock()
        let task = Task { try await clock.sleep(until: .init(offset: .seconds(60))) }
        while clock.sleeperCount < 1 { await Task.yield() }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test("the clock maps virtual time to unix milliseconds")
    func unixTime() {
        let clock = VirtualClock(startUnixMillis: 1_000)
        clock.advance(by: .milliseconds(2_500))
        #expect(clock.unixMillis == 3_500)
        clock.advance(by: .seconds(-1))  // ignored: time never runs backwards
        #expect(clock.unixMillis == 3_500)
    }

    @Test("the same seed gives the same sequence", arguments: [0, 1, 42, UInt64.max])
    func seeded(seed: UInt64) {
        var a = SeededGenerator(seed: seed), b = SeededGenerator(seed: seed)
        #expect((0..<16).map { _ in a.next() } == (0..<16).map { _ in b.next() })
    }
}
