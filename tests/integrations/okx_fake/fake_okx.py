#!/usr/bin/env python3
"""A local fake of the OKX v5 API for tachyon's tests: REST and WebSocket over TLS on
127.0.0.1, with a self-signed certificate made at start-up (openssl CLI).

It re-verifies every signature it receives (REST OK-ACCESS-SIGN and WebSocket login),
enforces OKX's rate limits, keeps orders, and streams an order book with seqId /
prevSeqId and checksums (books), and its best 5 levels (books5) and best level
(bbo-tbt) as full pushes after every change. Tests script faults through unsigned
/__fake/* endpoints; POST /__fake/config {"hold_snapshots": true} keeps new books
subscriptions without their snapshot (a resubscribed book stays stale) until
{"hold_snapshots": false}.
Python 3 standard library only. Prints "PORT <n>" on stdout once it listens.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import random
import select
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib

LOCK = threading.RLock()
ARGS = None

INSTRUMENTS = {
    "BTC-USDT": {"tickSz": "0.1", "lotSz": "0.00000001", "minSz": "0.00001", "tick_scale": 1, "lot_scale": 8,
                 "mid": 300000},
    "ETH-USDT": {"tickSz": "0.01", "lotSz": "0.000001", "minSz": "0.0001", "tick_scale": 2, "lot_scale": 6,
                 "mid": 200000},
}

# OKX's published limits: requests (or orders for batch endpoints) per 2 s.
DEFAULT_LIMITS = {
    "/api/v5/trade/order POST": 60, "/api/v5/trade/batch-orders POST": 300,
    "/api/v5/trade/cancel-order POST": 60, "/api/v5/trade/cancel-batch-orders POST": 300,
    "/api/v5/trade/amend-order POST": 60, "/api/v5/trade/amend-batch-orders POST": 300,
    "/api/v5/trade/order GET": 60, "/api/v5/account/balance GET": 10, "/api/v5/account/positions GET": 10,
    "/api/v5/public/instruments GET": 20, "/api/v5/market/books GET": 40, "/api/v5/public/time GET": 10,
}


def fmt_units(n, scale):
    """Shortest exact decimal text of n * 10^-scale."""
    neg = n < 0
    s = str(abs(n)).rjust(scale + 1, "0")
    if scale:
        s = s[:-scale] + "." + s[-scale:]
        s = s.rstrip("0").rstrip(".")
    return ("-" if neg else "") + s


def parse_units(text, scale):
    """Exact integer count of 10^-scale in a decimal string, or None."""
    try:
        if text.startswith("-") or "e" in text.lower():
            return None
        whole, _, frac = text.partition(".")
        if len(frac) > scale and frac[scale:].strip("0"):
            return None
        frac = (frac + "0" * scale)[:scale]
        return int(whole or "0") * 10 ** scale + int(frac or "0")
    except ValueError:
        return None


def now_ms():
    return int(time.time() * 1000)


def server_ms():
    return now_ms() + STATE["time_offset_ms"]


def signed_crc(text):
    c = zlib.crc32(text.encode())
    return c - (1 << 32) if c >= (1 << 31) else c


class Book:
    """The venue's book for one instrument, in ticks and lots, with its sequence."""

    def __init__(self, inst_id, seed):
        self.inst_id = inst_id
        self.meta = INSTRUMENTS[inst_id]
        self.rng = random.Random(seed)
        self.bids = {}
        self.asks = {}
        self.seq = 1000
        mid = self.meta["mid"]
        for i in range(1, 31):
            self.bids[mid - i] = self.rng.randint(1, 5_000_000_000)
            self.asks[mid + i] = self.rng.randint(1, 5_000_000_000)

    def levels(self, side, depth=None):
        book = self.bids if side == "bids" else self.asks
        keys = sorted(book, reverse=(side == "bids"))
        if depth is not None:
            keys = keys[:depth]
        return [[fmt_units(k, self.meta["tick_scale"]), fmt_units(book[k], self.meta["lot_scale"]), "0", "1"]
                for k in keys]

    def checksum(self):
        b, a = self.levels("bids", 25), self.levels("asks", 25)
        parts = []
        for i in range(25):
            if i < len(b):
                parts += [b[i][0], b[i][1]]
            if i < len(a):
                parts += [a[i][0], a[i][1]]
        return signed_crc(":".join(parts))

    def random_changes(self):
        """Applies 1-3 random level changes; returns (bids, asks) as sent."""
        mid = self.meta["mid"]
        out = {"bids": [], "asks": []}
        for _ in range(self.rng.randint(1, 3)):
            side = self.rng.choice(["bids", "asks"])
            book = self.bids if side == "bids" else self.asks
            px = mid - self.rng.randint(1, 40) if side == "bids" else mid + self.rng.randint(1, 40)
            if px in book and self.rng.random() < 0.25:
                del book[px]
                size = 0
            else:
                size = self.rng.randint(1, 5_000_000_000)
                book[px] = size
            if any(l[0] == fmt_units(px, self.meta["tick_scale"]) for l in out[side]):
                out[side] = [l for l in out[side] if l[0] != fmt_units(px, self.meta["tick_scale"])]
            out[side].append([fmt_units(px, self.meta["tick_scale"]), fmt_units(size, self.meta["lot_scale"]),
                              "0", "0" if size == 0 else "1"])
        return out["bids"], out["asks"]


