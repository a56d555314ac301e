import FerryCore
import FerryTestSupport
import Foundation
import Testing

@Suite("TOML syntax check (the guard in front of toml++)")
struct TOMLSyntaxTests {
    static let valid: [String] = [
        "",
        "# only a comment\n",
        "a = 1\r\nb = \"two\"\r\n",
        "title = \"TOML \\\"Example\\\" \\u00e9 \\U0001F600\"\nlit = 'C:\\\\path'\n",
        "s = \"\"\"\nmulti\n  line \"\" quotes\"\"\"\"\nt = '''\nraw ' '' text'''\n",
        "s = \"\"\"one \\\n    two\"\"\"\n",
        "ints = [ +99, 42, 0, -17, 1_000, 0xDEAD_beef, 0o755, 0b1101 ]\n",
        "floats = [ +1.0, 3.1415, -0.01, 5e+22, 1e06, -2E-2, 6.626e-34, 224_617.445_991, inf, -inf, nan ]\n",
        "odt = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27 00:32:00.999999-07:00\nldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00.5\n",
        "nested = [ [ 1, 2 ], [\"a\", 'b'], ] # trailing comma\nmultiline = [\n  1, # one\n  2,\n]\n",
        "point = { x = 1, y = 2, name.first = \"p\" }\nempty = {}\n",
        "[table]\n\"quoted key\" = true\n'literal key' = false\nsite.\"google.com\" = true\n[a . b . c]\n[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red\"\n",
    ]

    @Test("well-formed TOML passes", arguments: valid)
    func wellFormed(_ text: String) {
        #expect(TOMLSyntax.check(text) == nil, "\(TOMLSyntax.check(text).map(String.init(describing:)) ?? "")")
    }

    @Test("every TOML file in the repository passes")
    func repositoryFiles() throws {
        let root = PythonVectors.packageRoot
        let files = ["Relayer/relayer.toml", "chains/devnet.toml", "chains/devnet/arbitrum-sim.toml", "chains/devnet/base-sim.toml",
                     "chains/devnet/bitcoin-sim.toml", "chains/devnet/ethereum-sim.toml", "chains/devnet/solana-sim.toml",
                     "chains/evm-local/evm-local-1.toml", "chains/evm-local/evm-local-2.toml"]
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            #expect(TOMLSyntax.check(text) == nil, "\(file): \(TOMLSyntax.check(text).map(String.init(describing:)) ?? "")")
        }
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        var testDescription: String { text.debugDescription }
    }

    static let invalid: [Bad] = [
        Bad(text: "[[[", line: 1), Bad(text: "a = 1\n[[[\n", line: 2), Bad(text: "a = ", line: 1), Bad(text: "a = [1,", line: 1),
        Bad(text: "[a", line: 1), Bad(text: "a = \"open", line: 1), Bad(text: "a = 1 2", line: 1), Bad(text: "= 1", line: 1),
        Bad(text: "a = {b = 1,}", line: 1), Bad(text: "a = 01", line: 1), Bad(text: "x = 1\ny = \"\\q\"", line: 2),
        Bad(text: "a = [\n1\n2]", line: 3), Bad(text: "a = 1__0", line: 1), Bad(text: "a = 1979-13-2", line: 1),
        Bad(text: "a = \"\"\"never closed\n\n", line: 3), Bad(text: "a\r= 1", line: 1), Bad(text: "[[a]", line: 1),
        Bad(text: "a = tru", line: 1), Bad(text: String(repeating: "a = [", count: 1) + String(repeating: "[", count: 100), line: 1),
    ]

    @Test("malformed TOML is refused with its line", arguments: invalid)
    func malformed(_ bad: Bad) throws {
        let error = try #require(TOMLSyntax.check(bad.text))
        #expect(error.line == bad.line, "\(error)")
    }

    @Test("arrays nest up to maxDepth levels; one more is refused naming the limit")
    func depthLimit() {
        let deepest = "a = " + String(repeating: "[", count: TOMLSyntax.maxDepth) + "1" + String(repeating: "]", count: TOMLSyntax.maxDepth) + "\n"
        #expect(TOMLSyntax.check(deepest) == nil)
        let tables = "a = " + String(repeating: "{ b = ", count: TOMLSyntax.maxDepth) + "1" + String(repeating: " }", count: TOMLSyntax.maxDepth) + "\n"
        #expect(TOMLSyntax.check(tables) == nil)
        let over = "a = " + String(repeating: "[", count: TOMLSyntax.maxDepth + 1) + "1" + String(repeating: "]", count: TOMLSyntax.maxDepth + 1) + "\n"
        #expect(TOMLSyntax.check(over)?.description.contains("nest deeper than \(TOMLSyntax.maxDepth)") == true)
    }

    @Test("random mutations of the repository's files never trap the check")
    func fuzz() throws {
        let text = try String(contentsOf: PythonVectors.packageRoot.appendingPathComponent("Relayer/relayer.toml"), encoding: .utf8)
        for mutated in TOMLMutations(of: text, count: 3_000, seed: 20261204) {
            _ = TOMLSyntax.check(mutated)
        }
    }
}
