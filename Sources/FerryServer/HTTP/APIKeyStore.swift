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

    /// Agent names are 1...64 characters of `A-Z a-z 0-9 . _ -` (payments are scoped to the name).
    public static let agentNameAlphabet = "1...64 characters of A-Z, a-z, 0-9, '.', '_' and '-'"

    /// True when `name` is a valid agent name (see ``agentNameAlphabet``).
    public static func isValidAgentName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || [0x2E, 0x5F, 0x2D].contains($0) }
    }

    /// A store of `entries`.
    /// - Throws: ``APIKeyFileError`` for an agent name outside ``agentNameAlphabet`` or a hash given twice.
    public init(entries: [Entry]) throws(APIKeyFileError) {
        var seen: [Bytes32: String] = [:]
        for entry in entries {
            guard Self.isValidAgentName(entry.agent) else {
                throw APIKeyFileError(file: "<api keys>", line: nil, problem: "agent name \"\(entry.agent)\" is not allowed: use \(Self.agentNameAlphabet)")
            }
            if let other = seen[entry.hash] {
                throw APIKeyFileError(file: "<api keys>", line: nil, problem: "agents \(other) and \(entry.agent) have the same key hash; give each its own key")
            }
            seen[entry.hash] = entry.agent
        }
        self.entries = entries
    }

    /// A store where `keys` maps agent names to plaintext keys (hashed here; the plaintext is not kept).
    /// - Throws: ``APIKeyFileError`` as ``init(entries:)``.
    public init(plaintext keys: [String: String]) throws(APIKeyFileError) {
        try self.init(entries: keys.sorted { $0.key < $1.key }.map { Entry(agent: $0.key, hash: Self.hash($0.value)) })
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

    /// Parses the text of an API keys file (LF or CRLF line ends). Errors never show the text of a field that may be
    /// a key.
    public static func parse(_ text: String, file: String = "<api keys>") throws(APIKeyFileError) -> APIKeyStore {
        var entries: [Entry] = []
        var lineOf: [Bytes32: (agent: String, line: Int)] = [:]
        // Split on scalars: Swift's Character treats "\r\n" as one, so splitting a String on "\n" would miss it.
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        for (index, raw) in lines.enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.unicodeScalars.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                .map { String(String.UnicodeScalarView($0)) }
            if fields.isEmpty { continue }
            let number = index + 1
            guard fields.count == 2 else {
                throw APIKeyFileError(file: file, line: number, problem: "expected `agent-name 0x<keccak256 of the key>`, found \(fields.count) fields")
            }
            guard isValidAgentName(fields[0]) else {
                throw APIKeyFileError(file: file, line: number, problem: "the agent name is not allowed: use \(agentNameAlphabet)")
            }
            let hash: Bytes32
            do { hash = try Bytes32(hex: fields[1]) } catch {
                throw APIKeyFileError(file: file, line: number,
                                      problem: "the second field is not a 32-byte hex hash (0x and 64 hex digits; it is not shown in case it is a key). Store keccak-256 of the key, never the key; `ferry serve --hash-api-key KEY` prints the line")
            }
            if let first = lineOf[hash] {
                throw APIKeyFileError(file: file, line: number,
                                      problem: "this key hash is already given to agent \(first.agent) on line \(first.line); one key can log in as only one agent")
            }
            lineOf[hash] = (fields[0], number)
            entries.append(Entry(agent: fields[0], hash: hash))
        }
        guard !entries.isEmpty else { throw APIKeyFileError(file: file, line: nil, problem: "no keys; every request would be refused") }
        return try APIKeyStore(entries: entries)
    }
}