STATE = {}


def reset_state():
    with LOCK:
        STATE.clear()
        STATE.update({
            "time_offset_ms": 0,
            "faults": [],          # REST faults, consumed in order when they match
            "stats": {"rest": 0, "sign_ok": 0, "sign_bad": 0, "rate_rejections": 0, "ws_connections": 0,
                      "ws_logins": 0, "ws_login_bad": 0, "pings": 0, "subscribes": 0, "unsubscribes": 0,
                      "orders_created": 0, "paths": {}, "rest_connections": 0, "ws_text_in": 0},
            "orders": {},          # ordId -> order
            "next_ord_id": 500000000000000000,
            "limits": dict(DEFAULT_LIMITS),
            "windows": {},         # limit key -> list of times (ms)
            "books": {k: Book(k, ARGS.seed + i) for i, k in enumerate(INSTRUMENTS)},
            "ticker_ms": 20,
            "paused": False,
            "checksum": True,
            "ignore_ping": False,
            "pending": [],         # one-shot WebSocket actions for the ticker
            "hold_snapshots": False,  # books subscriptions wait for their snapshot until released
            "held": [],            # (session, instId) whose books snapshot is held
            "usdt": 10000 * 10 ** 8,  # available USDT in 1e-8
        })
        for s in list(SESSIONS):
            s.close()


SESSIONS = set()


# ----------------------------------------------------------------------------- REST

def okx_error(code, msg, http_status=200, data=None):
    return http_status, {"code": str(code), "msg": msg, "data": data if data is not None else []}


