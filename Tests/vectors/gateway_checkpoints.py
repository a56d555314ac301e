#!/usr/bin/env python3
"""Checkpoints on chains/contracts/FerryGateway.vy, on two scripts/evm_node.py nodes (A = 1337 source, B = 1338
destination): k-of-n `Checkpoint` signatures from eth-account, Merkle roots and proofs from the independent Python
tree of gen_merkle_vectors.py, and the on-chain refusals of issue 15 (zero, duplicate, under-threshold and
non-contiguous roots, byzantine roots, proofs for non-members, a second release in a later batch, a release after
its cancel), plus cancel and refund of a committed-but-unreleased transfer after its deadline.
Prints "N passed, 0 failed" and exits 0, or names the first failed check and exits 1.
Usage: PYTHONPATH=Tests/vectors .venv/bin/python Tests/vectors/gateway_checkpoints.py
"""
from eth_account import Account
from eth_utils import keccak

from evm_rpc import Contract, Node
from gateway_smoke import A_ID, B_ID, RELAYERS, check, expect_revert, locked_transfer, reverts, sign
import gateway_smoke
from gen_merkle_vectors import leaf_hash, proof_of, root_of, verify

C_ID = 1339  # a third chain: locks to it share A's nonces but are never leaves of B's checkpoints
CHECKPOINT_TYPE = [
    {"name": "sourceChain", "type": "uint64"},
    {"name": "root", "type": "bytes32"},
    {"name": "firstNonce", "type": "uint64"},
    {"name": "lastNonce", "type": "uint64"},
    {"name": "count", "type": "uint32"},
]


def tree(message_ids):
    hashes = [leaf_hash(m) for m in message_ids]
    memo = {}
    return root_of(hashes, memo=memo), [proof_of(hashes, i, memo) for i in range(len(hashes))]


