/// scrypt (RFC 7914) in Swift, for the one region OpenSSL refuses: `n >= 2^(16·r)`.
///
/// OpenSSL enforces RFC 7914's advisory bound `N < 2^(128·r/8)`, which rejects real keystores
/// (the Web3 Secret Storage spec's own vector uses n = 2^18 with r = 1). geth, eth-account and
/// golang.org/x/crypto do not enforce it, so Ferry must not either. Everything else (the common
/// r = 8 files, and Ferry's own) goes through `EVP_PBE_scrypt`. The outer PBKDF2-HMAC-SHA256 steps
/// are OpenSSL's; only ROMix / BlockMix / Salsa20/8 are here. Parameters are validated by the caller
/// (`Keystore.KDF.validate()`), so sizes are bounded.
enum Scrypt {
    /// True when OpenSSL would refuse these parameters and `derive` must be used instead.
    static func needsFallback(n: Int, r: Int) -> Bool {
        16 * r < 63 && n >= 1 << (16 * r)
    }

    /// scrypt(password, salt, n, r, p) into `output`. All intermediate memory is wiped.
    static func derive(
        password: UnsafeRawBufferPointer, salt: [UInt8], n: Int, r: Int, p: Int,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        let blockWords = 32 * r                       // one 128·r-byte block, in 32-bit words
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * r * p, alignment: 16)
        let x = UnsafeMutablePointer<UInt32>.allocate(capacity: blockWords)
        let y = UnsafeMutablePointer<UInt32>.allocate(capacity: blockWords)
        let v = UnsafeMutablePointer<UInt32>.allocate(capacity: blockWords * n)
        defer {
            OpenSSL.cleanse(b)
            OpenSSL.cleanse(UnsafeMutableRawBufferPointer(start: x, count: blockWords * 4))
            OpenSSL.cleanse(UnsafeMutableRawBufferPointer(start: y, count: blockWords * 4))
            OpenSSL.cleanse(UnsafeMutableRawBufferPointer(start: v, count: blockWords * n * 4))
            b.deallocate(); x.deallocate(); y.deallocate(); v.deallocate()
        }
        guard let bBase = b.baseAddress else { throw .openSSLFailure(operation: "scrypt allocation") }
        try OpenSSL.pbkdf2SHA256(password: password, salt: salt, iterations: 1, into: b)
        for block in 0..<p {
            let bytes = bBase + block * 128 * r
            for i in 0..<blockWords {
                x[i] = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
            }
            roMix(x, y, v, r: r, n: n)
            for i in 0..<blockWords {
                bytes.storeBytes(of: x[i].littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        try OpenSSL.pbkdf2SHA256(password: password, salt: UnsafeRawBufferPointer(b), iterations: 1, into: output)
    }

    /// ROMix: fills `v` with n successive BlockMix states, then mixes in n pseudo-random ones.
    private static func roMix(_ x: UnsafeMutablePointer<UInt32>, _ y: UnsafeMutablePointer<UInt32>,
                              _ v: UnsafeMutablePointer<UInt32>, r: Int, n: Int) {
        let blockWords = 32 * r
        for i in 0..<n {
            (v + i * blockWords).update(from: x, count: blockWords)
            blockMix(x, y, r: r)
        }
        let mask = UInt32(truncatingIfNeeded: n - 1)  // n is a power of two <= 2^20
        for _ in 0..<n {
            let j = Int(x[blockWords - 16] & mask)      // Integerify: first word of the last 64-byte chunk
            let row = v + j * blockWords
            for k in 0..<blockWords { x[k] ^= row[k] }
            blockMix(x, y, r: r)
        }
    }

    /// BlockMix with Salsa20/8 over 2r 64-byte chunks; result in `b`, `y` is scratch.
    @inline(__always)
    private static func blockMix(_ b: UnsafeMutablePointer<UInt32>, _ y: UnsafeMutablePointer<UInt32>, r: Int) {
        var t = SIMD16<UInt32>()
        let last = b + (2 * r - 1) * 16
        for k in 0..<16 { t[k] = last[k] }
        for i in 0..<(2 * r) {
            let chunk = b + i * 16
            for k in 0..<16 { t[k] ^= chunk[k] }
            t = salsa20_8(t)
            // Even chunks go to the first half, odd chunks to the second.
            let out = y + ((i / 2) + (i % 2) * r) * 16
            for k in 0..<16 { out[k] = t[k] }
        }
        b.update(from: y, count: 32 * r)
    }

    /// The Salsa20/8 core (RFC 7914 section 3).
    @inline(__always)
    static func salsa20_8(_ input: SIMD16<UInt32>) -> SIMD16<UInt32> {
        @inline(__always) func rotl(_ a: UInt32, _ b: UInt32) -> UInt32 { (a &<< b) | (a &>> (32 &- b)) }
        var x0 = input[0], x1 = input[1], x2 = input[2], x3 = input[3]
        var x4 = input[4], x5 = input[5], x6 = input[6], x7 = input[7]
        var x8 = input[8], x9 = input[9], x10 = input[10], x11 = input[11]
        var x12 = input[12], x13 = input[13], x14 = input[14], x15 = input[15]
        for _ in 0..<4 {
            // Columns.
            x4 ^= rotl(x0 &+ x12, 7); x8 ^= rotl(x4 &+ x0, 9); x12 ^= rotl(x8 &+ x4, 13); x0 ^= rotl(x12 &+ x8, 18)
            x9 ^= rotl(x5 &+ x1, 7); x13 ^= rotl(x9 &+ x5, 9); x1 ^= rotl(x13 &+ x9, 13); x5 ^= rotl(x1 &+ x13, 18)
            x14 ^= rotl(x10 &+ x6, 7); x2 ^= rotl(x14 &+ x10, 9); x6 ^= rotl(x2 &+ x14, 13); x10 ^= rotl(x6 &+ x2, 18)
            x3 ^= rotl(x15 &+ x11, 7); x7 ^= rotl(x3 &+ x15, 9); x11 ^= rotl(x7 &+ x3, 13); x15 ^= rotl(x11 &+ x7, 18)
            // Rows.
            x1 ^= rotl(x0 &+ x3, 7); x2 ^= rotl(x1 &+ x0, 9); x3 ^= rotl(x2 &+ x1, 13); x0 ^= rotl(x3 &+ x2, 18)
            x6 ^= rotl(x5 &+ x4, 7); x7 ^= rotl(x6 &+ x5, 9); x4 ^= rotl(x7 &+ x6, 13); x5 ^= rotl(x4 &+ x7, 18)
            x11 ^= rotl(x10 &+ x9, 7); x8 ^= rotl(x11 &+ x10, 9); x9 ^= rotl(x8 &+ x11, 13); x10 ^= rotl(x9 &+ x8, 18)
            x12 ^= rotl(x15 &+ x14, 7); x13 ^= rotl(x12 &+ x15, 9); x14 ^= rotl(x13 &+ x12, 13); x15 ^= rotl(x14 &+ x13, 18)
        }
        return input &+ SIMD16(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15)
    }
}
