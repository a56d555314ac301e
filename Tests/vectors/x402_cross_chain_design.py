#!/usr/bin/env python3
"""Checks the design of docs/x402.md against the reference SDK (x402 2.25.0), with no Ferry code involved:
an SDK resource server (x402ResourceServerSync, `exact` on eip155:1337, a stand-in facilitator that lists the
`cross-chain` extension) declares the extension in its 402; a payload shaped as Ferry's cross-chain payment
(the seller's `exact` requirement as `accepted`, a `crossChain` object as `payload`, the declaration echoed with
the client's `origin` added) survives the PAYMENT-SIGNATURE encoding, matches the requirement, passes the SDK's
extension echo check, and reaches the facilitator's verify and settle unchanged; an echo that drops an advertised
field is refused with `extension_echo_mismatch`.
Prints "N passed, 0 failed" and exits 0, or names the first failed check and exits 1.
Usage: x402_cross_chain_design.py
"""
import base64
import json
import sys

from x402.http.utils import decode_payment_signature_header, encode_payment_signature_header
from x402.mechanisms.evm.exact import ExactEvmServerScheme
from x402.schemas import (PaymentPayload, ResourceConfig, ResourceInfo, SettleResponse, SupportedKind,
                          SupportedResponse, VerifyResponse)
from x402.server import x402ResourceServerSync

passed = 0
PAYER = "0x" + "22" * 20


def check(name, cond, detail=""):
    global passed
    if not cond:
        for out in (sys.stdout, sys.stderr):
            print(f"FAILED: {name} {detail}", file=out)
            print(f"{passed} passed, 1 failed", file=out)
        sys.exit(1)
    passed += 1


class StandInFacilitator:
    """What `ferry serve` will answer, reduced to what the resource server reads."""

    def __init__(self):
        self.calls = []

    def get_supported(self):
        return SupportedResponse(kinds=[SupportedKind(x402_version=2, scheme="exact", network="eip155:1337")],
                                 extensions=["cross-chain"], signers={"eip155:*": ["0x" + "11" * 20]})

    def verify(self, payload, requirements):
        self.calls.append(("verify", payload.model_dump(by_alias=True, exclude_none=True)))
        return VerifyResponse(is_valid=True, payer=PAYER)

    def settle(self, payload, requirements):
        self.calls.append(("settle", payload.model_dump(by_alias=True, exclude_none=True)))
        return SettleResponse(success=True, transaction="0x" + "33" * 32, network="eip155:1337", payer=PAYER,
                              amount=requirements.amount,
                              extra={"origin": {"network": "eip155:1338", "transaction": "0x" + "44" * 32}})


def main():
    facilitator = StandInFacilitator()
    server = x402ResourceServerSync(facilitator)
    server.register("eip155:1337", ExactEvmServerScheme())
    server.initialize()
    token = "0x" + "44" * 20
    requirements = server.build_payment_requirements(ResourceConfig(
        scheme="exact", pay_to="0x" + "55" * 20, network="eip155:1337",
        price={"amount": "1000", "asset": token, "extra": {"name": "Test USD", "version": "1"}}))
    declaration = {"info": {"version": "1", "origins": [{"network": "eip155:1338", "assets": ["0x" + "66" * 20]}],
                            "protocols": ["ferry"]},
                   "schema": {"type": "object", "required": ["version", "origins"]}}
    required = server.create_payment_required_response(requirements, ResourceInfo(url="http://127.0.0.1/paid"),
                                                       extensions={"cross-chain": declaration})
    wire = json.loads(base64.b64decode(
        base64.b64encode(required.model_dump_json(by_alias=True, exclude_none=True).encode())))
    check("the 402 keeps the seller's chain in accepts", [a["network"] for a in wire["accepts"]] == ["eip155:1337"])
    check("the 402 carries the declaration", wire["extensions"]["cross-chain"] == declaration)

    echo = {"info": {**declaration["info"], "origin": {"network": "eip155:1338", "asset": "0x" + "66" * 20, "payer": PAYER}}}
    cross = {"crossChain": {"protocol": "ferry", "type": "lock", "origin": "eip155:1338", "signedLock": "0x02f8",
                            "transfer": {"destChain": "1337", "receiver": "0x" + "55" * 20, "amount": "1000",
                                         "payloadHash": "0x" + "77" * 32}}}
    payload = PaymentPayload(payload=cross, accepted=required.accepts[0], resource=required.resource,
                             extensions={"cross-chain": echo})
    back = decode_payment_signature_header(encode_payment_signature_header(payload))
    check("PAYMENT-SIGNATURE round trip keeps the crossChain payload", back.payload == cross)
    match = server.find_matching_requirements(required.accepts, back)
    check("the payload matches the seller's exact requirement", match is not None)
    check("the echo with an added origin passes", server.validate_extensions(required, back).valid)
    dropped = PaymentPayload(payload=cross, accepted=required.accepts[0],
                             extensions={"cross-chain": {"info": {"version": "1", "origin": echo["info"]["origin"]}}})
    result = server.validate_extensions(required, dropped)
    check("an echo without the advertised origins is refused", not result.valid
          and result.invalid_reason == "extension_echo_mismatch")
    verified = server.verify_payment(back, match)
    check("verify reaches the facilitator", facilitator.calls and facilitator.calls[-1][0] == "verify")
    check("the facilitator sees the crossChain payload", facilitator.calls[-1][1]["payload"] == cross)
    check("the facilitator sees the client's origin",
          facilitator.calls[-1][1]["extensions"]["cross-chain"]["info"]["origin"]["network"] == "eip155:1338")
    check("verify result passes through", verified.is_valid)
    settled = server.settle_payment(back, match)
    check("settle reaches the facilitator", facilitator.calls[-1][0] == "settle" and settled.success)
    check("the settlement names the seller's chain", settled.network == "eip155:1337")
    print(f"{passed} passed, 0 failed")


if __name__ == "__main__":
    main()