def sign_checkpoint(cp, chain_id, gateway, signers):
    """(sourceChain, root, firstNonce, lastNonce, count) signed with eth-account's EIP-712, ordered by signer."""
    message = dict(zip(["sourceChain", "root", "firstNonce", "lastNonce", "count"], cp))
    out = []
    for acct in sorted(signers, key=lambda a: int(a.address, 16)):
        signed = Account.sign_typed_data(
            acct.key, {"name": "Ferry", "version": "1", "chainId": chain_id, "verifyingContract": gateway},
            {"Checkpoint": CHECKPOINT_TYPE}, message)
        out.append((signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"), signed.v))
    return out


def setup(a, b, owner, liquidity=10**19):
    relayer_addrs = [r.address for r in RELAYERS]
    ga = Contract(a, "FerryGateway").deploy(owner, relayer_addrs, 3)
    gb = Contract(b, "FerryGateway").deploy(owner, relayer_addrs, 3)
    for g, remote_id, remote in ((ga, B_ID, gb), (gb, A_ID, ga), (ga, C_ID, gb)):
        g.transact(owner, "setDestinationGateway", remote_id, remote.address)
        g.transact(owner, "setLaneLimit", remote_id, b"\0" * 32, 10**20, 10**18)
        g.transact(owner, "setAssetPair", remote_id, b"\0" * 32, b"\0" * 32, 18, 18, True)
    b.send(owner, gb.address, value=liquidity)
    return ga, gb


def lock(a, ga, user, dest, amount, deadline):
    rcv32 = bytes(12) + bytes.fromhex(Account.create().address[2:])
    r = ga.transact(user, "lock", dest, rcv32, b"\0" * 32, b"\0" * 32, amount, 0, deadline, b"\0" * 32, value=amount)
    check("lock succeeds", r["status"] == "0x1", r)
    return locked_transfer(a, ga, r)


def main():
    a, b = Node(A_ID), Node(B_ID)
    try:
        run(a, b)
    finally:
        a.stop()
        b.stop()
    print(f"{gateway_smoke.passed} passed, 0 failed")


def run(a, b):
    owner, user = a.keys[0], a.keys[1]
    ga, gb = setup(a, b, owner)
    head = int(a.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    # Nonces 0..9 on A: 7 to B, 3 to C (interleaved). B's first checkpoint covers 0..9 with the 7 as leaves.
    locks = [lock(a, ga, user, C_ID if i in (2, 5, 6) else B_ID, 10**15 + i, head + 3600) for i in range(10)]
    to_b = [(t, m) for t, m in locks if t[2] == B_ID]
    ids = [m for _, m in to_b]
    root, proofs = tree(ids)
    cp = (A_ID, root, 0, 9, len(ids))
    sigs = sign_checkpoint(cp, B_ID, gb.address, RELAYERS[:3])

    digest = gb.view("checkpointDigest", cp)
    check("checkpoint digest agrees with eth-account", Account._recover_hash(digest, vrs=(sigs[0][2], sigs[0][0], sigs[0][1]))
          in [r.address for r in RELAYERS])
    for i, m in enumerate(ids):
        check("verifyProof view agrees with the Python tree", gb.view("verifyProof", m, proofs[i], root))
    check("verifyProof refuses a non-member", not gb.view("verifyProof", keccak(b"outsider"), proofs[0], root))
    check("verifyProof refuses an inner node as a leaf", len(ids) < 2 or not gb.view(
        "verifyProof", keccak(b"\x01" + min(leaf_hash(ids[0]), proofs[0][0]) + max(leaf_hash(ids[0]), proofs[0][0])),
        proofs[0][1:], root))

    expect_revert("release before commit", b, gb, "releaseBatch", [root, [t for t, _ in to_b], proofs], "ferry: root not committed")
    expect_revert("commit under threshold", b, gb, "commit", [cp, sigs[:2]], "ferry: not enough signatures")
    expect_revert("commit of a zero root", b, gb, "commit", [(A_ID, b"\0" * 32, 0, 9, 7), sigs], "ferry: zero root")
    expect_revert("commit of zero leaves", b, gb, "commit", [(A_ID, root, 0, 9, 0), sigs], "ferry: checkpoint count must be 1 to 256")
    expect_revert("commit of 257 leaves", b, gb, "commit", [(A_ID, root, 0, 300, 257), sigs], "ferry: checkpoint count must be 1 to 256")
    expect_revert("commit of an empty range", b, gb, "commit", [(A_ID, root, 9, 0, 7), sigs], "ferry: checkpoint nonce range is empty")
    expect_revert("commit with more leaves than nonces", b, gb, "commit", [(A_ID, root, 0, 5, 7), sigs],
                  "ferry: checkpoint has more leaves than nonces")
    expect_revert("commit of a range not starting at 0", b, gb, "commit", [(A_ID, root, 1, 9, 7), sigs],
                  "ferry: checkpoint nonce range is not contiguous")
    expect_revert("commit from this chain", b, gb, "commit", [(B_ID, root, 0, 9, 7), sigs], "ferry: source is this chain")
    # Byzantine roots: signatures over the honest checkpoint do not commit a root with a message dropped, added or
    # reordered, nor the honest root for another range.
    for label, bad in (("dropped", tree(ids[:-1])[0]), ("added", tree(ids + [keccak(b"extra")])[0]),
                       ("reordered", tree(ids[1:] + ids[:1])[0])):
        check(f"a reordered tree has another root ({label})", bad != root)
        ok, msg = reverts(b, gb, "commit", [(A_ID, bad, 0, 9, 7), sigs], "ferry: signer is not a relayer")
        ok2, _ = reverts(b, gb, "commit", [(A_ID, bad, 0, 9, 7), sigs], "ferry: signers must be distinct and in ascending order")
        check(f"honest signatures do not commit a root with a message {label}", ok or ok2, msg)
    ok, msg = reverts(b, gb, "commit", [(A_ID, root, 0, 10, 7), sigs], "ferry: signer is not a relayer")
    ok2, _ = reverts(b, gb, "commit", [(A_ID, root, 0, 10, 7), sigs], "ferry: signers must be distinct and in ascending order")
    check("honest signatures do not commit another range", ok or ok2, msg)
    release_sigs = sign("Release", root, B_ID, gb.address, RELAYERS[:3])
    ok, msg = reverts(b, gb, "commit", [cp, release_sigs], "ferry: signer is not a relayer")
    ok2, _ = reverts(b, gb, "commit", [cp, release_sigs], "ferry: signers must be distinct and in ascending order")
    check("Release signatures of the root do not commit it", ok or ok2, msg)

    r = gb.transact(owner, "commit", cp, sigs)
    check("commit succeeds", r["status"] == "0x1", r)
    topic = gb.event_topic("Committed")
    check("commit emits Committed(root)", any(l["topics"][0] == topic and l["topics"][1] == "0x" + root.hex() for l in r["logs"]))
    check("nextCommitNonce advanced", gb.view("nextCommitNonce", A_ID) == 10)
    check("commitment stored", gb.view("commitments", root) == (A_ID, 0, 9, 7, True))
    expect_revert("duplicate root", b, gb, "commit", [cp, sigs], "ferry: root already committed")

    # A transfer of nonce 9's range that is not a leaf: a C lock rewritten to B (its id is not in the root).
    forged = list(locks[2][0])
    forged[2] = B_ID
    forged = tuple(forged)
    expect_revert("proof for a message not in the root", b, gb, "releaseWithProof", [forged, root, proofs[0]],
                  "ferry: proof does not match the committed root")
    tampered = list(to_b[0][0])
    tampered[8] += 1
    expect_revert("proof for a tampered amount", b, gb, "releaseWithProof", [tuple(tampered), root, proofs[0]],
                  "ferry: proof does not match the committed root")
    expect_revert("another leaf's proof", b, gb, "releaseWithProof", [to_b[0][0], root, proofs[1]],
                  "ferry: proof does not match the committed root")
    expect_revert("mismatched lengths", b, gb, "releaseBatch", [root, [t for t, _ in to_b], proofs[:-1]], "ferry: one proof per transfer")
    expect_revert("empty batch", b, gb, "releaseBatch", [root, [], []], "ferry: empty batch")
    expect_revert("a leaf twice in one batch", b, gb, "releaseBatch", [root, [to_b[0][0], to_b[0][0]], [proofs[0], proofs[0]]],
                  "ferry: already released")

    r = gb.transact(owner, "releaseWithProof", to_b[0][0], root, proofs[0])
    check("single release with proof succeeds", r["status"] == "0x1", r)
    check("status RELEASED", gb.view("status", ids[0]) == 3)
    receiver0 = "0x" + to_b[0][0][5][12:].hex()
    check("receiver paid", int(b.rpc("eth_getBalance", receiver0, "latest"), 16) == to_b[0][0][8])
    expect_revert("second release of the same id in a later batch", b, gb, "releaseBatch",
                  [root, [t for t, _ in to_b], proofs], "ferry: already released")
    expect_revert("per-transfer release after a proof release", b, gb, "release",
                  [to_b[0][0], sign("Release", ids[0], B_ID, gb.address, RELAYERS[:3])], "ferry: already released")
    r = gb.transact(owner, "releaseBatch", root, [t for t, _ in to_b[1:]], proofs[1:])
    check("batch release of the other six succeeds", r["status"] == "0x1", r)
    check("every leaf released", all(gb.view("status", m) == 3 for m in ids))
    check("six Released events", sum(1 for l in r["logs"] if l["topics"][0] == gb.event_topic("Released")) == 6)
    for t, _ in to_b:
        check("each receiver paid its amount", int(b.rpc("eth_getBalance", "0x" + t[5][12:].hex(), "latest"), 16) == t[8])

    # Second checkpoint: 10..12, with a short deadline. After the deadline: no release, cancel on B, refund on A.
    late = [lock(a, ga, user, B_ID, 10**15, head + 600) for _ in range(3)]
    lids = [m for _, m in late]
    root2, proofs2 = tree(lids)
    cp2 = (A_ID, root2, 10, 12, 3)
    expect_revert("a range that skips nonces", b, gb, "commit", [(A_ID, root2, 11, 12, 2), sign_checkpoint((A_ID, root2, 11, 12, 2), B_ID, gb.address, RELAYERS[:3])],
                  "ferry: checkpoint nonce range is not contiguous")
    r = gb.transact(owner, "commit", cp2, sign_checkpoint(cp2, B_ID, gb.address, RELAYERS[1:4]))
    check("second commit succeeds", r["status"] == "0x1", r)
    expect_revert("a leaf of one root released under another", b, gb, "releaseWithProof", [late[0][0], root, proofs2[0]],
                  "ferry: transfer nonce outside the checkpoint's range")
    r = gb.transact(owner, "releaseWithProof", late[0][0], root2, proofs2[0])
    check("release of the first late transfer", r["status"] == "0x1", r)
    for n in (a, b):
        n.rpc("evm_increaseTime", hex(700))
        n.rpc("evm_mine")
    expect_revert("release with proof after the deadline", b, gb, "releaseWithProof", [late[1][0], root2, proofs2[1]],
                  "ferry: deadline passed")
    t1, m1 = late[1]
    r = gb.transact(owner, "cancel", t1, sign("Cancel", m1, B_ID, gb.address, RELAYERS[:3]))
    check("cancel of a committed-but-unreleased transfer", r["status"] == "0x1", r)
    expect_revert("release with proof after its cancel", b, gb, "releaseWithProof", [t1, root2, proofs2[1]], "ferry: transfer cancelled")
    expect_revert("cancel of a transfer released with a proof", b, gb, "cancel",
                  [late[0][0], sign("Cancel", lids[0], B_ID, gb.address, RELAYERS[:3])], "ferry: already released")
    user_addr = Account.from_key(user).address
    before = int(a.rpc("eth_getBalance", user_addr, "latest"), 16)
    r = ga.transact(owner, "refund", t1, sign("Refund", m1, A_ID, ga.address, RELAYERS[:3]))
    check("refund on the source", r["status"] == "0x1", r)
    check("sender refunded", int(a.rpc("eth_getBalance", user_addr, "latest"), 16) == before + 10**15)

    # Pause stops commit and proof releases; cancel keeps working.
    gb.transact(owner, "setPaused", True)
    expect_revert("commit while paused", b, gb, "commit", [cp, sigs], "ferry: paused")
    expect_revert("batch release while paused", b, gb, "releaseBatch", [root2, [late[2][0]], [proofs2[2]]], "ferry: paused")
    r = gb.transact(owner, "cancel", late[2][0], sign("Cancel", lids[2], B_ID, gb.address, RELAYERS[:3]))
    check("cancel while paused", r["status"] == "0x1", r)


if __name__ == "__main__":
    main()
