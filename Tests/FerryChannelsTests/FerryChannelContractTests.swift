import FerryTestSupport
import Foundation
import Testing

@Suite("FerryChannel contract")
struct FerryChannelContractTests {
    @Test("every rule and refusal of FerryChannel.vy holds on a py-evm node (Tests/vectors/channel_smoke.py)")
    func contractRules() throws {
        let output = String(decoding: try PythonVectors.run("channel_smoke.py", []), as: UTF8.self)
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasSuffix(" passed, 0 failed"), "channel_smoke.py said: \(output)")
        let passed = Int(summary.split(separator: " ").first ?? "") ?? 0
        #expect(passed >= 79, "fewer checks ran than the script has: \(summary)")
    }
}
