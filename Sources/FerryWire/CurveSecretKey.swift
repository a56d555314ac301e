/// A CURVE secret key: 32 bytes. Its description is redacted so it never reaches a log.
///
/// Copies are plain values: keep them short-lived and load them from the operator's key file when needed.
public struct CurveSecretKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw key bytes.
    /// - Throws: ``WireError/invalidKey(reason:)`` for any other length.
    public init(bytes: [UInt8]) throws(WireError) {
        guard bytes.count == 32 else { throw .invalidKey(reason: "a secret key is 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    /// Parses the 40-character Z85 form.
    /// - Throws: ``WireError/invalidKey(reason:)``.
    public init(z85: String) throws(WireError) {
        guard z85.utf8.count == 40 else {
            throw .invalidKey(reason: "a Z85 secret key is 40 characters, got \(z85.utf8.count)")
        }
        try self.init(bytes: Z85.decode(z85))
    }

    /// The 40-character Z85 form, for writing a key file.
    public var z85: String { (try? Z85.encode(bytes)) ?? "" }  // 32 bytes always encode

    public var description: String { "CurveSecretKey(redacted)" }
}
