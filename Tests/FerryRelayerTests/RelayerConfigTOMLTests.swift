import FerryCore
import FerryRelayer
import FerryTestSupport
import Foundation
import Testing

@Suite("Malformed relayer configs are errors naming the file and line")
struct RelayerConfigTOMLTests {
    @Test("`[[[` in a relayer config", arguments: ["[[[", "[node]\nid = \"r1\"\n[[[\n"])
    func brackets(_ text: String) {
        #expect {
            _ = try RelayerConfig.parse(text, file: "relayer.toml")
        } throws: { error in
            "\(error)".hasPrefix("relayer.toml: ") && "\(error)".contains("line ")
        }
    }

    @Test("2,000 random mutations of the sample relayer.toml parse or fail with an error; none traps in toml++")
    func fuzz() throws {
        let text = try String(contentsOf: PythonVectors.packageRoot.appendingPathComponent("Relayer/relayer.toml"), encoding: .utf8)
        for mutated in TOMLMutations(of: text, count: 2_000, seed: 77) {
            _ = try? RelayerConfig.parse(mutated, file: "fuzz.toml")
        }
    }
}
