// FerryCrypto beside the C it wraps or competes with. Names pair up: "<op> · Swift" and "<op> · C".
//
// - keccak256 (FerryCrypto, pure Swift) vs OpenSSL SHA3-256: the same Keccak-f[1600] permutation and
//   rate (136 bytes), only the padding byte differs, so it is the C reference for the hash's speed.
//   Two C variants: the one-shot `EVP_Digest` (includes OpenSSL 3's per-call context set-up) and a
//   reused `EVP_MD_CTX` with a pre-fetched `EVP_MD` (the permutation's own speed).
// - sign / verify / recover-to-address vs the raw libsecp256k1 calls.
import Benchmark
import CBenchOpenSSL
import CBenchSecp256k1
import FerryCrypto

/// Fixed inputs, built once. The force-unwrap-free `try` chain traps only if FerryCrypto itself is broken.
struct Fixture: @unchecked Sendable {  // immutable after init; the raw context is only read
    let bytes32: [UInt8] = (0..<32).map { UInt8($0) }
    let bytes1K: [UInt8] = (0..<1024).map { UInt8($0 % 251) }
    let key: PrivateKey
    let secret: [UInt8]
    let digest: Bytes32
    let digestBytes: [UInt8]
    let signature: Signature
    let publicKey: PublicKey
    let context: OpaquePointer
    let sha3: OpaquePointer

    init() throws {
        key = try PrivateKey(hex: "c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4")
        secret = key.secret.withUnsafeBytes { Array($0) }
        digest = Keccak256.hash("benchmark")
        digestBytes = digest.bytes
        signature = try key.sign(digest: digest)
        publicKey = key.publicKey
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else { throw BenchError.setup }
        var seed = [UInt8](repeating: 7, count: 32)
        guard secp256k1_context_randomize(ctx, &seed) == 1 else { throw BenchError.setup }
        context = ctx
        guard let md = EVP_MD_fetch(nil, "SHA3-256", nil) else { throw BenchError.setup }
        sha3 = md
    }
}

enum BenchError: Error { case setup, failed }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    guard let f = try? Fixture() else {
        print("CryptoBenchmarks: fixture set-up failed")
        return
    }

    // MARK: keccak256 vs SHA3-256

    for (label, input) in [("32 B", f.bytes32), ("1 KiB", f.bytes1K)] {
        Benchmark("keccak256 \(label) · Swift") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(Keccak256.hash(input))
            }
        }
        Benchmark("keccak256 \(label) · C sha3-256 EVP_Digest") { benchmark in
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            for _ in benchmark.scaledIterations {
                input.withUnsafeBytes { i in
                    out.withUnsafeMutableBufferPointer { o in
                        blackHole(EVP_Digest(i.baseAddress, i.count, o.baseAddress, &length, EVP_sha3_256(), nil))
                    }
                }
            }
            blackHole(out)
        }
        Benchmark("keccak256 \(label) · C sha3-256 reused ctx") { benchmark in
            guard let ctx = EVP_MD_CTX_new() else { return }
            defer { EVP_MD_CTX_free(ctx) }
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            for _ in benchmark.scaledIterations {
                input.withUnsafeBytes { i in
                    out.withUnsafeMutableBufferPointer { o in
                        EVP_DigestInit_ex(ctx, f.sha3, nil)
                        EVP_DigestUpdate(ctx, i.baseAddress, i.count)
                        blackHole(EVP_DigestFinal_ex(ctx, o.baseAddress, &length))
                    }
                }
            }
            blackHole(out)
        }
    }

    // MARK: sign

    Benchmark("sign · Swift") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? f.key.sign(digest: f.digest))
        }
    }
    Benchmark("sign · C secp256k1_ecdsa_sign_recoverable") { benchmark in
        var signature = secp256k1_ecdsa_recoverable_signature()
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        for _ in benchmark.scaledIterations {
            blackHole(secp256k1_ecdsa_sign_recoverable(f.context, &signature, f.digestBytes, f.secret, nil, nil))
            blackHole(secp256k1_ecdsa_recoverable_signature_serialize_compact(f.context, &compact, &recid, &signature))
        }
    }

    // MARK: verify

    Benchmark("verify · Swift") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(f.publicKey.isValidSignature(f.signature, digest: f.digest))
        }
    }
    Benchmark("verify · C secp256k1_ecdsa_verify") { benchmark in
        var pubkey = secp256k1_pubkey()
        var signature = secp256k1_ecdsa_signature()
        let encoded: [UInt8] = [0x04] + f.publicKey.uncompressed
        let compact = f.signature.r.bytes + f.signature.s.bytes
        guard secp256k1_ec_pubkey_parse(f.context, &pubkey, encoded, 65) == 1,
              secp256k1_ecdsa_signature_parse_compact(f.context, &signature, compact) == 1
        else { return }
        for _ in benchmark.scaledIterations {
            blackHole(secp256k1_ecdsa_verify(f.context, &signature, f.digestBytes, &pubkey))
        }
    }

    // MARK: recover to address

    Benchmark("recover address · Swift") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? f.signature.recoverAddress(digest: f.digest))
        }
    }
    Benchmark("recover address · C recover+serialize+sha3") { benchmark in
        var signature = secp256k1_ecdsa_recoverable_signature()
        let compact = f.signature.r.bytes + f.signature.s.bytes
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(f.context, &signature, compact, Int32(f.signature.v)) == 1,
              let ctx = EVP_MD_CTX_new()
        else { return }
        defer { EVP_MD_CTX_free(ctx) }
        var pubkey = secp256k1_pubkey()
        var serialized = [UInt8](repeating: 0, count: 65)
        var hash = [UInt8](repeating: 0, count: 32)
        var length = 65
        var hashLength: UInt32 = 0
        for _ in benchmark.scaledIterations {
            blackHole(secp256k1_ecdsa_recover(f.context, &pubkey, &signature, f.digestBytes))
            length = 65
            blackHole(secp256k1_ec_pubkey_serialize(f.context, &serialized, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED)))
            serialized.withUnsafeBytes { s in
                hash.withUnsafeMutableBufferPointer { h in
                    EVP_DigestInit_ex(ctx, f.sha3, nil)
                    EVP_DigestUpdate(ctx, s.baseAddress.map { $0 + 1 }, 64)
                    blackHole(EVP_DigestFinal_ex(ctx, h.baseAddress, &hashLength))
                }
            }
            blackHole(hash[12...])
        }
    }
}
