public import FerryCrypto
import Foundation

/// Why an API keys file could not be loaded.
public struct APIKeyFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public let file: String
    /// 1-based line, when one is at fault.
    public let line: Int?
    /// What is wrong and how to fix it.
    public let problem: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(problem)" }
}

/// Bearer API keys, one or more per agent, stored only as keccak-256 hashes.
///
/// Presented keys are hashed and compared against every stored hash in constant time, so neither a key nor which
/// entry it nearly matched leaks through timing. Files hold one `agent-name 0x<keccak256 of the key>` pair a line
/// (`#` starts a comment); `ferry serve --hash-api-key KEY` prints such a line.
public struct APIKeyStore: Sendable {
    /// One agent's key hash.
    public struct Entry: Sendable, Hashable {
        /// The agent's name (payments are scoped to it).
        public let agent: String
        /// keccak-256 of the key's UTF-8 bytes.
        public let hash: Bytes32

        /// Creates an entry.
        public init(agent: String, hash: Bytes32) {
            self.agent = agent
            self.hash = hash
        }
    }

    /// The stored entries.
    public let entries: [Entry]

    /// A store of `entries`.
    public init(entries: [Entry]) { self.entries = entries }

    /// A store where `keys` maps agent names to plaintext keys (hashed here; the plaintext is not kept).
    public init(plaintext keys: [String: String]) {
        entries = keys.sorted { $0.key < $1.key }.map { Entry(agent: $0.key, hash: Self.hash($0.value)) }
    }

    /// keccak-256 of the key's UTF-8 bytes.
    public static func hash(_ key: String) -> Bytes32 { Keccak256.hash(Array(key.utf8)) }

    /// The file line that stores `key` for `agent`.
    public static func line(agent: String, key: String) -> String { "\(agent) \(hash(key).hex)" }

    /// The agent `presented` belongs to, or nil. Every entry is compared, in constant time each.
    public func agent(for presented: String) -> String? {
        let digest = Self.hash(presented).bytes
        var found: String?
        for entry in entries where Self.constantTimeEquals(digest, entry.hash.bytes) && found == nil {
            found = entry.agent
        }
        return found
    }

    /// Compares two byte strings without branching on their contents.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }  // lengths are not secret
        return zip(a, b).reduce(into: UInt8(0)) { $0 |= $1.0 ^ $1.1 } == 0
    }

    /// Loads `agent-name 0x<hash>` lines.
    /// - Throws: ``APIKeyFileError`` naming the file and line.
    public static func load(path: String) throws(APIKeyFileError) -> APIKeyStore {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw APIKeyFileError(file: path, line: nil, problem: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses the text of an API keys file.
    public static func parse(_ text: String, file: String = "<api keys>") throws(APIKeyFileError) -> APIKeyStore {
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw APIKeyFileError(file: file, line: index + 1, problem: "expected `agent-name 0x<keccak256 of the key>`, found \(fields.count) fields")
            }
            let hash: Bytes32
            do { hash = try Bytes32(hex: fields[1]) } catch {
                throw APIKeyFileError(file: file, line: index + 1,
                                      problem: "\(fields[1].prefix(12))...: not a 32-byte hex hash (store keccak-256 of the key, never the key; `ferry serve --hash-api-key KEY` prints the line)")
            }
            entries.append(Entry(agent: fields[0], hash: hash))
        }
        guard !entries.isEmpty else { throw APIKeyFileError(file: file, line: nil, problem: "no keys; every request would be refused") }
        return APIKeyStore(entries: entries)
    }
}
