@testable import FerryCrypto
import Testing

@Suite("scrypt fallback (n >= 2^(16·r), which OpenSSL refuses)")
struct ScryptTests {
    static func derive(swift: Bool, password: String, salt: String, n: Int, r: Int, p: Int, length: Int) throws -> String {
        var out = [UInt8](repeating: 0, count: length)
        let pass = Array(password.utf8)
        try pass.withUnsafeBytes { pw in
            try out.withUnsafeMutableBytes { o in
                if swift {
                    try Scrypt.derive(password: pw, salt: Array(salt.utf8), n: n, r: r, p: p, into: o)
                } else {
                    try OpenSSL.scrypt(password: pw, salt: Array(salt.utf8), n: UInt64(n), r: UInt64(r), p: UInt64(p),
                                       maxMemory: 1 << 30, into: o)
                }
            }
        }
        return Hex.encode(out)
    }

    @Test("RFC 7914 vector 1 and pycryptodome's n = 2^16, r = 1 value")
    func knownAnswers() throws {
        #expect(try Self.derive(swift: true, password: "", salt: "", n: 16, r: 1, p: 1, length: 64)
            == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        // Crypto.Protocol.KDF.scrypt(b"password", b"salt", 32, N=65536, r=1, p=1)
        #expect(try Self.derive(swift: true, password: "password", salt: "salt", n: 65536, r: 1, p: 1, length: 32)
            == "e675904a7de9eaf42addb61b60571185a8fc15c8d0712f99338d90326291b04b")
        #expect(Scrypt.needsFallback(n: 65536, r: 1) && !Scrypt.needsFallback(n: 32768, r: 1))
        #expect(!Scrypt.needsFallback(n: 1 << 20, r: 8) && Scrypt.needsFallback(n: 1 << 20, r: 1))
    }

    @Test("the Swift ROMix equals OpenSSL's where both apply", arguments: [(2, 1, 1), (16, 2, 3), (1024, 8, 1), (256, 3, 2)])
    func matchesOpenSSL(n: Int, r: Int, p: Int) throws {
        let swift = try Self.derive(swift: true, password: "pw \(n)", salt: "salt \(r)", n: n, r: r, p: p, length: 32)
        let openssl = try Self.derive(swift: false, password: "pw \(n)", salt: "salt \(r)", n: n, r: r, p: p, length: 32)
        #expect(swift == openssl)
    }
}
