#!/usr/bin/env python3
"""The reference x402 SDK (x402 2.25.0) as a peer for FerryX402's wire tests.

  x402_wire_peer.py sdk-headers SEED
      The SDK makes the three headers: a PaymentRequired (exact on eip155:1337 with the token's EIP-712 name and
      version, a resource, Ferry's cross-chain declaration) with its encode_payment_required_header; the SDK's own
      client (x402ClientSync + ExactEvmScheme + EthAccountSigner) answers it with a signed EIP-3009 payload,
      encoded by encode_payment_signature_header; a SettleResponse encoded by encode_payment_response_header.
      Prints {"headers": {...}, "models": {...model_dump by alias...}, "payer", "digest"}.
  x402_wire_peer.py check-swift-cross-chain REQUIRED SIGNATURE
      An SDK resource server (x402ResourceServerSync with a stand-in facilitator that lists exact on eip155:1337 and
      the cross-chain extension) matches Swift's cross-chain payment to its requirement and runs its extension echo
      check. Prints {"matched": bool, "echoValid": bool}.
  x402_wire_peer.py check-swift REQUIRED SIGNATURE RESPONSE
      Decodes headers Swift made with the SDK's decode functions (pydantic models), verifies the exact payload's
      EIP-3009 signature with eth-account against the requirement's domain, and prints
      {"models": {...}, "recovered", "digest"}. Any refusal exits non-zero.
"""
import json
import random
import sys

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from x402 import x402ClientSync
from x402.http.utils import (decode_payment_required_header, decode_payment_response_header,
                             decode_payment_signature_header, encode_payment_required_header,
                             encode_payment_response_header, encode_payment_signature_header)
from x402.mechanisms.evm.eip712 import hash_eip3009_authorization
from x402.mechanisms.evm.exact import register_exact_evm_client
from x402.mechanisms.evm.types import ExactEIP3009Payload
from x402.mechanisms.evm.exact import ExactEvmServerScheme
from x402.schemas import (PaymentPayload, PaymentRequired, PaymentRequirements, ResourceInfo, SettleResponse, SupportedKind,
                          SupportedResponse)
from x402.server import x402ResourceServerSync

TYPES = {"TransferWithAuthorization": [
    {"name": "from", "type": "address"}, {"name": "to", "type": "address"}, {"name": "value", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"}, {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"}]}


def dump(model):
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def domain_of(req):
    return {"name": req.extra["name"], "version": req.extra["version"],
            "chainId": int(req.network.split(":")[1]), "verifyingContract": req.asset}


def eth_account_check(req, payload):
    """Recovers the EIP-3009 signer with eth-account (independent of the SDK's own hashing) and the SDK's digest."""
    auth = payload.authorization
    message = {"from": auth.from_address, "to": auth.to, "value": int(auth.value),
               "validAfter": int(auth.valid_after), "validBefore": int(auth.valid_before),
               "nonce": bytes.fromhex(auth.nonce.removeprefix("0x"))}
    signable = encode_typed_data(domain_of(req), TYPES, message)
    recovered = Account.recover_message(signable, signature=payload.signature)
    eth_digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    sdk_digest = hash_eip3009_authorization(auth, domain_of(req)["chainId"], req.asset, req.extra["name"], req.extra["version"])
    assert eth_digest == sdk_digest, "eth-account and the SDK disagree on the digest"
    return recovered, "0x" + sdk_digest.hex()


def sdk_headers(seed):
    rng = random.Random(seed)
    key = bytes(rng.getrandbits(8) for _ in range(31)) + b"\x01"
    account = Account.from_key(key)
    token = Account.from_key(bytes(rng.getrandbits(8) for _ in range(31)) + b"\x02").address
    pay_to = Account.from_key(bytes(rng.getrandbits(8) for _ in range(31)) + b"\x03").address
    amount = str(rng.getrandbits(200))
    required = PaymentRequired(
        resource=ResourceInfo(url="http://127.0.0.1:8402/weather", description="Weather, per call",
                              mime_type="application/json", tags=["weather", "demo"]),
        accepts=[
            PaymentRequirements(scheme="exact", network="eip155:1337", asset=token, amount=amount, pay_to=pay_to,
                                max_timeout_seconds=60, extra={"name": "Test Token", "version": "1"}),
            PaymentRequirements(scheme="exact", network="solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", asset="EPjF",
                                amount="1000", pay_to="9xQe", max_timeout_seconds=30),
        ],
        extensions={"cross-chain": {"info": {"version": "1", "protocols": ["ferry"],
                                             "origins": [{"network": "eip155:1338", "assets": [token]}]},
                                    "schema": {"type": "object", "required": ["version", "origins"]}}})
    required_header = encode_payment_required_header(required)
    client = register_exact_evm_client(x402ClientSync().set_spend_controls(False), account, networks="eip155:1337")
    decoded = decode_payment_required_header(required_header)
    payload = client.create_payment_payload(decoded, resource=decoded.resource, extensions=decoded.extensions)
    signature_header = encode_payment_signature_header(payload)
    recovered, digest = eth_account_check(required.accepts[0], ExactEIP3009Payload.from_dict(payload.payload))
    assert recovered == account.address
    settle = SettleResponse(success=True, payer=account.address, transaction="0x" + keccak(key).hex(),
                            network="eip155:1337", amount=amount, extra={"note": "settled"})
    print(json.dumps({
        "headers": {"paymentRequired": required_header, "paymentSignature": signature_header,
                    "paymentResponse": encode_payment_response_header(settle)},
        "models": {"paymentRequired": dump(required), "paymentPayload": dump(payload), "settleResponse": dump(settle)},
        "payer": account.address, "digest": digest}))


def check_swift(required_header, signature_header, response_header):
    required = decode_payment_required_header(required_header)
    payload = decode_payment_signature_header(signature_header)
    settle = decode_payment_response_header(response_header)
    assert isinstance(required, PaymentRequired) and isinstance(payload, PaymentPayload)
    # The SDK's resource server finds the payment's requirement by equality of the copied `accepted`.
    assert payload.accepted in required.accepts, "accepted is not one of the advertised requirements"
    recovered, digest = eth_account_check(payload.accepted, ExactEIP3009Payload.from_dict(payload.payload))
    print(json.dumps({"models": {"paymentRequired": dump(required), "paymentPayload": dump(payload),
                                 "settleResponse": dump(settle)},
                      "recovered": recovered, "digest": digest}))


class StandInFacilitator:
    """Just enough of a facilitator for the SDK's resource server to initialize."""

    def get_supported(self):
        return SupportedResponse(kinds=[SupportedKind(x402_version=2, scheme="exact", network="eip155:1337")],
                                 extensions=["cross-chain"], signers={"eip155:*": ["0x" + "11" * 20]})


def check_swift_cross_chain(required_header, signature_header):
    server = x402ResourceServerSync(StandInFacilitator())
    server.register("eip155:1337", ExactEvmServerScheme())
    server.initialize()
    required = decode_payment_required_header(required_header)
    payload = decode_payment_signature_header(signature_header)
    match = server.find_matching_requirements(required.accepts, payload)
    print(json.dumps({"matched": match is not None, "echoValid": bool(server.validate_extensions(required, payload).valid)}))


if __name__ == "__main__":
    if sys.argv[1] == "sdk-headers":
        sdk_headers(int(sys.argv[2]))
    elif sys.argv[1] == "check-swift-cross-chain":
        check_swift_cross_chain(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check-swift":
        check_swift(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("usage: x402_wire_peer.py sdk-headers SEED | check-swift REQUIRED SIGNATURE RESPONSE")
