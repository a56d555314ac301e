import FerryAgent
import FerryCore
import Testing

@Suite("Malformed policy files are errors naming the file and line")
struct PolicyTOMLTests {
    @Test("`[[[` in a policy", arguments: ["[[[", "reference_unit = \"USD\"\n[[[\n", "budgets = {USDC = \"1\",}"])
    func brackets(_ text: String) {
        #expect {
            _ = try SpendingPolicy.parse(text, format: .toml, file: "policy.toml")
        } throws: { error in
            "\(error)".hasPrefix("policy.toml: ") && "\(error)".contains("line ")
        }
    }
}
