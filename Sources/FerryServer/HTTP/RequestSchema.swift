import Foundation

/// The shape of a request body (docs/openapi.yaml), checked before decoding: unknown fields are refused by name
/// (the schemas say `additionalProperties: false`, and a typo like `confim` must not be ignored), and integer
/// fields holding a negative or fractional number are refused naming the field.
indirect enum RequestSchema: Sendable {
    case object([String: RequestSchema])
    case integer
    case string
    case boolean

    static let asset = RequestSchema.object(["chain": .integer, "asset": .string])
    /// `PaymentRequest` (quotes and payments).
    static let payment = RequestSchema.object([
        "from": asset, "to": asset, "amount": .string, "receiver": .string, "quote_id": .string, "confirm": .boolean,
        "deadline_seconds": .integer,
        "escrow": .object(["service_id": .string, "provider": .string, "delivery_seconds": .integer, "verification": .string,
                           "result_hash": .string, "provider_key": .string]),
    ])
    /// `ConfirmRequest`.
    static let confirm = RequestSchema.object([
        "result": .string, "result_hex": .string, "receipt": .object(["result_hash": .string, "signature": .string]),
    ])

    /// Checks `data` (already known to be JSON or not) against the schema; type mismatches other than numbers are
    /// left to the decoder, which names the field too.
    func check(_ data: Data) throws(ProblemError) {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .malformed("the request body is not valid JSON: \(error)")
        }
        try check(value, path: "")
    }

    private func check(_ value: JSONValue, path: String) throws(ProblemError) {
        switch (self, value) {
        case (_, .null):
            return
        case let (.object(fields), .object(members)):
            for key in members.keys.sorted() {
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let schema = fields[key] else {
                    throw .invalidField(field, "unknown field \(field); allowed here: \(fields.keys.sorted().joined(separator: ", "))")
                }
                if let member = members[key] { try schema.check(member, path: field) }
            }
        case (_, .outOfRange):
            throw .invalidField(path, "\(path.isEmpty ? "the body" : path) is out of range for its type")
        case (.integer, .negative), (.integer, .fractional):
            throw .invalidField(path, "\(path) must be a whole number of at least 0")
        default:
            return
        }
    }
}

/// Any JSON value, with numbers sorted into what an integer field can take and what it cannot.
enum JSONValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case unsigned(UInt64)
    case negative(Int64)
    case fractional(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// A number too large for any field (`1e999`).
    case outOfRange

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let u = try? c.decode(UInt64.self) {
            self = .unsigned(u)
        } else if let i = try? c.decode(Int64.self) { self = .negative(i) } else if let d = try? c.decode(Double.self) {
            self = .fractional(d)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else if let o = try? c.decode([String: JSONValue].self) {
            self = .object(o)
        } else {
            // Every other JSON kind was tried: what is left is a number no Swift number holds (1e999).
            self = .outOfRange
        }
    }
}
