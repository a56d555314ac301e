#pragma version ~=0.4.3
"""
@title Ferry checkpoint Merkle proofs
@notice The tree of FerryCore's `MerkleTree` (docs/architecture.md, "Checkpoints"): a leaf is a message id, hashed
        keccak256(0x00 || messageId); an inner node is keccak256(0x01 || min(a, b) || max(a, b)), the pair sorted as
        unsigned numbers, so a proof is the list of siblings from the bottom up (an odd last node is carried up
        unchanged, so it has no sibling on that level). The distinct prefixes keep leaves and inner nodes apart.
"""

# log2(256 leaves): the most siblings a proof of a 256-leaf root has.
MAX_PROOF: constant(uint256) = 8


@internal
@pure
def leaf_hash(leaf: bytes32) -> bytes32:
    return keccak256(concat(b"\x00", leaf))


@internal
@pure
def node_hash(a: bytes32, b: bytes32) -> bytes32:
    if convert(a, uint256) <= convert(b, uint256):
        return keccak256(concat(b"\x01", a, b))
    return keccak256(concat(b"\x01", b, a))


@internal
@pure
def verify(leaf: bytes32, proof: DynArray[bytes32, MAX_PROOF], root: bytes32) -> bool:
    """@notice Whether `proof` shows `leaf` is in the tree with `root` (never for a zero root)."""
    if root == empty(bytes32):
        return False
    node: bytes32 = self.leaf_hash(leaf)
    for sibling: bytes32 in proof:
        node = self.node_hash(node, sibling)
    return node == root
