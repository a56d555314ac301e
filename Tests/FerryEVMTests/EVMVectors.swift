import FerryTestSupport
import Foundation
import Testing

/// The vectors of `Tests/vectors/gen_evm_vectors.py`, generated once per test run.
struct EVMVectors: Decodable, Sendable {
    indirect enum Item: Decodable, Sendable {
        case bytes(String)
        case list([Item])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .bytes(s) } else { self = .list(try c.decode([Item].self)) }
        }
    }
    struct RLPVector: Decodable, Sendable { let item: Item; let encoded: String }
    struct AccessEntry: Decodable, Sendable { let address: String; let storageKeys: [String] }
    struct Tx: Decodable, Sendable, CustomTestStringConvertible {
        let kind: String, chainId: UInt64, nonce: String, gas: String, value: String, data: String, to: String?
        let signingHash: String, raw: String, hash: String, r: String, s: String, yParity: UInt8
        let gasPrice: String?, maxFeePerGas: String?, maxPriorityFeePerGas: String?, accessList: [AccessEntry]?
        var testDescription: String { "\(kind) chain \(chainId) nonce \(nonce)" }
    }
    struct Sig: Decodable, Sendable { let r: String, s: String, v: UInt8 }
    struct Release: Decodable, Sendable { let transfer: [String]; let transferEncoded: String; let signatures: [Sig]; let calldata: String }
    struct Revert: Decodable, Sendable { let message: String; let data: String }
    struct Artifact: Decodable, Sendable { let functions: [String: String]; let events: [String: String] }

    let rlp: [RLPVector]
    let transactions: [Tx]
    let release: [Release]
    let reverts: [Revert]
    let artifact: Artifact

    static let seed: UInt64 = {
        if let s = ProcessInfo.processInfo.environment["FERRY_TEST_SEED"], let v = UInt64(s) { return v }
        return UInt64.random(in: 1...1_000_000)
    }()

    /// Loaded lazily once; a Python failure is reported by every test that uses it.
    static let shared: Result<EVMVectors, PythonVectors.Failure> = {
        do {
            let data = try PythonVectors.run("gen_evm_vectors.py", ["\(seed)", "60"])
            return .success(try JSONDecoder().decode(EVMVectors.self, from: data))
        } catch let f as PythonVectors.Failure {
            return .failure(f)
        } catch {
            return .failure(PythonVectors.Failure(description: "vectors (seed \(seed)): \(error)"))
        }
    }()

    static func load() throws -> EVMVectors {
        switch shared {
        case let .success(v): return v
        case let .failure(f): throw PythonVectors.Failure(description: "seed \(seed): \(f.description)")
        }
    }
}
