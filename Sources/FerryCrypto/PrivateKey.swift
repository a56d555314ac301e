/// A secp256k1 private key: a secret scalar in 1...n-1, held in wiped-on-release `SecretBytes`.
///
/// `description` is redacted. Signing is deterministic (RFC 6979) and produces low-s signatures,
/// so the same key and digest always give the same `Signature`. Safe to use from any number of
/// tasks at once.
public struct PrivateKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The 32 secret bytes (big-endian scalar).
    public let secret: SecretBytes
    /// The matching public key, computed once when the key is created.
    public let publicKey: PublicKey

    /// Takes 32 big-endian bytes.
    /// - Throws: `CryptoError.invalidLength` for any other length; `CryptoError.invalidPrivateKey`
    ///   when the value is zero or not below the curve order n.
    public init(bytes: some Collection<UInt8>) throws(CryptoError) {
        guard bytes.count == 32 else { throw .invalidLength(what: "private key", expected: 32, actual: bytes.count) }
        try self.init(secret: SecretBytes(bytes))
    }

    /// Parses 64 hex digits, with or without `0x`. The temporary decoded copy is wiped.
    /// - Throws: `CryptoError.invalidHex`, `.invalidLength` or `.invalidPrivateKey`.
    public init(hex: String) throws(CryptoError) {
        var raw = try Hex.decode(hex)
        defer { OpenSSL.cleanse(&raw) }
        try self.init(bytes: raw)
    }

    /// Wraps secret bytes that must hold a valid scalar.
    /// - Throws: `CryptoError.invalidLength` or `.invalidPrivateKey`.
    public init(secret: SecretBytes) throws(CryptoError) {
        guard secret.count == 32 else { throw .invalidLength(what: "private key", expected: 32, actual: secret.count) }
        try self.init(checking: secret)
    }

    private init(checking secret: SecretBytes) throws(CryptoError) {
        let context = try Secp256k1Context.get()
        let valid = secret.withUnsafeBytes { context.isValidSecretKey($0) }
        guard valid else {
            let isZero = secret.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
            throw .invalidPrivateKey(reason: isZero ? "value is zero" : "value is not below the curve order n")
        }
        let (x, y) = try secret.withUnsafeBytes { s throws(CryptoError) in try context.publicKey(secret: s) }
        self.secret = secret
        self.publicKey = PublicKey(x: x, y: y)
    }

    /// A new random key from OpenSSL's private CSPRNG (`RAND_priv_bytes`), retried in the
    /// (probability about 2^-128) case that the draw is not in 1...n-1.
    /// - Throws: `CryptoError.randomUnavailable` if the generator fails (or keeps producing invalid scalars).
    public static func generate() throws(CryptoError) -> PrivateKey {
        let context = try Secp256k1Context.get()
        for _ in 0..<64 {
            let secret = try SecretBytes(count: 32) { buffer throws(CryptoError) in try OpenSSL.fillPrivateRandom(buffer) }
            if secret.withUnsafeBytes({ context.isValidSecretKey($0) }) {
                return try PrivateKey(checking: secret)
            }
        }
        throw .randomUnavailable(reason: "64 draws in a row were not valid secp256k1 scalars")
    }

    /// The Ethereum address of this key.
    public var address: EthereumAddress { publicKey.address }

    /// Signs a 32-byte digest (already hashed: keccak256 of a transaction, an EIP-712 digest, ...).
    ///
    /// Deterministic (RFC 6979, HMAC-SHA256 nonces) and always low-s.
    /// - Throws: `CryptoError.signingFailed` or `.contextUnavailable` (neither happens for a valid key
    ///   in practice).
    public func sign(digest: Bytes32) throws(CryptoError) -> Signature {
        let context = try Secp256k1Context.get()
        let (r, s, v) = try secret.withUnsafeBytes { key throws(CryptoError) in try context.sign(digest: digest, secret: key) }
        // libsecp256k1 normalises to low-s itself; the checked init proves it.
        return try Signature(r: r, s: s, v: v)
    }

    /// Constant-time equality of the secrets.
    public static func == (a: PrivateKey, b: PrivateKey) -> Bool { a.secret == b.secret }

    /// Redacted: shows only the address.
    public var description: String { "PrivateKey(address: \(address.checksummed), secret: redacted)" }

    /// Same as `description`: redacted.
    public var debugDescription: String { description }
}
