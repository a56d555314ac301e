/// Exactly 32 bytes: a hash, a message id, a private-key-sized scalar, a left-padded address.
///
/// Stored inline (no heap allocation) so hashing and comparing ids stays cheap.
public struct Bytes32: Hashable, Sendable, Comparable, CustomStringConvertible {
    // Four 8-byte words in memory order: byte i of the value is byte i of this tuple's memory.
    @usableFromInline var storage: (UInt64, UInt64, UInt64, UInt64)

    /// All zero bytes.
    public static let zero = Bytes32(storage: (0, 0, 0, 0))

    @usableFromInline init(storage: (UInt64, UInt64, UInt64, UInt64)) {
        self.storage = storage
    }

    /// Copies exactly 32 bytes.
    /// - Throws: `CryptoError.invalidLength` when `bytes` is not 32 bytes long.
    public init(_ bytes: some Collection<UInt8>) throws(CryptoError) {
        guard bytes.count == 32 else { throw .invalidLength(what: "32-byte value", expected: 32, actual: bytes.count) }
        var value = Bytes32.zero
        withUnsafeMutableBytes(of: &value.storage) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        self = value
    }

    /// Copies exactly 32 bytes (the fast path for arrays).
    /// - Throws: `CryptoError.invalidLength` when `bytes` is not 32 bytes long.
    public init(_ bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 32 else { throw .invalidLength(what: "32-byte value", expected: 32, actual: bytes.count) }
        self = bytes.withUnsafeBytes { raw in raw.baseAddress.map { Bytes32(loadingFrom: $0) } ?? .zero }
    }

    /// Copies exactly 32 bytes (the fast path for array slices).
    /// - Throws: `CryptoError.invalidLength` when `bytes` is not 32 bytes long.
    public init(_ bytes: ArraySlice<UInt8>) throws(CryptoError) {
        guard bytes.count == 32 else { throw .invalidLength(what: "32-byte value", expected: 32, actual: bytes.count) }
        self = bytes.withUnsafeBytes { raw in raw.baseAddress.map { Bytes32(loadingFrom: $0) } ?? .zero }
    }

    /// The 32 bytes of four 64-bit words, most significant first, each written big-endian (a `uint256`).
    @inlinable
    public init(bigEndianWords words: (UInt64, UInt64, UInt64, UInt64)) {
        self.init(storage: (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian))
    }

    /// The 32 bytes read as four big-endian 64-bit words, most significant first.
    @inlinable
    public var bigEndianWords: (UInt64, UInt64, UInt64, UInt64) {
        (UInt64(bigEndian: storage.0), UInt64(bigEndian: storage.1), UInt64(bigEndian: storage.2), UInt64(bigEndian: storage.3))
    }

    /// Parses 64 hex digits, with or without a `0x` prefix.
    /// - Throws: `CryptoError.invalidHex` or `CryptoError.invalidLength`.
    public init(hex: String) throws(CryptoError) {
        try self.init(Hex.decode(hex))
    }

    /// Left-pads up to 32 bytes with zeros (an EVM address becomes a `bytes32`).
    /// - Throws: `CryptoError.invalidLength` when `bytes` is longer than 32.
    public init(leftPadding bytes: some Collection<UInt8>) throws(CryptoError) {
        guard bytes.count <= 32 else { throw .invalidLength(what: "value to left-pad to 32 bytes", expected: 32, actual: bytes.count) }
        try self.init([UInt8](repeating: 0, count: 32 - bytes.count) + bytes)
    }

    /// Calls `body` with the 32 bytes.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = storage
        return try Swift.withUnsafeBytes(of: &copy) { try body($0) }
    }

    /// The 32 bytes as an array.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lower-case hex with a `0x` prefix.
    public var hex: String { "0x" + Hex.encode(bytes) }

    /// Same as `hex`.
    public var description: String { hex }

    /// Byte-wise equality.
    public static func == (a: Bytes32, b: Bytes32) -> Bool {
        a.storage.0 == b.storage.0 && a.storage.1 == b.storage.1
            && a.storage.2 == b.storage.2 && a.storage.3 == b.storage.3
    }

    /// Hashes the 32 bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }

    /// Byte-wise (big-endian numeric) order.
    public static func < (a: Bytes32, b: Bytes32) -> Bool {
        let x = a.bigEndianWords, y = b.bigEndianWords
        if x.0 != y.0 { return x.0 < y.0 }
        if x.1 != y.1 { return x.1 < y.1 }
        if x.2 != y.2 { return x.2 < y.2 }
        return x.3 < y.3
    }

    /// True when all 32 bytes are zero.
    public var isZero: Bool { self == .zero }

    /// Loads 32 bytes from `pointer` (no alignment needed). The caller guarantees 32 readable bytes.
    @inlinable
    init(loadingFrom pointer: UnsafeRawPointer) {
        self.init(storage: (pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                            pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                            pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                            pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// Writes the 32 bytes to `pointer`. The caller guarantees 32 writable bytes.
    @inlinable
    func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: storage.0, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: storage.1, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: storage.2, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: storage.3, toByteOffset: 24, as: UInt64.self)
    }
}
