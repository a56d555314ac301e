/// A secp256k1 public key (a point on the curve), kept as its affine coordinates x and y.
///
/// Every value is a validated curve point: the parsing initializers reject anything else.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The x coordinate, big-endian.
    public let x: Bytes32
    /// The y coordinate, big-endian.
    public let y: Bytes32

    /// Only for coordinates libsecp256k1 produced or validated.
    init(x: Bytes32, y: Bytes32) {
        self.x = x
        self.y = y
    }

    /// Parses a public key from any of its usual encodings: 64 bytes x || y (Ethereum's form),
    /// 65 bytes `0x04 || x || y` (SEC1 uncompressed) or 33 bytes `0x02/0x03 || x` (SEC1 compressed).
    /// - Throws: `CryptoError.invalidPublicKey` for another length, a bad prefix, or a point not on the curve.
    public init(bytes: some Collection<UInt8>) throws(CryptoError) {
        var encoded = Array(bytes)
        switch encoded.count {
        case 64: encoded.insert(0x04, at: 0)
        case 33, 65: break
        default:
            throw .invalidPublicKey(reason: "expected 33 (compressed), 64 (x || y) or 65 (0x04 || x || y) bytes, got \(encoded.count)")
        }
        let context = try Secp256k1Context.get()
        let parsed = encoded.withUnsafeBytes { e in Result { () throws(CryptoError) in try context.parsePublicKey(e) } }
        let (x, y) = try parsed.get()
        self.init(x: x, y: y)
    }

    /// Parses hex of any encoding accepted by `init(bytes:)`, with or without `0x`.
    /// - Throws: `CryptoError.invalidHex` or `CryptoError.invalidPublicKey`.
    public init(hex: String) throws(CryptoError) {
        try self.init(bytes: Hex.decode(hex))
    }

    /// The 64-byte x || y form (what Ethereum hashes into an address).
    public var uncompressed: [UInt8] { x.bytes + y.bytes }

    /// The 33-byte SEC1 compressed form: `0x02` (even y) or `0x03` (odd y), then x.
    public var compressed: [UInt8] {
        // y's parity is the low bit of its last byte; no curve arithmetic needed.
        let odd = (UInt64(bigEndian: y.storage.3) & 1) == 1
        return [odd ? 0x03 : 0x02] + x.bytes
    }

    /// The Ethereum address: the last 20 bytes of keccak256(x || y).
    public var address: EthereumAddress {
        var pair = (x.storage, y.storage)
        let hash = withUnsafeBytes(of: &pair) { Keccak256.hash($0) }
        return EthereumAddress(lastTwentyBytesOf: hash)
    }

    /// Checks an ECDSA signature over `digest` by this key.
    ///
    /// Rejects high-s signatures (libsecp256k1's verify accepts only low-s). The recovery id `v`
    /// plays no part in ECDSA verification; use `Signature.recoverAddress(digest:)` for
    /// `ecrecover` semantics.
    public func isValidSignature(_ signature: Signature, digest: Bytes32) -> Bool {
        guard let context = try? Secp256k1Context.get() else { return false }
        return context.verify(r: signature.r, s: signature.s, digest: digest, x: x, y: y)
    }

    /// `0x` + hex of the 64-byte x || y form.
    public var description: String { Hex.prefixed(uncompressed) }
}
