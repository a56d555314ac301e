#!/usr/bin/env python3
"""The attacks of issue 13 against a FerryGateway artifact on two scripts/evm_node.py nodes: prints, per attack,
whether it went through. Run it on an old artifact to see them succeed and on the current one to see them refused:
    git show ef71792:chains/contracts/build/FerryGateway.json > /tmp/old.json
    PYTHONPATH=Tests/vectors .venv/bin/python Tests/vectors/gateway_attacks.py /tmp/old.json
    PYTHONPATH=Tests/vectors .venv/bin/python Tests/vectors/gateway_attacks.py chains/contracts/build/FerryGateway.json
(The last line, a refund while paused, is a legitimate refund: it should go through.)"""
import json, sys
import evm_rpc
from evm_rpc import Contract, Node, RPCFailure
from eth_account import Account
from eth_utils import keccak
from gateway_smoke import sign, RELAYERS, A_ID, B_ID

ART = json.load(open(sys.argv[1]))
orig = evm_rpc.artifact
evm_rpc.artifact = lambda name: ART if name == "FerryGateway" else orig(name)
results = {}

def attempt(label, fn):
    try:
        r = fn()
        ok = r is True or (isinstance(r, dict) and r.get("status") == "0x1")
    except RPCFailure:
        ok = False
    results[label] = ok

def main():
    a, b = Node(A_ID), Node(B_ID)
    try:
        run(a, b)
    finally:
        a.stop(); b.stop()
    for k, v in results.items():
        print(f"{'WENT THROUGH' if v else 'refused     '}  {k}")

