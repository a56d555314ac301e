public import FerryCore
public import FerryCrypto

/// A Solidity ABI type, enough for Ferry's gateway and ERC-20 calls.
public indirect enum ABIType: Hashable, Sendable {
    /// `uint<bits>`, bits a multiple of 8 up to 256.
    case uint(bits: Int)
    /// `address`.
    case address
    /// `bool`.
    case bool
    /// `bytes<n>`, 1...32.
    case fixedBytes(Int)
    /// `bytes`.
    case bytes
    /// `string`.
    case string
    /// `T[]`.
    case array(ABIType)
    /// `(T1,T2,...)`.
    case tuple([ABIType])

    /// The canonical type name used in signatures: `uint256`, `(bytes32,uint8)[]`.
    public var canonicalName: String {
        switch self {
        case let .uint(bits): "uint\(bits)"
        case .address: "address"
        case .bool: "bool"
        case let .fixedBytes(n): "bytes\(n)"
        case .bytes: "bytes"
        case .string: "string"
        case let .array(t): t.canonicalName + "[]"
        case let .tuple(ts): "(" + ts.map(\.canonicalName).joined(separator: ",") + ")"
        }
    }

    /// True when encoded out of line (through an offset).
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: true
        case let .tuple(ts): ts.contains(where: \.isDynamic)
        default: false
        }
    }

    /// Bytes taken in the head of the enclosing tuple.
    var headSize: Int {
        if isDynamic { return 32 }
        if case let .tuple(ts) = self { return ts.reduce(0) { $0 + $1.headSize } }
        return 32
    }
}

/// A value to encode or a decoded value.
public indirect enum ABIValue: Hashable, Sendable {
    /// Any `uint<bits>`.
    case uint(Amount)
    /// An `address`.
    case address(EthereumAddress)
    /// A `bool`.
    case bool(Bool)
    /// A `bytes<n>` value of n bytes.
    case fixedBytes([UInt8])
    /// A `bytes` value.
    case bytes([UInt8])
    /// A `string`.
    case string(String)
    /// A `T[]`.
    case array([ABIValue])
    /// A tuple or struct.
    case tuple([ABIValue])

    /// A `uint` from a 64-bit value.
    public static func uint64(_ v: UInt64) -> ABIValue { .uint(Amount(v)) }
    /// A `bytes32`.
    public static func bytes32(_ b: Bytes32) -> ABIValue { .fixedBytes(b.bytes) }

    var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: true
        case let .tuple(vs): vs.contains(where: \.isDynamic)
        default: false
        }
    }
}

/// Why bytes are not a valid ABI encoding of the expected types.
public enum ABIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data ends before a word or a payload does.
    case truncated(offset: Int, needed: Int, available: Int)
    /// An offset points outside the data or backwards into the head.
    case badOffset(offset: Int, value: String)
    /// A length is larger than the data could hold.
    case lengthTooLarge(offset: Int, length: String)
    /// A value does not fit its type (non-zero padding, a bool other than 0/1).
    case invalidValue(offset: Int, type: String, reason: String)
    /// A string is not UTF-8.
    case invalidUTF8(offset: Int)
    /// Return data or revert data did not start with the expected selector.
    case wrongSelector(expected: String, actual: String)

    public var description: String {
        switch self {
        case let .truncated(offset, needed, available): "ABI data too short at byte \(offset): needs \(needed), has \(available)"
        case let .badOffset(offset, value): "ABI offset \(value) at byte \(offset) points outside the data"
        case let .lengthTooLarge(offset, length): "ABI length \(length) at byte \(offset) exceeds the data"
        case let .invalidValue(offset, type, reason): "ABI \(type) at byte \(offset) is invalid: \(reason)"
        case let .invalidUTF8(offset): "ABI string at byte \(offset) is not UTF-8"
        case let .wrongSelector(expected, actual): "ABI selector \(actual) where \(expected) was expected"
        }
    }
}

