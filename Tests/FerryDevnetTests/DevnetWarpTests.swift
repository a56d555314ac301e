import FerryChains
import FerryCore
import FerryDevnet
import Testing

@Suite("Long devnet time warps", .timeLimit(.minutes(1)))
struct DevnetWarpTests {
    @Test("a 10-day warp answers within seconds; every chain's head is then close to the new time and blocks keep coming")
    func tenDays() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let remote = try served.adapter(.solana)
            let before = try await remote.head()
            let started = ContinuousClock.now
            try await served.admin.advanceTime(milliseconds: 10 * 86_400_000)
            let took = ContinuousClock.now - started
            #expect(took < .seconds(10), "the warp took \(took)")
            let after = try await remote.head()
            let now = served.devnet.devnet.clock.unixMillis
            #expect(after.timestampMillis + 5_000 >= now && after.timestampMillis <= now, "head at \(after.timestampMillis), now \(now)")
            #expect(after.height > before.height && after.height - before.height <= SimulatedLedger.maxCatchUpBlocks + 10)
            #expect(try await remote.finalizedHeight() > before.height, "what was pending before the warp is final after it")
        }
    }
}
