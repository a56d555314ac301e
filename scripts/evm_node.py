#!/usr/bin/env python3
"""A small Ethereum JSON-RPC 2.0 node for Ferry's tests: py-evm (through eth-tester) behind HTTP.

Every accepted transaction is mined at once in its own block. Binds 127.0.0.1 only. The first line on
standard output is one JSON object, e.g. {"port": 54321, "chainId": 31337, "accounts": [...]}, after which
the node is ready. It stops by itself on SIGTERM/SIGINT, when the process that started it dies, and after
--idle-timeout seconds without a request.

    evm_node.py [--port 0] [--chain-id 31337] [--fund KEYHEX:WEI ...] [--idle-timeout SECONDS]

Without --fund, ten deterministic accounts (private keys 0x..01 to 0x..0a) hold 1,000,000 ether each.

Methods: eth_chainId, net_version, web3_clientVersion, eth_blockNumber, eth_getBlockByNumber,
eth_getBlockByHash, eth_getBalance, eth_getTransactionCount, eth_gasPrice, eth_maxPriorityFeePerGas,
eth_feeHistory, eth_estimateGas, eth_call, eth_sendRawTransaction, eth_getTransactionReceipt,
eth_getTransactionByHash, eth_getLogs, eth_getCode, and the test controls evm_mine [count],
evm_snapshot, evm_revert id, evm_increaseTime seconds, evm_setNextBlockTimestamp unix, and evm_reorg depth
(like anvil_reorg: drops the last `depth` blocks with their transactions and mines `depth + 1` empty blocks
with later timestamps in their place, so every replaced height gets a new hash and the chain grows by one).
A revert answers {"code": 3, "message": "execution reverted: <reason>", "data": "0x08c379a0..."} as geth does.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth.exceptions import Revert
from eth.vm.spoof import SpoofTransaction
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import BlockNotFound, TransactionNotFound, ValidationError as TesterValidationError
from eth_utils import ValidationError as EthValidationError, to_checksum_address

DEFAULT_BALANCE = 10**24
MAX_LOG_RANGE = 10_000
MAX_BODY = 8 * 1024 * 1024
MAX_BATCH = 1000
PRIORITY_FEE = 10**9
ERROR_SELECTOR = bytes.fromhex("08c379a0")


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def as_json(self):
        err = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


def invalid_params(message):
    return RPCError(-32602, f"invalid argument: {message}")


# ---- conversions between JSON-RPC text and Python values -------------------------------------------------

def quantity(value):
    return hex(int(value))


def data_hex(value):
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value
    raise TypeError(f"not data: {value!r}")


def parse_quantity(value, name):
    if isinstance(value, int) and value >= 0:
        return value
    if not isinstance(value, str) or not value.startswith("0x") or len(value) < 3:
        raise invalid_params(f"{name}: expected a 0x-prefixed hex quantity, got {value!r}")
    if len(value) > 3 and value[2] == "0":
        raise invalid_params(f"{name}: hex quantity with leading zero digits: {value}")
    try:
        return int(value, 16)
    except ValueError:
        raise invalid_params(f"{name}: not hex: {value!r}") from None


def parse_data(value, name, length=None):
    if not isinstance(value, str) or not value.startswith("0x") or len(value) % 2:
        raise invalid_params(f"{name}: expected 0x-prefixed hex bytes, got {value!r}")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise invalid_params(f"{name}: not hex: {value!r}") from None
    if length is not None and len(raw) != length:
        raise invalid_params(f"{name}: expected {length} bytes, got {len(raw)}")
    return raw


def parse_address(value, name):
    return to_checksum_address(parse_data(value, name, 20))


def revert_reason(data):
    """The reason string of Error(string) revert data, or None."""
    if len(data) >= 4 and data[:4] == ERROR_SELECTOR:
        try:
            return abi_decode(["string"], data[4:])[0]
        except Exception:  # malformed payload: report without a reason, like geth
            return None
    return None


def revert_error(data):
    reason = revert_reason(data)
    message = "execution reverted" + (f": {reason}" if reason is not None else "")
    return RPCError(3, message, data_hex(data))


CAMEL = {
    "coinbase": "miner", "sha3_uncles": "sha3Uncles", "logs_bloom": "logsBloom", "data": "input",
}


def camel(key):
    if key in CAMEL:
        return CAMEL[key]
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


HASHES = {"hash", "parentHash", "blockHash", "transactionHash", "mixHash", "stateRoot", "transactionsRoot",
          "receiptsRoot", "sha3Uncles", "withdrawalsRoot", "parentBeaconBlockRoot", "requestsHash", "nonce",
          "extraData", "input", "r", "s"}


def to_rpc(obj, key=None):
    """eth-tester's snake_case Python values -> JSON-RPC camelCase with hex quantities."""
    if isinstance(obj, dict):
        out = {}
        is_log = "topics" in obj
        for k, v in obj.items():
            if is_log and k == "type":
                continue  # eth-tester's "mined" marker
            ck = "data" if is_log and k == "data" else camel(k)
            if ck == "stateRoot" and isinstance(v, bytes) and len(v) != 32:
                continue  # post-Byzantium receipts carry status, not a state root
            out[ck] = to_rpc(v, ck)
        return out
    if isinstance(obj, (list, tuple)):
        return [to_rpc(v, key) for v in obj]
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        if key == "logsBloom":
            return "0x" + obj.to_bytes(256, "big").hex()
        if key in ("r", "s"):
            return hex(obj)
        return quantity(obj)
    if isinstance(obj, (bytes, bytearray)):
        return data_hex(obj)
    if isinstance(obj, str) and obj.startswith("0x") and key not in ("type",):
        return obj.lower()
    return obj