def run(a, b):
    owner, user = a.keys[0], a.keys[1]
    user_addr = Account.from_key(user).address
    relayer_addrs = [r.address for r in RELAYERS]
    ga = Contract(a, "FerryGateway").deploy(owner, relayer_addrs, 3)
    gb = Contract(b, "FerryGateway").deploy(owner, relayer_addrs, 3)
    new = "setAssetPair" in ga.fns
    ta = Contract(a, "TestToken").deploy(owner, "Test USD", "TUSD", 6)
    tb = Contract(b, "TestToken").deploy(owner, "Test USD", "TUSD", 6)
    asset_a = bytes(12) + bytes.fromhex(ta.address[2:]); asset_b = bytes(12) + bytes.fromhex(tb.address[2:])
    for g, rid, remote, local, rem in ((ga, B_ID, gb, asset_a, asset_b), (gb, A_ID, ga, asset_b, asset_a)):
        g.transact(owner, "setDestinationGateway", rid, remote.address)
        g.transact(owner, "setLaneLimit", rid, b"\0" * 32, 10**20, 10**18)
        g.transact(owner, "setLaneLimit", rid, local, 10**15, 10**9)
        if new:
            g.transact(owner, "setAssetPair", rid, b"\0" * 32, b"\0" * 32, 18, 18, True)
            g.transact(owner, "setAssetPair", rid, local, rem, 6, 6, True)
    tb.transact(owner, "mint", gb.address, 10**12)
    b.send(owner, gb.address, value=10**19)
    head = int(a.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    rcv = Account.create().address
    rcv32 = bytes(12) + bytes.fromhex(rcv[2:])
    user32 = bytes(12) + bytes.fromhex(user_addr[2:])

    # A. self-minted token: released as real TUSD on B
    fake = Contract(a, "TestToken").deploy(user, "Test USD", "TUSD", 6)
    fake32 = bytes(12) + bytes.fromhex(fake.address[2:])
    t = (1, A_ID, B_ID, 77, user32, rcv32, fake32, asset_b, 5 * 10**9, 0, head + 3600, b"\0" * 32)
    m = gb.view("messageId", t)
    attempt("A: release of 5,000 TUSD for a self-minted token's transfer", lambda: gb.transact(owner, "release", t, sign("Release", m, B_ID, gb.address, RELAYERS[:3]), gas=500_000))
    # A. decimals mismatch: lock 4e9 wei of ETH, release 4,000 TUSD
    args = [B_ID, rcv32, b"\0" * 32, asset_b, 4 * 10**9, 0, head + 3600, b"\0" * 32]
    attempt("A: lock of 0.000000004 ETH naming 4,000 TUSD", lambda: ga.transact(user, "lock", *args, value=4 * 10**9, gas=500_000))
    t = (1, A_ID, B_ID, 78, user32, rcv32, b"\0" * 32, asset_b, 4 * 10**9, 0, head + 3600, b"\0" * 32)
    m = gb.view("messageId", t)
    attempt("A: release of 4,000 TUSD for an ETH lock", lambda: gb.transact(owner, "release", t, sign("Release", m, B_ID, gb.address, RELAYERS[:3]), gas=500_000))

    # B. refund after release with the destination's Cancel signatures
    r = ga.transact(user, "lock", B_ID, rcv32, b"\0" * 32, b"\0" * 32, 10**17, 0, head + 600, b"\0" * 32, value=10**17)
    from gateway_smoke import locked_transfer
    t1, m1 = locked_transfer(a, ga, r)
    gb.transact(owner, "release", t1, sign("Release", m1, B_ID, gb.address, RELAYERS[:3]))
    a.rpc("evm_increaseTime", hex(700)); a.rpc("evm_mine")
    attempt("B: refund on A of a transfer released on B, with Cancel signatures", lambda: ga.transact(owner, "refund", t1, sign("Cancel", m1, B_ID, gb.address, RELAYERS[:3]), gas=500_000))

    # C. refill overflow, setLaneLimit refilling, releases spending refundable value
    gb.transact(owner, "setLaneLimit", A_ID, b"\0" * 32, 10**20, 2**256 - 1)
    now = int(b.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    for n in (90, 91):
        t = (1, A_ID, B_ID, n, user32, rcv32, b"\0" * 32, b"\0" * 32, 10**15, 0, now + 3600, b"\0" * 32)
        m = gb.view("messageId", t)
        attempt(f"C: release {n - 89} on a lane with a huge refill rate", lambda: gb.transact(owner, "release", t, sign("Release", m, B_ID, gb.address, RELAYERS[:3]), gas=500_000))
    gb.transact(owner, "setLaneLimit", A_ID, b"\0" * 32, 10**15, 1)
    t = (1, A_ID, B_ID, 92, user32, rcv32, b"\0" * 32, b"\0" * 32, 10**15, 0, now + 3600, b"\0" * 32)
    m = gb.view("messageId", t)
    gb.transact(owner, "release", t, sign("Release", m, B_ID, gb.address, RELAYERS[:3]))
    gb.transact(owner, "setLaneLimit", A_ID, b"\0" * 32, 10**15, 1)
    attempt("C: setLaneLimit hands a drained lane its full capacity again", lambda: gb.view("laneHeadroom", A_ID, b"\0" * 32) >= 10**15 - 1000)
    # A's TUSD: only what locks brought in; a release on A spending it
    ta.transact(owner, "mint", user_addr, 10**9)
    ta.transact(user, "approve", ga.address, 10**9)
    ga.transact(user, "lock", B_ID, rcv32, asset_a, asset_b, 5 * 10**6, 0, head + 3600, b"\0" * 32)
    now = int(a.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    t = (1, B_ID, A_ID, 93, user32, rcv32, asset_b, asset_a, 5 * 10**6, 0, now + 3600, b"\0" * 32)
    m = ga.view("messageId", t)
    attempt("C: release on A paid out of a refundable lock's value", lambda: ga.transact(owner, "release", t, sign("Release", m, A_ID, ga.address, RELAYERS[:3]), gas=500_000))

    # D. refund while paused
    r = ga.transact(user, "lock", B_ID, rcv32, b"\0" * 32, b"\0" * 32, 10**16, 0, now + 100, b"\0" * 32, value=10**16)
    t2, m2 = locked_transfer(a, ga, r)
    a.rpc("evm_increaseTime", hex(200)); a.rpc("evm_mine")
    ga.transact(owner, "setPaused", True)
    sigs = sign("Refund", m2, A_ID, ga.address, RELAYERS[:3]) if new else sign("Cancel", m2, B_ID, gb.address, RELAYERS[:3])
    attempt("D: a legitimate refund while the gateway is paused", lambda: ga.transact(owner, "refund", t2, sigs, gas=500_000))

main()
