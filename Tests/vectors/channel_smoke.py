#!/usr/bin/env python3
"""Test of chains/contracts/FerryChannel.vy on one scripts/evm_node.py node (chain id 1337).

Each rule of the contract and each bad input: channel ids and EIP-712 voucher digests against eth-abi and
eth-account (independent of the contract); open by a third party on behalf of an agent (native and ERC-20),
re-open as a top-up, topUp; claim and close by the provider with the agent's vouchers; the refusals (forged
signature, voucher for another channel, lower or replayed cumulative amount, over the deposit, caller not the
provider, high-s, bad v, after expiry, double close, close after refund, refund before expiry or after close);
expiry refund of the rest; and a deposit that arrives as a Ferry release from another chain (openFromRelease),
including a release that comes too late and goes back to the agent.
Prints "N passed, 0 failed" and exits 0, or names the first failed check and exits 1.
Usage: channel_smoke.py
"""
import sys

from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from evm_rpc import Contract, Node, RPCFailure

CHAIN_ID, REMOTE_ID = 1337, 1338
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
RELAYER_KEYS = [keccak(text=f"ferry relayer {i}") for i in range(3)]
RELAYERS = sorted((Account.from_key(k) for k in RELAYER_KEYS), key=lambda a: int(a.address, 16))
NATIVE = b"\0" * 32
passed = 0


def check(name, cond, detail=""):
    global passed
    if not cond:
        for out in (sys.stdout, sys.stderr):  # stderr: the Swift runner reports it when the script fails
            print(f"FAILED: {name} {detail}", file=out)
            print(f"{passed} passed, 1 failed", file=out)
        sys.exit(1)
    passed += 1


def reverts(node, contract, name, args, reason, sender=None, value=0):
    try:
        call = contract.calldata(name, *args)
        if value:
            body = {"to": contract.address, "data": "0x" + call.hex(), "value": hex(value)}
            if sender:
                body["from"] = sender
            node.rpc("eth_call", body, "latest")
        else:
            node.call(contract.address, call, sender)
    except RPCFailure as exc:
        msg = exc.error.get("message", "")
        return msg == f"execution reverted: {reason}", msg
    return False, "did not revert"


def expect_revert(label, node, contract, name, args, reason, sender=None, value=0):
    ok, msg = reverts(node, contract, name, args, reason, sender, value)
    check(label, ok, f"expected '{reason}', got '{msg}'")


