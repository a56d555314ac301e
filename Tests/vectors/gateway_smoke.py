#!/usr/bin/env python3
"""Smoke test of chains/contracts/FerryGateway.vy on two scripts/evm_node.py nodes (chain ids 1337 and 1338).

Lock on A -> 3-of-5 Release signatures (eth-account's EIP-712, independent of the contract) -> release on B,
the on-chain refusals (duplicated, under-threshold, unordered, forged, wrong-domain, high-s, bad v, second
release, refund before cancel, paused, rate limit), cancel + refund on Refund attestations, an ERC-20 lane, and
the attacks of issue 13: a self-minted token, a decimals mismatch, a refund after a release with Cancel signatures,
the lane refill overflow, setLaneLimit refilling, and releases spending refundable value.
Prints "N passed, 0 failed" and exits 0, or names the first failed check and exits 1.
Usage: gateway_smoke.py
"""
import sys

from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from evm_rpc import Contract, Node, RPCFailure

A_ID, B_ID = 1337, 1338
RELAYER_KEYS = [keccak(text=f"ferry relayer {i}") for i in range(5)]
RELAYERS = sorted((Account.from_key(k) for k in RELAYER_KEYS), key=lambda a: int(a.address, 16))
N_HALF = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
passed = 0


def check(name, cond, detail=""):
    global passed
    if not cond:
        print(f"FAILED: {name} {detail}")
        print(f"{passed} passed, 1 failed")
        sys.exit(1)
    passed += 1


