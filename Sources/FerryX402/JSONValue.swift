/// Any JSON value, for the open-ended parts of x402 (`extra`, `extensions`, a scheme's `payload`).
///
/// Integers stay exact (`Int64`); other numbers are `Double`. A value nested deeper than ``maxDepth`` levels in
/// its whole document is refused, so a hostile document cannot exhaust the stack.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The deepest nesting accepted when decoding, counted from the document's top (the SDK's deepest members,
    /// an extension's JSON Schema inside `PaymentPayload.extensions`, are about 10 levels down).
    public static let maxDepth = 32

    /// Decodes any JSON value.
    /// - Throws: `DecodingError` when nested deeper than ``maxDepth``.
    public init(from decoder: any Decoder) throws {
        guard decoder.codingPath.count <= Self.maxDepth else {
            throw FieldProblem(decoder.codingPath, .invalid("nested deeper than \(Self.maxDepth) levels"))
        }
        // Leaves first, strings before the rest: most members are strings, and every failed attempt costs a thrown error.
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let text = try? single.decode(String.self) {
            self = .string(text)
        } else if let flag = try? single.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? single.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? single.decode(Double.self) {
            self = .number(number)
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: JSONValue] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(values)
        } else {
            var array = try decoder.unkeyedContainer()
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
        }
    }

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case let .bool(flag):
            var c = encoder.singleValueContainer()
            try c.encode(flag)
        case let .integer(value):
            var c = encoder.singleValueContainer()
            try c.encode(value)
        case let .number(value):
            var c = encoder.singleValueContainer()
            try c.encode(value)
        case let .string(text):
            var c = encoder.singleValueContainer()
            try c.encode(text)
        case let .array(values):
            var c = encoder.unkeyedContainer()
            for value in values { try c.encode(value) }
        case let .object(values):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in values { try c.encode(value, forKey: AnyKey(key)) }
        }
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case let .object(values) = self { return values }
        return nil
    }

    /// `self[key]` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// A coding key for any string (object members of unknown names).
struct AnyKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(_ text: String) { stringValue = text; intValue = nil }
    init?(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init?(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}
