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

    @Test("a devnet config with an unknown key (a typo) is refused naming it")
    func devnetUnknownKey() throws {
        #expect {
            _ = try DevnetConfig.parse(toml: "chains_dir = \"devnet\"\nprot = 9000\n", source: "devnet.toml")
        } throws: { error in
            "\(error)".contains("prot") && "\(error)".contains("unknown key")
        }
        #expect(try DevnetConfig.parse(toml: "chains_dir = \"devnet\"\nport = 9000\n", source: "devnet.toml").port == 9000)
    }

    @Test("3,000 random mutations of a chain file load or fail with an error; none traps")
    func fuzzChainFile() throws {
        let text = try String(contentsOf: PythonVectors.packageRoot.appendingPathComponent("chains/devnet/base-sim.toml"), encoding: .utf8)
        var loaded = 0
        for mutated in TOMLMutations(of: text, count: 3_000, seed: 1_204) {
            if (try? ChainEntry.parse(toml: mutated, source: "fuzz.toml")) != nil { loaded += 1 }
        }
        #expect(loaded < 3_000)
    }
}
