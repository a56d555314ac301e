public import FerryCrypto

/// A ``TransactionSigner`` over an in-memory secp256k1 key (tests, the devnet demo). Production wallets
/// sign from a keystore instead.
public struct PrivateKeySigner: TransactionSigner {
    public let key: PrivateKey

    public init(_ key: PrivateKey) { self.key = key }

    /// A signer whose key is derived from `seed` and `index` (deterministic test keys; never for real funds).
    public init(seed: UInt64, index: UInt64) throws(CryptoError) {
        var material = Array("ferry.test.key".utf8)
        withUnsafeBytes(of: seed.bigEndian) { material += $0 }
        withUnsafeBytes(of: index.bigEndian) { material += $0 }
        self.key = try PrivateKey(bytes: Keccak256.hash(material).bytes)
    }

    public var address: EthereumAddress { key.address }

    public func sign(digest: Bytes32) throws -> Signature { try key.sign(digest: digest) }
}
