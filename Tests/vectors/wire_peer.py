#!/usr/bin/env python3
"""An independent FerryWire peer, written from docs/wire.md only (pyzmq + pycryptodome).

Used by FerryWireTests/InteropTests.swift:
    wire_peer.py --endpoint <swift XPUB> --server-key <swift public Z85> --public <own Z85> --secret <own Z85>

It runs a ZAP handler admitting only the Swift node's key, binds its own XPUB (CURVE server), prints
"ENDPOINT <endpoint>", subscribes to the Swift node, then:
  - once the Swift node subscribes to it, publishes its own attestation P (with the transfer);
  - on each attestation from the Swift node: decodes it strictly, prints "GOT <json>", checks that its own
    re-encoding is byte-identical, and publishes that re-encoding back (the echo), once the Swift node has
    subscribed (PUB drops frames nobody subscribes to);
  - the same for an attestations batch (kind 5), printed as "GOT-BATCH <json list>";
  - any frame that fails to decode is reported as "REJECT <reason>" and makes the run fail.
Exits 0 after echoing one attestation and one batch, 1 on any failure or after 90 s.
"""
import argparse, json, struct, sys, threading, time

import zmq
from zmq.utils import z85
from Crypto.Hash import keccak

MAX_FRAME = 4096
VERSION = 1
KIND_HELLO, KIND_HEARTBEAT, KIND_ATTESTATION, KIND_REQUEST, KIND_BATCH = 1, 2, 3, 4, 5
BATCH_ENTRY = 126


class FrameError(Exception):
    def __init__(self, reason, detail):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def keccak256(data):
    return keccak.new(digest_bits=256, data=data).digest()


def word(v):
    return v.to_bytes(32, "big")


def encode_transfer(t):
    return (word(t["version"]) + word(t["sourceChain"]) + word(t["destChain"]) + word(t["nonce"])
            + t["sender"] + t["receiver"] + t["sourceAsset"] + t["destAsset"]
            + word(t["amount"]) + word(t["fee"]) + word(t["deadline"]) + t["payloadHash"])


def decode_transfer(b):
    assert len(b) == 384
    w = [b[i * 32:(i + 1) * 32] for i in range(12)]

    def uint(i, bits):
        pad = 32 - bits // 8
        if any(w[i][:pad]):
            raise FrameError("badField", f"transfer word {i} does not fit uint{bits}")
        return int.from_bytes(w[i], "big")

    t = dict(version=uint(0, 8), sourceChain=uint(1, 64), destChain=uint(2, 64), nonce=uint(3, 64),
             sender=w[4], receiver=w[5], sourceAsset=w[6], destAsset=w[7],
             amount=int.from_bytes(w[8], "big"), fee=int.from_bytes(w[9], "big"),
             deadline=uint(10, 64), payloadHash=w[11])
    if t["version"] != 1:
        raise FrameError("badField", "transfer version")
    return t


def encode_attestation(a):
    out = bytes([VERSION, KIND_ATTESTATION]) + struct.pack(">Q", a["destChain"]) + a["messageId"]
    out += bytes([a["action"]]) + a["signer"] + a["r"] + a["s"] + bytes([a["v"]])
    if a.get("transfer") is None:
        return out + b"\x00"
    return out + b"\x01" + encode_transfer(a["transfer"])


