#!/usr/bin/env python3
"""Gas per released transfer on the py-evm node (scripts/evm_node.py) at k = 3 of 5 relayers, for docs/evm.md:
today's per-transfer `release` (3 Release signatures each) against checkpoints (one `commit` with 3 Checkpoint
signatures, amortized over the batch, plus `releaseBatch` with a Merkle proof per transfer) for batches of 1, 16
and 128. Every transfer pays native ETH to a fresh receiver (the 25,000 gas of a new account is in every figure).
Prints a Markdown table. Usage: PYTHONPATH=Tests/vectors .venv/bin/python Tests/vectors/gateway_gas.py
"""
from eth_account import Account
from eth_utils import keccak

from evm_rpc import Contract, Node
from gateway_checkpoints import sign_checkpoint, tree
from gateway_smoke import A_ID, B_ID, RELAYERS, sign

K = 3


def gas(receipt):
    assert receipt["status"] == "0x1", receipt
    return int(receipt["gasUsed"], 16)


def transfers(start, count, deadline, tag, node=None, owner=None):
    out = []
    for i in range(count):
        receiver = bytes(12) + keccak(text=f"gas receiver {tag} {i}")[:20]
        if node is not None:
            node.send(owner, "0x" + receiver[12:].hex(), value=1)
        out.append((1, A_ID, B_ID, start + i, receiver, receiver, b"\0" * 32, b"\0" * 32, 10**12 + i, 0, deadline, b"\0" * 32))
    return out


def main():
    for existing in (False, True):
        b = Node(B_ID)
        try:
            run(b, existing)
        finally:
            b.stop()


def run(b, existing):
    """`existing`: every receiver already holds 1 wei (no new-account charge), else every receiver is fresh."""
    owner = b.keys[0]
    gb = Contract(b, "FerryGateway").deploy(owner, [r.address for r in RELAYERS], K)
    gb.transact(owner, "setLaneLimit", A_ID, b"\0" * 32, 10**24, 10**22)
    gb.transact(owner, "setAssetPair", A_ID, b"\0" * 32, b"\0" * 32, 18, 18, True)
    b.send(owner, gb.address, value=10**21)
    deadline = int(b.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16) + 86_400
    rows = []

    # Today's path: one release transaction per transfer, k signatures each (the first pays the cold lane bucket).
    fund = (b, owner) if existing else (None, None)
    singles = transfers(0, 9, deadline, "single", *fund)
    used = []
    for t in singles:
        mid = gb.view("messageId", t)
        used.append(gas(gb.transact(owner, "release", t, sign("Release", mid, B_ID, gb.address, RELAYERS[:K]))))
    per = sum(used[1:]) // len(used[1:])
    rows.append(("per-transfer `release` (today)", 1, "-", per, per))

    nonce = 1_000
    for size in (1, 16, 128):
        batch = transfers(nonce, size, deadline, f"batch{size}", *fund)
        root, proofs = tree([gb.view("messageId", t) for t in batch])
        # Ranges are contiguous from 0: the first checkpoint covers nonces 0..1000 (its one leaf is nonce 1000).
        cp = (A_ID, root, 0 if nonce == 1_000 else nonce, nonce + size - 1, size)
        commit = gas(gb.transact(owner, "commit", cp, sign_checkpoint(cp, B_ID, gb.address, RELAYERS[:K])))
        if size == 1:
            release = gas(gb.transact(owner, "releaseWithProof", batch[0], root, proofs[0]))
            rows.append(("checkpoint, `releaseWithProof`", 1, commit, release, commit + release))
        batch_gas = gas(gb.transact(owner, "releaseBatch", root, batch, proofs, gas=29_000_000)) if size > 1 else None
        if size > 1:
            rows.append((f"checkpoint, `releaseBatch` of {size}", size, commit, batch_gas, (commit + batch_gas) // size))
        nonce += size

    print(f"\nReceivers {'already exist (hold 1 wei)' if existing else 'are fresh accounts (+25,000 gas each)'}:\n")
    print(f"| path (k = {K} of 5) | transfers per tx | commit gas | release tx gas | gas per released transfer | vs today |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, commit, release, each in rows:
        print(f"| {name} | {size} | {commit} | {release} | {each} | {each / per:.2f} |")


if __name__ == "__main__":
    main()
