public import FerryCore

/// Why x402 input was refused. Every case names where the input came from (`source`: a header name such as
/// `PAYMENT-SIGNATURE`, or a request body) and, for a field, its JSON path (`accepts[0].amount`).
///
/// The decoders are total: any byte string ends in a value or one of these errors, never a crash.
public enum X402Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The encoded input is longer than the decoder accepts.
    case tooLarge(source: String, length: Int, limit: Int)
    /// The header value is not standard base64 (RFC 4648 section 4, padding optional).
    case malformedBase64(source: String, reason: String)
    /// The decoded bytes are not UTF-8 JSON, or not a JSON object where one is expected.
    case malformedJSON(source: String, reason: String)
    /// A required field is absent.
    case missingField(source: String, field: String)
    /// A field is present but has the wrong JSON type or an invalid value.
    case invalidField(source: String, field: String, reason: String)
    /// An amount that is not a base-10 integer string in 0...2^256-1.
    case invalidAmount(source: String, field: String, reason: AmountError)
    /// A network id that is not CAIP-2 (`namespace:reference`), or an `eip155` reference that is not a chain id.
    case invalidNetwork(source: String, field: String, text: String, reason: String)
    /// A well-formed network id this operation does not serve (e.g. a `solana:` network for an EVM scheme).
    case unsupportedNetwork(NetworkID, expected: String)
    /// An `x402Version` other than 2 (v1 uses other models and header names).
    case unsupportedVersion(source: String, version: Int)
    /// A list or object has more entries than the decoder accepts.
    case tooMany(source: String, field: String, count: Int, limit: Int)

    public var description: String {
        switch self {
        case let .tooLarge(source, length, limit):
            "\(source): \(length) bytes, more than the \(limit) accepted"
        case let .malformedBase64(source, reason):
            "\(source): not base64: \(reason)"
        case let .malformedJSON(source, reason):
            "\(source): not a JSON object: \(reason)"
        case let .missingField(source, field):
            "\(source): missing field \(field)"
        case let .invalidField(source, field, reason):
            "\(source): invalid \(field): \(reason)"
        case let .invalidAmount(source, field, reason):
            "\(source): invalid \(field): \(reason)"
        case let .invalidNetwork(source, field, text, reason):
            "\(source): invalid \(field) \"\(text)\": \(reason)"
        case let .unsupportedNetwork(network, expected):
            "network \(network) is not supported here (expected \(expected))"
        case let .unsupportedVersion(source, version):
            "\(source): x402Version \(version) is not supported (Ferry speaks version 2)"
        case let .tooMany(source, field, count, limit):
            "\(source): \(field) has \(count) entries, more than the \(limit) accepted"
        }
    }
}

/// A problem found while decoding one field; the codec turns it into an ``X402Error`` with the source name.
struct FieldProblem: Error {
    enum Kind {
        case amount(AmountError)
        case network(text: String, reason: String)
        case invalid(String)
        case version(Int)
        case tooMany(count: Int, limit: Int)
    }

    let path: [any CodingKey]
    let kind: Kind

    init(_ path: [any CodingKey], _ kind: Kind) {
        self.path = path
        self.kind = kind
    }
}

/// `accepts[0].payTo` from a coding path.
func fieldPath(_ path: [any CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += text.isEmpty ? key.stringValue : "." + key.stringValue
        }
    }
    return text.isEmpty ? "(top level)" : text
}
