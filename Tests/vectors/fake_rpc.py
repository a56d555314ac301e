#!/usr/bin/env python3
"""A misbehaving JSON-RPC endpoint for FerryEVM's client tests. Binds 127.0.0.1 on a free port, prints
{"port": N} on its first line, exits with its parent (stdin closes) or on SIGTERM.

Each method answers one way: malformed quantities, wrong types, missing fields, HTTP errors, a delay."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()

def answer(method, rid):
    with lock:
        counts[method] = counts.get(method, 0) + 1
        n = counts[method]
    ok = lambda result: (200, {"jsonrpc": "2.0", "id": rid, "result": result})
    if method == "eth_blockNumber":          # leading zero: not a canonical quantity
        return ok("0x01")
    if method == "eth_chainId":              # a JSON number where a hex string belongs
        return ok(5)
    if method == "eth_getBalance":           # not hex
        return ok("0xzz")
    if method == "eth_getBlockByNumber":     # no hash
        return ok({"number": "0x1", "parentHash": "0x" + "00" * 32, "timestamp": "0x5"})
    if method == "eth_gasPrice":             # empty quantity
        return ok("0x")
    if method == "eth_call":                 # odd-length data
        return ok("0xabc")
    if method == "flaky_503":                # two 503s, then an answer
        return (503, "overloaded") if n <= 2 else ok("0x2a")
    if method == "always_429":
        return (429, "slow down")
    if method == "bad_json":
        return (200, "this is not json")
    if method == "wrong_id":
        return (200, {"jsonrpc": "2.0", "id": 999999, "result": "0x1"})
    if method == "slow":
        time.sleep(3)
        return ok("0x1")
    if method == "count":                    # how often a method was asked: params[0]
        return ok(None)
    return (200, {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": f"the method {method} does not exist"}})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        if isinstance(body, list):
            replies = [answer(r["method"], r.get("id"))[1] for r in body]
            if body and body[0]["method"] == "count":
                replies = [{"jsonrpc": "2.0", "id": r.get("id"), "result": counts.get(r["params"][0], 0)} for r in body]
            status, payload = 200, replies
        elif body.get("method") == "count":
            status, payload = 200, {"jsonrpc": "2.0", "id": body.get("id"), "result": hex(counts.get(body["params"][0], 0))}
        else:
            status, payload = answer(body["method"], body.get("id"))
        data = (json.dumps(payload) if not isinstance(payload, str) else payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(json.dumps({"port": server.server_address[1]}), flush=True)
sys.stdin.read()  # returns when the parent closes our stdin or dies
