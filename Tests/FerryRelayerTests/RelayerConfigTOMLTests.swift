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
        var state: UInt64 = 77
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array("[]{}=\"'#,.\n\\ 0123456789abcxyz+-_:TZe".utf8)
        for _ in 0..<2_000 {
            var bytes = Array(text.utf8)
            for _ in 0..<(1 + Int(next() % 4)) {
                let at = Int(next() % UInt64(bytes.count + 1))
                switch next() % 3 {
                case 0: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = alphabet[Int(next() % UInt64(alphabet.count))] }
                }
            }
            _ = try? RelayerConfig.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.toml")
        }
    }
}
