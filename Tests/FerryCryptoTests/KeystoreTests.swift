import FerryCrypto
import Foundation
import Testing

@Suite("Web3 Secret Storage v3 keystores")
struct KeystoreTests {
    /// Private key 2, whose address is 0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF.
    static func key() throws -> PrivateKey {
        try PrivateKey(hex: "0000000000000000000000000000000000000000000000000000000000000002")
    }
    static let fastKDFs: [Keystore.KDF] = [.scrypt(n: 1024, r: 8, p: 1), .scrypt(n: 2, r: 1, p: 1), .pbkdf2(c: 1024), .pbkdf2(c: 1)]

    @Test("encrypt then decrypt returns the key", arguments: fastKDFs)
    func roundTrip(kdf: Keystore.KDF) throws {
        let json = try Keystore.encrypt(Self.key(), password: "correct horse", kdf: kdf)
        #expect(try Keystore.decrypt(json: json, password: "correct horse") == Self.key())
        #expect(try Keystore.decrypt(json: String(decoding: json, as: UTF8.self), password: "correct horse") == Self.key())
        #expect(throws: CryptoError.wrongPassword) { try Keystore.decrypt(json: json, password: "correct horse ") }
        #expect(throws: CryptoError.wrongPassword) { try Keystore.decrypt(json: json, password: "") }
    }

    @Test("the document has every v3 field in the expected form", arguments: fastKDFs)
    func layout(kdf: Keystore.KDF) throws {
        let json = try Keystore.encrypt(Self.key(), password: "pw", kdf: kdf)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(document["version"] as? Int == 3)
        #expect(document["address"] as? String == String(try Self.key().address.lowercaseHex.dropFirst(2)))
        let id = try #require(document["id"] as? String)
        #expect(id.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil, "\(id)")
        let crypto = try #require(document["crypto"] as? [String: Any])
        #expect(crypto["cipher"] as? String == "aes-128-ctr")
        #expect(((crypto["cipherparams"] as? [String: Any])?["iv"] as? String)?.count == 32)
        #expect((crypto["ciphertext"] as? String)?.count == 64)
        #expect((crypto["mac"] as? String)?.count == 64)
        #expect(crypto["kdf"] as? String == kdf.name)
        let params = try #require(crypto["kdfparams"] as? [String: Any])
        #expect(params["dklen"] as? Int == 32)
        #expect((params["salt"] as? String)?.count == 64)
        switch kdf {
        case let .scrypt(n, r, p):
            #expect(params["n"] as? Int == n && params["r"] as? Int == r && params["p"] as? Int == p)
        case let .pbkdf2(c):
            #expect(params["c"] as? Int == c && params["prf"] as? String == "hmac-sha256")
        }
        // Salt, iv and id are fresh every time.
        let again = try Keystore.encrypt(Self.key(), password: "pw", kdf: kdf)
        #expect(again != json)
    }

    @Test("the default KDF (scrypt n = 2^18, r = 8, p = 1) works end to end")
    func defaultKDF() throws {
        #expect(Keystore.KDF.default == .scrypt(n: 262_144, r: 8, p: 1))
        let json = try Keystore.encrypt(Self.key(), password: "default cost")
        #expect(String(decoding: json, as: UTF8.self).contains("\"n\":262144"))
        #expect(try Keystore.decrypt(json: json, password: "default cost") == Self.key())
    }

    // The two test vectors of the Web3 Secret Storage definition (password "testpassword").
    static let specVectors = [
        #"{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2","kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}"#,
        #"{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},"ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt","kdfparams":{"dklen":32,"n":262144,"p":8,"r":1,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},"mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}"#,
    ]

