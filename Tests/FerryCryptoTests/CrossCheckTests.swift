import FerryCrypto
import Foundation
import Testing

/// Vectors printed by `Tests/vectors/gen_crypto_vectors.py` (eth-account, eth-keys, eth-utils).
struct CrossCheckVectors: Decodable, Sendable {
    struct Key: Decodable, Sendable { let privateKey, publicKey, compressed, address: String }
    struct Sig: Decodable, Sendable { let privateKey, digest, r, s: String; let v: UInt8; let rsv: String }
    struct Typed: Decodable, Sendable {
        let kind, name, version, chainId, verifyingContract, separator, messageId, structHash, digest, signerKey, signature: String
    }
    struct Store: Decodable, Sendable { let kdf, password, privateKey, address, json: String }
    let keys: [Key]
    let signatures: [Sig]
    let eip712: [Typed]
    let keystores: [Store]
}

/// Cross-checks against independent Python implementations. If Python or its packages are missing,
/// these tests fail with a message saying how to fix it; they never pass silently.
@Suite("Cross-check with eth-account / eth-keys")
struct CrossCheckTests {
    /// The script runs once per test process (about a second); every test reads the same result.
    static let generated = Result { try PythonPeer.json(CrossCheckVectors.self, script: "gen_crypto_vectors.py") }

    static func vectors() throws -> CrossCheckVectors { try generated.get() }

    @Test("addresses and public keys of deterministic keys match eth-keys")
    func keys() throws {
        let vectors = try Self.vectors()
        #expect(vectors.keys.count == 16)
        for vector in vectors.keys {
            let key = try PrivateKey(hex: vector.privateKey)
            #expect(key.address.checksummed == vector.address)
            #expect(key.publicKey.description == vector.publicKey)
            #expect(Hex.prefixed(key.publicKey.compressed) == vector.compressed)
            #expect(try PublicKey(hex: vector.compressed) == key.publicKey)
        }
    }

    @Test("signatures are byte-identical to eth-keys' RFC 6979 signatures")
    func signatures() throws {
        let vectors = try Self.vectors()
        #expect(vectors.signatures.count == 64)
        for vector in vectors.signatures {
            let key = try PrivateKey(hex: vector.privateKey)
            let digest = try Bytes32(hex: vector.digest)
            let signature = try key.sign(digest: digest)
            #expect(signature.r.hex == vector.r)
            #expect(signature.s.hex == vector.s)
            #expect(signature.v == vector.v)
            #expect(Hex.prefixed(signature.rsv) == vector.rsv)
            #expect(try Signature(hex: vector.rsv).recoverAddress(digest: digest) == key.address)
        }
    }

    @Test("EIP-712 Release/Cancel digests and signatures match eth-account's encode_typed_data")
    func typedData() throws {
        let vectors = try Self.vectors()
        #expect(vectors.eip712.count == 27)
        for vector in vectors.eip712 {
            let chainId = try #require(UInt64(vector.chainId))
            let domain = EIP712Domain(name: vector.name, version: vector.version, chainId: chainId,
                                      verifyingContract: try EthereumAddress(hex: vector.verifyingContract))
            #expect(domain.separator.hex == vector.separator)
            let id = try Bytes32(hex: vector.messageId)
            let attestation: FerryAttestation = switch vector.kind {
            case "release": .release(messageId: id)
            case "cancel": .cancel(messageId: id)
            default: .refund(messageId: id)
            }
            #expect(attestation.structHash.hex == vector.structHash)
            #expect(attestation.digest(in: domain).hex == vector.digest)
            if vector.name == "Ferry", vector.version == "1" {
                #expect(attestation.digest(in: .ferry(chainId: chainId, gateway: domain.verifyingContract)).hex == vector.digest)
            }
            let key = try PrivateKey(hex: vector.signerKey)
            #expect(Hex.prefixed(try attestation.sign(with: key, in: domain).rsv) == vector.signature)
        }
    }

    @Test("keystores written by eth-account decrypt in Ferry")
    func keystoresFromPython() throws {
        let vectors = try Self.vectors()
        #expect(Set(vectors.keystores.map(\.kdf)) == ["scrypt", "pbkdf2"])
        for vector in vectors.keystores {
            let key = try Keystore.decrypt(json: vector.json, password: vector.password)
            #expect(key.secret.withUnsafeBytes { Hex.prefixed($0) } == vector.privateKey)
            #expect(key.address.checksummed == vector.address)
            #expect(throws: CryptoError.wrongPassword) { try Keystore.decrypt(json: vector.json, password: "wrong") }
        }
    }

    @Test("keystores written by Ferry decrypt in eth-account", arguments: [
        Keystore.KDF.scrypt(n: 1024, r: 8, p: 1), .pbkdf2(c: 1024),
    ])
    func keystoresToPython(kdf: Keystore.KDF) throws {
        let key = try PrivateKey.generate()
        let password = "ferry → python ü"
        let json = try Keystore.encrypt(key, password: password, kdf: kdf)
        let output = try PythonPeer.run(script: "decrypt_keystore.py", arguments: [password], stdin: json)
        let decrypted = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(decrypted == key.secret.withUnsafeBytes { Hex.prefixed($0) })
    }
}
