/// Everything that can go wrong in FerryCrypto. Each case carries what a person needs to fix it.
///
/// Messages never contain secret material (private keys, passwords, derived keys).
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that should be hex is not.
    case invalidHex(text: String, reason: String)
    /// A byte string has the wrong length.
    case invalidLength(what: String, expected: Int, actual: Int)

    // MARK: secp256k1

    /// A private key is not a scalar in 1...n-1 (zero, or not below the curve order n).
    case invalidPrivateKey(reason: String)
    /// Bytes that should encode a secp256k1 public key do not (wrong prefix, or not on the curve).
    case invalidPublicKey(reason: String)
    /// A signature's r or s is zero or not below the curve order n.
    case invalidSignature(reason: String)
    /// A signature's s is above n/2; Ethereum (EIP-2) accepts only the low-s form.
    case highS
    /// A recovery id (`v`) outside {0, 1, 27, 28}.
    case invalidRecoveryID(UInt8)
    /// No public key can be recovered from this signature and digest.
    case recoveryFailed
    /// libsecp256k1 refused to sign (it does so only for an invalid key or a failed nonce).
    case signingFailed
    /// The libsecp256k1 context could not be created or randomized.
    case contextUnavailable(reason: String)
    /// The operating system's or OpenSSL's random generator failed.
    case randomUnavailable(reason: String)

    // MARK: addresses

    /// A mixed-case address whose EIP-55 checksum is wrong.
    case badChecksum(text: String, expected: String)

    // MARK: keystores

    /// The password does not open this keystore (its MAC does not match).
    case wrongPassword
    /// A keystore file is not valid Web3 Secret Storage v3 JSON.
    case malformedKeystore(field: String, reason: String)
    /// The keystore uses a cipher other than aes-128-ctr.
    case unsupportedCipher(String)
    /// The keystore uses a KDF other than scrypt or pbkdf2 (hmac-sha256).
    case unsupportedKDF(String)
    /// KDF parameters outside the accepted bounds (too weak to be valid, or costly enough to exhaust the machine).
    case unreasonableKDFParameters(reason: String)
    /// An OpenSSL primitive (KDF, cipher) failed.
    case openSSLFailure(operation: String)

    /// One sentence naming what failed and why.
    public var description: String {
        switch self {
        case let .invalidHex(text, reason):
            "invalid hex \"\(text)\": \(reason)"
        case let .invalidLength(what, expected, actual):
            "\(what) must be \(expected) bytes, got \(actual)"
        case let .invalidPrivateKey(reason):
            "invalid secp256k1 private key: \(reason) (it must be in 1...n-1)"
        case let .invalidPublicKey(reason):
            "invalid secp256k1 public key: \(reason)"
        case let .invalidSignature(reason):
            "invalid signature: \(reason)"
        case .highS:
            "signature has a high s value (s > n/2); only low-s signatures are accepted (EIP-2)"
        case let .invalidRecoveryID(v):
            "invalid recovery id v = \(v); expected 0, 1, 27 or 28"
        case .recoveryFailed:
            "no public key can be recovered from this signature and digest"
        case .signingFailed:
            "libsecp256k1 failed to produce a signature"
        case let .contextUnavailable(reason):
            "secp256k1 context unavailable: \(reason)"
        case let .randomUnavailable(reason):
            "secure random generator unavailable: \(reason)"
        case let .badChecksum(text, expected):
            "address \(text) has a wrong EIP-55 checksum; expected \(expected)"
        case .wrongPassword:
            "wrong keystore password (MAC mismatch)"
        case let .malformedKeystore(field, reason):
            "malformed keystore: field \"\(field)\" \(reason)"
        case let .unsupportedCipher(name):
            "unsupported keystore cipher \"\(name)\"; only aes-128-ctr is supported"
        case let .unsupportedKDF(name):
            "unsupported keystore KDF \"\(name)\"; only scrypt and pbkdf2 (hmac-sha256) are supported"
        case let .unreasonableKDFParameters(reason):
            "unreasonable keystore KDF parameters: \(reason)"
        case let .openSSLFailure(operation):
            "OpenSSL failed during \(operation)"
        }
    }
}
