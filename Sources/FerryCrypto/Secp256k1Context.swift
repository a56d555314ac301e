internal import CSecp256k1

/// Owns the process's libsecp256k1 context and is the only place that calls libsecp256k1.
///
/// The context is created once, randomized once (side-channel blinding) with 32 bytes from the
/// private CSPRNG, and never modified again: libsecp256k1 documents that functions taking a
/// `const secp256k1_context *` may then run concurrently from any number of threads.
// @unchecked Sendable: `raw` is immutable after `init` and only passed to libsecp256k1 functions
// that take a const context, which are thread-safe.
final class Secp256k1Context: @unchecked Sendable {
    let raw: OpaquePointer

    /// The shared context, created on first use.
    static let shared: Result<Secp256k1Context, CryptoError> = Result { () throws(CryptoError) in try Secp256k1Context() }

    /// The shared context, or the reason it could not be built.
    static func get() throws(CryptoError) -> Secp256k1Context { try shared.get() }

    init() throws(CryptoError) {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            throw .contextUnavailable(reason: "secp256k1_context_create returned NULL")
        }
        do {
            try withUnsafeTemporaryAllocation(byteCount: 32, alignment: 16) { seed throws(CryptoError) in
                defer { OpenSSL.cleanse(seed) }
                try OpenSSL.fillPrivateRandom(seed)
                guard let base = seed.baseAddress,
                      secp256k1_context_randomize(ctx, base.assumingMemoryBound(to: UInt8.self)) == 1
                else { throw .contextUnavailable(reason: "secp256k1_context_randomize failed") }
            }
        } catch {
            secp256k1_context_destroy(ctx)
            throw error
        }
        raw = ctx
    }

    deinit { secp256k1_context_destroy(raw) }

    // MARK: keys

    /// True when the 32 bytes are a valid secret key (1...n-1).
    func isValidSecretKey(_ secret: UnsafeRawBufferPointer) -> Bool {
        guard secret.count == 32, let s = secret.baseAddress else { return false }
        return secp256k1_ec_seckey_verify(raw, s.assumingMemoryBound(to: UInt8.self)) == 1
    }

    /// The public key (x, y) of a valid secret key.
    func publicKey(secret: UnsafeRawBufferPointer) throws(CryptoError) -> (x: Bytes32, y: Bytes32) {
        guard secret.count == 32, let s = secret.baseAddress else {
            throw .invalidLength(what: "private key", expected: 32, actual: secret.count)
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(raw, &pubkey, s.assumingMemoryBound(to: UInt8.self)) == 1 else {
            throw .invalidPrivateKey(reason: "rejected by libsecp256k1")
        }
        return try serialize(pubkey)
    }

    /// Parses a 33-byte compressed or 65-byte uncompressed (0x04-prefixed) SEC1 encoding.
    func parsePublicKey(_ encoded: UnsafeRawBufferPointer) throws(CryptoError) -> (x: Bytes32, y: Bytes32) {
        let pubkey = try parse(encoded)
        return try serialize(pubkey)
    }

    // MARK: signatures

    /// Signs a 32-byte digest with RFC 6979 deterministic nonces; returns (r, s, recovery id).
    func sign(digest: Bytes32, secret: UnsafeRawBufferPointer) throws(CryptoError) -> (r: Bytes32, s: Bytes32, v: UInt8) {
        guard secret.count == 32, let key = secret.baseAddress else {
            throw .invalidLength(what: "private key", expected: 32, actual: secret.count)
        }
        var signature = secp256k1_ecdsa_recoverable_signature()
        let ok = digest.withUnsafeBytes { d -> Int32 in
            guard let d = d.baseAddress else { return 0 }
            // nil nonce function = secp256k1_nonce_function_default = RFC 6979 HMAC-SHA256.
            return secp256k1_ecdsa_sign_recoverable(
                raw, &signature, d.assumingMemoryBound(to: UInt8.self), key.assumingMemoryBound(to: UInt8.self), nil, nil)
        }
        guard ok == 1 else { throw .signingFailed }
        return try withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { out throws(CryptoError) in
            var recid: Int32 = -1
            guard let o = out.baseAddress,
                  secp256k1_ecdsa_recoverable_signature_serialize_compact(
                      raw, o.assumingMemoryBound(to: UInt8.self), &recid, &signature) == 1,
                  recid == 0 || recid == 1
            else { throw .signingFailed }
            return (Bytes32(loadingFrom: o), Bytes32(loadingFrom: o + 32), UInt8(recid))
        }
    }

    /// Recovers the signer's public key, as (x, y).
    func recover(r: Bytes32, s: Bytes32, v: UInt8, digest: Bytes32) throws(CryptoError) -> (x: Bytes32, y: Bytes32) {
        try serialize(recoverRaw(r: r, s: s, v: v, digest: digest))
    }

    /// Recovers the signer's address: the last 20 bytes of keccak256(x || y), with no heap allocation.
    func recoverAddress(r: Bytes32, s: Bytes32, v: UInt8, digest: Bytes32) throws(CryptoError) -> Bytes32 {
        var pubkey = try recoverRaw(r: r, s: s, v: v, digest: digest)
        return try withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { out throws(CryptoError) in
            var length = 65
            guard let o = out.baseAddress,
                  secp256k1_ec_pubkey_serialize(
                      raw, o.assumingMemoryBound(to: UInt8.self), &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1,
                  length == 65
            else { throw .recoveryFailed }
            return Keccak256.hash(UnsafeRawBufferPointer(start: o + 1, count: 64))
        }
    }

    /// ECDSA verification; libsecp256k1 rejects high-s signatures here.
    func verify(r: Bytes32, s: Bytes32, digest: Bytes32, x: Bytes32, y: Bytes32) -> Bool {
        guard var pubkey = try? parse(x: x, y: y) else { return false }
        var signature = secp256k1_ecdsa_signature()
        let parsed = withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { buf -> Int32 in
            guard let b = buf.baseAddress else { return 0 }
            r.store(to: b)
            s.store(to: b + 32)
            return secp256k1_ecdsa_signature_parse_compact(raw, &signature, b.assumingMemoryBound(to: UInt8.self))
        }
        guard parsed == 1 else { return false }
        return digest.withUnsafeBytes { d -> Int32 in
            guard let d = d.baseAddress else { return 0 }
            return secp256k1_ecdsa_verify(raw, &signature, d.assumingMemoryBound(to: UInt8.self), &pubkey)
        } == 1
    }

    // MARK: private helpers

    private func recoverRaw(r: Bytes32, s: Bytes32, v: UInt8, digest: Bytes32) throws(CryptoError) -> secp256k1_pubkey {
        guard v <= 1 else { throw .invalidRecoveryID(v) }
        var signature = secp256k1_ecdsa_recoverable_signature()
        let parsed = withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { buf -> Int32 in
            guard let b = buf.baseAddress else { return 0 }
            r.store(to: b)
            s.store(to: b + 32)
            return secp256k1_ecdsa_recoverable_signature_parse_compact(
                raw, &signature, b.assumingMemoryBound(to: UInt8.self), Int32(v))
        }
        guard parsed == 1 else { throw .invalidSignature(reason: "r or s is not below the curve order") }
        var pubkey = secp256k1_pubkey()
        let ok = digest.withUnsafeBytes { d -> Int32 in
            guard let d = d.baseAddress else { return 0 }
            return secp256k1_ecdsa_recover(raw, &pubkey, &signature, d.assumingMemoryBound(to: UInt8.self))
        }
        guard ok == 1 else { throw .recoveryFailed }
        return pubkey
    }

    private func parse(_ encoded: UnsafeRawBufferPointer) throws(CryptoError) -> secp256k1_pubkey {
        guard encoded.count == 33 || encoded.count == 65, let e = encoded.baseAddress else {
            throw .invalidPublicKey(reason: "SEC1 encoding must be 33 or 65 bytes, got \(encoded.count)")
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(raw, &pubkey, e.assumingMemoryBound(to: UInt8.self), encoded.count) == 1 else {
            throw .invalidPublicKey(reason: "not a point on secp256k1 (or a bad prefix byte)")
        }
        return pubkey
    }

    private func parse(x: Bytes32, y: Bytes32) throws(CryptoError) -> secp256k1_pubkey {
        try withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buf throws(CryptoError) in
            guard let b = buf.baseAddress else { throw .invalidPublicKey(reason: "no buffer") }
            b.storeBytes(of: 0x04, as: UInt8.self)
            x.store(to: b + 1)
            y.store(to: b + 33)
            return try parse(UnsafeRawBufferPointer(buf))
        }
    }

    private func serialize(_ pubkey: secp256k1_pubkey) throws(CryptoError) -> (x: Bytes32, y: Bytes32) {
        var pubkey = pubkey
        return try withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { out throws(CryptoError) in
            var length = 65
            guard let o = out.baseAddress,
                  secp256k1_ec_pubkey_serialize(
                      raw, o.assumingMemoryBound(to: UInt8.self), &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1,
                  length == 65
            else { throw .invalidPublicKey(reason: "cannot serialize") }
            return (Bytes32(loadingFrom: o + 1), Bytes32(loadingFrom: o + 33))
        }
    }
}