# ---- the node ---------------------------------------------------------------------------------------------

class Node:
    def __init__(self, chain_id, funded):
        state = {}
        for key, wei in funded:
            address = Account.from_key(key).address
            state[bytes.fromhex(address[2:])] = {"balance": wei, "nonce": 0, "code": b"", "storage": {}}
        backend = PyEVMBackend(genesis_state=state)
        # The tester chain class is made per backend; its chain id is a class attribute that snapshots keep.
        type(backend.chain).chain_id = chain_id
        self.chain_id = chain_id
        self.backend = backend
        self.tester = EthereumTester(backend)
        self.lock = threading.Lock()
        self.next_timestamp = None

    # -- helpers
    def block_number(self, tag, name="block"):
        if tag is None or tag in ("latest", "safe", "finalized", "pending"):
            return "latest" if tag != "pending" else "pending"
        if tag == "earliest":
            return 0
        if isinstance(tag, dict):
            raise invalid_params(f"{name}: block hash objects are not supported")
        number = parse_quantity(tag, name)
        if number > self.head():
            raise RPCError(-32000, f"header not found: block {number} is beyond the head {self.head()}")
        return number

    def head(self):
        return self.tester.get_block_by_number("latest")["number"]

    def tx_dict(self, call):
        if not isinstance(call, dict):
            raise invalid_params("call object expected")
        tx = {"from": parse_address(call.get("from", "0x" + "00" * 20), "from")}
        if call.get("to") is not None:
            tx["to"] = parse_address(call["to"], "to")
        payload = call.get("input", call.get("data"))
        if payload is not None:
            tx["data"] = data_hex(parse_data(payload, "input"))
        if "value" in call:
            tx["value"] = parse_quantity(call["value"], "value")
        if "gas" in call:
            tx["gas"] = parse_quantity(call["gas"], "gas")
        return tx

    def execute(self, call, tag):
        """Runs a call against state, reverted afterwards; returns the computation."""
        tx = self.tx_dict(call)
        block = self.block_number(tag)
        if block == "pending":
            block = "latest"
        if "gas" not in tx:
            tx["gas"] = self.backend._max_available_gas()
        vm = self.backend.chain.get_vm() if block == "latest" else \
            self.backend.chain.get_vm(self.backend.chain.get_canonical_block_header_by_number(block))
        state = vm.state
        base_fee = state.base_fee if hasattr(state, "base_fee") else 0
        tx["max_fee_per_gas"] = base_fee
        tx["max_priority_fee_per_gas"] = 0
        raw = self.tester.normalizer.normalize_inbound_transaction(tx)
        unsigned = self.backend._get_normalized_and_unsigned_evm_transaction(raw, block)
        spoof = SpoofTransaction(unsigned, from_=raw["from"])
        snapshot = state.snapshot()
        try:
            # Like geth, a call is not charged for gas: lend the sender what the gas costs for this run.
            state.delta_balance(raw["from"], unsigned.gas * base_fee)
            return state.apply_transaction(spoof)
        except (EthValidationError, TesterValidationError) as exc:
            raise RPCError(-32000, str(exc)) from None
        finally:
            state.revert(snapshot)

    @staticmethod
    def fail_if_error(computation):
        if not computation.is_error:
            return
        error = computation.error
        if isinstance(error, Revert):
            raise revert_error(bytes(computation.output))
        raise RPCError(-32000, f"execution failed: {type(error).__name__} {error}".strip())

    def fee_history(self, count, newest, percentiles):
        count = max(1, min(parse_quantity(count, "blockCount"), 1024))
        last = self.head() if newest in ("latest", "pending", "safe", "finalized") else parse_quantity(newest, "newestBlock")
        last = min(last, self.head())
        first = max(0, last - count + 1)
        base, ratios, rewards = [], [], []
        chain = self.backend.chain
        for n in range(first, last + 1):
            block = chain.get_canonical_block_by_number(n)
            header = block.header
            base.append(quantity(header.base_fee_per_gas))
            ratios.append(header.gas_used / header.gas_limit if header.gas_limit else 0.0)
            if percentiles:
                tips = sorted(
                    (min(tx.max_priority_fee_per_gas, tx.max_fee_per_gas - header.base_fee_per_gas)
                     if hasattr(tx, "max_priority_fee_per_gas") else tx.gas_price - header.base_fee_per_gas)
                    for tx in block.transactions)
                rewards.append([quantity(tips[min(len(tips) - 1, int(len(tips) * p / 100))] if tips else 0)
                                for p in percentiles])
        base.append(quantity(chain.get_block().header.base_fee_per_gas))  # the next block's
        out = {"oldestBlock": quantity(first), "baseFeePerGas": base, "gasUsedRatio": ratios}
        if percentiles:
            out["reward"] = rewards
        return out

    def get_logs(self, flt):
        if not isinstance(flt, dict):
            raise invalid_params("filter object expected")
        head = self.head()
        if "blockHash" in flt:
            block = self.tester.get_block_by_hash(data_hex(parse_data(flt["blockHash"], "blockHash", 32)))
            lo = hi = block["number"]
        else:
            def bound(v, default):
                if v is None or v in ("latest", "pending", "safe", "finalized"):
                    return default if v is None else head
                return 0 if v == "earliest" else parse_quantity(v, "block")
            lo, hi = bound(flt.get("fromBlock"), head), bound(flt.get("toBlock"), head)
        if hi > head:
            hi = head
        if hi - lo + 1 > MAX_LOG_RANGE:
            raise RPCError(-32005, f"query exceeds max block range {MAX_LOG_RANGE}")
        addresses = flt.get("address")
        if isinstance(addresses, str):
            addresses = [addresses]
        addresses = {parse_address(a, "address").lower() for a in addresses} if addresses else None
        topics = []
        for i, t in enumerate(flt.get("topics") or []):
            if t is None:
                topics.append(None)
            elif isinstance(t, list):
                topics.append({data_hex(parse_data(x, f"topics[{i}]", 32)) for x in t} or None)
            else:
                topics.append({data_hex(parse_data(t, f"topics[{i}]", 32))})
        out = []
        for n in range(lo, hi + 1):
            block = self.tester.get_block_by_number(n)
            for tx_hash in block["transactions"]:
                receipt = self.tester.get_transaction_receipt(tx_hash)
                for log in receipt["logs"]:
                    entry = to_rpc(log)
                    if addresses is not None and entry["address"] not in addresses:
                        continue
                    if any(want is not None and (i >= len(entry["topics"]) or entry["topics"][i] not in want)
                           for i, want in enumerate(topics)):
                        continue
                    entry["removed"] = False
                    out.append(entry)
        return out

    def send_raw(self, raw_hex):
        raw = parse_data(raw_hex, "transaction")
        if not raw:
            raise invalid_params("empty transaction")
        if self.next_timestamp is not None:
            self.set_pending_timestamp(self.next_timestamp)
            self.next_timestamp = None
        try:
            return self.tester.send_raw_transaction(data_hex(raw))
        except (EthValidationError, TesterValidationError) as exc:
            raise RPCError(-32000, node_message(str(exc))) from None
        except Exception as exc:  # undecodable bytes and the like
            raise RPCError(-32000, f"invalid transaction: {type(exc).__name__}: {exc}") from None

    def set_pending_timestamp(self, ts):
        chain = self.backend.chain
        chain.header = chain.header.copy(timestamp=ts)

    def mine(self, count):
        for _ in range(count):
            if self.next_timestamp is not None:
                self.set_pending_timestamp(self.next_timestamp)
                self.next_timestamp = None
            self.tester.mine_blocks(1)

    # -- dispatch
    def call(self, method, params):
        p = params if isinstance(params, list) else []

        def arg(i, default=None):
            return p[i] if len(p) > i else default

        t = self.tester
        if method == "eth_chainId":
            return quantity(self.chain_id)
        if method == "net_version":
            return str(self.chain_id)
        if method == "web3_clientVersion":
            return "ferry-evm-node/py-evm"
        if method == "eth_blockNumber":
            return quantity(self.head())
        if method in ("eth_getBlockByNumber", "eth_getBlockByHash"):
            full = bool(arg(1, False))
            try:
                if method == "eth_getBlockByNumber":
                    block = t.get_block_by_number(self.block_number(arg(0, "latest")), full_transactions=full)
                else:
                    block = t.get_block_by_hash(data_hex(parse_data(arg(0), "hash", 32)), full_transactions=full)
            except BlockNotFound:
                return None
            out = to_rpc(block)
            out.pop("totalDifficulty", None)
            return out
        if method == "eth_getBalance":
            return quantity(t.get_balance(parse_address(arg(0), "address"), self.block_number(arg(1, "latest"))))
        if method == "eth_getTransactionCount":
            return quantity(t.get_nonce(parse_address(arg(0), "address"), self.block_number(arg(1, "latest"))))
        if method == "eth_getCode":
            return data_hex(t.get_code(parse_address(arg(0), "address"), self.block_number(arg(1, "latest"))))
        if method == "eth_gasPrice":
            return quantity(self.backend.chain.get_block().header.base_fee_per_gas + PRIORITY_FEE)
        if method == "eth_maxPriorityFeePerGas":
            return quantity(PRIORITY_FEE)
        if method == "eth_feeHistory":
            return self.fee_history(arg(0, "0x1"), arg(1, "latest"), arg(2) or [])
        if method == "eth_call":
            computation = self.execute(arg(0), arg(1, "latest"))
            self.fail_if_error(computation)
            return data_hex(bytes(computation.output))
        if method == "eth_estimateGas":
            call = dict(arg(0) or {})
            self.fail_if_error(self.execute(call, "latest"))
            tx = self.tx_dict(call)
            try:
                return quantity(t.estimate_gas(tx))
            except Exception as exc:
                raise RPCError(-32000, f"gas estimation failed: {exc}") from None
        if method == "eth_sendRawTransaction":
            return self.send_raw(arg(0))
        if method == "eth_getTransactionReceipt":
            try:
                receipt = t.get_transaction_receipt(data_hex(parse_data(arg(0), "hash", 32)))
            except TransactionNotFound:
                return None
            if receipt.get("block_number") is None:
                return None
            out = to_rpc(receipt)
            out["type"] = receipt.get("type", "0x0")
            for log in out.get("logs", []):
                log["removed"] = False
            return out
        if method == "eth_getTransactionByHash":
            try:
                tx = t.get_transaction_by_hash(data_hex(parse_data(arg(0), "hash", 32)))
            except TransactionNotFound:
                return None
            out = to_rpc(tx)
            if "yParity" in out:
                out["v"] = out["yParity"]
            out["type"] = tx.get("type", "0x0")
            return out
        if method == "eth_getLogs":
            return self.get_logs(arg(0))
        if method == "evm_mine":
            count = parse_quantity(arg(0, "0x1"), "count") if arg(0) is not None else 1
            if count > 10_000:
                raise invalid_params("evm_mine: at most 10000 blocks at once")
            self.mine(count)
            return quantity(self.head())
        if method == "evm_snapshot":
            return quantity(t.take_snapshot())
        if method == "evm_revert":
            try:
                t.revert_to_snapshot(parse_quantity(arg(0), "snapshot"))
            except Exception:
                return False
            return True
        if method == "evm_reorg":
            depth = parse_quantity(arg(0), "depth")
            head = self.head()
            if depth < 1 or depth > head:
                raise invalid_params(f"evm_reorg: depth must be 1..{head}")
            old_ts = t.get_block_by_number("latest")["timestamp"]
            fork = t.get_block_by_number(head - depth)
            self.backend.revert_to_snapshot(bytes.fromhex(fork["hash"][2:]) if isinstance(fork["hash"], str) else fork["hash"])
            ts = max(old_ts, int(time.time())) + 1
            for i in range(depth + 1):
                self.set_pending_timestamp(ts + i)
                self.tester.mine_blocks(1)
            self.next_timestamp = None
            return quantity(self.head())
        if method == "evm_increaseTime":
            seconds = parse_quantity(arg(0), "seconds")
            base = self.next_timestamp or max(int(time.time()), t.get_block_by_number("latest")["timestamp"] + 1)
            self.next_timestamp = base + seconds
            return quantity(self.next_timestamp)
        if method == "evm_setNextBlockTimestamp":
            ts = parse_quantity(arg(0), "timestamp")
            if ts <= t.get_block_by_number("latest")["timestamp"]:
                raise RPCError(-32000, "timestamp must be later than the latest block's")
            self.next_timestamp = ts
            return True
        raise RPCError(-32601, f"the method {method} does not exist/is not available")


