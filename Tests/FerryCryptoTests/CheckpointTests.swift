import FerryCrypto
import FerryTestSupport
import Foundation
import Testing

@Suite("Checkpoint attestation")
struct CheckpointTests {
    struct Vector: Decodable {
        let chainId, verifyingContract, sourceChain, root, firstNonce, lastNonce: String
        let count: UInt32
        let structHash, digest, key, signer, signature: String
    }

    @Test("struct hashes, digests and signatures match eth-account's encode_typed_data, and signers recover")
    func crossCheck() throws {
        let vectors = try JSONDecoder().decode([Vector].self, from: PythonVectors.run("gen_checkpoint_vectors.py", ["12", "40"]))
        #expect(vectors.count == 40)
        for v in vectors {
            let chainId = try #require(UInt64(v.chainId))
            let domain = EIP712Domain.ferry(chainId: chainId, gateway: try EthereumAddress(hex: v.verifyingContract))
            let checkpoint = FerryCheckpoint(sourceChain: try #require(UInt64(v.sourceChain)), root: try Bytes32(hex: v.root),
                                             firstNonce: try #require(UInt64(v.firstNonce)),
                                             lastNonce: try #require(UInt64(v.lastNonce)), count: v.count)
            #expect(checkpoint.structHash.hex == v.structHash)
            #expect(checkpoint.digest(in: domain).hex == v.digest)
            let signature = try checkpoint.sign(with: PrivateKey(hex: v.key), in: domain)
            #expect(Hex.prefixed(signature.rsv) == v.signature)
            #expect(try checkpoint.signer(of: signature, in: domain).checksummed == v.signer)
        }
    }

    @Test("the type string is the documented one, and a changed field or domain changes the digest")
    func typeAndBinding() throws {
        #expect(FerryCheckpoint.typeString == "Checkpoint(uint64 sourceChain,bytes32 root,uint64 firstNonce,uint64 lastNonce,uint32 count)")
        let domain = EIP712Domain.ferry(chainId: 8453, gateway: try EthereumAddress(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
        let base = FerryCheckpoint(sourceChain: 1, root: Keccak256.hash("root"), firstNonce: 10, lastNonce: 20, count: 4)
        var variants = [base, base, base, base, base]
        variants[0].sourceChain = 2
        variants[1].root = Keccak256.hash("other")
        variants[2].firstNonce = 11
        variants[3].lastNonce = 21
        variants[4].count = 5
        for v in variants { #expect(v.digest(in: domain) != base.digest(in: domain)) }
        #expect(base.digest(in: .ferry(chainId: 1, gateway: domain.verifyingContract)) != base.digest(in: domain))
        // A checkpoint digest is never a Release digest of its root.
        #expect(FerryAttestation.release(messageId: base.root).digest(in: domain) != base.digest(in: domain))
    }
}
