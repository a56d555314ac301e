public import FerryCrypto

/// A 32-byte account or contract identifier, chain-neutral.
///
/// EVM addresses are left-padded with 12 zero bytes (as `bytes32(uint256(uint160(addr)))`);
/// chains with 32-byte keys use them as they are.
public struct Address: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 32 bytes.
    public let bytes32: Bytes32

    public init(_ bytes32: Bytes32) { self.bytes32 = bytes32 }

    /// Parses 20-byte (left-padded) or 32-byte hex, with or without `0x`.
    /// - Throws: ``CoreError/invalidAddress(text:reason:)``.
    public init(hex: String) throws(CoreError) {
        let bytes: [UInt8]
        do { bytes = try Hex.decode(hex) } catch { throw .invalidAddress(text: hex, reason: error.description) }
        guard bytes.count == 20 || bytes.count == 32 else {
            throw .invalidAddress(text: hex, reason: "expected 20 or 32 bytes, got \(bytes.count)")
        }
        do { bytes32 = try Bytes32(leftPadding: bytes) } catch { throw .invalidAddress(text: hex, reason: error.description) }
    }

    /// True when the first 12 bytes are zero, i.e. this can be an EVM address.
    public var isEVMShaped: Bool { bytes32.bytes.prefix(12).allSatisfy { $0 == 0 } }

    /// The 20-byte hex form when EVM-shaped, else the 32-byte form.
    public var description: String {
        isEVMShaped ? Hex.prefixed(bytes32.bytes.suffix(20)) : bytes32.hex
    }

    public static func < (a: Address, b: Address) -> Bool { a.bytes32 < b.bytes32 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(hex: text) } catch { throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
