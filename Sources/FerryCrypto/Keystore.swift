internal import Foundation

/// Web3 Secret Storage v3 keystores: the password-encrypted JSON key files of geth, MyEtherWallet,
/// eth-account and friends.
///
/// Ferry writes aes-128-ctr with scrypt (default, n = 2^18, r = 8, p = 1) or PBKDF2-HMAC-SHA256,
/// and reads files from other tools, including MyEtherWallet's capitalised `"Crypto"` key.
/// Reading is defensive: a hostile file cannot make Ferry allocate more than `Limits.maxScryptMemory`
/// or run an unbounded KDF, and every rejection names the offending field.
public enum Keystore {
    /// The key derivation function that turns the password into the encryption key.
    public enum KDF: Hashable, Sendable, CustomStringConvertible {
        /// scrypt (RFC 7914) with cost `n` (a power of two), block size `r` and parallelism `p`.
        case scrypt(n: Int, r: Int, p: Int)
        /// PBKDF2 with HMAC-SHA256 (`prf: "hmac-sha256"`) and `c` iterations.
        case pbkdf2(c: Int)

        /// scrypt with n = 262144 (2^18), r = 8, p = 1: what geth and eth-account use by default.
        public static let `default` = KDF.scrypt(n: 262_144, r: 8, p: 1)

        /// The KDF's name in the JSON file (`"scrypt"` or `"pbkdf2"`).
        public var name: String {
            switch self {
            case .scrypt: "scrypt"
            case .pbkdf2: "pbkdf2"
            }
        }

        /// The KDF and its parameters, e.g. `scrypt(n: 262144, r: 8, p: 1)`.
        public var description: String {
            switch self {
            case let .scrypt(n, r, p): "scrypt(n: \(n), r: \(r), p: \(p))"
            case let .pbkdf2(c): "pbkdf2(c: \(c), prf: hmac-sha256)"
            }
        }

        /// Throws unless the parameters are within `Keystore.Limits`.
        func validate() throws(CryptoError) {
            switch self {
            case let .scrypt(n, r, p):
                guard n >= 2, n & (n - 1) == 0 else {
                    throw .unreasonableKDFParameters(reason: "scrypt n = \(n) must be a power of two >= 2")
                }
                guard n <= Limits.maxScryptN else {
                    throw .unreasonableKDFParameters(reason: "scrypt n = \(n) exceeds the limit \(Limits.maxScryptN)")
                }
                guard r >= 1, p >= 1, r <= 1 << 20, p <= 1 << 20 else {
                    throw .unreasonableKDFParameters(reason: "scrypt r = \(r), p = \(p) must each be in 1...\(1 << 20)")
                }
                // 128 * r * n bytes of memory; every factor is bounded above, so this cannot overflow.
                let memory = 128 * r * n
                guard memory <= Limits.maxScryptMemory else {
                    throw .unreasonableKDFParameters(
                        reason: "scrypt n = \(n), r = \(r) needs \(memory) bytes of memory, over the limit \(Limits.maxScryptMemory)")
                }
                guard memory * p <= Limits.maxScryptWork else {
                    throw .unreasonableKDFParameters(
                        reason: "scrypt n = \(n), r = \(r), p = \(p) costs 128·n·r·p = \(memory * p), over the limit \(Limits.maxScryptWork)")
                }
            case let .pbkdf2(c):
                guard c >= 1, c <= Limits.maxPBKDF2Iterations else {
                    throw .unreasonableKDFParameters(reason: "pbkdf2 c = \(c) must be in 1...\(Limits.maxPBKDF2Iterations)")
                }
            }
        }
    }

    /// Bounds applied when reading and writing keystores, so a hostile file cannot exhaust the machine.
    public enum Limits {
        /// Largest scrypt n accepted (2^20; geth's "standard" is 2^18).
        public static let maxScryptN = 1 << 20
        /// Largest scrypt memory, 128 · r · n bytes, accepted (1 GiB).
        public static let maxScryptMemory = 1 << 30
        /// Largest scrypt total work, 128 · n · r · p, accepted (4 GiB-equivalent, 16 times the default).
        public static let maxScryptWork = 1 << 32
        /// Largest PBKDF2 iteration count accepted.
        public static let maxPBKDF2Iterations = 10_000_000
        /// Largest keystore document accepted, in bytes.
        public static let maxDocumentSize = 64 * 1024
        /// Largest salt accepted, in bytes.
        public static let maxSaltSize = 1024
    }

