internal import Foundation

/// Encodes and decodes the x402 headers (base64 of UTF-8 JSON, `http/utils.py` in the SDK) and the
/// facilitator's JSON bodies.
///
/// Decoding is total and bounded: input longer than the cap, text that is not base64, bytes that are not a JSON
/// object, a missing or mistyped field, an amount outside 0...2^256-1, a network id that is not CAIP-2 and an
/// `x402Version` other than 2 each end in an ``X402Error`` that names the header (or body) and the field.
/// Encoding writes camelCase keys and omits absent optional fields, as the SDK's
/// `model_dump_json(by_alias=True, exclude_none=True)` does.
public enum X402Codec {
    /// The longest header value accepted, in characters of base64 (12 KiB of JSON). Servers commonly cap a
    /// whole header block at 16 KiB, so a longer value would not arrive anyway.
    public static let maxHeaderLength = 16_384
    /// The largest JSON body accepted by ``decodeBody(_:from:source:)`` (a `/verify` or `/settle` request).
    public static let maxBodyLength = 65_536

    /// The header value for `value`: base64 of its JSON.
    /// - Throws: ``X402Error/invalidField(source:field:reason:)`` only if a value cannot be written as JSON
    ///   (a non-finite number in a ``JSONValue``).
    public static func encodeHeader(_ value: some Encodable) throws(X402Error) -> String {
        Base64.encode(try encodeJSON(value))
    }

    /// The JSON bytes of `value` (for a facilitator body).
    /// - Throws: ``X402Error/invalidField(source:field:reason:)`` when a value has no JSON form.
    public static func encodeJSON(_ value: some Encodable) throws(X402Error) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch let EncodingError.invalidValue(_, context) {
            throw .invalidField(source: "encoder", field: fieldPath(context.codingPath), reason: context.debugDescription)
        } catch {
            throw .invalidField(source: "encoder", field: "(top level)", reason: String(describing: error))
        }
    }

    /// Decodes the value of `header` as `type`.
    /// - Parameters:
    ///   - type: ``PaymentRequired``, ``PaymentPayload`` or ``SettleResponse`` (or any model of this module).
    ///   - value: the header value as received.
    ///   - header: which header it is (named in errors).
    /// - Throws: ``X402Error``, naming the header and the field.
    public static func decodeHeader<T: Decodable>(_ type: T.Type, from value: String, header: X402Header) throws(X402Error) -> T {
        let source = header.name
        guard value.utf8.count <= maxHeaderLength else {
            throw .tooLarge(source: source, length: value.utf8.count, limit: maxHeaderLength)
        }
        let bytes: [UInt8]
        switch Base64.decode(value) {
        case let .success(decoded): bytes = decoded
        case let .failure(failure): throw .malformedBase64(source: source, reason: failure.reason)
        }
        return try decodeJSON(type, from: bytes, source: source)
    }

    /// Decodes a JSON body (a facilitator request or answer) as `type`.
    /// - Throws: ``X402Error``, naming `source` and the field.
    public static func decodeBody<T: Decodable>(_ type: T.Type, from body: some Collection<UInt8>, source: String) throws(X402Error) -> T {
        guard body.count <= maxBodyLength else { throw .tooLarge(source: source, length: body.count, limit: maxBodyLength) }
        return try decodeJSON(type, from: Array(body), source: source)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: [UInt8], source: String) throws(X402Error) -> T {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .malformedJSON(source: source, reason: "the decoded bytes are not UTF-8")
        }
        guard bytes.first(where: { !isJSONSpace($0) }) == UInt8(ascii: "{") else {
            throw .malformedJSON(source: source, reason: "expected a JSON object")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let problem as FieldProblem {
            throw map(problem, source: source)
        } catch let error as DecodingError {
            throw map(error, source: source)
        } catch {
            throw .malformedJSON(source: source, reason: String(describing: error))
        }
    }

    private static func isJSONSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    private static func map(_ problem: FieldProblem, source: String) -> X402Error {
        let field = fieldPath(problem.path)
        switch problem.kind {
        case let .amount(reason): return .invalidAmount(source: source, field: field, reason: reason)
        case let .network(text, reason): return .invalidNetwork(source: source, field: field, text: text, reason: reason)
        case let .invalid(reason): return .invalidField(source: source, field: field, reason: reason)
        case let .version(version): return .unsupportedVersion(source: source, version: version)
        case let .tooMany(count, limit): return .tooMany(source: source, field: field, count: count, limit: limit)
        }
    }

    private static func map(_ error: DecodingError, source: String) -> X402Error {
        switch error {
        case let .keyNotFound(key, context):
            return .missingField(source: source, field: fieldPath(context.codingPath + [key]))
        case let .valueNotFound(type, context):
            return .invalidField(source: source, field: fieldPath(context.codingPath), reason: "null where \(type) is required")
        case let .typeMismatch(type, context):
            return .invalidField(source: source, field: fieldPath(context.codingPath), reason: "expected \(typeName(type))")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                return .malformedJSON(source: source, reason: context.debugDescription)
            }
            return .invalidField(source: source, field: fieldPath(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .malformedJSON(source: source, reason: String(describing: error))
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}

extension PaymentRequired {
    /// This 402's `PAYMENT-REQUIRED` header value.
    public func headerValue() throws(X402Error) -> String { try X402Codec.encodeHeader(self) }

    /// Decodes a `PAYMENT-REQUIRED` header value.
    /// - Throws: ``X402Error`` naming the field.
    public init(headerValue: String) throws(X402Error) {
        self = try X402Codec.decodeHeader(Self.self, from: headerValue, header: .paymentRequired)
    }
}

extension PaymentPayload {
    /// This payment's `PAYMENT-SIGNATURE` header value.
    public func headerValue() throws(X402Error) -> String { try X402Codec.encodeHeader(self) }

    /// Decodes a `PAYMENT-SIGNATURE` header value.
    /// - Throws: ``X402Error`` naming the field.
    public init(headerValue: String) throws(X402Error) {
        self = try X402Codec.decodeHeader(Self.self, from: headerValue, header: .paymentSignature)
    }
}

extension SettleResponse {
    /// This settlement's `PAYMENT-RESPONSE` header value.
    public func headerValue() throws(X402Error) -> String { try X402Codec.encodeHeader(self) }

    /// Decodes a `PAYMENT-RESPONSE` header value.
    /// - Throws: ``X402Error`` naming the field.
    public init(headerValue: String) throws(X402Error) {
        self = try X402Codec.decodeHeader(Self.self, from: headerValue, header: .paymentResponse)
    }
}