def voucher(key, channel, channel_id, cumulative, chain_id=CHAIN_ID):
    """The agent's EIP-712 voucher signature as an (r, s, v) tuple, made by eth-account."""
    signed = Account.sign_typed_data(
        key,
        {"name": "Ferry Channel", "version": "1", "chainId": chain_id, "verifyingContract": channel.address},
        {"Voucher": [{"name": "channelId", "type": "bytes32"}, {"name": "cumulativeAmount", "type": "uint256"}]},
        {"channelId": channel_id, "cumulativeAmount": cumulative})
    return (signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"), signed.v)


def to32(address):
    return bytes(12) + bytes.fromhex(address[2:])


def head_time(node):
    return int(node.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)


def advance(node, seconds):
    node.rpc("evm_increaseTime", hex(seconds))
    node.rpc("evm_mine")


def channel_of(ch, cid):
    agent, provider, asset, deposit, paid, expiry, status = ch.view("channels", cid)
    return {"agent": agent.lower(), "provider": provider.lower(), "asset": asset, "deposit": deposit,
            "paid": paid, "expiry": expiry, "status": status}


def main():
    node = Node(CHAIN_ID)
    try:
        run(node)
    finally:
        node.stop()
    print(f"{passed} passed, 0 failed")


def run(node):
    owner, funder, provider_key, stranger = node.keys[0], node.keys[1], node.keys[2], node.keys[3]
    agent = Account.create()                       # holds nothing on this chain: others fund its channels
    provider = Account.from_key(provider_key).address
    funder_addr = Account.from_key(funder).address
    gw = Contract(node, "FerryGateway").deploy(owner, [r.address for r in RELAYERS], 2)
    ch = Contract(node, "FerryChannel").deploy(owner, gw.address)
    tok = Contract(node, "TestToken").deploy(owner, "Test USD", "TUSD", 6)
    tok.transact(owner, "mint", funder_addr, 10**12)
    tok.transact(funder, "approve", ch.address, 10**12)
    asset = to32(tok.address)
    check("gateway recorded", ch.view("gateway").lower() == gw.address.lower())

    # ---- identities and digests agree with eth-abi / eth-account ----------------------------------------
    now = head_time(node)
    expiry = now + 3600
    salt = keccak(text="channel 1")
    cid = ch.view("channelId", agent.address, provider, asset, expiry, salt)
    check("channelId = keccak256(abi.encode(chainId, contract, agent, provider, asset, expiry, salt))",
          cid == keccak(encode(["uint256", "address", "address", "address", "bytes32", "uint64", "bytes32"],
                               [CHAIN_ID, ch.address, agent.address, provider, asset, expiry, salt])))
    domain = keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"], [
        keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
        keccak(text="Ferry Channel"), keccak(text="1"), CHAIN_ID, ch.address]))
    check("domain separator", ch.view("domainSeparator") == domain)
    from eth_account.messages import encode_typed_data
    msg = encode_typed_data(
        {"name": "Ferry Channel", "version": "1", "chainId": CHAIN_ID, "verifyingContract": ch.address},
        {"Voucher": [{"name": "channelId", "type": "bytes32"}, {"name": "cumulativeAmount", "type": "uint256"}]},
        {"channelId": cid, "cumulativeAmount": 12345})
    eth_digest = keccak(b"\x19" + msg.version + msg.header + msg.body)
    check("voucher digest = eth-account EIP-712 hash", ch.view("voucherDigest", cid, 12345) == eth_digest)

    # ---- open: by a third party for the agent; bad input --------------------------------------------------
    args = [agent.address, provider, asset, 1000, expiry, salt]
    expect_revert("open without allowance", node, ch, "open", args, "token: insufficient allowance",
                  Account.from_key(stranger).address)
    expect_revert("open with value and a token", node, ch, "open", args, "ferry: value sent with a token deposit",
                  funder_addr, value=5)
    expect_revert("open with zero amount", node, ch, "open", [agent.address, provider, asset, 0, expiry, salt],
                  "ferry: zero amount", funder_addr)
    expect_revert("open with expiry in the past", node, ch, "open", [agent.address, provider, asset, 1000, now - 1, salt],
                  "ferry: expiry in the past", funder_addr)
    expect_revert("open for the zero agent", node, ch, "open", ["0x" + "00" * 20, provider, asset, 1000, expiry, salt],
                  "ferry: zero agent", funder_addr)
    expect_revert("open for the zero provider", node, ch, "open", [agent.address, "0x" + "00" * 20, asset, 1000, expiry, salt],
                  "ferry: zero provider", funder_addr)
    expect_revert("open to oneself", node, ch, "open", [provider, provider, asset, 1000, expiry, salt],
                  "ferry: agent is the provider", funder_addr)
    expect_revert("open with a non-address asset", node, ch, "open", [agent.address, provider, b"\xff" * 32, 1000, expiry, salt],
                  "ferry: not an EVM address", funder_addr)
    r = ch.transact(funder, "open", *args)
    check("open by a third party", r["status"] == "0x1", r)
    c = channel_of(ch, cid)
    check("channel fields", c["agent"] == agent.address.lower() and c["provider"] == provider.lower()
          and c["asset"] == asset and c["deposit"] == 1000 and c["paid"] == 0 and c["expiry"] == expiry
          and c["status"] == 1, c)
    check("deposit pulled from the opener", tok.view("balanceOf", ch.address) == 1000)
    check("Opened event", any(log["topics"][0] == ch.event_topic("Opened") and log["topics"][1] == "0x" + cid.hex()
                              for log in r["logs"]))
    r = ch.transact(funder, "open", *args)
    check("re-open of an open channel tops it up", r["status"] == "0x1" and channel_of(ch, cid)["deposit"] == 2000)
    r = ch.transact(funder, "topUp", cid, 500)
    check("topUp by anyone", r["status"] == "0x1" and channel_of(ch, cid)["deposit"] == 2500)
    expect_revert("topUp of an unknown channel", node, ch, "topUp", [keccak(b"nothing"), 5], "ferry: channel not open", funder_addr)
    expect_revert("topUp of zero", node, ch, "topUp", [cid, 0], "ferry: zero amount", funder_addr)

    # a second channel of the same agent and provider (another salt), native coin
    salt2 = keccak(text="channel 2")
    cid2 = ch.view("channelId", agent.address, provider, NATIVE, expiry, salt2)
    nargs = [agent.address, provider, NATIVE, 10**18, expiry, salt2]
    expect_revert("native open with the wrong value", node, ch, "open", nargs, "ferry: value must equal amount",
                  funder_addr, value=10**18 - 1)
    r = ch.transact(funder, "open", *nargs, value=10**18)
    check("native open", r["status"] == "0x1" and channel_of(ch, cid2)["deposit"] == 10**18)
    check("native held", int(node.rpc("eth_getBalance", ch.address, "latest"), 16) == 10**18)

    # ---- vouchers: refusals ------------------------------------------------------------------------------
    v300, v900, v100 = (voucher(agent.key, ch, cid, a) for a in (300, 900, 100))
    expect_revert("claim by someone else than the provider", node, ch, "claim", [cid, 300, v300],
                  "ferry: caller is not the provider", funder_addr)
    forged = voucher(Account.create().key, ch, cid, 300)
    expect_revert("forged signature", node, ch, "claim", [cid, 300, forged], "ferry: voucher not signed by the agent", provider)
    other = voucher(agent.key, ch, cid2, 300)
    expect_revert("voucher for another channel", node, ch, "claim", [cid, 300, other],
                  "ferry: voucher not signed by the agent", provider)
    expect_revert("tampered amount", node, ch, "claim", [cid, 301, v300], "ferry: voucher not signed by the agent", provider)
    elsewhere = voucher(agent.key, ch, cid, 300, chain_id=REMOTE_ID)
    expect_revert("voucher signed for another chain's domain", node, ch, "claim", [cid, 300, elsewhere],
                  "ferry: voucher not signed by the agent", provider)
    over = voucher(agent.key, ch, cid, 2501)
    expect_revert("voucher over the deposit", node, ch, "claim", [cid, 2501, over], "ferry: voucher exceeds the deposit", provider)
    expect_revert("close over the deposit", node, ch, "close", [cid, 2501, over], "ferry: voucher exceeds the deposit", provider)
    r0, s0, v0 = v300
    expect_revert("high-s twin", node, ch, "claim", [cid, 300, (r0, (N - int.from_bytes(s0, "big")).to_bytes(32, "big"), 55 - v0)],
                  "ferry: signature s is not low", provider)
    expect_revert("v not 27/28", node, ch, "claim", [cid, 300, (r0, s0, v0 - 27)], "ferry: signature v must be 27 or 28", provider)
    expect_revert("claim on an unknown channel", node, ch, "claim", [keccak(b"nothing"), 300, v300], "ferry: unknown channel", provider)
    zero_claim = voucher(agent.key, ch, cid, 0)
    expect_revert("claim of nothing", node, ch, "claim", [cid, 0, zero_claim], "ferry: voucher not above the amount already paid", provider)

    # ---- claim, then an older voucher never wins, then close --------------------------------------------
    r = ch.transact(provider_key, "claim", cid, 300, v300)
    check("claim", r["status"] == "0x1", r)
    check("provider paid the claim", tok.view("balanceOf", provider) == 300)
    check("paid recorded", channel_of(ch, cid)["paid"] == 300 and channel_of(ch, cid)["status"] == 1)
    expect_revert("replayed voucher", node, ch, "claim", [cid, 300, v300], "ferry: voucher not above the amount already paid", provider)
    expect_revert("lower cumulative amount", node, ch, "claim", [cid, 100, v100], "ferry: voucher not above the amount already paid", provider)
    expect_revert("close with an older voucher", node, ch, "close", [cid, 100, v100], "ferry: voucher below the amount already paid", provider)
    expect_revert("refund before expiry", node, ch, "refund", [cid], "ferry: channel not expired", funder_addr)
    r = ch.transact(provider_key, "close", cid, 900, v900)
    check("close", r["status"] == "0x1", r)
    check("provider paid cumulative - already paid", tok.view("balanceOf", provider) == 900)
    check("agent got deposit - cumulative", tok.view("balanceOf", agent.address) == 1600)
    check("nothing left in the contract for the channel", tok.view("balanceOf", ch.address) == 0)
    check("status CLOSED", channel_of(ch, cid)["status"] == 2)
    v1000 = voucher(agent.key, ch, cid, 1000)
    expect_revert("double close", node, ch, "close", [cid, 1000, v1000], "ferry: channel closed", provider)
    expect_revert("claim after close", node, ch, "claim", [cid, 1000, v1000], "ferry: channel closed", provider)
    expect_revert("refund after close", node, ch, "refund", [cid], "ferry: channel closed", funder_addr)
    expect_revert("re-open after close", node, ch, "open", args, "ferry: channel already ended", funder_addr)
    expect_revert("topUp after close", node, ch, "topUp", [cid, 5], "ferry: channel not open", funder_addr)

    # ---- a voucher equal to what was paid closes without paying more -------------------------------------
    salt3 = keccak(text="channel 3")
    cid3 = ch.view("channelId", agent.address, provider, asset, expiry, salt3)
    ch.transact(funder, "open", agent.address, provider, asset, 700, expiry, salt3)
    v3 = voucher(agent.key, ch, cid3, 200)
    ch.transact(provider_key, "claim", cid3, 200, v3)
    r = ch.transact(provider_key, "close", cid3, 200, v3)
    check("close at the amount already paid", r["status"] == "0x1" and tok.view("balanceOf", provider) == 1100
          and tok.view("balanceOf", agent.address) == 1600 + 500)

    # ---- expiry: claims end, refund of the rest to the agent ---------------------------------------------
    v2 = voucher(agent.key, ch, cid2, 4 * 10**17)
    provider_before = int(node.rpc("eth_getBalance", provider, "latest"), 16)
    r = ch.transact(provider_key, "claim", cid2, 4 * 10**17, v2)
    gas = int(r["gasUsed"], 16) * int(r["effectiveGasPrice"], 16)
    check("native claim", r["status"] == "0x1"
          and int(node.rpc("eth_getBalance", provider, "latest"), 16) == provider_before + 4 * 10**17 - gas)
    v2a = voucher(agent.key, ch, cid2, 5 * 10**17)
    node.rpc("evm_setNextBlockTimestamp", hex(expiry))
    r = ch.transact(provider_key, "claim", cid2, 5 * 10**17, v2a)
    check("claim accepted in the block at the expiry", r["status"] == "0x1" and head_time(node) == expiry, r)
    advance(node, 1)
    v2b = voucher(agent.key, ch, cid2, 6 * 10**17)
    expect_revert("claim after expiry", node, ch, "claim", [cid2, 6 * 10**17, v2b], "ferry: channel expired", provider)
    expect_revert("close after expiry", node, ch, "close", [cid2, 6 * 10**17, v2b], "ferry: channel expired", provider)
    expect_revert("topUp after expiry", node, ch, "topUp", [cid2, 1], "ferry: channel expired", funder_addr, value=1)
    expect_revert("re-open after expiry", node, ch, "open", nargs, "ferry: channel expired", funder_addr, value=10**18)
    expect_revert("refund of a closed channel after its expiry", node, ch, "refund", [cid], "ferry: channel closed", funder_addr)
    expect_revert("refund of an unknown channel", node, ch, "refund", [keccak(b"nothing")], "ferry: unknown channel", funder_addr)
    r = ch.transact(stranger, "refund", cid2)
    check("refund by anyone after expiry", r["status"] == "0x1", r)
    check("agent refunded deposit - paid", int(node.rpc("eth_getBalance", agent.address, "latest"), 16) == 5 * 10**17)
    check("status REFUNDED", channel_of(ch, cid2)["status"] == 3)
    check("contract holds no native coin", int(node.rpc("eth_getBalance", ch.address, "latest"), 16) == 0)
    expect_revert("second refund", node, ch, "refund", [cid2], "ferry: channel already refunded", funder_addr)
    expect_revert("close after refund", node, ch, "close", [cid2, 6 * 10**17, v2b], "ferry: channel refunded", provider)

    # ---- a deposit that arrives as a Ferry release from another chain -------------------------------------
    gw.transact(owner, "setLaneLimit", REMOTE_ID, asset, 10**9, 10**6)
    # the gateway pays only registered pairs (issue 13 A): the remote chain's token 0xabab... <-> this token
    gw.transact(owner, "setAssetPair", REMOTE_ID, asset, to32("0x" + "ab" * 20), 18, 18, True)
    tok.transact(owner, "mint", gw.address, 10**9)
    now = head_time(node)
    expiry4 = now + 3600
    salt4 = keccak(text="channel 4")
    payload = ch.view("openPayloadHash", agent.address, provider, expiry4, salt4)
    check("openPayloadHash", payload == keccak(encode(["bytes32", "address", "address", "uint64", "bytes32"], [
        keccak(text="ChannelOpen(address agent,address provider,uint64 expiry,bytes32 salt)"),
        agent.address, provider, expiry4, salt4])))
    transfer = (1, REMOTE_ID, CHAIN_ID, 7, to32(agent.address), to32(ch.address), to32("0x" + "ab" * 20), asset,
                5000, 10, now + 600, payload)
    mid = keccak(encode(["(uint8,uint64,uint64,uint64,bytes32,bytes32,bytes32,bytes32,uint256,uint256,uint64,bytes32)"],
                        [transfer]))
    fargs = [transfer, agent.address, provider, expiry4, salt4]
    expect_revert("funding before the release", node, ch, "openFromRelease", fargs, "ferry: transfer not released", funder_addr)
    r = gw.transact(owner, "release", transfer, release_sigs(mid, gw))
    check("gateway releases to the channel contract", r["status"] == "0x1", r)
    expect_revert("payloadHash naming another channel", node, ch, "openFromRelease",
                  [transfer, agent.address, provider, expiry4, keccak(b"other salt")],
                  "ferry: payloadHash does not name this channel", funder_addr)
    wrong = list(transfer)
    wrong[5] = to32(provider)
    expect_revert("transfer paid to someone else", node, ch, "openFromRelease", [tuple(wrong)] + fargs[1:],
                  "ferry: transfer not paid to this contract", funder_addr)
    r = ch.transact(stranger, "openFromRelease", *fargs)
    check("openFromRelease by anyone", r["status"] == "0x1", r)
    cid4 = ch.view("channelId", agent.address, provider, asset, expiry4, salt4)
    c4 = channel_of(ch, cid4)
    check("channel funded from the release", c4["status"] == 1 and c4["deposit"] == 5000 and c4["agent"] == agent.address.lower())
    check("credited", ch.view("credited", mid))
    expect_revert("release credited twice", node, ch, "openFromRelease", fargs, "ferry: release already credited", funder_addr)
    v4 = voucher(agent.key, ch, cid4, 4000)
    provider_tokens = tok.view("balanceOf", provider)
    r = ch.transact(provider_key, "close", cid4, 4000, v4)
    check("close of a release-funded channel", r["status"] == "0x1" and tok.view("balanceOf", provider) == provider_tokens + 4000)

    # a release that lands after the channel's expiry goes back to the agent on this chain
    now = head_time(node)
    expiry5 = now + 60
    salt5 = keccak(text="channel 5")
    t5 = (1, REMOTE_ID, CHAIN_ID, 8, to32(agent.address), to32(ch.address), to32("0x" + "ab" * 20), asset,
          777, 0, now + 3600, ch.view("openPayloadHash", agent.address, provider, expiry5, salt5))
    mid5 = keccak(encode(["(uint8,uint64,uint64,uint64,bytes32,bytes32,bytes32,bytes32,uint256,uint256,uint64,bytes32)"], [t5]))
    gw.transact(owner, "release", t5, release_sigs(mid5, gw))
    advance(node, 120)
    agent_tokens = tok.view("balanceOf", agent.address)
    r = ch.transact(stranger, "openFromRelease", t5, agent.address, provider, expiry5, salt5)
    check("late release returned to the agent", r["status"] == "0x1" and tok.view("balanceOf", agent.address) == agent_tokens + 777)
    check("late release opens nothing", channel_of(ch, ch.view("channelId", agent.address, provider, asset, expiry5, salt5))["status"] == 0)

    # a contract without a gateway refuses release funding
    bare = Contract(node, "FerryChannel").deploy(owner, "0x" + "00" * 20)
    expect_revert("no gateway configured", node, bare, "openFromRelease", fargs, "ferry: no gateway configured", funder_addr)


def release_sigs(mid, gw):
    out = []
    for acct in RELAYERS[:2]:
        signed = Account.sign_typed_data(
            acct.key, {"name": "Ferry", "version": "1", "chainId": CHAIN_ID, "verifyingContract": gw.address},
            {"Release": [{"name": "messageId", "type": "bytes32"}]}, {"messageId": mid})
        out.append((signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"), signed.v))
    return out


if __name__ == "__main__":
    main()
