#!/usr/bin/env python3
"""Independent vectors for FerryChannels, from eth-abi / eth-utils / eth-account (not from Ferry's code).

Prints one JSON object {"vectors": [...]}: for random channels, the channel id
keccak256(abi.encode(chainId, contract, agent, provider, asset, expiry, salt)), the openPayloadHash, the EIP-712
domain separator of {name "Ferry Channel", version "1", chainId, verifyingContract}, and for a random cumulative
amount the Voucher(bytes32 channelId,uint256 cumulativeAmount) digest and eth-account's signature with the agent key.
Usage: gen_channel_vectors.py SEED COUNT
"""
import json
import random
import sys

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

seed, count = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
VOUCHER_TYPES = {"Voucher": [{"name": "channelId", "type": "bytes32"}, {"name": "cumulativeAmount", "type": "uint256"}]}


def rand_bytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def rand_amount():
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randrange(0, 10**6)
    if kind == 1:
        return rng.getrandbits(64)
    if kind == 2:
        return 2**256 - 1 - rng.randrange(0, 3)
    return rng.getrandbits(rng.randrange(1, 257))


vectors = []
for i in range(count):
    key = rand_bytes(32)
    while not (0 < int.from_bytes(key, "big") < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141):
        key = rand_bytes(32)
    agent = Account.from_key(key)
    chain_id = rng.choice([1, 1337, 8453, rng.getrandbits(64)])
    contract = to_checksum_address(rand_bytes(20))
    provider = to_checksum_address(rand_bytes(20))
    asset = bytes(32) if i % 3 == 0 else bytes(12) + rand_bytes(20)
    expiry = rng.getrandbits(rng.choice([32, 64]))
    salt = rand_bytes(32)
    cumulative = rand_amount()
    channel_id = keccak(encode(["uint256", "address", "address", "address", "bytes32", "uint64", "bytes32"],
                               [chain_id, contract, agent.address, provider, asset, expiry, salt]))
    open_hash = keccak(encode(["bytes32", "address", "address", "uint64", "bytes32"], [
        keccak(text="ChannelOpen(address agent,address provider,uint64 expiry,bytes32 salt)"),
        agent.address, provider, expiry, salt]))
    domain = {"name": "Ferry Channel", "version": "1", "chainId": chain_id, "verifyingContract": contract}
    message = encode_typed_data(domain, VOUCHER_TYPES, {"channelId": channel_id, "cumulativeAmount": cumulative})
    digest = keccak(b"\x19" + message.version + message.header + message.body)
    signed = Account.sign_typed_data(key, domain, VOUCHER_TYPES, {"channelId": channel_id, "cumulativeAmount": cumulative})
    vectors.append({
        "agentKey": "0x" + key.hex(), "agent": agent.address, "provider": provider, "chainId": str(chain_id),
        "contract": contract, "asset": "0x" + asset.hex(), "expiry": str(expiry), "salt": "0x" + salt.hex(),
        "channelId": "0x" + channel_id.hex(), "openPayloadHash": "0x" + open_hash.hex(),
        "domainSeparator": "0x" + message.header.hex(), "cumulativeAmount": str(cumulative),
        "digest": "0x" + digest.hex(), "signature": "0x" + signed.signature.hex().removeprefix("0x"),
    })
print(json.dumps({"vectors": vectors}))