def node_message(text):
    """Rewords py-evm validation failures the way geth words them, keeping the detail."""
    low = text.lower()
    if "nonce" in low:
        if "expected" in low:
            try:
                expected = int(low.split("expected")[1].split(",")[0].strip())
                got = int(low.split("got")[1].strip().rstrip("."))
                return f"nonce too {'low' if got < expected else 'high'}: next nonce {expected}, tx nonce {got}"
            except (IndexError, ValueError):
                pass
        return f"invalid nonce: {text}"
    if "balance" in low or "insufficient" in low:
        return f"insufficient funds for gas * price + value: {text}"
    if "chain" in low and "id" in low:
        return f"invalid chain id: {text}"
    if "max_fee_per_gas" in low or "base fee" in low:
        return f"max fee per gas less than block base fee: {text}"
    if "intrinsic" in low:
        return f"intrinsic gas too low: {text}"
    return text


class Handler(BaseHTTPRequestHandler):
    server_version = "ferry-evm-node"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("evm_node: " + fmt % args + "\n")

    def do_POST(self):
        self.server.touch()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.reply(413, {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "request too large"}})
            return
        body = self.rfile.read(length)
        try:
            request = json.loads(body)
        except ValueError:
            self.reply(200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}})
            return
        if isinstance(request, list):
            if not request:
                reply = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "empty batch"}}
            elif len(request) > MAX_BATCH:
                reply = {"jsonrpc": "2.0", "id": None,
                         "error": {"code": -32600, "message": f"batch of {len(request)} exceeds {MAX_BATCH}"}}
            else:
                reply = [self.server.answer(r) for r in request]
        else:
            reply = self.server.answer(request)
        self.reply(200, reply)

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, node, verbose):
        super().__init__(("127.0.0.1", port), Handler)
        self.node, self.verbose = node, verbose
        self.last_request = time.monotonic()

    def touch(self):
        self.last_request = time.monotonic()

    def answer(self, request):
        rid = request.get("id") if isinstance(request, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32600, "message": "invalid request"}}
        try:
            with self.node.lock:
                result = self.node.call(request["method"], request.get("params", []))
            return {"jsonrpc": "2.0", "id": rid, "result": result}
        except RPCError as exc:
            return {"jsonrpc": "2.0", "id": rid, "error": exc.as_json()}
        except Exception as exc:  # never drop the connection: report the failure as an internal error
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32603, "message": f"{type(exc).__name__}: {exc}"}}