/// Solidity ABI encoding (`abi.encode`) and strict decoding.
public enum ABI {
    /// The first four bytes of keccak256 of a canonical signature, e.g. `transfer(address,uint256)`.
    public static func selector(_ signature: String) -> [UInt8] { Array(Keccak256.hash(signature).bytes.prefix(4)) }

    /// The topic of an event with this canonical signature.
    public static func eventTopic(_ signature: String) -> Bytes32 { Keccak256.hash(signature) }

    /// `abi.encode(values...)`: the values as one tuple.
    public static func encode(_ values: [ABIValue]) -> [UInt8] { encodeTuple(values) }

    /// `selector || abi.encode(values...)`: call data.
    public static func call(_ signature: String, _ values: [ABIValue]) -> [UInt8] { selector(signature) + encode(values) }

    private static func encodeTuple(_ values: [ABIValue]) -> [UInt8] {
        let headSize = values.reduce(0) { $0 + ($1.isDynamic ? 32 : staticSize($1)) }
        var head: [UInt8] = [], tail: [UInt8] = []
        for v in values {
            if v.isDynamic {
                head += word(UInt64(headSize + tail.count))
                tail += encodeValue(v)
            } else {
                head += encodeValue(v)
            }
        }
        return head + tail
    }

    private static func staticSize(_ v: ABIValue) -> Int {
        if case let .tuple(vs) = v { return vs.reduce(0) { $0 + staticSize($1) } }
        return 32
    }

    private static func encodeValue(_ v: ABIValue) -> [UInt8] {
        switch v {
        case let .uint(a): return a.bigEndianBytes.bytes
        case let .address(a): return a.bytes32.bytes
        case let .bool(b): return word(b ? 1 : 0)
        case let .fixedBytes(b): return Array(b.prefix(32)) + [UInt8](repeating: 0, count: 32 - min(32, b.count))
        case let .bytes(b): return word(UInt64(b.count)) + padded(b)
        case let .string(s): let b = Array(s.utf8); return word(UInt64(b.count)) + padded(b)
        case let .array(vs): return word(UInt64(vs.count)) + encodeTuple(vs)
        case let .tuple(vs): return encodeTuple(vs)
        }
    }

    private static func word(_ v: UInt64) -> [UInt8] { Amount(v).bigEndianBytes.bytes }

    private static func padded(_ b: [UInt8]) -> [UInt8] {
        b + [UInt8](repeating: 0, count: (32 - b.count % 32) % 32)
    }

    /// Decodes `abi.encode(values...)` of `types`, strictly: every offset and length inside the data,
    /// zero padding, bools 0 or 1, narrow integers in range, strings UTF-8.
    /// - Throws: ``ABIError`` naming the byte offset.
    public static func decode(_ types: [ABIType], from data: some Collection<UInt8>) throws(ABIError) -> [ABIValue] {
        let bytes = Array(data)
        return try decodeTuple(types, bytes, base: 0, limit: bytes.count)
    }

    private static func decodeTuple(_ types: [ABIType], _ d: [UInt8], base: Int, limit: Int) throws(ABIError) -> [ABIValue] {
        var out: [ABIValue] = []
        var position = base
        for t in types {
            if t.isDynamic {
                let offset = try readLength(d, at: position, limit: limit)
                let target = base + offset
                guard offset >= 0, target <= limit else { throw .badOffset(offset: position, value: "\(offset)") }
                out.append(try decodeValue(t, d, at: target, limit: limit))
                position += 32
            } else {
                out.append(try decodeValue(t, d, at: position, limit: limit))
                position += t.headSize
            }
        }
        return out
    }

    private static func wordAt(_ d: [UInt8], _ at: Int, limit: Int) throws(ABIError) -> ArraySlice<UInt8> {
        guard at >= 0, at + 32 <= limit else { throw .truncated(offset: at, needed: 32, available: max(0, limit - at)) }
        return d[at..<(at + 32)]
    }

