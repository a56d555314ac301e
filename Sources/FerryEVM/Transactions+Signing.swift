public import FerryCrypto

extension TransactionSignature {
    /// Takes a FerryCrypto signature (already low-s with v 0/1).
    public init(_ signature: Signature) throws(TransactionError) {
        try self.init(r: signature.r, s: signature.s, yParity: signature.v)
    }

    /// As a FerryCrypto signature, to recover the signer.
    /// - Throws: `CryptoError` (cannot happen for a value built by the initializers, which check the same ranges).
    public var cryptoSignature: Signature {
        get throws(CryptoError) { try Signature(r: r, s: s, v: yParity) }
    }
}

extension EIP1559Transaction {
    /// Signs ``signingHash`` with `key`.
    /// - Throws: `CryptoError` from signing, or ``TransactionError`` (wrapped as `any Error`).
    public func sign(with key: PrivateKey) throws -> SignedTransaction {
        signed(with: try TransactionSignature(key.sign(digest: signingHash)))
    }
}

extension LegacyTransaction {
    /// Signs ``signingHash`` with `key` (EIP-155).
    /// - Throws: `CryptoError` from signing, or ``TransactionError``.
    public func sign(with key: PrivateKey) throws -> SignedTransaction {
        try signed(with: TransactionSignature(key.sign(digest: signingHash)))
    }
}

extension SignedTransaction {
    /// The account that signed: recovered from ``signingHash`` and ``signature``.
    /// - Throws: `CryptoError.recoveryFailed`-style errors when no key matches.
    public func sender() throws(CryptoError) -> EthereumAddress {
        try signature.cryptoSignature.recoverAddress(digest: signingHash)
    }
}

extension RelayerSignature {
    /// The gateway's `(r, s, v)` form of a FerryCrypto signature (v becomes 27/28).
    public init(_ signature: Signature) {
        self.init(r: signature.r, s: signature.s, yParity: signature.v)
    }
}
