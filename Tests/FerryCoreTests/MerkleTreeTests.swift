import FerryCore
import FerryTestSupport
import Foundation
import Testing

@Suite("Merkle tree")
struct MerkleTreeTests {
    struct Tree: Decodable { let leaves: [String]; let root: String; let proofs: [[String]] }
    struct Negative: Decodable { let why: String; let leaf: String; let proof: [String]; let root: String }
    struct Vectors: Decodable { let trees: [Tree]; let negatives: [Negative] }

    static let generated = Result { try JSONDecoder().decode(Vectors.self, from: PythonVectors.run("gen_merkle_vectors.py", ["15", "60"])) }

    @Test("roots and every proof match the independent Python implementation, and every proof verifies")
    func crossCheck() throws {
        let vectors = try Self.generated.get()
        #expect(vectors.trees.count == 60)
        for vector in vectors.trees {
            let tree = try MerkleTree(leaves: vector.leaves.map { try Bytes32(hex: $0) })
            #expect(tree.root.hex == vector.root)
            for (index, leaf) in tree.leaves.enumerated() {
                let proof = try tree.proof(forLeafAt: index)
                #expect(proof.map(\.hex) == vector.proofs[index])
                #expect(proof.count <= MerkleTree.maxProofLength)
                #expect(MerkleTree.verify(leaf: leaf, proof: proof, root: tree.root))
                #expect(tree.proof(for: leaf) == proof)
            }
        }
    }

    @Test("non-members, inner nodes passed as leaves, leaf hashes, tampered proofs and zero roots all fail")
    func negatives() throws {
        let vectors = try Self.generated.get()
        #expect(vectors.negatives.count > 200)
        for negative in vectors.negatives {
            let ok = MerkleTree.verify(leaf: try Bytes32(hex: negative.leaf), proof: try negative.proof.map { try Bytes32(hex: $0) },
                                       root: try Bytes32(hex: negative.root))
            #expect(!ok, "\(negative.why) verified")
        }
    }

    @Test("property: in random trees every leaf verifies, no other value does, and no inner node passes as a leaf",
          arguments: [1, 2, 3, 6, 64, 200, 256])
    func properties(size: Int) throws {
        var rng = SplitMix64(seed: UInt64(size) &* 0x9E37_79B9)
        let leaves = (0..<size).map { _ in rng.next32() }
        let tree = try MerkleTree(leaves: leaves)
        #expect(!tree.root.isZero)
        for (index, leaf) in leaves.enumerated() {
            let proof = try tree.proof(forLeafAt: index)
            #expect(MerkleTree.verify(leaf: leaf, proof: proof, root: tree.root))
            #expect(!MerkleTree.verify(leaf: rng.next32(), proof: proof, root: tree.root))
            #expect(!MerkleTree.verify(leaf: MerkleTree.leafHash(leaf), proof: proof, root: tree.root))
            if let sibling = proof.first {
                // The parent node is a real node of the tree; as a leaf it must not verify with the rest of the path.
                let parent = MerkleTree.nodeHash(MerkleTree.leafHash(leaf), sibling)
                #expect(!MerkleTree.verify(leaf: parent, proof: Array(proof.dropFirst()), root: tree.root))
            }
        }
        // The root itself is never a leaf of its own tree with an empty proof (a one-leaf tree's root is the leaf's hash).
        #expect(!MerkleTree.verify(leaf: tree.root, proof: [], root: tree.root))
        if size > 1 { #expect(!MerkleTree.verify(leaf: leaves[0], proof: [], root: tree.root)) }
    }

    @Test("a tree refuses no leaves, more than 256, and duplicates; proofs refuse out-of-range indices")
    func refusals() throws {
        #expect(throws: MerkleError.noLeaves) { try MerkleTree(leaves: []) }
        var rng = SplitMix64(seed: 3)
        let many = (0..<257).map { _ in rng.next32() }
        #expect(throws: MerkleError.tooManyLeaves(count: 257)) { try MerkleTree(leaves: many) }
        #expect(throws: MerkleError.duplicateLeaf(many[1], firstIndex: 1, secondIndex: 3)) {
            try MerkleTree(leaves: [many[0], many[1], many[2], many[1]])
        }
        let tree = try MerkleTree(leaves: Array(many.prefix(256)))
        #expect(throws: MerkleError.leafIndexOutOfRange(index: 256, count: 256)) { try tree.proof(forLeafAt: 256) }
        #expect(tree.proof(for: many[256]) == nil)
        #expect(!MerkleTree.verify(leaf: many[0], proof: Array(repeating: many[1], count: 9), root: tree.root))
    }

    @Test("a single leaf's root is its leaf hash; the leaf encoding is the transfer's message id")
    func singleLeafAndTransfers() throws {
        let transfer = TransferTests.sample
        let tree = try MerkleTree(transfers: [transfer])
        #expect(tree.root == MerkleTree.leafHash(transfer.messageId))
        #expect(tree.root != transfer.messageId)
        #expect(try tree.proof(forLeafAt: 0).isEmpty)
    }
}

/// Seeded random hashes, so a failing property names a reproducible case .
extension SplitMix64 {
    mutating func next32() -> Bytes32 { Bytes32(bigEndianWords: (next(), next(), next(), next())) }
}