    /// A word read as a length or offset; anything that cannot index the data is refused.
    private static func readLength(_ d: [UInt8], at: Int, limit: Int) throws(ABIError) -> Int {
        let w = try wordAt(d, at, limit: limit)
        guard w.prefix(28).allSatisfy({ $0 == 0 }) else { throw .lengthTooLarge(offset: at, length: Hex.prefixed(w)) }
        let v = w.suffix(4).reduce(0) { $0 << 8 | Int($1) }
        guard v <= limit else { throw .lengthTooLarge(offset: at, length: "\(v)") }
        return v
    }

    private static func decodeValue(_ t: ABIType, _ d: [UInt8], at: Int, limit: Int) throws(ABIError) -> ABIValue {
        switch t {
        case let .uint(bits):
            let w = try wordAt(d, at, limit: limit)
            guard w.prefix(32 - bits / 8).allSatisfy({ $0 == 0 }) else {
                throw .invalidValue(offset: at, type: t.canonicalName, reason: "value does not fit in \(bits) bits")
            }
            return .uint((try? Amount(bigEndian: w)) ?? .zero)
        case .address:
            let w = try wordAt(d, at, limit: limit)
            guard w.prefix(12).allSatisfy({ $0 == 0 }) else {
                throw .invalidValue(offset: at, type: "address", reason: "upper 12 bytes are not zero")
            }
            guard let a = try? EthereumAddress(bytes: w.suffix(20)) else {
                throw .invalidValue(offset: at, type: "address", reason: "not 20 bytes")
            }
            return .address(a)
        case .bool:
            let w = try wordAt(d, at, limit: limit)
            guard w.prefix(31).allSatisfy({ $0 == 0 }), w.last.map({ $0 <= 1 }) == true else {
                throw .invalidValue(offset: at, type: "bool", reason: "not 0 or 1")
            }
            return .bool(w.last == 1)
        case let .fixedBytes(n):
            let w = try wordAt(d, at, limit: limit)
            guard w.dropFirst(n).allSatisfy({ $0 == 0 }) else {
                throw .invalidValue(offset: at, type: t.canonicalName, reason: "padding is not zero")
            }
            return .fixedBytes(Array(w.prefix(n)))
        case .bytes, .string:
            let length = try readLength(d, at: at, limit: limit)
            let start = at + 32
            guard start + length <= limit else { throw .truncated(offset: start, needed: length, available: limit - start) }
            let payload = Array(d[start..<(start + length)])
            if case .bytes = t { return .bytes(payload) }
            guard let s = String(validating: payload, as: UTF8.self) else { throw .invalidUTF8(offset: start) }
            return .string(s)
        case let .array(element):
            let count = try readLength(d, at: at, limit: limit)
            let start = at + 32
            // Every element takes at least one word of head, so a count beyond the data is a lie.
            guard count <= (limit - start) / 32 else { throw .lengthTooLarge(offset: at, length: "\(count)") }
            return .array(try decodeTuple([ABIType](repeating: element, count: count), d, base: start, limit: limit))
        case let .tuple(ts):
            return .tuple(try decodeTuple(ts, d, base: at, limit: limit))
        }
    }
}

extension ABIValue {
    /// The `uint` value, or nil.
    public var amount: Amount? { if case let .uint(a) = self { a } else { nil } }
    /// The `uint` value when it fits 64 bits, or nil.
    public var uint64: UInt64? { amount?.uint64 }
    /// The `address`, or nil.
    public var address: EthereumAddress? { if case let .address(a) = self { a } else { nil } }
    /// The `bool`, or nil.
    public var bool: Bool? { if case let .bool(b) = self { b } else { nil } }
    /// A `bytes32`, or nil.
    public var bytes32: Bytes32? { if case let .fixedBytes(b) = self, b.count == 32 { try? Bytes32(b) } else { nil } }
    /// The items of an array or tuple, or nil.
    public var items: [ABIValue]? {
        switch self {
        case let .array(vs), let .tuple(vs): vs
        default: nil
        }
    }
}
