#!/usr/bin/env python3
"""A second, independent implementation of Ferry's checkpoint Merkle tree (docs/architecture.md, "Checkpoints").

Leaves are 32-byte message ids, hashed keccak256(0x00 || leaf); inner nodes keccak256(0x01 || min || max) with the
pair sorted as unsigned big-endian numbers; an odd last node is carried up unchanged; 1..256 distinct leaves.
This file computes roots recursively (split at the largest power of two below n, the same shape as pairing left to
right level by level) rather than level by level as the Swift type does, so the two share no code path.

Prints one JSON object: trees (leaves, root, every proof), plus negative cases the Swift verifier must refuse.
Usage: gen_merkle_vectors.py SEED COUNT
"""
import json
import random
import sys

from eth_utils import keccak

MAX_LEAVES = 256


def leaf_hash(leaf: bytes) -> bytes:
    return keccak(b"\x00" + leaf)


def node_hash(a: bytes, b: bytes) -> bytes:
    lo, hi = (a, b) if a <= b else (b, a)
    return keccak(b"\x01" + lo + hi)


def split(n: int) -> int:
    """The size of the left subtree of a tree of n >= 2 leaves built by pairing left to right, odd node carried up."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root_of(hashes, lo=0, hi=None, memo=None):
    """The root of hashes[lo:hi], memoized per subrange (proofs ask for the same subtrees many times)."""
    hi = len(hashes) if hi is None else hi
    memo = {} if memo is None else memo
    if hi - lo == 1:
        return hashes[lo]
    if (lo, hi) not in memo:
        k = lo + split(hi - lo)
        memo[(lo, hi)] = node_hash(root_of(hashes, lo, k, memo), root_of(hashes, k, hi, memo))
    return memo[(lo, hi)]


def proof_of(hashes, index, memo):
    """Siblings bottom-up, computed top-down on the recursive shape."""
    lo, hi, path = 0, len(hashes), []
    while hi - lo > 1:
        k = lo + split(hi - lo)
        if index < k:
            path.append(root_of(hashes, k, hi, memo))
            hi = k
        else:
            path.append(root_of(hashes, lo, k, memo))
            lo = k
    return path[::-1]


def verify(leaf, proof, root):
    if root == b"\0" * 32 or len(proof) > 8:
        return False
    h = leaf_hash(leaf)
    for s in proof:
        h = node_hash(h, s)
    return h == root


def hx(b: bytes) -> str:
    return "0x" + b.hex()


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    sizes = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 127, 128, 129, 255, 256]
    sizes += [rng.randrange(1, MAX_LEAVES + 1) for _ in range(max(0, count - len(sizes)))]
    trees, negatives = [], []
    for n in sizes:
        leaves = [rng.randbytes(32) for _ in range(n)]
        hashes = [leaf_hash(x) for x in leaves]
        memo = {}
        root = root_of(hashes, memo=memo)
        proofs = [proof_of(hashes, i, memo) for i in range(n)]
        for leaf, proof in zip(leaves, proofs):
            assert verify(leaf, proof, root)
            assert len(proof) <= 8
        trees.append({"leaves": [hx(x) for x in leaves], "root": hx(root),
                      "proofs": [[hx(s) for s in p] for p in proofs]})
        i = rng.randrange(n)
        # A message id that is not a leaf, with a real leaf's proof.
        outsider = rng.randbytes(32)
        negatives.append({"why": "non-member", "leaf": hx(outsider), "proof": [hx(s) for s in proofs[i]], "root": hx(root)})
        if n >= 2:
            # An inner node (the parent of leaf i and its first sibling) passed as if it were a leaf.
            inner = node_hash(hashes[i], proofs[i][0])
            negatives.append({"why": "inner node as leaf", "leaf": hx(inner), "proof": [hx(s) for s in proofs[i][1:]],
                              "root": hx(root)})
            # A leaf's own hash passed as a leaf (the prefix must be added exactly once).
            negatives.append({"why": "leaf hash as leaf", "leaf": hx(hashes[i]), "proof": [hx(s) for s in proofs[i]],
                              "root": hx(root)})
            # A proof with one sibling flipped.
            bad = list(proofs[i])
            j = rng.randrange(len(bad))
            bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
            negatives.append({"why": "tampered proof", "leaf": hx(leaves[i]), "proof": [hx(s) for s in bad], "root": hx(root)})
        negatives.append({"why": "zero root", "leaf": hx(leaves[i]), "proof": [hx(s) for s in proofs[i]], "root": hx(b"\0" * 32)})
    for neg in negatives:
        assert not verify(bytes.fromhex(neg["leaf"][2:]), [bytes.fromhex(s[2:]) for s in neg["proof"]],
                          bytes.fromhex(neg["root"][2:])), neg["why"]
    print(json.dumps({"trees": trees, "negatives": negatives}))


if __name__ == "__main__":
    main()
