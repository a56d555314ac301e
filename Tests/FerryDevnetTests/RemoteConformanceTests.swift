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
            #expect(report.checks.allSatisfy { if case .passed = $0.outcome { true } else { false } }, "\(report)")
            for line in await (try served.ledger(family)).conservation() {
                #expect(line.holds, "\(line)")
            }
        }
    }
}
