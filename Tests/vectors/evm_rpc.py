"""Small helpers shared by the Python scripts that drive scripts/evm_node.py: start a node, JSON-RPC calls,
ABI calls from the committed artifacts, signed transactions. Standard library plus eth-account / eth-abi."""
import json
import os
import subprocess
import sys
import urllib.request

from eth_abi import decode, encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class RPCFailure(Exception):
    def __init__(self, error):
        super().__init__(error.get("message"))
        self.error = error


class Node:
    """A scripts/evm_node.py child process; stops with this process."""

    def __init__(self, chain_id, fund=()):
        args = [sys.executable, os.path.join(ROOT, "scripts/evm_node.py"), "--chain-id", str(chain_id)]
        for key, wei in fund:
            args += ["--fund", f"{key}:{wei}"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        self.info = json.loads(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.info['port']}"
        self.chain_id = chain_id
        self.keys = [a["privateKey"] for a in self.info["accounts"]]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        reply = json.loads(urllib.request.urlopen(req, timeout=60).read())
        if "error" in reply:
            raise RPCFailure(reply["error"])
        return reply["result"]

    def send(self, key, to, data=b"", value=0, gas=None):
        acct = Account.from_key(key)
        nonce = int(self.rpc("eth_getTransactionCount", acct.address, "pending"), 16)
        tx = {"type": 2, "chainId": self.chain_id, "nonce": nonce, "value": value, "data": data,
              "maxFeePerGas": 4 * 10**9, "maxPriorityFeePerGas": 10**9}
        if to is not None:
            tx["to"] = to_checksum_address(to)
        call = {"from": acct.address, "data": "0x" + data.hex(), "value": hex(value)}
        if to is not None:
            call["to"] = to
        tx["gas"] = gas or int(int(self.rpc("eth_estimateGas", call), 16) * 1.3) + 10_000
        signed = acct.sign_transaction(tx)
        h = self.rpc("eth_sendRawTransaction", "0x" + signed.raw_transaction.hex())
        return self.rpc("eth_getTransactionReceipt", h)

    def call(self, to, data, sender=None):
        call = {"to": to, "data": "0x" + data.hex()}
        if sender:
            call["from"] = sender
        return bytes.fromhex(self.rpc("eth_call", call, "latest")[2:])


def artifact(name):
    with open(os.path.join(ROOT, "chains/contracts/build", name + ".json")) as f:
        return json.load(f)


def abi_type(item):
    t = item["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in item["components"]) + ")" + t[len("tuple"):]
    return t


class Contract:
    def __init__(self, node, name, address=None):
        self.node, self.art, self.address = node, artifact(name), address
        self.fns = {f["name"]: f for f in self.art["abi"] if f["type"] == "function"}
        self.events = {e["name"]: e for e in self.art["abi"] if e["type"] == "event"}

    def deploy(self, key, *args):
        ctor = next((f for f in self.art["abi"] if f["type"] == "constructor"), {"inputs": []})
        data = bytes.fromhex(self.art["bytecode"][2:]) + encode([abi_type(i) for i in ctor["inputs"]], list(args))
        receipt = self.node.send(key, None, data, gas=8_000_000)
        assert receipt["status"] == "0x1", receipt
        self.address = receipt["contractAddress"]
        return self

    def calldata(self, name, *args):
        fn = self.fns[name]
        types = [abi_type(i) for i in fn["inputs"]]
        return keccak(text=f"{name}({','.join(types)})")[:4] + encode(types, list(args))

    def view(self, name, *args):
        out = self.node.call(self.address, self.calldata(name, *args))
        types = [abi_type(o) for o in self.fns[name]["outputs"]]
        values = decode(types, out)
        return values[0] if len(values) == 1 else values

    def transact(self, key, name, *args, value=0, gas=None):
        return self.node.send(key, self.address, self.calldata(name, *args), value=value, gas=gas)

    def event_topic(self, name):
        ev = self.events[name]
        return "0x" + keccak(text=f"{name}({','.join(abi_type(i) for i in ev['inputs'])})").hex()