def parse_fund(text):
    try:
        key, wei = text.split(":", 1)
        raw = bytes.fromhex(key[2:] if key.startswith("0x") else key)
        if len(raw) != 32:
            raise ValueError("private key must be 32 bytes")
        return raw, int(wei, 0)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--fund expects KEYHEX:WEI ({exc})") from None


def main():
    ap = argparse.ArgumentParser(description="Ethereum JSON-RPC dev node over py-evm for Ferry's tests.")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one")
    ap.add_argument("--chain-id", type=int, default=31337, help="EIP-155 chain id")
    ap.add_argument("--fund", type=parse_fund, action="append", default=[], metavar="KEYHEX:WEI",
                    help="fund the account of this private key at genesis (repeatable)")
    ap.add_argument("--idle-timeout", type=float, default=0, help="exit after this many seconds without a request (0: never)")
    ap.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = ap.parse_args()

    funded = args.fund or [(i.to_bytes(32, "big"), DEFAULT_BALANCE) for i in range(1, 11)]
    node = Node(args.chain_id, funded)
    server = Server(args.port, node, args.verbose)
    parent = os.getppid()
    stop = threading.Event()

    def shutdown(*_):
        stop.set()

    # A parent may spawn us with these signals blocked (Swift's Foundation.Process does, from its
    # dispatch threads); unblock them, or SIGTERM would never reach the handler.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)

    def watchdog():
        while not stop.wait(0.5):
            if os.getppid() != parent:
                stop.set()  # our parent died: we were re-parented
            if args.idle_timeout and time.monotonic() - server.last_request > args.idle_timeout:
                stop.set()
        server.shutdown()

    threading.Thread(target=server.serve_forever, daemon=True).start()
    accounts = [{"address": Account.from_key(k).address, "privateKey": "0x" + k.hex(), "balance": str(w)} for k, w in funded]
    print(json.dumps({"port": server.server_address[1], "chainId": args.chain_id, "accounts": accounts}), flush=True)
    watchdog()
    server.server_close()


if __name__ == "__main__":
    main()
