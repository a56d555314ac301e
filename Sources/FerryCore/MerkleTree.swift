public import FerryCrypto

/// A keccak-256 Merkle tree over at most 256 distinct 32-byte leaves: the tree a checkpoint's root commits to.
///
/// The rules (the same in `chains/contracts/FerryGateway.vy`, the simulated gateway and
/// `Tests/vectors/gen_merkle_vectors.py`; docs/architecture.md, "Checkpoints"):
/// - **Leaf encoding.** A leaf is a transfer's ``Transfer/messageId`` (which already commits to every field of
///   the transfer, nonce included). Its hash is `keccak256(0x00 || messageId)`.
/// - **Inner nodes.** `keccak256(0x01 || min(a, b) || max(a, b))`: the pair is sorted (as unsigned 256-bit
///   big-endian numbers), so a proof is just the list of siblings and carries no left/right bits. The distinct
///   one-byte prefixes mean a leaf hash (33 hashed bytes) can never equal an inner node (65 hashed bytes)
///   unless keccak-256 collides: no inner node can be passed off as a leaf, nor a leaf as a node.
/// - **Padding.** None: on each level the nodes are paired left to right in leaf order; an odd last node is
///   carried up unchanged (it is never paired with itself), so its proof simply has no sibling on that level.
/// - **Root.** The single node on the top level. One leaf: its leaf hash. No leaves: refused.
/// - **Size.** 1 to ``maxLeaves`` leaves, all distinct, so every proof has at most 8 siblings.
///
/// A zero root never comes out of a real tree; gateways refuse to commit a zero root or one already committed.
public struct MerkleTree: Sendable, Hashable {
    /// The most leaves one root covers.
    public static let maxLeaves = 256
    /// The most siblings a proof can hold (`log2(maxLeaves)`).
    public static let maxProofLength = 8
    /// The byte hashed before a leaf.
    public static let leafPrefix: UInt8 = 0x00
    /// The byte hashed before a pair of child nodes.
    public static let nodePrefix: UInt8 = 0x01

    /// The leaves (message ids), in the order given.
    public let leaves: [Bytes32]
    /// Every level, leaf hashes first, the root's level last.
    private let levels: [[Bytes32]]

    /// Builds the tree over `leaves`, in that order.
    /// - Throws: ``MerkleError/noLeaves``, ``MerkleError/tooManyLeaves(count:)`` above ``maxLeaves``,
    ///   ``MerkleError/duplicateLeaf(_:firstIndex:secondIndex:)`` when a leaf appears twice.
    public init(leaves: [Bytes32]) throws(MerkleError) {
        guard !leaves.isEmpty else { throw .noLeaves }
        guard leaves.count <= Self.maxLeaves else { throw .tooManyLeaves(count: leaves.count) }
        var seen: [Bytes32: Int] = [:]
        for (index, leaf) in leaves.enumerated() {
            if let first = seen.updateValue(index, forKey: leaf) {
                throw .duplicateLeaf(leaf, firstIndex: first, secondIndex: index)
            }
        }
        self.leaves = leaves
        var levels = [leaves.map(Self.leafHash)]
        while let level = levels.last, level.count > 1 {
            var next: [Bytes32] = []
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i < level.count {
                next.append(i + 1 < level.count ? Self.nodeHash(level[i], level[i + 1]) : level[i])
                i += 2
            }
            levels.append(next)
        }
        self.levels = levels
    }

    /// The tree over the message ids of `transfers`, in that order.
    /// - Throws: as ``init(leaves:)``.
    public init(transfers: [Transfer]) throws(MerkleError) {
        try self.init(leaves: transfers.map(\.messageId))
    }

    /// The root: what a checkpoint signs and a gateway commits.
    public var root: Bytes32 { levels.last?.first ?? .zero }

    /// The proof for the leaf at `index`: its siblings from the bottom level up (levels where it has none are skipped).
    /// - Throws: ``MerkleError/leafIndexOutOfRange(index:count:)``.
    public func proof(forLeafAt index: Int) throws(MerkleError) -> [Bytes32] {
        guard leaves.indices.contains(index) else { throw .leafIndexOutOfRange(index: index, count: leaves.count) }
        var proof: [Bytes32] = []
        var position = index
        for level in levels.dropLast() {
            let sibling = position ^ 1
            if sibling < level.count { proof.append(level[sibling]) }
            position /= 2
        }
        return proof
    }

    /// The proof for `leaf`, or nil when it is not a leaf of this tree.
    public func proof(for leaf: Bytes32) -> [Bytes32]? {
        guard let index = leaves.firstIndex(of: leaf) else { return nil }
        return try? proof(forLeafAt: index)
    }

    /// Whether `proof` shows `leaf` (a message id) is a leaf of the tree with `root`. False for a zero root and
    /// for proofs longer than ``maxProofLength``.
    public static func verify(leaf: Bytes32, proof: [Bytes32], root: Bytes32) -> Bool {
        guard !root.isZero, proof.count <= maxProofLength else { return false }
        return proof.reduce(leafHash(leaf), nodeHash) == root
    }

    /// `keccak256(0x00 || leaf)`.
    public static func leafHash(_ leaf: Bytes32) -> Bytes32 {
        var bytes = [UInt8](repeating: leafPrefix, count: 33)
        leaf.withUnsafeBytes { bytes.replaceSubrange(1..<33, with: $0) }
        return Keccak256.hash(bytes)
    }

    /// `keccak256(0x01 || min(a, b) || max(a, b))`.
    public static func nodeHash(_ a: Bytes32, _ b: Bytes32) -> Bytes32 {
        let (low, high) = b < a ? (b, a) : (a, b)
        var bytes = [UInt8](repeating: nodePrefix, count: 65)
        low.withUnsafeBytes { bytes.replaceSubrange(1..<33, with: $0) }
        high.withUnsafeBytes { bytes.replaceSubrange(33..<65, with: $0) }
        return Keccak256.hash(bytes)
    }
}

/// Why a Merkle tree could not be built or a proof given.
public enum MerkleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A tree needs at least one leaf.
    case noLeaves
    /// More leaves than ``MerkleTree/maxLeaves``.
    case tooManyLeaves(count: Int)
    /// The same leaf twice (a message id can be released only once, so a batch never holds one twice).
    case duplicateLeaf(Bytes32, firstIndex: Int, secondIndex: Int)
    /// No leaf at `index` in a tree of `count` leaves.
    case leafIndexOutOfRange(index: Int, count: Int)

    public var description: String {
        switch self {
        case .noLeaves: "a Merkle tree needs at least one leaf"
        case let .tooManyLeaves(count): "a Merkle tree holds at most \(MerkleTree.maxLeaves) leaves, got \(count)"
        case let .duplicateLeaf(leaf, first, second): "leaf \(leaf) appears twice, at \(first) and \(second)"
        case let .leafIndexOutOfRange(index, count): "no leaf \(index) in a tree of \(count) leaves"
        }
    }
}
