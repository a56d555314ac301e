#!/usr/bin/env python3
"""Reference vectors for FerryCrypto, computed by independent Python implementations.

Prints one JSON object on stdout. Everything is deterministic except the keystores (random
salt, iv and uuid), which the Swift tests decrypt rather than compare byte for byte.

Used by Tests/FerryCryptoTests/CrossCheckTests.swift; run by hand with:
    .venv/bin/python Tests/vectors/gen_crypto_vectors.py | python3 -m json.tool
"""
import json
import sys

from eth_account import Account
from eth_account.messages import encode_typed_data, _hash_eip191_message
from eth_keys import keys
from eth_utils import keccak, to_checksum_address

KEY_COUNT = 16
DIGESTS_PER_KEY = 4
KEYSTORE_PASSWORD = "ferry test password ü"  # non-ASCII on purpose: UTF-8 handling must agree


def key_bytes(i: int) -> bytes:
    return keccak(text=f"ferry-key-{i}")


def digest_bytes(i: int, j: int) -> bytes:
    return keccak(text=f"ferry-digest-{i}-{j}")


def key_vectors():
    out = []
    for i in range(KEY_COUNT):
        pk = keys.PrivateKey(key_bytes(i))
        out.append({
            "privateKey": pk.to_hex(),
            "publicKey": pk.public_key.to_hex(),
            "compressed": "0x" + pk.public_key.to_compressed_bytes().hex(),
            "address": pk.public_key.to_checksum_address(),
        })
    return out


def signature_vectors():
    out = []
    for i in range(KEY_COUNT):
        pk = keys.PrivateKey(key_bytes(i))
        for j in range(DIGESTS_PER_KEY):
            d = digest_bytes(i, j)
            sig = pk.sign_msg_hash(d)
            # eth_keys signs with RFC 6979 nonces; eth-account must give the same bytes.
            acct_sig = Account.unsafe_sign_hash(d, pk.to_bytes())
            assert acct_sig.r == sig.r and acct_sig.s == sig.s and acct_sig.v == sig.v + 27, "eth-account and eth-keys disagree"
            again = pk.sign_msg_hash(d)
            assert again.to_bytes() == sig.to_bytes(), "eth_keys signing is not deterministic"
            out.append({
                "privateKey": pk.to_hex(),
                "digest": "0x" + d.hex(),
                "r": "0x" + sig.r.to_bytes(32, "big").hex(),
                "s": "0x" + sig.s.to_bytes(32, "big").hex(),
                "v": sig.v,
                "rsv": "0x" + acct_sig.signature.hex().removeprefix("0x"),
            })
    return out


def eip712_vectors():
    domains = [
        {"name": "Ferry", "version": "1", "chainId": 1, "verifyingContract": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
        {"name": "Ferry", "version": "1", "chainId": 42161, "verifyingContract": "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"},
        {"name": "Ferry", "version": "1", "chainId": 2**64 - 1, "verifyingContract": "0x0000000000000000000000000000000000000000"},
    ]
    domain_type = [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ]
    out = []
    signer = keys.PrivateKey(key_bytes(0))
    for d_index, domain in enumerate(domains):
        for kind in ("Release", "Cancel", "Refund"):
            for m in range(3):
                message_id = keccak(text=f"ferry-message-{d_index}-{kind}-{m}")
                full = {
                    "types": {"EIP712Domain": domain_type, kind: [{"name": "messageId", "type": "bytes32"}]},
                    "primaryType": kind,
                    "domain": domain,
                    "message": {"messageId": message_id},
                }
                signable = encode_typed_data(full_message=full)
                digest = _hash_eip191_message(signable)
                # The same digest by hand: keccak(0x1901 || separator || keccak(typehash || id)).
                struct_hash = keccak(keccak(text=f"{kind}(bytes32 messageId)") + message_id)
                assert signable.body == struct_hash
                assert keccak(b"\x19\x01" + signable.header + signable.body) == digest
                sig = Account.unsafe_sign_hash(digest, signer.to_bytes())
                out.append({
                    "kind": kind.lower(),
                    "name": domain["name"],
                    "version": domain["version"],
                    "chainId": str(domain["chainId"]),
                    "verifyingContract": domain["verifyingContract"],
                    "separator": "0x" + signable.header.hex(),
                    "messageId": "0x" + message_id.hex(),
                    "structHash": "0x" + struct_hash.hex(),
                    "digest": "0x" + digest.hex(),
                    "signerKey": signer.to_hex(),
                    "signature": "0x" + sig.signature.hex().removeprefix("0x"),
                })
    return out


def keystore_vectors():
    out = []
    for i, (kdf, iterations) in enumerate([("scrypt", 1024), ("pbkdf2", 1024)]):
        key = key_bytes(100 + i)
        encrypted = Account.encrypt(key, KEYSTORE_PASSWORD, kdf=kdf, iterations=iterations)
        assert Account.decrypt(encrypted, KEYSTORE_PASSWORD) == key
        out.append({
            "kdf": kdf,
            "password": KEYSTORE_PASSWORD,
            "privateKey": "0x" + key.hex(),
            "address": to_checksum_address(Account.from_key(key).address),
            "json": json.dumps(encrypted),
        })
    return out


def main():
    json.dump({
        "keys": key_vectors(),
        "signatures": signature_vectors(),
        "eip712": eip712_vectors(),
        "keystores": keystore_vectors(),
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