    /// Encrypts `key` with `password` into a v3 keystore JSON document (UTF-8 bytes).
    ///
    /// Fresh random salt (32 bytes), iv (16 bytes) and UUID v4 `id` every call. The derived key and
    /// password copy are wiped before returning. This runs the KDF, which is slow by design
    /// (about a second for the default scrypt): call it off latency-sensitive paths.
    /// - Parameters:
    ///   - key: The key to protect.
    ///   - password: Encoded as UTF-8 (as geth and eth-account do), with no normalisation.
    ///   - kdf: The password KDF; `.default` unless you have a reason (tests use small costs).
    /// - Returns: The JSON document, with keys sorted.
    /// - Throws: `CryptoError.unreasonableKDFParameters` for parameters outside `Limits`,
    ///   `.randomUnavailable` or `.openSSLFailure`.
    public static func encrypt(_ key: PrivateKey, password: String, kdf: KDF = .default) throws(CryptoError) -> [UInt8] {
        try kdf.validate()
        let salt = try OpenSSL.publicRandom(count: 32)
        let iv = try OpenSSL.publicRandom(count: 16)
        let id = try uuidV4()
        let (ciphertext, mac) = try withDerivedKey(password: password, kdf: kdf, salt: salt) { derived throws(CryptoError) in
            var ciphertext = [UInt8](repeating: 0, count: key.secret.count)
            let encrypted = key.secret.withUnsafeBytes { plain in
                ciphertext.withUnsafeMutableBytes { out in
                    Result { () throws(CryptoError) in
                        try OpenSSL.aes128CTR(key: UnsafeRawBufferPointer(rebasing: derived[0..<16]), iv: iv, input: plain, into: out)
                    }
                }
            }
            try encrypted.get()
            return (ciphertext, Self.mac(derived: derived, ciphertext: ciphertext))
        }
        let file = KeystoreFile(
            address: String(key.address.lowercaseHex.dropFirst(2)),
            crypto: .init(
                cipher: "aes-128-ctr",
                cipherparams: .init(iv: Hex.encode(iv)),
                ciphertext: Hex.encode(ciphertext),
                kdf: kdf.name,
                kdfparams: .init(kdf: kdf, salt: Hex.encode(salt)),
                mac: mac.hex.dropFirst(2).description),
            id: id,
            version: 3)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try Array(encoder.encode(file))
        } catch {
            throw .malformedKeystore(field: "(document)", reason: "could not be encoded: \(error)")
        }
    }

    /// Decrypts a v3 keystore JSON document with `password`.
    ///
    /// Accepts scrypt and PBKDF2-HMAC-SHA256 files, `"crypto"` or `"Crypto"`, hex with or without `0x`.
    /// When the file carries an `address`, it must match the decrypted key.
    /// - Throws: `CryptoError.wrongPassword` (MAC mismatch, compared in constant time);
    ///   `.malformedKeystore(field:reason:)` naming the missing or bad field; `.unsupportedCipher`,
    ///   `.unsupportedKDF`; `.unreasonableKDFParameters` for costs outside `Limits`.
    public static func decrypt(json: some Collection<UInt8>, password: String) throws(CryptoError) -> PrivateKey {
        let parsed = try ParsedKeystore(json: Array(json))
        let iv = parsed.iv, ciphertext = parsed.ciphertext
        let secret = try withDerivedKey(password: password, kdf: parsed.kdf, salt: parsed.salt) { derived throws(CryptoError) in
            let expected = Self.mac(derived: derived, ciphertext: ciphertext)
            let matches = expected.withUnsafeBytes { e in parsed.mac.withUnsafeBytes { OpenSSL.constantTimeEquals(e, $0) } }
            guard matches else { throw .wrongPassword }
            return try SecretBytes(count: ciphertext.count) { out throws(CryptoError) in
                let result = ciphertext.withUnsafeBytes { input in
                    Result { () throws(CryptoError) in
                        try OpenSSL.aes128CTR(key: UnsafeRawBufferPointer(rebasing: derived[0..<16]), iv: iv, input: input, into: out)
                    }
                }
                try result.get()
            }
        }
        let key: PrivateKey
        do {
            key = try PrivateKey(secret: secret)
        } catch {
            throw .malformedKeystore(field: "crypto.ciphertext", reason: "decrypts to an invalid private key: \(error)")
        }
        if let address = parsed.address, address != key.address {
            throw .malformedKeystore(
                field: "address", reason: "is \(address.lowercaseHex) but the key's address is \(key.address.lowercaseHex)")
        }
        return key
    }

    /// Decrypts a v3 keystore JSON string with `password`; see `decrypt(json:password:)` for bytes.
    public static func decrypt(json: String, password: String) throws(CryptoError) -> PrivateKey {
        try decrypt(json: Array(json.utf8), password: password)
    }

    // MARK: internals

    /// Runs the KDF into a 32-byte stack buffer, calls `body` with it, and wipes it (and the
    /// password copy) however `body` ends.
    private static func withDerivedKey<R>(
        password: String, kdf: KDF, salt: [UInt8],
        _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        try kdf.validate()
        var passwordBytes = Array(password.utf8)
        defer { OpenSSL.cleanse(&passwordBytes) }
        let result = withUnsafeTemporaryAllocation(byteCount: 32, alignment: 16) { derived in
            defer { OpenSSL.cleanse(derived) }
            return passwordBytes.withUnsafeBytes { pass in
                Result { () throws(CryptoError) -> R in
                    switch kdf {
                    case let .scrypt(n, r, p) where Scrypt.needsFallback(n: n, r: r):
                        try Scrypt.derive(password: pass, salt: salt, n: n, r: r, p: p, into: derived)
                    case let .scrypt(n, r, p):
                        // OpenSSL needs 128·r·(n + p + 2) bytes; give it that plus slack, and no more.
                        let maxMemory = UInt64(128 * r * (n + p + 2) + (1 << 20))
                        try OpenSSL.scrypt(password: pass, salt: salt, n: UInt64(n), r: UInt64(r), p: UInt64(p),
                                           maxMemory: maxMemory, into: derived)
                    case let .pbkdf2(c):
                        try OpenSSL.pbkdf2SHA256(password: pass, salt: salt, iterations: Int32(c), into: derived)
                    }
                    return try body(UnsafeRawBufferPointer(derived))
                }
            }
        }
        return try result.get()
    }

    /// `keccak256(derivedKey[16..<32] || ciphertext)`; the copy of the key half is wiped.
    private static func mac(derived: UnsafeRawBufferPointer, ciphertext: [UInt8]) -> Bytes32 {
        withUnsafeTemporaryAllocation(byteCount: 16 + ciphertext.count, alignment: 8) { buffer in
            defer { OpenSSL.cleanse(buffer) }
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: derived[16..<32]))
            ciphertext.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[16...]).copyMemory(from: $0) }
            return Keccak256.hash(UnsafeRawBufferPointer(buffer))
        }
    }

    /// A random (version 4, RFC 9562) UUID in lower-case text form.
    private static func uuidV4() throws(CryptoError) -> String {
        var bytes = try OpenSSL.publicRandom(count: 16)
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let hex = Array(Hex.encode(bytes).utf8)
        var out = [UInt8]()
        for (i, c) in hex.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - JSON model

/// The JSON layout Ferry writes (keys sorted on output).
private struct KeystoreFile: Encodable {
    struct Crypto: Encodable {
        struct CipherParams: Encodable { let iv: String }
        struct KDFParams: Encodable {
            let kdf: Keystore.KDF
            let salt: String

            enum CodingKeys: String, CodingKey { case dklen, n, r, p, c, prf, salt }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(32, forKey: .dklen)
                try container.encode(salt, forKey: .salt)
                switch kdf {
                case let .scrypt(n, r, p):
                    try container.encode(n, forKey: .n)
                    try container.encode(r, forKey: .r)
                    try container.encode(p, forKey: .p)
                case let .pbkdf2(c):
                    try container.encode(c, forKey: .c)
                    try container.encode("hmac-sha256", forKey: .prf)
                }
            }
        }
        let cipher: String
        let cipherparams: CipherParams
        let ciphertext: String
        let kdf: String
        let kdfparams: KDFParams
        let mac: String
    }
    let address: String
    let crypto: Crypto
    let id: String
    let version: Int
}

