internal import COpenSSL

/// The OpenSSL primitives FerryCrypto uses, behind Swift signatures with typed errors.
/// Nothing outside this file calls OpenSSL's KDF, cipher or random functions directly.
enum OpenSSL {
    /// Compares in constant time for equal lengths (lengths are not secret).
    static func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return CRYPTO_memcmp(pa, pb, a.count) == 0
    }

    /// Compares in constant time for equal lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in constantTimeEquals(x, y) } }
    }

    /// Overwrites `bytes` with zeros in a way the optimizer cannot remove.
    static func cleanse(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
        }
    }

    /// Overwrites a buffer with zeros in a way the optimizer cannot remove.
    static func cleanse(_ raw: UnsafeMutableRawBufferPointer) {
        if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
    }

    /// Fills `buffer` from OpenSSL's private CSPRNG (`RAND_priv_bytes`), meant for secrets.
    static func fillPrivateRandom(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard buffer.count > 0 else { return }
        guard let base = buffer.baseAddress, let n = Int32(exactly: buffer.count),
              RAND_priv_bytes(base.assumingMemoryBound(to: UInt8.self), n) == 1
        else { throw .randomUnavailable(reason: "RAND_priv_bytes failed") }
    }

    /// `count` bytes from OpenSSL's public CSPRNG (`RAND_bytes`), for salts, IVs and ids.
    static func publicRandom(count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let ok = out.withUnsafeMutableBytes { raw -> Bool in
            guard let base = raw.baseAddress, let n = Int32(exactly: raw.count) else { return false }
            return RAND_bytes(base.assumingMemoryBound(to: UInt8.self), n) == 1
        }
        guard ok else { throw .randomUnavailable(reason: "RAND_bytes failed") }
        return out
    }

    /// scrypt (RFC 7914) into `output`. `maxMemory` bounds what OpenSSL may allocate.
    static func scrypt(
        password: UnsafeRawBufferPointer, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64,
        maxMemory: UInt64, into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        let ok = salt.withUnsafeBytes { s -> Int32 in
            guard let out = output.baseAddress else { return 0 }
            return EVP_PBE_scrypt(
                password.baseAddress?.assumingMemoryBound(to: CChar.self), password.count,
                s.baseAddress?.assumingMemoryBound(to: UInt8.self), s.count,
                n, r, p, maxMemory, out.assumingMemoryBound(to: UInt8.self), output.count)
        }
        guard ok == 1 else { throw .openSSLFailure(operation: "scrypt key derivation (EVP_PBE_scrypt)") }
    }

    /// PBKDF2-HMAC-SHA256 (RFC 8018) into `output`.
    static func pbkdf2SHA256(
        password: UnsafeRawBufferPointer, salt: [UInt8], iterations: Int32,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        let result = salt.withUnsafeBytes { s in
            Result { () throws(CryptoError) in try pbkdf2SHA256(password: password, salt: s, iterations: iterations, into: output) }
        }
        try result.get()
    }

    /// PBKDF2-HMAC-SHA256 (RFC 8018) into `output`, with the salt in a buffer (scrypt's inner step).
    static func pbkdf2SHA256(
        password: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, iterations: Int32,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        guard let passLength = Int32(exactly: password.count), let saltLength = Int32(exactly: salt.count),
              let outLength = Int32(exactly: output.count), let out = output.baseAddress
        else { throw .openSSLFailure(operation: "PBKDF2 (buffer sizes)") }
        let ok = PKCS5_PBKDF2_HMAC(
            password.baseAddress?.assumingMemoryBound(to: CChar.self), passLength,
            salt.baseAddress?.assumingMemoryBound(to: UInt8.self), saltLength,
            iterations, EVP_sha256(), outLength, out.assumingMemoryBound(to: UInt8.self))
        guard ok == 1 else { throw .openSSLFailure(operation: "PBKDF2-HMAC-SHA256 (PKCS5_PBKDF2_HMAC)") }
    }

    /// AES-128-CTR of `input` into `output` (same length). Encryption and decryption are the same.
    static func aes128CTR(
        key: UnsafeRawBufferPointer, iv: [UInt8], input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        guard key.count == 16 else { throw .invalidLength(what: "AES-128 key", expected: 16, actual: key.count) }
        guard iv.count == 16 else { throw .invalidLength(what: "AES-128-CTR iv", expected: 16, actual: iv.count) }
        guard output.count == input.count, let inLength = Int32(exactly: input.count)
        else { throw .openSSLFailure(operation: "AES-128-CTR (buffer sizes)") }
        let context = try CipherContext()
        let ok = iv.withUnsafeBytes { ivBytes -> Bool in
            guard let k = key.baseAddress, let i = ivBytes.baseAddress,
                  EVP_EncryptInit_ex(context.raw, EVP_aes_128_ctr(), nil,
                                     k.assumingMemoryBound(to: UInt8.self), i.assumingMemoryBound(to: UInt8.self)) == 1
            else { return false }
            guard input.count > 0 else { return true }
            guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return false }
            var written: Int32 = 0
            guard EVP_EncryptUpdate(context.raw, outBase.assumingMemoryBound(to: UInt8.self), &written,
                                    inBase.assumingMemoryBound(to: UInt8.self), inLength) == 1,
                  written == inLength
            else { return false }
            // CTR is a stream mode: Final writes nothing, but call it to honour the API contract.
            var tail = [UInt8](repeating: 0, count: 16)
            var tailLength: Int32 = 0
            let finalOK = tail.withUnsafeMutableBufferPointer { t in
                EVP_EncryptFinal_ex(context.raw, t.baseAddress, &tailLength)
            }
            return finalOK == 1 && tailLength == 0
        }
        guard ok else { throw .openSSLFailure(operation: "AES-128-CTR (EVP_Encrypt*)") }
    }
}

/// Owns one `EVP_CIPHER_CTX`; freed (which also wipes the key schedule) in `deinit`.
/// Used by one call at a time, never shared.
private final class CipherContext {
    let raw: OpaquePointer

    init() throws(CryptoError) {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .openSSLFailure(operation: "EVP_CIPHER_CTX_new") }
        raw = ctx
    }

    deinit { EVP_CIPHER_CTX_free(raw) }
}