def decode(frame):
    """Strict decoder, checks in the order of docs/wire.md section 4."""
    n = len(frame)
    if n == 0:
        raise FrameError("truncated", "empty")
    if n > MAX_FRAME:
        raise FrameError("oversized", n)
    if frame[0] != VERSION:
        raise FrameError("wrongVersion", frame[0])
    if n < 2:
        raise FrameError("truncated", "header")
    kind = frame[1]
    if kind == KIND_ATTESTATION:
        if n < 129:
            raise FrameError("truncated", n)
        flag = frame[128]
        if flag not in (0, 1):
            # Field checks come after length checks, but the flag decides the length.
            raise FrameError("badField", "flag")
        want = 129 if flag == 0 else 513
        if n != want:
            raise FrameError("truncated" if n < want else "badLength", n)
        a = dict(destChain=struct.unpack(">Q", frame[2:10])[0], messageId=frame[10:42], action=frame[42],
                 signer=frame[43:63], r=frame[63:95], s=frame[95:127], v=frame[127], transfer=None)
        if a["action"] not in (1, 2, 3):
            raise FrameError("badField", "action")
        if not any(a["signer"]):
            raise FrameError("badField", "zero signer")
        if a["v"] not in (27, 28):
            raise FrameError("badField", "v")
        if flag == 1:
            raw = frame[129:513]
            t = decode_transfer(raw)
            if t["destChain"] != a["destChain"] or keccak256(raw) != a["messageId"]:
                raise FrameError("badField", "transfer does not match")
            a["transfer"] = t
        return ("attestation", a)
    if kind in (KIND_HELLO, KIND_HEARTBEAT):
        if n < 44:
            raise FrameError("truncated", n)
        count = frame[43]
        if count > 32:
            raise FrameError("badField", "head count")
        want = 44 + 16 * count
        if n != want:
            raise FrameError("truncated" if n < want else "badLength", n)
        return ("status", frame)
    if kind == KIND_REQUEST:
        if n < 3:
            raise FrameError("truncated", n)
        count = frame[2]
        if not 1 <= count <= 64:
            raise FrameError("badField", "id count")
        want = 3 + 32 * count
        if n != want:
            raise FrameError("truncated" if n < want else "badLength", n)
        return ("request", frame)
    if kind == KIND_BATCH:
        if n < 3:
            raise FrameError("truncated", n)
        count = frame[2]
        if not 1 <= count <= 32:
            raise FrameError("badField", "entry count")
        want = 3 + BATCH_ENTRY * count
        if n != want:
            raise FrameError("truncated" if n < want else "badLength", n)
        entries = []
        for i in range(count):
            e = frame[3 + BATCH_ENTRY * i:3 + BATCH_ENTRY * (i + 1)]
            a = dict(destChain=struct.unpack(">Q", e[0:8])[0], messageId=e[8:40], action=e[40],
                     signer=e[41:61], r=e[61:93], s=e[93:125], v=e[125], transfer=None)
            if a["action"] not in (1, 2, 3):
                raise FrameError("badField", f"entry {i} action")
            if not any(a["signer"]):
                raise FrameError("badField", f"entry {i} zero signer")
            if a["v"] not in (27, 28):
                raise FrameError("badField", f"entry {i} v")
            entries.append(a)
        return ("attestations", entries)
    raise FrameError("unknownKind", kind)


def encode_batch(entries):
    out = bytes([VERSION, KIND_BATCH, len(entries)])
    for a in entries:
        out += struct.pack(">Q", a["destChain"]) + a["messageId"] + bytes([a["action"]]) + a["signer"] + a["r"] + a["s"] + bytes([a["v"]])
    return out


def sample_transfer():
    return dict(version=1, sourceChain=1, destChain=8453, nonce=42,
                sender=bytes(12) + b"\x11" * 20, receiver=bytes(12) + b"\x22" * 20,
                sourceAsset=b"\x33" * 32, destAsset=b"\x44" * 32, amount=12_500_000, fee=1_000,
                deadline=1_800_000_000, payloadHash=b"\x55" * 32)


def own_attestation():
    t = sample_transfer()
    return dict(destChain=8453, messageId=keccak256(encode_transfer(t)), action=1, signer=b"\xab" * 20,
                r=b"\x01" * 32, s=b"\x02" * 32, v=27, transfer=t)