/// A keystore read and checked field by field; every failure names its field.
private struct ParsedKeystore {
    let address: EthereumAddress?
    let kdf: Keystore.KDF
    let salt: [UInt8]
    let iv: [UInt8]
    let ciphertext: [UInt8]
    let mac: [UInt8]

    init(json: [UInt8]) throws(CryptoError) {
        guard json.count <= Keystore.Limits.maxDocumentSize else {
            throw .malformedKeystore(field: "(document)", reason: "is \(json.count) bytes, over the limit \(Keystore.Limits.maxDocumentSize)")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(json))
        } catch {
            throw .malformedKeystore(field: "(document)", reason: "is not valid JSON")
        }
        guard case let .object(top) = root else { throw .malformedKeystore(field: "(document)", reason: "is not a JSON object") }

        let version = try Self.integer(top, "version", path: "")
        guard version == 3 else { throw .malformedKeystore(field: "version", reason: "is \(version); only version 3 is supported") }

        if let addressValue = top["address"] {
            guard case let .string(text) = addressValue else { throw .malformedKeystore(field: "address", reason: "is not a string") }
            // Tools write the address in any case (eth-account: checksummed without 0x); compare bytes only.
            do {
                address = try EthereumAddress(bytes: Hex.decode(text))
            } catch {
                throw .malformedKeystore(field: "address", reason: "is not 20 bytes of hex: \(error)")
            }
        } else {
            address = nil
        }

