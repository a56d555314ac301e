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

    @Test("a relayer config that is not UTF-8 is refused as such, not as a missing [node] section")
    func notUTF8() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("relayer-\(UUID().uuidString).toml")
        try Data([0x5B, 0x6E, 0x6F, 0x64, 0x65, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try RelayerConfig.load(path: file.path)
        } throws: { error in
            "\(error)".contains("not valid UTF-8") && !"\(error)".contains("[node]")
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
