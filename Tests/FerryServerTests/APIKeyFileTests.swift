import FerryCrypto
import FerryServer
import Testing

@Suite("API keys file")
struct APIKeyFileTests {
    static let hashA = APIKeyStore.hash("key-a").hex
    static let hashB = APIKeyStore.hash("key-b").hex

    @Test("Windows line endings are accepted")
    func crlf() throws {
        let store = try APIKeyStore.parse("# agents\r\nagent-a \(Self.hashA)\r\nagent-b \(Self.hashB) # second\r\n")
        #expect(store.agent(for: "key-a") == "agent-a" && store.agent(for: "key-b") == "agent-b")
    }

    @Test("a plaintext key in the file is refused without printing any of it")
    func plaintextNotEchoed() {
        let secret = "sk-live-abcdefghijklmnopqrstuvwxyz"
        #expect {
            _ = try APIKeyStore.parse("agent-a \(secret)\n", file: "keys.txt")
        } throws: { error in
            let text = "\(error)"
            return text.contains("keys.txt:1") && !text.contains("sk-") && !text.contains("abc")
        }
    }

    @Test("two agents with the same key hash are refused at load, naming both lines")
    func duplicateHash() {
        #expect {
            _ = try APIKeyStore.parse("agent-a \(Self.hashA)\nagent-b \(Self.hashA)\n", file: "keys.txt")
        } throws: { error in
            let text = "\(error)"
            return text.contains("keys.txt:2") && text.contains("agent-a") && text.contains("line 1")
        }
    }

    @Test("agent names outside the documented alphabet are refused", arguments: ["alice/x", "a b", "", "ünïcode", String(repeating: "a", count: 65)])
    func agentNames(_ name: String) {
        #expect(throws: APIKeyFileError.self) { _ = try APIKeyStore(plaintext: [name: "k"]) }
        if !name.isEmpty, !name.contains(" ") {
            #expect(throws: APIKeyFileError.self) { _ = try APIKeyStore.parse("\(name) \(Self.hashA)\n") }
        }
    }

    @Test("names of letters, digits, dot, underscore and dash are fine")
    func goodNames() throws {
        let store = try APIKeyStore(plaintext: ["Agent_1.prod-eu": "k1", "b": "k2"])
        #expect(store.agent(for: "k1") == "Agent_1.prod-eu")
    }
}
