import FerryCrypto
import Testing

@Suite("secp256k1 keys and signatures")
struct Secp256k1Tests {
    static let curveOrderHex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
    static let halfOrderHex = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"
    static let cowKeyHex = "c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4"  // keccak256("cow")

    @Test("well-known private keys map to their addresses", arguments: [
        ("0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"),
        ("0000000000000000000000000000000000000000000000000000000000000002", "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"),
        (cowKeyHex, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"),
        // n - 1, the largest valid key.
        ("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "0x80C0dbf239224071c59dD8970ab9d542E3414aB2"),
    ])
    func knownAddresses(keyHex: String, address: String) throws {
        let key = try PrivateKey(hex: keyHex)
        #expect(key.address.checksummed == address)
        #expect(key.publicKey.address == key.address)
        #expect(try PrivateKey(hex: "0x" + keyHex) == key)
    }

    @Test("the cow key keccak256(\"cow\") is derived from the word")
    func cowKey() throws {
        #expect(Keccak256.hash("cow").hex == "0x" + Self.cowKeyHex)
    }

    @Test("private key 1 has the generator point as public key")
    func generatorPoint() throws {
        let key = try PrivateKey(hex: "0000000000000000000000000000000000000000000000000000000000000001")
        #expect(key.publicKey.x.hex == "0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        #expect(key.publicKey.y.hex == "0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
        #expect(Hex.encode(key.publicKey.compressed) == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    }

    @Test("signing is deterministic (RFC 6979) and low-s, and the signature recovers and verifies",
          arguments: 0..<24)
    func signRecoverVerify(index: Int) throws {
        let key = try PrivateKey(bytes: Keccak256.hash("ferry-key-\(index % 6)").bytes)
        let digest = Keccak256.hash("message \(index)")
        let signature = try key.sign(digest: digest)
        #expect(try key.sign(digest: digest) == signature)
        #expect(signature.isLowS)
        #expect(signature.v <= 1)
        #expect(try signature.recoverAddress(digest: digest) == key.address)
        #expect(try signature.recoverPublicKey(digest: digest) == key.publicKey)
        #expect(key.publicKey.isValidSignature(signature, digest: digest))
        // Another digest or another key does not verify.
        #expect(!key.publicKey.isValidSignature(signature, digest: Keccak256.hash("other \(index)")))
        let other = try PrivateKey(bytes: Keccak256.hash("other-key-\(index)").bytes)
        #expect(!other.publicKey.isValidSignature(signature, digest: digest))
        #expect(try signature.recoverAddress(digest: Keccak256.hash("other \(index)")) != key.address)
        // rsv round trip, with v as 27/28 on the wire.
        #expect(signature.rsv.count == 65)
        #expect(signature.rsv[64] == signature.v + 27)
        #expect(try Signature(rsv: signature.rsv) == signature)
        #expect(try Signature(hex: signature.description) == signature)
    }

    @Test("the EIP-712 Mail example signature by the cow key")
    func cowMailSignature() throws {
        let key = try PrivateKey(hex: Self.cowKeyHex)
        let digest = try Bytes32(hex: "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        let signature = try key.sign(digest: digest)
        #expect(signature.rsv[64] == 28)
        #expect(signature.r.hex == "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(signature.s.hex == "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
    }

    @Test("generated keys are distinct, valid and sign")
    func generate() throws {
        let a = try PrivateKey.generate(), b = try PrivateKey.generate()
        #expect(a != b)
        #expect(a.address != b.address)
        let digest = Keccak256.hash("generated")
        #expect(try a.sign(digest: digest).recoverAddress(digest: digest) == a.address)
    }

    @Test("descriptions never show the secret")
    func redacted() throws {
        let key = try PrivateKey(hex: Self.cowKeyHex)
        for text in [key.description, key.debugDescription, "\(key)", String(reflecting: key), key.secret.description] {
            #expect(!text.lowercased().contains("c85ef7d7"), "\(text)")
            #expect(text.contains("redacted"))
        }
        #expect(key.secret.withUnsafeBytes { Hex.encode($0) } == Self.cowKeyHex)
    }

    @Test("out-of-range private keys are typed errors", arguments: [
        ("0000000000000000000000000000000000000000000000000000000000000000", "value is zero"),
        (curveOrderHex, "value is not below the curve order n"),
        ("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142", "value is not below the curve order n"),
        ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "value is not below the curve order n"),
    ])
    func outOfRangeKeys(keyHex: String, reason: String) {
        #expect(throws: CryptoError.invalidPrivateKey(reason: reason)) { try PrivateKey(hex: keyHex) }
    }

    @Test("private keys of the wrong length are typed errors", arguments: [0, 1, 31, 33, 64])
    func wrongLengthKeys(count: Int) {
        let error = CryptoError.invalidLength(what: "private key", expected: 32, actual: count)
        #expect(throws: error) { try PrivateKey(bytes: [UInt8](repeating: 1, count: count)) }
        #expect(throws: error) { try PrivateKey(secret: SecretBytes([UInt8](repeating: 1, count: count))) }
        #expect(error.description == "private key must be 32 bytes, got \(count)")
    }

    @Test("private key hex that is not hex is a typed error", arguments: ["0xzz", "123", "c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aag4"])
    func invalidHexKeys(text: String) {
        #expect {
            try PrivateKey(hex: text)
        } throws: { error in
            guard case .invalidHex = error as? CryptoError else { return false }
            return true
        }
    }

    @Test("public keys parse from 64, 65 and 33 bytes to the same point")
    func publicKeyForms() throws {
        let key = try PrivateKey(hex: Self.cowKeyHex).publicKey
        #expect(try PublicKey(bytes: key.uncompressed) == key)
        #expect(try PublicKey(bytes: [0x04] + key.uncompressed) == key)
        #expect(try PublicKey(bytes: key.compressed) == key)
        #expect(try PublicKey(hex: Hex.encode(key.compressed)) == key)
        #expect(key.compressed.count == 33 && key.uncompressed.count == 64)
    }

    @Test("invalid public keys are typed errors", arguments: [
        ([UInt8](repeating: 0, count: 64), "not a point on secp256k1 (or a bad prefix byte)"),
        ([UInt8](repeating: 7, count: 64), "not a point on secp256k1 (or a bad prefix byte)"),
        ([0x05] + [UInt8](repeating: 7, count: 64), "not a point on secp256k1 (or a bad prefix byte)"),
        ([0x02] + [UInt8](repeating: 0xFF, count: 32), "not a point on secp256k1 (or a bad prefix byte)"),
        ([UInt8](repeating: 7, count: 63), "expected 33 (compressed), 64 (x || y) or 65 (0x04 || x || y) bytes, got 63"),
    ])
    func invalidPublicKeys(bytes: [UInt8], reason: String) {
        #expect(throws: CryptoError.invalidPublicKey(reason: reason)) { try PublicKey(bytes: bytes) }
    }

    @Test("high-s signatures are rejected with .highS")
    func highS() throws {
        let key = try PrivateKey(hex: Self.cowKeyHex)
        let digest = Keccak256.hash("malleable")
        let signature = try key.sign(digest: digest)
        // s' = n - s is the other valid-looking s for the same r: the malleable twin.
        let highS = try Bytes32(subtracting: signature.s, from: Bytes32(hex: Self.curveOrderHex))
        #expect(throws: CryptoError.highS) { try Signature(r: signature.r, s: highS, v: signature.v ^ 1) }
        #expect(throws: CryptoError.highS) { try Signature(rsv: signature.r.bytes + highS.bytes + [signature.v ^ 1 + 27]) }
        // s = n/2 is still low, n/2 + 1 is high.
        let half = try Bytes32(hex: Self.halfOrderHex)
        #expect(try Signature(r: signature.r, s: half, v: 0).isLowS)
        #expect(throws: CryptoError.highS) {
            try Signature(r: signature.r, s: Bytes32(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"), v: 0)
        }
        #expect(CryptoError.highS.description.contains("s > n/2"))
    }

    @Test("r and s must be in 1...n-1", arguments: [
        ("00", "01", "r is zero"),
        ("01", "00", "s is zero"),
        (curveOrderHex, "01", "r is not below the curve order n"),
        ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "01", "r is not below the curve order n"),
        ("01", curveOrderHex, "s is not below the curve order n"),
    ])
    func signatureRange(rHex: String, sHex: String, reason: String) throws {
        let r = try Bytes32(leftPadding: Hex.decode(rHex)), s = try Bytes32(leftPadding: Hex.decode(sHex))
        #expect(throws: CryptoError.invalidSignature(reason: reason)) { try Signature(r: r, s: s, v: 0) }
    }

    @Test("v accepts 0, 1, 27, 28 and rejects everything else", arguments: 0...255)
    func recoveryIDs(v: Int) throws {
        let r = try Bytes32(leftPadding: [1]), s = try Bytes32(leftPadding: [2])
        switch v {
        case 0, 27: #expect(try Signature(r: r, s: s, v: UInt8(v)).v == 0)
        case 1, 28: #expect(try Signature(r: r, s: s, v: UInt8(v)).v == 1)
        default:
            #expect(throws: CryptoError.invalidRecoveryID(UInt8(v))) { try Signature(r: r, s: s, v: UInt8(v)) }
            #expect(throws: CryptoError.invalidRecoveryID(UInt8(v))) { try Signature(rsv: r.bytes + s.bytes + [UInt8(v)]) }
        }
    }

    @Test("rsv of the wrong length is a typed error", arguments: [0, 64, 66])
    func rsvLength(count: Int) {
        #expect(throws: CryptoError.invalidLength(what: "r || s || v signature", expected: 65, actual: count)) {
            try Signature(rsv: [UInt8](repeating: 1, count: count))
        }
    }

    @Test("recovery from an r that is no x coordinate fails with a typed error")
    func recoveryFailure() throws {
        // x = 5 is not on secp256k1 (5^3 + 7 = 132 is not a square mod p), so no key recovers.
        let signature = try Signature(r: Bytes32(leftPadding: [5]), s: Bytes32(leftPadding: [1]), v: 0)
        #expect(throws: CryptoError.recoveryFailed) { try signature.recoverAddress(digest: Keccak256.hash("x")) }
    }

    @Test("keys and signatures work from many tasks at once")
    func concurrentUse() async throws {
        let key = try PrivateKey(hex: Self.cowKeyHex)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let digest = Keccak256.hash("concurrent \(i)")
                    let signature = try key.sign(digest: digest)
                    return try signature.recoverAddress(digest: digest) == key.address
                        && key.publicKey.isValidSignature(signature, digest: digest)
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}

extension Bytes32 {
    /// a - b for a >= b (test helper for building n - s).
    init(subtracting b: Bytes32, from a: Bytes32) throws {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        let x = a.bytes, y = b.bytes
        for i in (0..<32).reversed() {
            var d = Int(x[i]) - Int(y[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        try self.init(out)
    }
}