def zap_handler(sock, allowed_key, stop):
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    while not stop.is_set():
        if not poller.poll(100):
            continue
        req = sock.recv_multipart()
        if len(req) < 6 or req[0] != b"1.0":
            sock.send_multipart([b"1.0", req[1] if len(req) > 1 else b"", b"500", b"malformed", b"", b""])
            continue
        ok = req[5] == b"CURVE" and len(req) == 7 and req[6] == allowed_key
        code, text = (b"200", b"OK") if ok else (b"400", b"unknown public key")
        sock.send_multipart([b"1.0", req[1], code, text, z85.encode(req[6]) if ok else b"", b""])
    sock.close(0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--server-key", required=True)
    p.add_argument("--public", required=True)
    p.add_argument("--secret", required=True)
    args = p.parse_args()
    swift_key = args.server_key.encode()

    ctx = zmq.Context()
    stop = threading.Event()
    zap = ctx.socket(zmq.REP)
    zap.bind("inproc://zeromq.zap.01")
    zap_thread = threading.Thread(target=zap_handler, args=(zap, z85.decode(swift_key), stop), daemon=True)
    zap_thread.start()

    pub = ctx.socket(zmq.XPUB)
    pub.setsockopt(zmq.XPUB_VERBOSE, 1)
    pub.curve_server = True
    pub.curve_secretkey = args.secret.encode()
    pub.zap_domain = b"ferry"
    pub.bind("tcp://127.0.0.1:*")
    print("ENDPOINT", pub.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)

    sub = ctx.socket(zmq.SUB)
    sub.curve_serverkey = swift_key
    sub.curve_publickey = args.public.encode()
    sub.curve_secretkey = args.secret.encode()
    sub.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)
    sub.subscribe(b"")
    sub.connect(args.endpoint)

    poller = zmq.Poller()
    poller.register(pub, zmq.POLLIN)
    poller.register(sub, zmq.POLLIN)
    deadline = time.monotonic() + 90  # a deadline, not a delay: generous for a loaded CI machine
    sent_own = echoed = echoed_batch = False
    pending = []  # echoes held until the Swift node subscribes (PUB drops frames nobody subscribes to)
    status = 1

    def publish(frame):
        if sent_own:
            pub.send(frame)
        else:
            pending.append(frame)

    while time.monotonic() < deadline and not (sent_own and echoed and echoed_batch):
        for sock, _ in poller.poll(200):
            parts = sock.recv_multipart()
            if sock is pub:
                if parts[0][:1] == b"\x01" and not sent_own:  # the Swift node subscribed
                    pub.send(encode_attestation(own_attestation()))
                    sent_own = True
                    print("SENT own attestation", flush=True)
                    for frame in pending:
                        pub.send(frame)
                        print("SENT held echo", flush=True)
                    pending.clear()
                continue
            if len(parts) != 1:
                print("REJECT badLength multipart", flush=True)
                continue
            try:
                kind, value = decode(parts[0])
            except FrameError as e:
                print("REJECT", e.reason, e, flush=True)
                continue
            if kind == "attestations":
                again = encode_batch(value)
                if again != parts[0]:
                    print("MISMATCH batch re-encoding differs", flush=True)
                    continue
                shown = [{k: (v.hex() if isinstance(v, bytes) else v) for k, v in a.items() if k != "transfer"} for a in value]
                print("GOT-BATCH", json.dumps(shown, sort_keys=True), flush=True)
                publish(again)
                echoed_batch = True
                continue
            if kind != "attestation":
                print("SKIP", kind, flush=True)
                continue
            again = encode_attestation(value)
            if again != parts[0]:
                print("MISMATCH re-encoding differs", flush=True)
                continue
            shown = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in value.items() if k != "transfer"}
            print("GOT", json.dumps(shown, sort_keys=True), flush=True)
            publish(again)
            echoed = True
    if sent_own and echoed and echoed_batch:
        status = 0
    else:
        print(f"TIMEOUT sent_own={sent_own} echoed={echoed} echoed_batch={echoed_batch}", flush=True)
    stop.set()
    zap_thread.join()
    pub.close(linger=2000)  # let the echo leave before exiting
    sub.close(0)
    ctx.term()
    sys.exit(status)


if __name__ == "__main__":
    main()
