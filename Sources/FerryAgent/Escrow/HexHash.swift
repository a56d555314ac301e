public import FerryCrypto

/// Stores an optional ``Bytes32`` as a `0x` hex string in JSON (Bytes32 itself is not `Codable`).
@propertyWrapper
public struct HexHash: Sendable, Hashable, Codable {
    /// The hash, if any.
    public var wrappedValue: Bytes32?

    /// Wraps a hash.
    public init(wrappedValue: Bytes32?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { wrappedValue = nil; return }
        let text = try c.decode(String.self)
        do { wrappedValue = try Bytes32(hex: text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a 32-byte hex hash: \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue.hex) } else { try c.encodeNil() }
    }
}
