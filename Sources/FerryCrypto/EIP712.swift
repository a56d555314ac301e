/// EIP-712 typed structured data hashing: the final digest and a small encoder for static struct types.
public enum EIP712 {
    /// The digest a signer signs: `keccak256(0x19 || 0x01 || domainSeparator || structHash)`.
    public static func digest(domainSeparator: Bytes32, structHash: Bytes32) -> Bytes32 {
        withUnsafeTemporaryAllocation(byteCount: 66, alignment: 8) { buffer in
            guard let base = buffer.baseAddress else { return Bytes32.zero }  // never: 66 bytes are allocated
            base.storeBytes(of: 0x19, as: UInt8.self)
            base.storeBytes(of: 0x01, toByteOffset: 1, as: UInt8.self)
            domainSeparator.store(to: base + 2)
            structHash.store(to: base + 34)
            return Keccak256.hash(UnsafeRawBufferPointer(buffer))
        }
    }

    /// `keccak256(a || b)` of two 32-byte words (typehash || one `bytes32` field is the common case).
    static func hash(_ a: Bytes32, _ b: Bytes32) -> Bytes32 {
        var words = (a.storage, b.storage)
        return withUnsafeBytes(of: &words) { Keccak256.hash($0) }
    }
}

/// A value of a static EIP-712 struct type (no arrays), with enough type information to compute
/// `encodeType`, `typeHash` and `hashStruct` exactly as EIP-712 specifies.
///
/// ```swift
/// let person = EIP712Struct("Person", [("name", .string("Cow")), ("wallet", .address(cow))])
/// let mail = EIP712Struct("Mail", [("from", .struct(person)), ("to", .struct(bob)), ("contents", .string("Hello, Bob!"))])
/// let digest = EIP712.digest(domainSeparator: domain.separator, structHash: mail.hash)
/// ```
/// Struct types that share a name must have the same fields; the first one met defines the type.
public struct EIP712Struct: Hashable, Sendable {
    /// One member's value together with its Solidity type.
    public indirect enum Value: Hashable, Sendable {
        /// `string`: hashed as keccak256 of its UTF-8 bytes.
        case string(String)
        /// `bytes` (dynamic): hashed as keccak256 of the bytes.
        case bytes([UInt8])
        /// `bytes32`.
        case bytes32(Bytes32)
        /// `address`: left-padded to 32 bytes.
        case address(EthereumAddress)
        /// `uint256`, as its 32 big-endian bytes.
        case uint256(Bytes32)
        /// `bool`: 0 or 1 in a 32-byte word.
        case bool(Bool)
        /// A nested struct: encoded as its `hash`.
        case `struct`(EIP712Struct)

        /// `uint256` from a 64-bit value.
        public static func uint256(_ value: UInt64) -> Value {
            .uint256(Bytes32(storage: (0, 0, 0, value.bigEndian)))
        }

        /// The Solidity type name used in `encodeType`.
        public var typeName: String {
            switch self {
            case .string: "string"
            case .bytes: "bytes"
            case .bytes32: "bytes32"
            case .address: "address"
            case .uint256: "uint256"
            case .bool: "bool"
            case let .struct(value): value.typeName
            }
        }

        /// The 32-byte `encodeData` word of this value.
        var encoded: Bytes32 {
            switch self {
            case let .string(text): Keccak256.hash(text)
            case let .bytes(bytes): Keccak256.hash(bytes)
            case let .bytes32(word): word
            case let .address(address): address.bytes32
            case let .uint256(word): word
            case let .bool(flag): Bytes32(storage: (0, 0, 0, UInt64(flag ? 1 : 0).bigEndian))
            case let .struct(value): value.hash
            }
        }
    }

    /// One named member.
    public struct Field: Hashable, Sendable {
        /// The member name.
        public let name: String
        /// The member value and type.
        public let value: Value

        /// A member `name` holding `value`.
        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// The struct type name, e.g. `Mail`.
    public let typeName: String
    /// The members in declaration order.
    public let fields: [Field]

    /// A struct value of type `typeName` with members in declaration order.
    public init(_ typeName: String, _ fields: [(String, Value)]) {
        self.typeName = typeName
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    /// This type's own definition, e.g. `Mail(Person from,Person to,string contents)`.
    public var typeDefinition: String {
        typeName + "(" + fields.map { "\($0.value.typeName) \($0.name)" }.joined(separator: ",") + ")"
    }

    /// EIP-712 `encodeType`: this definition, then every referenced struct type's definition
    /// sorted by name, e.g. `Mail(Person from,Person to,string contents)Person(string name,address wallet)`.
    public var encodeType: String {
        var referenced: [String: String] = [:]
        collectReferencedTypes(into: &referenced)
        referenced[typeName] = nil
        return typeDefinition + referenced.keys.sorted().compactMap { referenced[$0] }.joined()
    }

    /// `keccak256(encodeType)`.
    public var typeHash: Bytes32 { Keccak256.hash(encodeType) }

    /// EIP-712 `hashStruct`: `keccak256(typeHash || encodeData)`.
    public var hash: Bytes32 {
        var data = typeHash.bytes
        data.reserveCapacity(32 * (fields.count + 1))
        for field in fields { data += field.value.encoded.bytes }
        return Keccak256.hash(data)
    }

    private func collectReferencedTypes(into types: inout [String: String]) {
        guard types[typeName] == nil else { return }
        types[typeName] = typeDefinition
        for field in fields {
            if case let .struct(nested) = field.value { nested.collectReferencedTypes(into: &types) }
        }
    }
}