        // MyEtherWallet writes "Crypto"; the spec says "crypto". Accept any case, exact match first.
        let cryptoValue = top["crypto"] ?? top.first { $0.key.lowercased() == "crypto" }?.value
        guard let cryptoValue else { throw .malformedKeystore(field: "crypto", reason: "is missing") }
        guard case let .object(crypto) = cryptoValue else { throw .malformedKeystore(field: "crypto", reason: "is not an object") }

        let cipher = try Self.string(crypto, "cipher", path: "crypto.")
        guard cipher == "aes-128-ctr" else { throw .unsupportedCipher(cipher) }
        let cipherparams = try Self.object(crypto, "cipherparams", path: "crypto.")
        iv = try Self.hex(cipherparams, "iv", path: "crypto.cipherparams.", length: 16)
        ciphertext = try Self.hex(crypto, "ciphertext", path: "crypto.", length: 32)
        mac = try Self.hex(crypto, "mac", path: "crypto.", length: 32)

        let kdfName = try Self.string(crypto, "kdf", path: "crypto.")
        let params = try Self.object(crypto, "kdfparams", path: "crypto.")
        let paramsPath = "crypto.kdfparams."
        let dklen = try Self.integer(params, "dklen", path: paramsPath)
        guard dklen == 32 else { throw .malformedKeystore(field: paramsPath + "dklen", reason: "is \(dklen); must be 32") }
        salt = try Self.hex(params, "salt", path: paramsPath, length: nil)
        guard salt.count <= Keystore.Limits.maxSaltSize else {
            throw .malformedKeystore(field: paramsPath + "salt", reason: "is \(salt.count) bytes, over the limit \(Keystore.Limits.maxSaltSize)")
        }
        switch kdfName {
        case "scrypt":
            kdf = try .scrypt(n: Self.integer(params, "n", path: paramsPath),
                              r: Self.integer(params, "r", path: paramsPath),
                              p: Self.integer(params, "p", path: paramsPath))
        case "pbkdf2":
            let prf = try Self.string(params, "prf", path: paramsPath)
            guard prf == "hmac-sha256" else { throw .unsupportedKDF("pbkdf2 with prf \(prf)") }
            kdf = try .pbkdf2(c: Self.integer(params, "c", path: paramsPath))
        default:
            throw .unsupportedKDF(kdfName)
        }
        try kdf.validate()
    }

    private static func value(_ object: [String: JSONValue], _ key: String, path: String) throws(CryptoError) -> JSONValue {
        guard let value = object[key] else { throw .malformedKeystore(field: path + key, reason: "is missing") }
        return value
    }

    private static func string(_ object: [String: JSONValue], _ key: String, path: String) throws(CryptoError) -> String {
        guard case let .string(text) = try value(object, key, path: path) else {
            throw .malformedKeystore(field: path + key, reason: "is not a string")
        }
        return text
    }

    private static func object(_ object: [String: JSONValue], _ key: String, path: String) throws(CryptoError) -> [String: JSONValue] {
        guard case let .object(inner) = try value(object, key, path: path) else {
            throw .malformedKeystore(field: path + key, reason: "is not an object")
        }
        return inner
    }

    private static func integer(_ object: [String: JSONValue], _ key: String, path: String) throws(CryptoError) -> Int {
        guard case let .integer(number) = try value(object, key, path: path) else {
            throw .malformedKeystore(field: path + key, reason: "is not an integer")
        }
        return number
    }

    private static func hex(_ object: [String: JSONValue], _ key: String, path: String, length: Int?) throws(CryptoError) -> [UInt8] {
        let text = try string(object, key, path: path)
        let bytes: [UInt8]
        do {
            bytes = try Hex.decode(text)
        } catch {
            throw .malformedKeystore(field: path + key, reason: "is not hex: \(error)")
        }
        if let length, bytes.count != length {
            throw .malformedKeystore(field: path + key, reason: "must be \(length) bytes, got \(bytes.count)")
        }
        return bytes
    }
}

/// Just enough of JSON to walk a keystore with precise error messages.
private enum JSONValue: Decodable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
