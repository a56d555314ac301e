#!/usr/bin/env python3
"""A tampering JSON-RPC proxy in front of a real node (scripts/evm_node.py), for the relayer's trust tests.

    rpc_proxy.py --upstream http://127.0.0.1:PORT

Binds 127.0.0.1 on a free port, prints {"port": N} on its first line, exits with its parent (stdin closes) or
on SIGTERM. It forwards every call (single or batch) to the upstream node and tampers with the answers as the
current mode says. The mode is set with the proxy's own method `proxy_configure` (params: one object, which
replaces the whole mode; `{}` makes the proxy honest again); `proxy_stats` answers counters. Mode keys:

  forge_logs: [log, ...]   logs added to every eth_getLogs answer whose range covers their blockNumber. Each is a
                           full log object; a missing blockHash is filled with the upstream's real hash of that
                           block, a missing transactionHash with a made-up one, removed defaults to false.
  ignore_address: true     eth_getLogs filters lose their `address` (a node that ignores the filter).
  mark_removed: true       every log in eth_getLogs answers comes back with removed: true.
  trickle: {"methods": [...] or null, "interval": seconds}
                           answers to calls naming one of `methods` (null: every call) are sent one byte per
                           interval, with an honest Content-Length, so the client reads a slow body.
  huge: {"methods": [...], "bytes": N}
                           answers to those methods are a valid JSON-RPC answer padded to about N bytes
                           (a result array of N/600 made-up logs for eth_getLogs, a long string otherwise).
  chain_id: N              eth_chainId answers N (a provider switched to another chain under the relayer).
  timestamp_shift: seconds added to the timestamp of every block header answer (a lying head clock).
"""
import json
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = None
mode = {}
stats = {"calls": 0, "trickled": 0, "huge": 0, "forged": 0}
lock = threading.Lock()


def upstream(payload):
    req = urllib.request.Request(UPSTREAM, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=60).read())


def covers(flt, number):
    def bound(tag, default):
        if tag is None or tag in ("latest", "pending", "safe", "finalized"):
            return default
        if tag == "earliest":
            return 0
        return int(tag, 16)
    return bound(flt.get("fromBlock"), 0) <= number <= bound(flt.get("toBlock"), 1 << 62)


def forged_log(template, index):
    log = dict(template)
    number = int(log["blockNumber"], 16)
    if "blockHash" not in log:
        block = upstream({"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": [hex(number), False]})
        log["blockHash"] = block["result"]["hash"] if block.get("result") else "0x" + "ab" * 32
    log.setdefault("transactionHash", "0x" + ("%064x" % (0xF0F0 + index)))
    log.setdefault("transactionIndex", "0x0")
    log.setdefault("logIndex", hex(index))
    log.setdefault("removed", False)
    return log


def tamper_request(call, current):
    if call.get("method") == "eth_getLogs" and current.get("ignore_address") and call.get("params"):
        flt = dict(call["params"][0])
        flt.pop("address", None)
        call = dict(call, params=[flt] + call["params"][1:])
    return call


def tamper_answer(call, reply, current):
    method = call.get("method")
    result = reply.get("result")
    if method == "eth_getLogs" and isinstance(result, list):
        flt = call["params"][0] if call.get("params") else {}
        for i, template in enumerate(current.get("forge_logs") or []):
            if covers(flt, int(template["blockNumber"], 16)):
                result.append(forged_log(template, i))
                with lock:
                    stats["forged"] += 1
        if current.get("mark_removed"):
            for log in result:
                log["removed"] = True
    if method == "eth_chainId" and current.get("chain_id") is not None:
        reply["result"] = hex(int(current["chain_id"]))
    shift = current.get("timestamp_shift")
    if shift and method in ("eth_getBlockByNumber", "eth_getBlockByHash") and isinstance(result, dict):
        result["timestamp"] = hex(int(result["timestamp"], 16) + int(shift))
    return reply


def huge_answer(call, size):
    if call.get("method") == "eth_getLogs":
        one = {"address": "0x" + "11" * 20, "topics": ["0x" + "22" * 32], "data": "0x" + "33" * 160,
               "blockNumber": "0x1", "blockHash": "0x" + "44" * 32, "transactionHash": "0x" + "55" * 32,
               "transactionIndex": "0x0", "logIndex": "0x0", "removed": False}
        count = max(1, size // len(json.dumps(one)))
        return {"jsonrpc": "2.0", "id": call.get("id"), "result": [one] * count}
    return {"jsonrpc": "2.0", "id": call.get("id"), "result": "0x" + "ab" * (size // 2)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, payload, trickle=None):
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if trickle is None:
            self.wfile.write(data)
            return
        with lock:
            stats["trickled"] += 1
        try:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(trickle)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        with lock:
            current = mode
            stats["calls"] += 1
        calls = body if isinstance(body, list) else [body]
        if len(calls) == 1 and calls[0].get("method") == "proxy_configure":
            with lock:
                globals()["mode"] = calls[0]["params"][0]
            return self.reply({"jsonrpc": "2.0", "id": calls[0].get("id"), "result": True})
        if len(calls) == 1 and calls[0].get("method") == "proxy_stats":
            with lock:
                snapshot = dict(stats)
            return self.reply({"jsonrpc": "2.0", "id": calls[0].get("id"), "result": snapshot})
        methods = {c.get("method") for c in calls}
        huge = current.get("huge")
        if huge and methods & set(huge.get("methods") or []):
            with lock:
                stats["huge"] += 1
            answers = [huge_answer(c, int(huge["bytes"])) for c in calls]
            return self.reply(answers if isinstance(body, list) else answers[0])
        sent = [tamper_request(c, current) for c in calls]
        answers = upstream(sent if isinstance(body, list) else sent[0])
        answers = answers if isinstance(answers, list) else [answers]
        by_id = {c.get("id"): c for c in sent}
        answers = [tamper_answer(by_id.get(a.get("id"), {}), a, current) for a in answers]
        trickle = current.get("trickle")
        slow = None
        if trickle and (trickle.get("methods") is None or methods & set(trickle["methods"])):
            slow = float(trickle.get("interval", 2))
        self.reply(answers if isinstance(body, list) else answers[0], trickle=slow)


def main():
    global UPSTREAM
    args = sys.argv[1:]
    UPSTREAM = args[args.index("--upstream") + 1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()  # returns when the parent closes our stdin or dies


if __name__ == "__main__":
    main()
