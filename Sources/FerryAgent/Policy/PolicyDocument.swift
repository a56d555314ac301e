public import FerryCore
import Foundation
internal import TOMLKit

/// A policy-file problem: which file, which field, what is wrong.
public typealias PolicyFileError = ConfigFileError

/// The two formats a policy file can be written in.
public enum PolicyFormat: String, Sendable, Hashable, CaseIterable {
    case toml, json

    /// The format a file name implies (`.json` is JSON, anything else TOML).
    public static func forFile(_ path: String) -> PolicyFormat {
        path.lowercased().hasSuffix(".json") ? .json : .toml
    }
}

/// A format-neutral tree of a parsed policy document, so TOML and JSON share one reader and one set of errors.
indirect enum PolicyNode: Sendable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case array([PolicyNode])
    case table([String: PolicyNode])
    case other(String)

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case let .other(name): name
        }
    }

    /// Parses `text` in `format` into a tree; the root must be a table (object).
    static func parse(_ text: String, format: PolicyFormat, file: String) throws(PolicyFileError) -> [String: PolicyNode] {
        switch format {
        case .toml:
            if let error = TOMLSyntax.check(text) { throw PolicyFileError(file: file, field: nil, problem: "not valid TOML at \(error)") }
            let root: TOMLTable
            do {
                root = try TOMLTable(string: text)
            } catch let error as TOMLParseError {
                throw PolicyFileError(file: file, field: nil,
                                      problem: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column)")
            } catch {
                throw PolicyFileError(file: file, field: nil, problem: "not valid TOML: \(error)")
            }
            return fromTOML(table: root)
        case .json:
            let node: PolicyNode
            do {
                node = try JSONDecoder().decode(PolicyNode.self, from: Data(text.utf8))
            } catch let DecodingError.dataCorrupted(context) {
                let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                throw PolicyFileError(file: file, field: nil, problem: "not valid JSON: \(detail ?? context.debugDescription)")
            } catch {
                throw PolicyFileError(file: file, field: nil, problem: "not valid JSON: \(error)")
            }
            guard case let .table(root) = node else {
                throw PolicyFileError(file: file, field: nil, problem: "the top level must be a JSON object")
            }
            return root
        }
    }

    private static func fromTOML(table: TOMLTable) -> [String: PolicyNode] {
        var out: [String: PolicyNode] = [:]
        for key in table.keys {
            if let value = table[key] { out[key] = fromTOML(value) }
        }
        return out
    }

    private static func fromTOML(_ value: any TOMLValueConvertible) -> PolicyNode {
        switch value.type {
        case .string: return value.string.map(PolicyNode.string) ?? .other("a string")
        case .int: return value.int.map { .integer(Int64($0)) } ?? .other("an integer")
        case .bool: return value.bool.map(PolicyNode.bool) ?? .other("a boolean")
        case .table: return value.table.map { .table(fromTOML(table: $0)) } ?? .other("a table")
        case .array: return value.array.map { .array($0.map { fromTOML($0) }) } ?? .other("an array")
        case .double: return .other("a floating-point number")
        case .date, .time, .dateTime: return .other("a date or time")
        }
    }
}

extension PolicyNode: Decodable {
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .other("null"); return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .integer(i); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([PolicyNode].self) { self = .array(a); return }
        if let t = try? c.decode([String: PolicyNode].self) { self = .table(t); return }
        if (try? c.decode(Double.self)) != nil { self = .other("a floating-point number"); return }
        self = .other("an unsupported value")
    }
}

/// Reads typed fields from one table of a policy document, remembering which keys were used so unknown ones
/// (usually typos) are refused instead of silently ignored.
struct PolicyReader {
    let table: [String: PolicyNode]
    let file: String
    let prefix: String
    private(set) var used: Set<String> = []

    init(table: [String: PolicyNode], file: String, prefix: String = "") {
        self.table = table
        self.file = file
        self.prefix = prefix
    }

    func error(_ key: String, _ problem: String) -> PolicyFileError {
        PolicyFileError(file: file, field: prefix + key, problem: problem)
    }

    mutating func value(_ key: String) -> PolicyNode? {
        used.insert(key)
        return table[key]
    }

    mutating func string(_ key: String) throws(PolicyFileError) -> String {
        guard let v = value(key) else { throw error(key, "is required") }
        guard case let .string(s) = v else { throw error(key, "must be a string, found \(v.typeName)") }
        return s
    }

    mutating func optionalString(_ key: String) throws(PolicyFileError) -> String? {
        guard table[key] != nil else { used.insert(key); return nil }
        return try string(key)
    }

    mutating func optionalInteger(_ key: String, in range: ClosedRange<Int64>) throws(PolicyFileError) -> Int64? {
        guard let v = value(key) else { return nil }
        guard case let .integer(i) = v else { throw error(key, "must be an integer, found \(v.typeName)") }
        guard range.contains(i) else { throw error(key, "must be between \(range.lowerBound) and \(range.upperBound), found \(i)") }
        return i
    }

    mutating func optionalStrings(_ key: String) throws(PolicyFileError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw error(key, "must be an array of strings, found \(v.typeName)") }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case let .string(s) = item else { throw error("\(key)[\(i)]", "must be a string, found \(item.typeName)") }
            out.append(s)
        }
        return out
    }

    /// An array of chain ids, written as integers or decimal strings.
    mutating func optionalChainIDs(_ key: String) throws(PolicyFileError) -> [UInt64]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw error(key, "must be an array of chain ids, found \(v.typeName)") }
        var out: [UInt64] = []
        for (i, item) in items.enumerated() {
            switch item {
            case let .integer(n) where n >= 0: out.append(UInt64(n))
            case let .string(s) where UInt64(s) != nil: out.append(UInt64(s) ?? 0)
            default: throw error("\(key)[\(i)]", "must be a non-negative chain id, found \(item.typeName)")
            }
        }
        return out
    }

    mutating func optionalTable(_ key: String) throws(PolicyFileError) -> [String: PolicyNode]? {
        guard let v = value(key) else { return nil }
        guard case let .table(t) = v else { throw error(key, "must be a table, found \(v.typeName)") }
        return t
    }

    func rejectUnknown() throws(PolicyFileError) {
        if let extra = table.keys.sorted().first(where: { !used.contains($0) }) {
            throw error(extra, "unknown field (known here: \(used.sorted().joined(separator: ", ")))")
        }
    }
}
