#!/usr/bin/env python3
"""Independent vectors for FerryCore, from Python big integers and eth-abi / eth-utils.

Prints one JSON object: exact 256-bit arithmetic results and ABI-encoded transfers with their message ids.
Usage: gen_core_vectors.py SEED COUNT
"""
import json
import random
import sys

from eth_abi import encode
from eth_utils import keccak

MAX = 2**256 - 1
seed, count = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)


def rand_amount():
    # Mix magnitudes: tiny, 64-bit, 128-bit, full width, and edges.
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randrange(0, 1000)
    if kind == 1:
        return rng.getrandbits(64)
    if kind == 2:
        return rng.getrandbits(128)
    if kind == 3:
        return rng.getrandbits(rng.randrange(1, 257))
    if kind == 4:
        return MAX - rng.randrange(0, 3)
    return 2 ** rng.randrange(0, 256)


def checked(v):
    return str(v) if 0 <= v <= MAX else None


arith = []
for _ in range(count):
    a, b, d = rand_amount(), rand_amount(), rand_amount()
    muldiv_down = muldiv_up = None
    if d != 0:
        q, r = divmod(a * b, d)
        muldiv_down = checked(q)
        muldiv_up = checked(q + (1 if r else 0))
    arith.append({
        "a": str(a), "b": str(b), "d": str(d),
        "sum": checked(a + b), "difference": checked(a - b), "product": checked(a * b),
        "quotient_down": str(a // b) if b else None,
        "quotient_up": str(-(-a // b)) if b else None,
        "muldiv_down": muldiv_down, "muldiv_up": muldiv_up,
    })

TYPES = ["uint8", "uint64", "uint64", "uint64", "bytes32", "bytes32", "bytes32", "bytes32",
         "uint256", "uint256", "uint64", "bytes32"]
transfers = []
for _ in range(count):
    sender = rng.randbytes(20).rjust(32, b"\0") if rng.random() < 0.5 else rng.randbytes(32)
    values = [1, rng.getrandbits(64), rng.getrandbits(64), rng.getrandbits(64), sender, rng.randbytes(32),
              rng.randbytes(32), rng.randbytes(32), rand_amount(), rand_amount(), rng.getrandbits(64),
              rng.randbytes(32)]
    # abi.encode of a static tuple is the concatenation of its words, i.e. encode(types, values).
    enc = encode(["(" + ",".join(TYPES) + ")"], [tuple(values)])
    transfers.append({
        "json": {
            "version": 1, "sourceChain": values[1], "destChain": values[2], "nonce": values[3],
            "sender": "0x" + values[4].hex(), "receiver": "0x" + values[5].hex(),
            "sourceAsset": "0x" + values[6].hex(), "destAsset": "0x" + values[7].hex(),
            "amount": str(values[8]), "fee": str(values[9]), "deadline": values[10],
            "payloadHash": "0x" + values[11].hex(),
        },
        "encoded": "0x" + enc.hex(),
        "messageId": "0x" + keccak(enc).hex(),
    })

print(json.dumps({"arithmetic": arith, "transfers": transfers}))