def verify_signature(handler, method, target, body):
    """Returns None when the request is properly signed, else (http, payload)."""
    h = handler.headers
    key, sign, ts, pp = (h.get("OK-ACCESS-KEY"), h.get("OK-ACCESS-SIGN"), h.get("OK-ACCESS-TIMESTAMP"),
                         h.get("OK-ACCESS-PASSPHRASE"))
    if not key or key != ARGS.api_key:
        return okx_error(50111, "Invalid OK-ACCESS-KEY.", 401)
    if pp != ARGS.passphrase:
        return okx_error(50105, "Invalid OK-ACCESS-PASSPHRASE.", 401)
    try:
        t = datetime.datetime.strptime(ts or "", "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        if len(ts) != 24:
            raise ValueError("not millisecond precision")
    except ValueError:
        return okx_error(50112, "Invalid OK-ACCESS-TIMESTAMP.", 401)
    if abs(t.timestamp() * 1000 - server_ms()) > 30_000:
        return okx_error(50102, "Timestamp request expired.", 401)
    want = base64.b64encode(hmac.new(ARGS.secret.encode(), (ts + method + target + body).encode(),
                                     hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(want, sign or ""):
        with LOCK:
            STATE["stats"]["sign_bad"] += 1
        return okx_error(50113, "Invalid Sign", 401)
    demo = h.get("x-simulated-trading")
    if ARGS.demo and demo != "1":
        return okx_error(50101, "APIKey does not match current environment.", 401)
    if not ARGS.demo and demo is not None:
        return okx_error(50101, "APIKey does not match current environment.", 401)
    with LOCK:
        STATE["stats"]["sign_ok"] += 1
    return None


def over_limit(key, cost):
    limit = STATE["limits"].get(key)
    if limit is None:
        return False
    t = now_ms()
    w = [x for x in STATE["windows"].get(key, []) if x > t - 2000]
    if len(w) + cost > limit:
        STATE["windows"][key] = w
        return True
    STATE["windows"][key] = w + [t] * cost
    return False


def order_view(o):
    return {k: o[k] for k in ("instId", "ordId", "clOrdId", "px", "sz", "side", "ordType", "state", "accFillSz",
                              "avgPx", "cTime", "uTime", "tdMode")}


def place(item):
    """Places one order; returns the data item with sCode."""
    inst = item.get("instId")
    cl = item.get("clOrdId", "")
    if inst not in INSTRUMENTS:
        return {"ordId": "", "clOrdId": cl, "tag": "", "sCode": "51001", "sMsg": "Instrument ID does not exist."}
    meta = INSTRUMENTS[inst]
    if item.get("side") not in ("buy", "sell") or item.get("tdMode") not in ("cash", "cross", "isolated"):
        return {"ordId": "", "clOrdId": cl, "tag": "", "sCode": "51000", "sMsg": "Parameter side error"}
    px = parse_units(item.get("px", ""), meta["tick_scale"]) if item.get("ordType") != "market" else 0
    sz = parse_units(item.get("sz", ""), meta["lot_scale"])
    if px is None or sz is None or sz <= 0:
        return {"ordId": "", "clOrdId": cl, "tag": "", "sCode": "51000", "sMsg": "Parameter px or sz error"}
    if cl and any(o["clOrdId"] == cl and o["state"] == "live" for o in STATE["orders"].values()):
        return {"ordId": "", "clOrdId": cl, "tag": "", "sCode": "51016", "sMsg": "Duplicated clOrdId"}
    if item["side"] == "buy":
        # notional in 1e-8 USDT: px (ticks) * sz (lots)
        cost = px * sz * 10 ** 8 // (10 ** meta["tick_scale"] * 10 ** meta["lot_scale"])
        if cost > STATE["usdt"]:
            return {"ordId": "", "clOrdId": cl, "tag": "", "sCode": "51008",
                    "sMsg": "Order failed. Insufficient USDT balance in account."}
        STATE["usdt"] -= cost
    STATE["next_ord_id"] += 1
    oid = str(STATE["next_ord_id"])
    t = str(now_ms())
    STATE["orders"][oid] = {"instId": inst, "ordId": oid, "clOrdId": cl, "px": item.get("px", ""),
                            "sz": item["sz"], "side": item["side"], "ordType": item.get("ordType", "limit"),
                            "state": "live", "accFillSz": "0", "avgPx": "", "cTime": t, "uTime": t,
                            "tdMode": item["tdMode"]}
    STATE["stats"]["orders_created"] += 1
    push_private("orders", [order_view(STATE["orders"][oid])])
    return {"ordId": oid, "clOrdId": cl, "tag": "", "sCode": "0", "sMsg": ""}


def find_order(item):
    if item.get("ordId"):
        return STATE["orders"].get(item["ordId"])
    for o in STATE["orders"].values():
        if item.get("clOrdId") and o["clOrdId"] == item["clOrdId"]:
            return o
    return None


def cancel(item):
    o = find_order(item)
    if o is None or o["state"] != "live":
        return {"ordId": item.get("ordId", ""), "clOrdId": item.get("clOrdId", ""), "sCode": "51400",
                "sMsg": "Cancellation failed as the order has been filled, canceled or does not exist."}
    o["state"] = "canceled"
    o["uTime"] = str(now_ms())
    push_private("orders", [order_view(o)])
    return {"ordId": o["ordId"], "clOrdId": o["clOrdId"], "sCode": "0", "sMsg": ""}


def amend(item):
    o = find_order(item)
    if o is None or o["state"] != "live":
        return {"ordId": item.get("ordId", ""), "clOrdId": item.get("clOrdId", ""), "reqId": item.get("reqId", ""),
                "sCode": "51503", "sMsg": "Order modification failed as the order does not exist."}
    if "newSz" in item:
        o["sz"] = item["newSz"]
    if "newPx" in item:
        o["px"] = item["newPx"]
    o["uTime"] = str(now_ms())
    push_private("orders", [order_view(o)])
    return {"ordId": o["ordId"], "clOrdId": o["clOrdId"], "reqId": item.get("reqId", ""), "sCode": "0", "sMsg": ""}


def batch_answer(items):
    failed = sum(1 for i in items if i["sCode"] != "0")
    code = "0" if failed == 0 else ("1" if failed == len(items) else "2")
    msg = "" if code == "0" else ("All operations failed" if code == "1" else "Bulk operation partially succeeded")
    return 200, {"code": code, "msg": msg, "data": items}


def single_answer(item):
    if item["sCode"] != "0":
        return 200, {"code": "1", "msg": "All operations failed", "data": [item]}
    return 200, {"code": "0", "msg": "", "data": [item]}


def take_fault(method, path):
    """Returns the first scripted fault for this request, consuming one use."""
    for f in STATE["faults"]:
        if f.get("path") == path and f.get("method", method) == method and f.get("times", 1) > 0:
            f["times"] = f.get("times", 1) - 1
            return dict(f)
    return None


def handle_api(handler, method, target, body):
    parsed = urllib.parse.urlsplit(target)
    path = parsed.path
    q = dict(urllib.parse.parse_qsl(parsed.query))
    key = path + " " + method
    with LOCK:
        STATE["stats"]["rest"] += 1
        STATE["stats"]["paths"][key] = STATE["stats"]["paths"].get(key, 0) + 1
        fault = take_fault(method, path)
    if path.startswith("/api/v5/account/") or path.startswith("/api/v5/trade/"):
        bad = verify_signature(handler, method, target, body)
        if bad:
            return bad
    elif handler.headers.get("OK-ACCESS-SIGN"):
        pass  # public endpoints ignore signatures
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        return okx_error(50002, "Json data format error", 400)
    cost = len(payload) if isinstance(payload, list) else 1
    with LOCK:
        if over_limit(key, cost):
            STATE["stats"]["rate_rejections"] += 1
            return okx_error(50011, "Rate limit reached. Please refer to API documentation and throttle requests "
                             "accordingly.", 429)
    if fault:
        if fault.get("delay_ms"):
            if fault.get("create_first"):
                with LOCK:
                    item = place(payload)
            time.sleep(fault["delay_ms"] / 1000.0)
            if fault.get("create_first"):
                return single_answer(item)
        if fault.get("drop"):
            if fault.get("create_first"):
                with LOCK:
                    place(payload)
            return "drop", None
        if fault.get("http") or fault.get("code"):
            if fault.get("create_first"):
                with LOCK:
                    place(payload)
            return okx_error(fault.get("code", "50011"), fault.get("msg", "scripted fault"), fault.get("http", 200))
        if fault.get("sCode"):
            return single_answer({"ordId": "", "clOrdId": (payload or {}).get("clOrdId", ""), "tag": "",
                                  "sCode": str(fault["sCode"]), "sMsg": fault.get("sMsg", "scripted item fault")})
    with LOCK:
        if path == "/api/v5/public/time":
            return 200, {"code": "0", "msg": "", "data": [{"ts": str(server_ms())}]}
        if path == "/api/v5/public/instruments":
            data = [{"instId": k, "instType": "SPOT", "tickSz": v["tickSz"], "lotSz": v["lotSz"],
                     "minSz": v["minSz"], "state": "live", "baseCcy": k.split("-")[0], "quoteCcy": "USDT"}
                    for k, v in INSTRUMENTS.items() if q.get("instId", k) == k]
            return 200, {"code": "0", "msg": "", "data": data}
        if path == "/api/v5/market/books":
            b = STATE["books"].get(q.get("instId"))
            if b is None:
                return okx_error(51001, "Instrument ID does not exist.", 200)
            depth = int(q.get("sz", "1"))
            return 200, {"code": "0", "msg": "", "data": [{"asks": b.levels("asks", depth),
                                                          "bids": b.levels("bids", depth), "ts": str(now_ms())}]}
        if path == "/api/v5/account/balance":
            usdt = fmt_units(STATE["usdt"], 8)
            details = [{"ccy": "USDT", "eq": usdt, "cashBal": usdt, "availBal": usdt, "frozenBal": "0"},
                       {"ccy": "BTC", "eq": "1.5", "cashBal": "1.5", "availBal": "1.5", "frozenBal": "0"}]
            if q.get("ccy"):
                details = [d for d in details if d["ccy"] == q["ccy"]]
            return 200, {"code": "0", "msg": "", "data": [{"totalEq": "55000.12345678901234", "uTime": str(now_ms()),
                                                          "details": details}]}
        if path == "/api/v5/account/positions":
            return 200, {"code": "0", "msg": "", "data": [
                {"instId": "BTC-USDT-SWAP", "instType": "SWAP", "mgnMode": "cross", "posSide": "net", "pos": "2",
                 "avgPx": "30000.5", "upl": "12.25", "lever": "3"}]}
        if path == "/api/v5/trade/order" and method == "POST":
            return single_answer(place(payload))
        if path == "/api/v5/trade/order" and method == "GET":
            o = find_order(q)
            if o is None:
                return okx_error(51603, "Order does not exist", 200)
            return 200, {"code": "0", "msg": "", "data": [order_view(o)]}
        if path in ("/api/v5/trade/batch-orders", "/api/v5/trade/cancel-batch-orders",
                    "/api/v5/trade/amend-batch-orders"):
            if not isinstance(payload, list) or not 1 <= len(payload) <= 20:
                return okx_error(51004, "Batch size must be 1 to 20", 200)
            fn = {"/api/v5/trade/batch-orders": place, "/api/v5/trade/cancel-batch-orders": cancel,
                  "/api/v5/trade/amend-batch-orders": amend}[path]
            return batch_answer([fn(i) for i in payload])
        if path == "/api/v5/trade/cancel-order":
            return single_answer(cancel(payload))
        if path == "/api/v5/trade/amend-order":
            return single_answer(amend(payload))
    return 404, {"code": "404", "msg": "Not Found", "data": []}


def handle_control(handler, method, path, body):
    payload = json.loads(body) if body else {}
    with LOCK:
        if path == "/__fake/state":
            s = json.loads(json.dumps(STATE["stats"]))
            s["books"] = {k: {"seqId": b.seq} for k, b in STATE["books"].items()}
            s["sessions"] = len(SESSIONS)
            s["orders"] = [order_view(o) for o in STATE["orders"].values()]
            s["faults_left"] = sum(f.get("times", 1) for f in STATE["faults"])
            return 200, s
        if path == "/__fake/reset":
            reset_state()
            return 200, {"ok": True}
        if path == "/__fake/faults":
            STATE["faults"].extend(payload if isinstance(payload, list) else [payload])
            return 200, {"ok": True}
        if path == "/__fake/config":
            for k in ("time_offset_ms", "ticker_ms", "paused", "checksum", "ignore_ping", "hold_snapshots"):
                if k in payload:
                    STATE[k] = payload[k]
            if not STATE["hold_snapshots"]:
                # Released: every held subscription gets its snapshot of the book as it is now.
                held, STATE["held"] = STATE["held"], []
                for session, inst_id in held:
                    if session.alive and ("books", inst_id) in session.subs:
                        session.send_books_snapshot(inst_id)
            for k, v in payload.get("limits", {}).items():
                STATE["limits"][k] = v
            return 200, {"ok": True}
        if path == "/__fake/ws":
            STATE["pending"].append(payload)
            return 200, {"ok": True}
        if path == "/__fake/book":
            qs = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query)
            b = STATE["books"][qs["instId"][0]]
            depth = int(qs["depth"][0]) if "depth" in qs else None
            return 200, {"seqId": b.seq, "bids": b.levels("bids", depth), "asks": b.levels("asks", depth),
                         "checksum": b.checksum()}
    return 404, {"error": "unknown control path " + path}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.request.do_handshake()
        with LOCK:
            STATE["stats"]["rest_connections"] += 1
        super().setup()

    def log_message(self, fmt, *args):
        if ARGS.verbose:
            sys.stderr.write("fake_okx: " + (fmt % args) + "\n")

    def reply(self, status, payload):
        body = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/__fake/"):
            return self.reply(*handle_control(self, method, path, body))
        status, payload = handle_api(self, method, self.path, body)
        if status == "drop":
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.reply(status, payload)

    def do_GET(self):
        if self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket()
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        Session(self.request, self.rfile, urllib.parse.urlsplit(self.path).path).run()


# ------------------------------------------------------------------------ WebSocket

class Session:
    """One WebSocket connection: reads client frames, sends queued frames."""

    def __init__(self, sock, rfile, path):
        self.sock = sock
        self.rfile = rfile
        self.path = path
        self.private = path.endswith("/private")
        self.logged_in = False
        self.subs = set()  # (channel, instId or instType)
        self.out = []      # (opcode, payload bytes, fragments)
        self.buf = b""     # received bytes not yet parsed
        self.wlock = threading.Lock()
        self.alive = True
        self.conn_id = "%08x" % random.getrandbits(32)
        with LOCK:
            SESSIONS.add(self)
            STATE["stats"]["ws_connections"] += 1

    def close(self):
        self.alive = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def queue(self, text, fragments=1):
        with self.wlock:
            self.out.append((0x1, text.encode(), fragments))

    def queue_json(self, obj, fragments=1):
        self.queue(json.dumps(obj, separators=(",", ":")), fragments)

    def send_frame(self, opcode, payload, fin=True):
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([n])
        elif n < 65536:
            head += bytes([126]) + struct.pack("!H", n)
        else:
            head += bytes([127]) + struct.pack("!Q", n)
        self.sock.sendall(head + payload)

    def flush(self):
        with self.wlock:
            out, self.out = self.out, []
        for opcode, payload, fragments in out:
            if fragments <= 1:
                self.send_frame(opcode, payload)
                continue
            step = max(1, len(payload) // fragments)
            pieces = [payload[i:i + step] for i in range(0, len(payload), step)]
            for i, p in enumerate(pieces):
                self.send_frame(opcode if i == 0 else 0x0, p, fin=(i == len(pieces) - 1))
                time.sleep(0.002)  # separate TCP segments, so the client sees fragments

    def read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_message(self):
        """Reads one (possibly fragmented) message; returns (opcode, payload)."""
        opcode, buf = None, b""
        while True:
            b0, b1 = self.read_exact(2)
            fin, op = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self.read_exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self.read_exact(8))[0]
            mask = self.read_exact(4) if b1 & 0x80 else b"\0\0\0\0"
            payload = bytes(c ^ mask[i % 4] for i, c in enumerate(self.read_exact(n)))
            if op >= 0x8:  # control frames may interleave
                return op, payload
            if op != 0:
                opcode = op
            buf += payload
            if fin:
                return opcode, buf

    def readable(self):
        if self.buf or self.sock.pending() > 0:
            return True
        r, _, _ = select.select([self.sock], [], [], 0.005)
        return bool(r)

    def run(self):
        try:
            while self.alive:
                self.flush()
                if not self.readable():
                    continue
                op, payload = self.read_message()
                if op == 0x8:
                    self.send_frame(0x8, payload[:2])
                    break
                if op == 0x9:
                    self.send_frame(0xA, payload)
                    continue
                if op == 0x1:
                    self.on_text(payload.decode())
        except (ConnectionError, OSError, ValueError, ssl.SSLError):
            pass
        finally:
            self.alive = False
            with LOCK:
                SESSIONS.discard(self)
            try:
                self.sock.close()
            except OSError:
                pass

    def on_text(self, text):
        with LOCK:
            STATE["stats"]["ws_text_in"] += 1
        if text == "ping":
            with LOCK:
                STATE["stats"]["pings"] += 1
                ignore = STATE["ignore_ping"]
            if not ignore:
                self.queue("pong")
            return
        try:
            msg = json.loads(text)
        except ValueError:
            return self.queue_json({"event": "error", "code": "60012", "msg": "Invalid request: " + text[:40],
                                    "connId": self.conn_id})
        op = msg.get("op")
        if op == "login":
            return self.login(msg.get("args", [{}])[0])
        if op in ("subscribe", "unsubscribe"):
            for arg in msg.get("args", []):
                self.subscribe(op, arg)
            return
        self.queue_json({"event": "error", "code": "60012", "msg": "Invalid request", "connId": self.conn_id})

    def send_books_snapshot(self, inst_id):
        """Queues the books channel's snapshot of inst_id (LOCK held)."""
        b = STATE["books"][inst_id]
        self.queue_json({"arg": {"channel": "books", "instId": inst_id}, "action": "snapshot",
                         "data": [{"asks": b.levels("asks", 400), "bids": b.levels("bids", 400),
                                   "ts": str(now_ms()), "checksum": b.checksum() if STATE["checksum"] else 0,
                                   "prevSeqId": -1, "seqId": b.seq}]})

    def login(self, a):
        ts = a.get("timestamp", "")
        want = base64.b64encode(hmac.new(ARGS.secret.encode(), (ts + "GET/users/self/verify").encode(),
                                         hashlib.sha256).digest()).decode()
        ok = (a.get("apiKey") == ARGS.api_key and a.get("passphrase") == ARGS.passphrase and ts.isdigit()
              and abs(int(ts) * 1000 - server_ms()) <= 30_000 and hmac.compare_digest(want, a.get("sign", "")))
        with LOCK:
            STATE["stats"]["ws_logins" if ok else "ws_login_bad"] += 1
        if ok:
            self.logged_in = True
            self.queue_json({"event": "login", "code": "0", "msg": "", "connId": self.conn_id})
        else:
            self.queue_json({"event": "error", "code": "60009", "msg": "Login failed.", "connId": self.conn_id})

    def subscribe(self, op, arg):
        channel = arg.get("channel")
        target = arg.get("instId") or arg.get("instType") or ""
        if channel in ("orders", "positions", "account") and not self.logged_in:
            return self.queue_json({"event": "error", "code": "60011", "msg": "Please log in", "connId": self.conn_id})
        if channel in ("books", "books5", "bbo-tbt", "trades") and target not in INSTRUMENTS:
            return self.queue_json({"event": "error", "code": "60018",
                                    "msg": "Wrong URL or channel:%s,instId:%s doesn't exist" % (channel, target),
                                    "connId": self.conn_id})
        with LOCK:
            STATE["stats"]["subscribes" if op == "subscribe" else "unsubscribes"] += 1
            self.queue_json({"event": op, "arg": arg, "connId": self.conn_id})
            if op == "unsubscribe":
                self.subs.discard((channel, target))
                return
            self.subs.add((channel, target))
            if channel == "books":
                if STATE["hold_snapshots"]:
                    STATE["held"].append((self, target))
                else:
                    self.send_books_snapshot(target)
            elif channel in SHALLOW:
                self.queue_json(shallow_push(STATE["books"][target], channel))
            elif channel == "account":
                usdt = fmt_units(STATE["usdt"], 8)
                self.queue_json({"arg": {"channel": "account"}, "data": [
                    {"totalEq": "55000.1", "uTime": str(now_ms()),
                     "details": [{"ccy": "USDT", "eq": usdt, "cashBal": usdt, "availBal": usdt, "frozenBal": "0"}]}]})
            elif channel == "positions":
                self.queue_json({"arg": {"channel": "positions", "instType": target}, "data": [
                    {"instId": "BTC-USDT-SWAP", "instType": "SWAP", "mgnMode": "cross", "posSide": "net", "pos": "2",
                     "avgPx": "30000.5", "upl": "12.25", "lever": "3", "uTime": str(now_ms())}]})


def push_private(channel, data):
    """Sends data on channel to every logged-in session subscribed to it (LOCK held)."""
    for s in list(SESSIONS):
        if s.logged_in and any(c == channel for c, _ in s.subs):
            s.queue_json({"arg": {"channel": channel, "instType": "ANY"}, "data": data})


def book_subscribers(inst_id, channel="books"):
    return [s for s in list(SESSIONS) if (channel, inst_id) in s.subs]


# Channels whose every push is the whole (shallow) book: their depth.
SHALLOW = {"books5": 5, "bbo-tbt": 1}


def shallow_push(b, channel):
    """A books5 or bbo-tbt push of the book's best levels, as OKX sends them."""
    depth = SHALLOW[channel]
    item = {"asks": b.levels("asks", depth), "bids": b.levels("bids", depth), "ts": str(now_ms()), "seqId": b.seq}
    if channel == "books5":
        item["instId"] = b.inst_id
    return {"arg": {"channel": channel, "instId": b.inst_id}, "data": [item]}


def send_shallow(b):
    """Sends the book's best levels to its books5 and bbo-tbt subscribers."""
    for channel in SHALLOW:
        subs = book_subscribers(b.inst_id, channel)
        if subs:
            msg = shallow_push(b, channel)
            for s in subs:
                s.queue_json(msg)


def ticker():
    """Advances every book and streams updates; applies one-shot actions."""
    while True:
        time.sleep(STATE.get("ticker_ms", 20) / 1000.0)
        with LOCK:
            actions, STATE["pending"] = STATE["pending"], []
            for a in actions:
                apply_action(a)
            if STATE["paused"]:
                continue
            for inst_id, b in STATE["books"].items():
                if not any(book_subscribers(inst_id, c) for c in ["books", *SHALLOW]):
                    continue
                send_update(b, book_subscribers(inst_id))


def send_update(b, subs, fragments=1, bad_checksum=False, drop=False, reset=False):
    bids, asks = b.random_changes()
    prev = b.seq
    b.seq = 3 if reset else b.seq + 1
    cs = (b.checksum() ^ 0x5A5A) if bad_checksum else (b.checksum() if STATE["checksum"] else 0)
    msg = {"arg": {"channel": "books", "instId": b.inst_id}, "action": "update",
           "data": [{"asks": asks, "bids": bids, "ts": str(now_ms()), "checksum": cs,
                     "prevSeqId": prev, "seqId": b.seq}]}
    send_shallow(b)
    if drop:
        return  # the venue "loses" this message: subscribers see a gap next
    for s in subs:
        s.queue_json(msg, fragments)


def apply_action(a):
    kind = a.get("action")
    books = [STATE["books"][a["instId"]]] if a.get("instId") else list(STATE["books"].values())
    for b in books:
        subs = book_subscribers(b.inst_id)
        if kind == "gap":
            send_update(b, subs, drop=True)
        elif kind == "heartbeat":
            for s in subs:
                s.queue_json({"arg": {"channel": "books", "instId": b.inst_id}, "action": "update",
                              "data": [{"asks": [], "bids": [], "ts": str(now_ms()), "checksum": 0,
                                        "prevSeqId": b.seq, "seqId": b.seq}]})
        elif kind == "reset":
            send_update(b, subs, reset=True)
        elif kind == "fragmented":
            send_update(b, subs, fragments=a.get("fragments", 3))
        elif kind == "bad_checksum":
            send_update(b, subs, bad_checksum=True)
        elif kind == "update":
            for _ in range(a.get("n", 1)):
                send_update(b, subs)
    if kind == "malformed":
        for s in list(SESSIONS):
            s.queue(a.get("text", '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"upd'))
    elif kind == "drop":
        for s in list(SESSIONS):
            s.close()
    elif kind == "trade":
        for s in list(SESSIONS):
            if ("trades", a.get("instId", "BTC-USDT")) in s.subs:
                s.queue_json({"arg": {"channel": "trades", "instId": a.get("instId", "BTC-USDT")},
                              "data": [{"instId": a.get("instId", "BTC-USDT"), "tradeId": "130639474",
                                        "px": "30000.1", "sz": "0.0123", "side": "sell", "ts": str(now_ms()),
                                        "count": "1"}]})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_cert(cert_dir):
    cert, key = os.path.join(cert_dir, "fake_okx_cert.pem"), os.path.join(cert_dir, "fake_okx_key.pem")
    if not (os.path.exists(cert) and os.path.exists(key)):
        os.makedirs(cert_dir, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cert-dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--api-key", default="fake-api-key-0001")
    p.add_argument("--secret", default="fake-secret-do-not-log-7f3a")
    p.add_argument("--passphrase", default="fake-passphrase-9c1e")
    p.add_argument("--demo", action="store_true", help="require x-simulated-trading: 1")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--verbose", action="store_true")
    ARGS = p.parse_args()
    reset_state()
    cert, key = make_cert(ARGS.cert_dir)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = Server(("127.0.0.1", ARGS.port), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=ticker, daemon=True).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    # Exit when the parent (the test) goes away: stdin reaches EOF.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