def sign(kind, message_id, chain_id, gateway, signers):
    """EIP-712 signatures as (r, s, v) tuples, ordered by signer address."""
    out = []
    for acct in sorted(signers, key=lambda a: int(a.address, 16)):
        signed = Account.sign_typed_data(
            acct.key,
            {"name": "Ferry", "version": "1", "chainId": chain_id, "verifyingContract": gateway},
            {kind: [{"name": "messageId", "type": "bytes32"}]},
            {"messageId": message_id})
        out.append((signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"), signed.v))
    return out


def reverts(node, contract, name, args, reason, sender=None):
    try:
        node.call(contract.address, contract.calldata(name, *args), sender)
    except RPCFailure as exc:
        msg = exc.error.get("message", "")
        return msg == f"execution reverted: {reason}" and exc.error.get("code") == 3 and exc.error.get("data", "").startswith("0x08c379a0"), msg
    return False, "did not revert"


def expect_revert(label, node, contract, name, args, reason, sender=None):
    ok, msg = reverts(node, contract, name, args, reason, sender)
    check(label, ok, f"expected '{reason}', got '{msg}'")


def locked_transfer(node, gateway, receipt):
    topic = gateway.event_topic("Locked")
    logs = [log for log in receipt["logs"] if log["topics"][0] == topic]
    check("lock emits one Locked event", len(logs) == 1)
    data = bytes.fromhex(logs[0]["data"][2:])
    check("Locked data is abi.encode(transfer)", len(data) == 384)
    check("messageId = keccak256(Locked data)", "0x" + keccak(data).hex() == logs[0]["topics"][1])
    from eth_abi import decode
    t = decode(["uint8", "uint64", "uint64", "uint64", "bytes32", "bytes32", "bytes32", "bytes32", "uint256",
                "uint256", "uint64", "bytes32"], data)
    return tuple(t), keccak(data)


def main():
    a, b = Node(A_ID), Node(B_ID)
    try:
        run(a, b)
    finally:
        a.stop()
        b.stop()
    print(f"{passed} passed, 0 failed")


def run(a, b):
    owner, user = a.keys[0], a.keys[1]
    user_addr = Account.from_key(user).address
    owner_addr = Account.from_key(owner).address
    receiver = Account.create().address
    relayer_addrs = [r.address for r in RELAYERS]
    ga = Contract(a, "FerryGateway").deploy(owner, relayer_addrs, 3)
    gb = Contract(b, "FerryGateway").deploy(owner, relayer_addrs, 3)
    check("relayer set stored", [x.lower() for x in gb.view("getRelayers")] == [x.lower() for x in relayer_addrs])
    check("threshold stored", gb.view("threshold") == 3)
    for g, remote_id, remote in ((ga, B_ID, gb), (gb, A_ID, ga)):
        g.transact(owner, "setDestinationGateway", remote_id, remote.address)
        g.transact(owner, "setLaneLimit", remote_id, b"\0" * 32, 10**18, 10**15)
        g.transact(owner, "setAssetPair", remote_id, b"\0" * 32, b"\0" * 32, 18, 18, True)
    b.send(owner, gb.address, value=10**19)

    # domain separator agrees with eth-account's EIP-712
    mid0 = keccak(b"x")
    digest = gb.view("releaseDigest", mid0)
    domain = keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"], [
        keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
        keccak(text="Ferry"), keccak(text="1"), B_ID, gb.address]))
    check("domain separator", gb.view("domainSeparator") == domain)
    check("release digest", digest == keccak(b"\x19\x01" + domain + keccak(encode(["bytes32", "bytes32"], [keccak(text="Release(bytes32 messageId)"), mid0]))))

    # lock native on A
    head = int(a.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    deadline = head + 3600
    rcv32 = bytes(12) + bytes.fromhex(receiver[2:])
    lock_args = [B_ID, rcv32, b"\0" * 32, b"\0" * 32, 10**17, 10**15, deadline, keccak(b"payload")]
    r = ga.transact(user, "lock", *lock_args, value=10**17 + 10**15)
    check("lock succeeds", r["status"] == "0x1", r)
    transfer, mid = locked_transfer(a, ga, r)
    check("gateway messageId view", ga.view("messageId", transfer) == mid)
    check("status LOCKED", ga.view("status", mid) == 1)
    check("nonce advanced", ga.view("nextNonce") == 1)
    check("transfer fields", transfer[1] == A_ID and transfer[2] == B_ID and transfer[3] == 0
          and transfer[4] == bytes(12) + bytes.fromhex(user_addr[2:]))
    expect_revert("lock with wrong value", a, ga, "lock", lock_args, "ferry: value must equal the converted amount + fee")
    expect_revert("lock to unknown chain", a, ga, "lock", [99] + lock_args[1:], "ferry: unknown destination chain")

    sigs = sign("Release", mid, B_ID, gb.address, RELAYERS[:3])
    expect_revert("under threshold", b, gb, "release", [transfer, sigs[:2]], "ferry: not enough signatures")
    expect_revert("duplicated signer", b, gb, "release", [transfer, [sigs[0], sigs[0], sigs[1]]],
                  "ferry: signers must be distinct and in ascending order")
    expect_revert("unordered signers", b, gb, "release", [transfer, [sigs[1], sigs[0], sigs[2]]],
                  "ferry: signers must be distinct and in ascending order")
    forged = sign("Release", mid, B_ID, gb.address, RELAYERS[:2] + [Account.create()])
    expect_revert("forged signer", b, gb, "release", [transfer, forged], "ferry: signer is not a relayer")
    wrong_domain = sign("Release", mid, A_ID, ga.address, RELAYERS[:3])
    ok, msg = reverts(b, gb, "release", [transfer, wrong_domain], "ferry: signer is not a relayer")
    ok2, _ = reverts(b, gb, "release", [transfer, wrong_domain], "ferry: signers must be distinct and in ascending order")
    check("wrong-domain signatures", ok or ok2, msg)
    cancel_sigs = sign("Cancel", mid, B_ID, gb.address, RELAYERS[:3])
    ok, msg = reverts(b, gb, "release", [transfer, cancel_sigs], "ferry: signer is not a relayer")
    ok2, _ = reverts(b, gb, "release", [transfer, cancel_sigs], "ferry: signers must be distinct and in ascending order")
    check("Cancel signatures do not release", ok or ok2, msg)
    r0, s0, v0 = sigs[0]
    high = (r0, (N - int.from_bytes(s0, "big")).to_bytes(32, "big"), 55 - v0)
    expect_revert("high-s twin", b, gb, "release", [transfer, [high] + sigs[1:]], "ferry: signature s is not low")
    expect_revert("v not 27/28", b, gb, "release", [transfer, [(r0, s0, v0 - 27)] + sigs[1:]],
                  "ferry: signature v must be 27 or 28")
    tampered = list(transfer)
    tampered[8] = 10**18 - 1
    ok, msg = reverts(b, gb, "release", [tuple(tampered), sigs], "ferry: signer is not a relayer")
    ok2, _ = reverts(b, gb, "release", [tuple(tampered), sigs], "ferry: signers must be distinct and in ascending order")
    check("tampered amount", ok or ok2, msg)
    expect_revert("release on the wrong chain", a, ga, "release", [transfer, sigs], "ferry: wrong destination chain")

    r = gb.transact(owner, "release", transfer, sigs)
    check("release succeeds", r["status"] == "0x1", r)
    check("receiver paid", int(b.rpc("eth_getBalance", receiver, "latest"), 16) == 10**17)
    check("status RELEASED", gb.view("status", mid) == 3)
    expect_revert("second release", b, gb, "release", [transfer, sigs], "ferry: already released")
    r = gb.transact(owner, "release", transfer, sigs, gas=300_000)
    check("second release mined as failed", r["status"] == "0x0")
    expect_revert("cancel after release", b, gb, "cancel", [transfer, cancel_sigs], "ferry: already released")
    check("lane headroom shrank", gb.view("laneHeadroom", A_ID, b"\0" * 32) < 10**18)

    # refund before cancel / cancel after deadline / refund
    deadline2 = head + 600
    args2 = [B_ID, rcv32, b"\0" * 32, b"\0" * 32, 5 * 10**16, 0, deadline2, b"\0" * 32]
    r = ga.transact(user, "lock", *args2, value=5 * 10**16)
    t2, mid2 = locked_transfer(a, ga, r)
    c2 = sign("Cancel", mid2, B_ID, gb.address, RELAYERS[1:4])
    expect_revert("refund before deadline", a, ga, "refund", [t2, c2], "ferry: deadline not reached")
    expect_revert("cancel before deadline", b, gb, "cancel", [t2, c2], "ferry: deadline not reached")
    for n in (a, b):
        n.rpc("evm_increaseTime", hex(700))
        n.rpc("evm_mine")
    expect_revert("refund without signatures (no cancel attested)", a, ga, "refund", [t2, []], "ferry: not enough signatures")
    ok, msg = reverts(a, ga, "refund", [t2, c2], "ferry: signer is not a relayer")
    ok2, _ = reverts(a, ga, "refund", [t2, c2], "ferry: signers must be distinct and in ascending order")
    check("the destination's Cancel signatures do not refund", ok or ok2, msg)
    r2 = sign("Release", mid2, B_ID, gb.address, RELAYERS[:3])
    expect_revert("release after deadline", b, gb, "release", [t2, r2], "ferry: deadline passed")
    r = gb.transact(owner, "cancel", t2, c2)
    check("cancel succeeds", r["status"] == "0x1", r)
    expect_revert("release after cancel", b, gb, "release", [t2, r2], "ferry: transfer cancelled")
    expect_revert("second cancel", b, gb, "cancel", [t2, c2], "ferry: already cancelled")
    before = int(a.rpc("eth_getBalance", user_addr, "latest"), 16)
    refund2 = sign("Refund", mid2, A_ID, ga.address, RELAYERS[1:4])
    check("refund digest", ga.view("refundDigest", mid2) == keccak(b"\x19\x01" + ga.view("domainSeparator") + keccak(encode(["bytes32", "bytes32"], [keccak(text="Refund(bytes32 messageId)"), mid2]))))
    r = ga.transact(owner, "refund", t2, refund2)
    check("refund succeeds", r["status"] == "0x1", r)
    check("sender refunded", int(a.rpc("eth_getBalance", user_addr, "latest"), 16) == before + 5 * 10**16)
    expect_revert("second refund", a, ga, "refund", [t2, refund2], "ferry: already refunded")
    expect_revert("refund of a transfer never locked", a, ga, "refund", [tuple(tampered), refund2], "ferry: unknown transfer")

    # ERC-20 lane
    ta = Contract(a, "TestToken").deploy(owner, "Test USD", "TUSD", 6)
    tb = Contract(b, "TestToken").deploy(owner, "Test USD", "TUSD", 6)
    ta.transact(owner, "mint", user_addr, 10**9)
    tb.transact(owner, "mint", gb.address, 10**9)
    asset_a = bytes(12) + bytes.fromhex(ta.address[2:])
    asset_b = bytes(12) + bytes.fromhex(tb.address[2:])
    gb.transact(owner, "setLaneLimit", A_ID, asset_b, 10**6, 10)
    ga.transact(owner, "setLaneLimit", B_ID, asset_a, 10**12, 10**6)
    ga.transact(owner, "setAssetPair", B_ID, asset_a, asset_b, 6, 6, True)
    gb.transact(owner, "setAssetPair", A_ID, asset_b, asset_a, 6, 6, True)
    head = int(a.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    targs = [B_ID, rcv32, asset_a, asset_b, 7 * 10**5, 1000, head + 3600, b"\0" * 32]
    expect_revert("token lock without allowance", a, ga, "lock", targs, "token: insufficient allowance")
    ta.transact(user, "approve", ga.address, 10**9)
    r = ga.transact(user, "lock", *targs)
    check("token lock", r["status"] == "0x1", r)
    t3, mid3 = locked_transfer(a, ga, r)
    check("tokens pulled", ta.view("balanceOf", ga.address) == 7 * 10**5 + 1000)
    s3 = sign("Release", mid3, B_ID, gb.address, RELAYERS[2:])
    r = gb.transact(owner, "release", t3, s3)
    check("token release", r["status"] == "0x1", r)
    check("token receiver paid", tb.view("balanceOf", receiver) == 7 * 10**5)
    r = ga.transact(user, "lock", *targs)
    t4, mid4 = locked_transfer(a, ga, r)
    s4 = sign("Release", mid4, B_ID, gb.address, RELAYERS[:3])
    expect_revert("rate limit", b, gb, "release", [t4, s4], "ferry: lane rate limit exceeded")

    # issue 13: a self-minted token buys nothing
    fake = Contract(a, "TestToken").deploy(user, "Test USD", "TUSD", 6)
    fake.transact(user, "mint", user_addr, 10**12)
    fake.transact(user, "approve", ga.address, 10**12)
    fake32 = bytes(12) + bytes.fromhex(fake.address[2:])
    expect_revert("self-minted token lock", a, ga, "lock", [B_ID, rcv32, fake32, asset_b, 5 * 10**9, 0, head + 3600, b"\0" * 32],
                  "ferry: asset pair not registered", user_addr)
    forged = (1, A_ID, B_ID, 99, bytes(12) + bytes.fromhex(user_addr[2:]), rcv32, fake32, asset_b, 5 * 10**5, 0, head + 3600, b"\0" * 32)
    fmid = gb.view("messageId", forged)
    expect_revert("release for a self-minted token", b, gb, "release", [forged, sign("Release", fmid, B_ID, gb.address, RELAYERS[:3])],
                  "ferry: asset pair not registered")
    # decimals mismatch: native ETH (18) may not buy TUSD (6)
    expect_revert("ETH lock for TUSD", a, ga, "lock", [B_ID, rcv32, b"\0" * 32, asset_b, 4 * 10**9, 0, head + 3600, b"\0" * 32],
                  "ferry: destination asset does not match the registered pair", user_addr)
    forged = (1, A_ID, B_ID, 98, bytes(12) + bytes.fromhex(user_addr[2:]), rcv32, b"\0" * 32, asset_b, 4 * 10**5, 0, head + 3600, b"\0" * 32)
    fmid = gb.view("messageId", forged)
    expect_revert("release of TUSD for an ETH lock", b, gb, "release", [forged, sign("Release", fmid, B_ID, gb.address, RELAYERS[:3])],
                  "ferry: asset pair not registered")
    # a 6-decimal token against an 18-decimal remote asset: the lock takes amount / 10^12, rounded up
    ga.transact(owner, "setDestinationGateway", 4242, gb.address)
    ga.transact(owner, "setAssetPair", 4242, asset_a, b"\x18" * 32, 6, 18, True)
    check("quoteLock converts and rounds up", ga.view("quoteLock", 4242, asset_a, 5 * 10**18 + 1, 7) == 5 * 10**6 + 1 + 7)
    # releases never spend refundable value: A holds the token locks of t3, t4
    check("refundable tracked", ga.view("refundable", asset_a) == 2 * (7 * 10**5 + 1000))
    # refill arithmetic: a huge rate does not overflow; setLaneLimit keeps a drained level
    gb.transact(owner, "setLaneLimit", A_ID, b"\0" * 32, 10**18, 2**256 - 1)
    check("huge refill rate headroom", gb.view("laneHeadroom", A_ID, b"\0" * 32) == 10**18)
    gb.transact(owner, "setLaneLimit", A_ID, asset_b, 10**6, 10)
    check("setLaneLimit does not refill", gb.view("laneHeadroom", A_ID, asset_b) < 10**6)
    a.rpc("evm_increaseTime", hex(4000))
    a.rpc("evm_mine")
    # the first transfer was released on B; after its deadline its Cancel signatures still refund nothing on A
    c1 = sign("Cancel", mid, B_ID, gb.address, RELAYERS[:3])
    ok, msg = reverts(a, ga, "refund", [transfer, c1], "ferry: signer is not a relayer")
    ok2, _ = reverts(a, ga, "refund", [transfer, c1], "ferry: signers must be distinct and in ascending order")
    check("refund after release with Cancel signatures", ok or ok2, msg)

    # administration
    expect_revert("non-owner pause", b, gb, "setPaused", [True], "ferry: caller is not the owner")
    gb.transact(owner, "setPaused", True)
    expect_revert("paused release", b, gb, "release", [t4, s4], "ferry: paused")
    gb.transact(owner, "setPaused", False)
    expect_revert("threshold above set", b, gb, "setRelayers", [relayer_addrs[:2], 3], "ferry: threshold exceeds relayer count", owner_addr)
    expect_revert("zero threshold", b, gb, "setRelayers", [relayer_addrs, 0], "ferry: threshold must be at least 1", owner_addr)
    expect_revert("duplicate relayer", b, gb, "setRelayers", [relayer_addrs[:1] * 2, 1], "ferry: duplicate relayer", owner_addr)
    gb.transact(owner, "setRelayers", relayer_addrs[:3], 2)
    expect_revert("removed relayer", b, gb, "release", [t4, sign("Release", mid4, B_ID, gb.address, RELAYERS[3:])],
                  "ferry: signer is not a relayer")


if __name__ == "__main__":
    main()
