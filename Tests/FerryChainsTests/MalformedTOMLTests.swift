import FerryChains
import FerryCore
import FerryTestSupport
import Foundation
import Testing

@Suite("Malformed chain and devnet files are errors naming the file and line, never a crash in toml++")
struct MalformedTOMLTests {
    @Test("`[[[` as a chain file or a devnet config", arguments: ["[[[", "id = 1\n[[[\n", "a = [[[[[[[[", "[a]]"])
    func brackets(_ text: String) {
        #expect {
            _ = try ChainEntry.parse(toml: text, source: "bad.toml")
        } throws: { error in
            "\(error)".hasPrefix("bad.toml: ") && "\(error)".contains("line ")
        }
        #expect {
            _ = try DevnetConfig.parse(toml: text, source: "devnet.toml")
        } throws: { error in
            "\(error)".hasPrefix("devnet.toml: ") && "\(error)".contains("line ")
        }
    }

    @Test("3,000 random mutations of a chain file load or fail with an error; none traps")
    func fuzzChainFile() throws {
        let text = try String(contentsOf: PythonVectors.packageRoot.appendingPathComponent("chains/devnet/base-sim.toml"), encoding: .utf8)
        var state: UInt64 = 1_204
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array("[]{}=\"'#,.\n\\ 0123456789abcxyz+-_:TZe".utf8)
        var loaded = 0
        for _ in 0..<3_000 {
            var bytes = Array(text.utf8)
            for _ in 0..<(1 + Int(next() % 4)) {
                let at = Int(next() % UInt64(bytes.count + 1))
                switch next() % 3 {
                case 0: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = alphabet[Int(next() % UInt64(alphabet.count))] }
                }
            }
            if (try? ChainEntry.parse(toml: String(decoding: bytes, as: UTF8.self), source: "fuzz.toml")) != nil { loaded += 1 }
        }
        #expect(loaded < 3_000)
    }
}
