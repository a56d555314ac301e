#!/usr/bin/env python3
"""Independent vectors for FerryEVM from the Python reference libraries (rlp, eth-account, eth-abi).

Prints one JSON object:
  rlp:          random nested items (byte strings as 0x-hex, lists as arrays) and rlp.encode of each
  transactions: random type-2 and EIP-155 legacy transactions signed by eth-account: fields, signing hash,
                raw bytes, transaction hash, r, s, yParity
  release:      random transfers + signatures and eth-abi's release(...) calldata
  reverts:      messages and their Error(string) revert data
  artifact:     canonical function and event signatures read from chains/contracts/build/FerryGateway.json
Usage: gen_evm_vectors.py SEED COUNT
"""
import json
import os
import random
import sys

import rlp
from eth_abi import encode
from eth_account import Account
from eth_account._utils.legacy_transactions import serializable_unsigned_transaction_from_dict
from eth_utils import keccak, to_checksum_address

seed, count = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rand_bytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def rand_len():
    return rng.choice([0, 1, 1, 2, 54, 55, 56, 57, rng.randrange(0, 300), 1024, rng.randrange(256, 70000) if rng.random() < 0.05 else 3])


def rand_item(depth=0):
    if depth < 4 and rng.random() < 0.35:
        return [rand_item(depth + 1) for _ in range(rng.choice([0, 1, 2, 5, rng.randrange(0, 20)]))]
    n = rand_len()
    if n == 1:
        return bytes([rng.choice([0, 1, 0x7F, 0x80, 0xFF, rng.getrandbits(8)])])
    return rand_bytes(n)


def to_json(item):
    return "0x" + item.hex() if isinstance(item, bytes) else [to_json(i) for i in item]


def rand_uint(bits):
    return rng.choice([0, 1, 127, 128, 255, 256, 2**bits - 1, rng.getrandbits(bits), rng.getrandbits(rng.randrange(1, bits + 1))])


def rand_address():
    return to_checksum_address(rand_bytes(20))


def transaction(i):
    key = rand_bytes(32)
    while int.from_bytes(key, "big") == 0:
        key = rand_bytes(32)
    legacy = i % 3 == 0
    chain_id = rng.choice([1, 5, 1337, 31337, 2**31 - 1, rng.getrandbits(rng.choice([8, 32, 48]))]) or 1
    tx = {"nonce": rand_uint(64), "gas": rand_uint(64), "value": rand_uint(256), "data": rand_bytes(rand_len() % 2000),
          "chainId": chain_id}
    if rng.random() < 0.85:
        tx["to"] = rand_address()
    if legacy:
        tx["gasPrice"] = rand_uint(256)
    else:
        tx["type"] = 2
        tx["maxFeePerGas"] = rand_uint(256)
        tx["maxPriorityFeePerGas"] = rand_uint(256)
        tx["accessList"] = [{"address": rand_address(), "storageKeys": ["0x" + rand_bytes(32).hex() for _ in range(rng.randrange(0, 3))]}
                            for _ in range(rng.choice([0, 0, 1, 3]))]
    signed = Account.sign_transaction(tx, key)
    unsigned = serializable_unsigned_transaction_from_dict(dict(tx))
    out = {"kind": "legacy" if legacy else "eip1559", "chainId": chain_id, "nonce": str(tx["nonce"]), "gas": str(tx["gas"]),
           "value": str(tx["value"]), "data": "0x" + tx["data"].hex(), "to": tx.get("to", "").lower() or None,
           "signingHash": "0x" + unsigned.hash().hex(), "raw": "0x" + signed.raw_transaction.hex(),
           "hash": "0x" + signed.hash.hex(), "r": "0x" + signed.r.to_bytes(32, "big").hex(),
           "s": "0x" + signed.s.to_bytes(32, "big").hex(),
           "yParity": signed.v - 35 - 2 * chain_id if legacy else signed.v}
    if legacy:
        out["gasPrice"] = str(tx["gasPrice"])
    else:
        out["maxFeePerGas"] = str(tx["maxFeePerGas"])
        out["maxPriorityFeePerGas"] = str(tx["maxPriorityFeePerGas"])
        out["accessList"] = [{"address": e["address"].lower(), "storageKeys": e["storageKeys"]} for e in tx["accessList"]]
    return out


TRANSFER_TYPES = ["uint8", "uint64", "uint64", "uint64", "bytes32", "bytes32", "bytes32", "bytes32", "uint256", "uint256",
                  "uint64", "bytes32"]


def release_vector():
    t = [1, rand_uint(64), rand_uint(64), rand_uint(64), bytes(12) + rand_bytes(20), rand_bytes(32), rand_bytes(32),
         bytes(32), rand_uint(256), rand_uint(256), rand_uint(64), rand_bytes(32)]
    sigs = [(rand_bytes(32), rand_bytes(32), rng.choice([27, 28])) for _ in range(rng.choice([0, 1, 3, 5]))]
    sig = "release((" + ",".join(TRANSFER_TYPES) + "),(bytes32,bytes32,uint8)[])"
    calldata = keccak(text=sig)[:4] + encode(["(" + ",".join(TRANSFER_TYPES) + ")", "(bytes32,bytes32,uint8)[]"], [tuple(t), sigs])
    hexed = [str(x) if isinstance(x, int) else "0x" + x.hex() for x in t]
    return {"transfer": hexed, "transferEncoded": "0x" + encode(TRANSFER_TYPES, t).hex(),
            "signatures": [{"r": "0x" + r.hex(), "s": "0x" + s.hex(), "v": v} for r, s, v in sigs],
            "calldata": "0x" + calldata.hex()}


def abi_type(item):
    t = item["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in item["components"]) + ")" + t[len("tuple"):]
    return t


def artifact_signatures():
    with open(os.path.join(ROOT, "chains/contracts/build/FerryGateway.json")) as f:
        abi = json.load(f)["abi"]
    sig = lambda e: f"{e['name']}({','.join(abi_type(i) for i in e['inputs'])})"  # noqa: E731
    return {"functions": {e["name"]: sig(e) for e in abi if e["type"] == "function"},
            "events": {e["name"]: sig(e) for e in abi if e["type"] == "event"}}


messages = ["", "ferry: already released", "ferry: not enough signatures", "é✓ unicode 🚀", "x" * 31, "y" * 32, "z" * 33,
            "".join(rng.choice("abc ferry:") for _ in range(rng.randrange(0, 200)))]
items = [rand_item() for _ in range(count)]
print(json.dumps({
    "rlp": [{"item": to_json(i), "encoded": "0x" + rlp.encode(i).hex()} for i in items],
    "transactions": [transaction(i) for i in range(count)],
    "release": [release_vector() for _ in range(max(1, count // 4))],
    "reverts": [{"message": m, "data": "0x08c379a0" + encode(["string"], [m]).hex()} for m in messages],
    "artifact": artifact_signatures(),
}))
