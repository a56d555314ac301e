import FerryCore
import FerryRelayer
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
}