    @Test("the Web3 Secret Storage spec vectors decrypt", arguments: specVectors)
    func specVector(json: String) throws {
        let key = try Keystore.decrypt(json: json, password: "testpassword")
        #expect(key.secret.withUnsafeBytes { Hex.encode($0) } == "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
        // The scrypt vector (n = 2^18, r = 1) takes the Swift fallback, slow in debug builds: check it once.
        guard json.contains("pbkdf2") else { return }
        // MyEtherWallet's capitalised "Crypto" key is accepted too.
        let capitalised = json.replacingOccurrences(of: #""crypto":"#, with: #""Crypto":"#)
        #expect(try Keystore.decrypt(json: capitalised, password: "testpassword") == key)
        #expect(throws: CryptoError.wrongPassword) { try Keystore.decrypt(json: json, password: "testpassworD") }
    }

    /// One way to break a valid keystore, and the error it must produce.
    struct Breakage: Sendable, CustomTestStringConvertible {
        let name: String
        let expected: CryptoError
        let apply: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { name }
    }

    static func editCrypto(_ body: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable (inout [String: Any]) -> Void {
        { document in
            var crypto = document["crypto"] as? [String: Any] ?? [:]
            body(&crypto)
            document["crypto"] = crypto
        }
    }

    static func editParams(_ body: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable (inout [String: Any]) -> Void {
        editCrypto { crypto in
            var params = crypto["kdfparams"] as? [String: Any] ?? [:]
            body(&params)
            crypto["kdfparams"] = params
        }
    }

    static let breakages: [Breakage] = [
        Breakage(name: "no version", expected: .malformedKeystore(field: "version", reason: "is missing")) { $0["version"] = nil },
        Breakage(name: "version 4", expected: .malformedKeystore(field: "version", reason: "is 4; only version 3 is supported")) { $0["version"] = 4 },
        Breakage(name: "version as string", expected: .malformedKeystore(field: "version", reason: "is not an integer")) { $0["version"] = "3" },
        Breakage(name: "no crypto", expected: .malformedKeystore(field: "crypto", reason: "is missing")) { $0["crypto"] = nil },
        Breakage(name: "crypto not an object", expected: .malformedKeystore(field: "crypto", reason: "is not an object")) { $0["crypto"] = [1, 2] },
        Breakage(name: "no cipher", expected: .malformedKeystore(field: "crypto.cipher", reason: "is missing"), apply: editCrypto { $0["cipher"] = nil }),
        Breakage(name: "other cipher", expected: .unsupportedCipher("aes-128-cbc"), apply: editCrypto { $0["cipher"] = "aes-128-cbc" }),
        Breakage(name: "no cipherparams", expected: .malformedKeystore(field: "crypto.cipherparams", reason: "is missing"), apply: editCrypto { $0["cipherparams"] = nil }),
        Breakage(name: "no iv", expected: .malformedKeystore(field: "crypto.cipherparams.iv", reason: "is missing"), apply: editCrypto { $0["cipherparams"] = [String: Any]() }),
        Breakage(name: "short iv", expected: .malformedKeystore(field: "crypto.cipherparams.iv", reason: "must be 16 bytes, got 15"),
                 apply: editCrypto { $0["cipherparams"] = ["iv": String(repeating: "ab", count: 15)] }),
        Breakage(name: "no ciphertext", expected: .malformedKeystore(field: "crypto.ciphertext", reason: "is missing"), apply: editCrypto { $0["ciphertext"] = nil }),
        Breakage(name: "ciphertext not hex",
                 expected: .malformedKeystore(field: "crypto.ciphertext", reason: #"is not hex: invalid hex "zz": character 1 after any 0x is not a hex digit"#),
                 apply: editCrypto { $0["ciphertext"] = "zz" }),
        Breakage(name: "ciphertext a number", expected: .malformedKeystore(field: "crypto.ciphertext", reason: "is not a string"), apply: editCrypto { $0["ciphertext"] = 12 }),
        Breakage(name: "short ciphertext", expected: .malformedKeystore(field: "crypto.ciphertext", reason: "must be 32 bytes, got 31"),
                 apply: editCrypto { $0["ciphertext"] = String(repeating: "00", count: 31) }),
        Breakage(name: "no mac", expected: .malformedKeystore(field: "crypto.mac", reason: "is missing"), apply: editCrypto { $0["mac"] = nil }),
        Breakage(name: "no kdf", expected: .malformedKeystore(field: "crypto.kdf", reason: "is missing"), apply: editCrypto { $0["kdf"] = nil }),
        Breakage(name: "other kdf", expected: .unsupportedKDF("argon2id"), apply: editCrypto { $0["kdf"] = "argon2id" }),
        Breakage(name: "no kdfparams", expected: .malformedKeystore(field: "crypto.kdfparams", reason: "is missing"), apply: editCrypto { $0["kdfparams"] = nil }),
        Breakage(name: "no n", expected: .malformedKeystore(field: "crypto.kdfparams.n", reason: "is missing"), apply: editParams { $0["n"] = nil }),
        Breakage(name: "fractional n", expected: .malformedKeystore(field: "crypto.kdfparams.n", reason: "is not an integer"), apply: editParams { $0["n"] = 1024.5 }),
        Breakage(name: "no salt", expected: .malformedKeystore(field: "crypto.kdfparams.salt", reason: "is missing"), apply: editParams { $0["salt"] = nil }),
        Breakage(name: "dklen 16", expected: .malformedKeystore(field: "crypto.kdfparams.dklen", reason: "is 16; must be 32"), apply: editParams { $0["dklen"] = 16 }),
        Breakage(name: "n not a power of two", expected: .unreasonableKDFParameters(reason: "scrypt n = 1000 must be a power of two >= 2"), apply: editParams { $0["n"] = 1000 }),
        Breakage(name: "n = 2^21", expected: .unreasonableKDFParameters(reason: "scrypt n = 2097152 exceeds the limit 1048576"), apply: editParams { $0["n"] = 1 << 21 }),
        Breakage(name: "n = 2^40", expected: .unreasonableKDFParameters(reason: "scrypt n = 1099511627776 exceeds the limit 1048576"), apply: editParams { $0["n"] = 1 << 40 }),
        Breakage(name: "r = 0", expected: .unreasonableKDFParameters(reason: "scrypt r = 0, p = 1 must each be in 1...1048576"), apply: editParams { $0["r"] = 0 }),
        Breakage(name: "memory over 1 GiB",
                 expected: .unreasonableKDFParameters(reason: "scrypt n = 1024, r = 16384 needs 2147483648 bytes of memory, over the limit 1073741824"),
                 apply: editParams { $0["r"] = 16384 }),
        Breakage(name: "huge p",
                 expected: .unreasonableKDFParameters(reason: "scrypt n = 1024, r = 8, p = 5000 costs 128·n·r·p = 5242880000, over the limit 4294967296"),
                 apply: editParams { $0["p"] = 5000 }),
        Breakage(name: "address of another key", expected: .malformedKeystore(field: "address",
                 reason: "is 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf but the key's address is 0x2b5ad5c4795c026514f8317c7a215e218dccd6cf")) {
            $0["address"] = "7e5f4552091a69125d5dfcb7b8c2659029395bdf"
        },
        Breakage(name: "address not hex", expected: .malformedKeystore(field: "address",
                 reason: #"is not 20 bytes of hex: invalid hex "xyz": odd number of hex digits (3)"#)) { $0["address"] = "xyz" },
    ]

    @Test("a broken keystore is rejected with an error naming the field", arguments: breakages)
    func broken(breakage: Breakage) throws {
        let json = try Keystore.encrypt(Self.key(), password: "pw", kdf: .scrypt(n: 1024, r: 8, p: 1))
        var document = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        breakage.apply(&document)
        let broken = try JSONSerialization.data(withJSONObject: document)
        #expect(throws: breakage.expected) { try Keystore.decrypt(json: Array(broken), password: "pw") }
        #expect(!breakage.expected.description.isEmpty)
    }

    @Test("pbkdf2 files with another prf or too many iterations are rejected", arguments: [
        ("hmac-sha512", 1024, CryptoError.unsupportedKDF("pbkdf2 with prf hmac-sha512")),
        ("hmac-sha256", 0, CryptoError.unreasonableKDFParameters(reason: "pbkdf2 c = 0 must be in 1...10000000")),
        ("hmac-sha256", 10_000_001, CryptoError.unreasonableKDFParameters(reason: "pbkdf2 c = 10000001 must be in 1...10000000")),
    ])
    func badPBKDF2(prf: String, c: Int, expected: CryptoError) throws {
        let json = try Keystore.encrypt(Self.key(), password: "pw", kdf: .pbkdf2(c: 1))
        let text = String(decoding: json, as: UTF8.self)
            .replacingOccurrences(of: #""prf":"hmac-sha256""#, with: #""prf":"\#(prf)""#)
            .replacingOccurrences(of: #""c":1,"#, with: #""c":\#(c),"#)
        #expect(throws: expected) { try Keystore.decrypt(json: text, password: "pw") }
    }

    @Test("text that is not a keystore document is rejected", arguments: [
        ("", "is not valid JSON"), ("not json", "is not valid JSON"), ("{\"version\":", "is not valid JSON"),
        ("[]", "is not a JSON object"), ("3", "is not a JSON object"), ("null", "is not a JSON object"),
    ])
    func notJSON(text: String, reason: String) {
        #expect(throws: CryptoError.malformedKeystore(field: "(document)", reason: reason)) {
            try Keystore.decrypt(json: text, password: "pw")
        }
    }

    @Test("oversized documents are rejected before parsing")
    func oversized() {
        let text = "{\"pad\":\"" + String(repeating: "a", count: 70_000) + "\"}"
        #expect(throws: CryptoError.malformedKeystore(field: "(document)", reason: "is 70010 bytes, over the limit 65536")) {
            try Keystore.decrypt(json: text, password: "pw")
        }
    }

    @Test("encrypting with unreasonable KDF parameters is refused", arguments: [
        (Keystore.KDF.scrypt(n: 1 << 21, r: 8, p: 1), "scrypt n = 2097152 exceeds the limit 1048576"),
        (.scrypt(n: 1, r: 8, p: 1), "scrypt n = 1 must be a power of two >= 2"),
        (.scrypt(n: 0, r: 8, p: 1), "scrypt n = 0 must be a power of two >= 2"),
        (.scrypt(n: -8, r: 8, p: 1), "scrypt n = -8 must be a power of two >= 2"),
        (.pbkdf2(c: -1), "pbkdf2 c = -1 must be in 1...10000000"),
    ])
    func refusedKDF(kdf: Keystore.KDF, reason: String) {
        #expect(throws: CryptoError.unreasonableKDFParameters(reason: reason)) {
            try Keystore.encrypt(Self.key(), password: "pw", kdf: kdf)
        }
    }

    @Test("keystore JSON never contains the key or the password")
    func noSecretsInOutput() throws {
        let json = String(decoding: try Keystore.encrypt(Self.key(), password: "hunter2-password", kdf: .pbkdf2(c: 16)), as: UTF8.self)
        let secretHex = try Self.key().secret.withUnsafeBytes { Hex.encode($0) }
        #expect(!json.contains(secretHex))
        #expect(!json.contains("hunter2"))
    }
}
