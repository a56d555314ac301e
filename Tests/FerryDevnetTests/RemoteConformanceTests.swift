import FerryAdapterConformance
import FerryChains
import FerryCore
import FerryDevnet
import Testing

@Suite("Remote adapter conformance over a loopback devnet")
struct RemoteConformanceTests {
    @Test("the remote adapter passes the conformance kit on every family", arguments: ChainFamily.allCases)
    func remoteAdapterConforms(family: ChainFamily) async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let harness = try served.harness(family, seed: 11)
            // Real HTTP against a wall-clock devnet while the whole suite runs in parallel: a generous deadline
            // (it ends as soon as the events arrive) instead of the kit's 20 s default.
            let report = await AdapterConformance.run(harness, streamTimeout: .seconds(90))
            #expect(report.passed, "\(report)")
            // Every check passes; only the reorg check may be skipped, when the wall-clock chain outran the stream.
            #expect(report.checks.allSatisfy { check in
                if case .passed = check.outcome { return true }
                if case .skipped = check.outcome { return check.name == AdapterConformance.CheckName.reorg }
                return false
            }, "\(report)")
            for line in await (try served.ledger(family)).conservation() {
                #expect(line.holds, "\(line)")
            }
        }
    }
}
