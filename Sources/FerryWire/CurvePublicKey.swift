/// A CURVE (Curve25519) public key: 32 bytes, written as 40 Z85 characters in configs and logs.
public struct CurvePublicKey: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw key bytes.
    /// - Throws: ``WireError/invalidKey(reason:)`` for any other length.
    public init(bytes: [UInt8]) throws(WireError) {
        guard bytes.count == 32 else { throw .invalidKey(reason: "a public key is 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    /// Parses the 40-character Z85 form.
    /// - Throws: ``WireError/invalidKey(reason:)``.
    public init(z85: String) throws(WireError) {
        guard z85.utf8.count == 40 else {
            throw .invalidKey(reason: "a Z85 public key is 40 characters, got \(z85.utf8.count)")
        }
        try self.init(bytes: Z85.decode(z85))
    }

    /// The 40-character Z85 form.
    public var z85: String { (try? Z85.encode(bytes)) ?? "" }  // 32 bytes always encode

    public var description: String { z85 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(z85: text) } catch { throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(z85)
    }
}
