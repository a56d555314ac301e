#!/usr/bin/env python3
"""EIP-712 Checkpoint vectors from eth-account (docs/architecture.md, "Checkpoints").

Type: Checkpoint(uint64 sourceChain,bytes32 root,uint64 firstNonce,uint64 lastNonce,uint32 count), in the
destination gateway's Ferry domain. Prints a JSON list: domain, message, struct hash, digest, signature.
Usage: gen_checkpoint_vectors.py SEED COUNT
"""
import json
import random
import sys

from eth_account import Account
from eth_account.messages import encode_typed_data, _hash_eip191_message
from eth_utils import keccak

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
CHECKPOINT_TYPE = [
    {"name": "sourceChain", "type": "uint64"},
    {"name": "root", "type": "bytes32"},
    {"name": "firstNonce", "type": "uint64"},
    {"name": "lastNonce", "type": "uint64"},
    {"name": "count", "type": "uint32"},
]


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    out = []
    for i in range(count):
        edge = i % 4 == 0
        first = 2**64 - 1 if edge else rng.getrandbits(rng.choice([8, 32, 64]))
        message = {
            "sourceChain": 2**64 - 1 if edge else rng.getrandbits(rng.choice([8, 32, 64])),
            "root": rng.randbytes(32),
            "firstNonce": first,
            "lastNonce": first if edge else min(2**64 - 1, first + rng.randrange(0, 10_000)),
            "count": 2**32 - 1 if edge else rng.randrange(1, 257),
        }
        domain = {"name": "Ferry", "version": "1", "chainId": rng.choice([1, 8453, 42161, 2**64 - 1]),
                  "verifyingContract": Account.from_key(rng.randbytes(32)).address}
        full = {"types": {"EIP712Domain": DOMAIN_TYPE, "Checkpoint": CHECKPOINT_TYPE},
                "primaryType": "Checkpoint", "domain": domain, "message": message}
        signable = encode_typed_data(full_message=full)
        digest = _hash_eip191_message(signable)
        key = rng.randbytes(32)
        sig = Account.unsafe_sign_hash(digest, key)
        type_hash = keccak(text="Checkpoint(uint64 sourceChain,bytes32 root,uint64 firstNonce,uint64 lastNonce,uint32 count)")
        by_hand = keccak(type_hash + b"".join(
            v.to_bytes(32, "big") if isinstance(v, int) else v for v in message.values()))
        assert signable.body == by_hand
        out.append({
            "chainId": str(domain["chainId"]), "verifyingContract": domain["verifyingContract"],
            "sourceChain": str(message["sourceChain"]), "root": "0x" + message["root"].hex(),
            "firstNonce": str(message["firstNonce"]), "lastNonce": str(message["lastNonce"]),
            "count": message["count"], "structHash": "0x" + signable.body.hex(), "digest": "0x" + digest.hex(),
            "key": "0x" + key.hex(), "signer": Account.from_key(key).address,
            "signature": "0x" + sig.signature.hex().removeprefix("0x"),
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
