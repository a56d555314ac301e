public import FerryCore
public import FerryCrypto

/// Strict readers for JSON-RPC answers: each failure is ``RPCError/malformed(method:field:reason:)`` naming
/// the method and the field, never a crash or a silent default.
extension JSONValue {
    /// The member `key`; missing or `null` is malformed.
    public func field(_ key: String, method: String, path: String = "") throws(RPCError) -> JSONValue {
        guard case let .object(o) = self else {
            throw .malformed(method: method, field: path.isEmpty ? key : path, reason: "expected an object, got \(self)")
        }
        guard let v = o[key], !v.isNull else {
            throw .malformed(method: method, field: path.isEmpty ? key : "\(path).\(key)", reason: "missing")
        }
        return v
    }

    /// The string this value must be.
    public func string(method: String, field: String) throws(RPCError) -> String {
        guard case let .string(s) = self else { throw .malformed(method: method, field: field, reason: "expected a string, got \(self)") }
        return s
    }

    /// A 64-bit hex quantity (see ``HexQuantity``).
    public func quantity(method: String, field: String) throws(RPCError) -> UInt64 {
        let s = try string(method: method, field: field)
        do { return try HexQuantity.uint64(s) } catch { throw .malformed(method: method, field: field, reason: "\(error.description): \(s)") }
    }

    /// A 256-bit hex quantity.
    public func amount(method: String, field: String) throws(RPCError) -> Amount {
        let s = try string(method: method, field: field)
        do { return try HexQuantity.amount(s) } catch { throw .malformed(method: method, field: field, reason: "\(error.description): \(s)") }
    }

    /// Hex data, optionally of a fixed length.
    public func data(method: String, field: String, length: Int? = nil) throws(RPCError) -> [UInt8] {
        let s = try string(method: method, field: field)
        do { return try HexQuantity.data(s, length: length) } catch {
            throw .malformed(method: method, field: field, reason: "\(error.description): \(s.prefix(80))")
        }
    }

    /// A 32-byte hash.
    public func bytes32(method: String, field: String) throws(RPCError) -> Bytes32 {
        let d = try data(method: method, field: field, length: 32)
        do { return try Bytes32(d) } catch { throw .malformed(method: method, field: field, reason: "\(error)") }
    }

    /// A 20-byte address.
    public func address(method: String, field: String) throws(RPCError) -> EthereumAddress {
        let d = try data(method: method, field: field, length: 20)
        do { return try EthereumAddress(bytes: d) } catch { throw .malformed(method: method, field: field, reason: "\(error)") }
    }

    /// The array this value must be.
    public func array(method: String, field: String) throws(RPCError) -> [JSONValue] {
        guard case let .array(a) = self else { throw .malformed(method: method, field: field, reason: "expected an array, got \(self)") }
        return a
    }
}
