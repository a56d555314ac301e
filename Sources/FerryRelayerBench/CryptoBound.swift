import FerryChains
import FerryCore
import Foundation

/// The raw crypto a relayer network cannot avoid per transfer, timed on the same cores: `signers` EIP-712
/// attestation signatures and `recoveries` public-key recoveries (what the executor or gateway checks).
enum CryptoBound {
    /// Wall seconds to do the crypto of `transfers` transfers, spread over `cores` parallel tasks.
    static func measure(transfers: Int, signers: [PrivateKeySigner], recoveries: Int, cores: Int) async throws -> Double {
        let domain = EIP712Domain(name: "Ferry", version: "1", chainId: 202, verifyingContract: try EthereumAddress(bytes: [UInt8](repeating: 0x42, count: 20)))
        let keys = signers.map(\.key)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for core in 0..<cores {
                group.addTask {
                    var i = core
                    while i < transfers {
                        let id = Keccak256.hash(Array("bench transfer \(i)".utf8))
                        let digest = FerryAttestation.release(messageId: id).digest(in: domain)
                        var signatures: [Signature] = []
                        for key in keys { signatures.append(try key.sign(digest: digest)) }
                        for signature in signatures.prefix(recoveries) { _ = try signature.recoverAddress(digest: digest) }
                        i += cores
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Single-core cost of one signature and of one recovery, in seconds (medians of `rounds` timed batches).
    static func unitCosts(signer: PrivateKeySigner, rounds: Int = 5, batch: Int = 200) throws -> (sign: Double, recover: Double) {
        let key = signer.key
        var signs: [Double] = [], recoveries: [Double] = []
        for round in 0..<rounds {
            let digests = (0..<batch).map { Keccak256.hash(Array("unit cost \(round) \($0)".utf8)) }
            var t = ContinuousClock.now
            let signatures = try digests.map { try key.sign(digest: $0) }
            signs.append(RelayerBench.seconds(ContinuousClock.now - t) / Double(batch))
            t = ContinuousClock.now
            for (signature, digest) in zip(signatures, digests) { _ = try signature.recoverAddress(digest: digest) }
            recoveries.append(RelayerBench.seconds(ContinuousClock.now - t) / Double(batch))
        }
        return (signs.sorted()[rounds / 2], recoveries.sorted()[rounds / 2])
    }
}
