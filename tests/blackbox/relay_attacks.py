#!/usr/bin/env python3
"""Attacks relay from outside, as a stranger would: a real relay process, raw sockets,
hand-made WebSocket frames, bad bytes. Every attack must get a coded answer (or the
close code the protocol prescribes) and relay must keep serving; at the end SIGTERM must
stop it cleanly.

    tests/blackbox/relay_attacks.py build/release/apps/relay/relay [--db URL]

Without --db it runs on a temporary SQLite file. Prints 'N passed, N failed'.
"""
import base64
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

RESULTS = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok else f"  ({detail})"), flush=True)


class Relay:
    def __init__(self, binary, db, extra=()):
        self.dir = tempfile.mkdtemp(prefix="relay-attacks-")
        db = db or f"sqlite:{self.dir}/relay.db"
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--db", db, "--files-dir", f"{self.dir}/files", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log = []
        self.port = None
        deadline = time.time() + 60
        while time.time() < deadline and self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.log.append(line)
            m = re.search(r"listening on http://[^:]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            raise RuntimeError("relay did not start:\n" + "".join(self.log))
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.log.append(line)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s


def read_reply(s, until=b"\r\n\r\n", limit=1 << 20):
    """What the server sends until `until` is seen (None: until it closes)."""
    data = b""
    try:
        while (until is None or until not in data) and len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def http(port, method, path, body=None, token=None, headers=None):
    s = connect(port)
    payload = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(payload)}\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    s.sendall(head.encode() + b"\r\n" + payload)
    data = read_reply(s, until=None, limit=1 << 30)
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1") else 0
    try:
        doc = json.loads(rest)
    except ValueError:
        doc = None
    return status, doc


def code_of(doc):
    return (doc or {}).get("error", {}).get("code")


class WebSocket:
    """A WebSocket client that sends whatever frame it is told to; `query` is appended to
    the handshake's query string (e.g. "&after_seq=5")."""

    def __init__(self, port, token, query=""):
        self.s = connect(port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /v1/ws?token={token}{query} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                        f"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode())
        head = read_reply(self.s)
        self.status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1") else 0
        self.buffer = head.partition(b"\r\n\r\n")[2]

    def send(self, payload, opcode=1):
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x80 | opcode])
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        try:
            self.s.sendall(header + mask + masked)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _need(self, n):
        while len(self.buffer) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def read(self):
        """('text', str) or ('close', code) or ('eof', None)."""
        try:
            b0, b1 = self._need(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._need(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._need(8))[0]
            payload = self._need(n)
        except (EOFError, socket.timeout, ConnectionResetError):
            return ("eof", None)
        opcode = b0 & 0x0F
        if opcode == 8:
            return ("close", struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 0)
        return ("text", payload.decode("utf-8", "replace"))


def main():
    binary = sys.argv[1]
    db = sys.argv[sys.argv.index("--db") + 1] if "--db" in sys.argv else None
    relay = Relay(binary, db, ["--max-connections", "64", "--ws-max-queue-bytes", "65536"])
    port = relay.port
    try:
        st, doc = http(port, "POST", "/v1/workspaces", {"name": "acme"})
        key = doc["data"]["api_key"]
        tokens = {}
        for name in ("alice", "bob"):
            st, doc = http(port, "POST", "/v1/agents", {"name": name}, key)
            tokens[name] = doc["data"]["token"]
        alice, bob = tokens["alice"], tokens["bob"]

        # 1. WebSocket frames that used to kill the process.
        ws = WebSocket(port, alice)
        check("ws upgrade", ws.status == 101, ws.status)
        ws.read()  # greeting
        for frame, code in [(b'{"type":1}', "invalid_message"), (b"null", "invalid_message"),
                            (b"[]", "invalid_message"), (b'{"type":{}}', "invalid_message"),
                            (b"{", "invalid_json"), (b"[" * 30000 + b"]" * 30000, "json_too_deep")]:
            ws.send(frame)
            kind, value = ws.read()
            ok = kind == "text" and json.loads(value)["data"]["code"] == code
            check(f"ws {frame[:12]!r} -> error {code}", ok and relay.alive(), (kind, str(value)[:80]))
        ws.send(b'{"type":"ping"}')
        check("ws still answers ping", json.loads(ws.read()[1])["type"] == "pong")
        for payload, opcode, close_code, what in [(b"\x00\x01", 2, 1003, "binary"),
                                                  (b"x" * 70000, 1, 1009, "oversized"),
                                                  (b'{"type":"\xed\xa0\x80"}', 1, 1007, "bad utf-8")]:
            w = WebSocket(port, alice)
            w.read()
            w.send(payload, opcode)
            kind, value = w.read()
            check(f"ws {what} frame -> close {close_code}", kind == "close" and value == close_code, (kind, value))
        check("relay alive after ws attacks", relay.alive())

        # 2. Bodies nested to overflow the stack.
        deep = b'{"text":"hi","metadata":' + b"[" * 300000 + b"]" * 300000 + b"}"
        st, doc = http(port, "POST", "/v1/channels/general/messages", deep, alice)
        check("deep JSON body -> 400 json_too_deep", st == 400 and code_of(doc) == "json_too_deep", (st, doc))

        # 3. Bytes PostgreSQL refuses as UTF-8.
        for bad in ("%ED%A0%80", "%E0%80%AF", "%F4%90%80%80", "%C0%AF"):
            st, doc = http(port, "GET", f"/v1/search?q={bad}", token=alice)
            check(f"query {bad} -> 400 invalid_utf8", st == 400 and code_of(doc) == "invalid_utf8", (st, doc))

        # 4. A huge body without a token: refused from the header, no 100 Continue.
        s = connect(port)
        t0 = time.time()
        s.sendall(b"POST /v1/channels/general/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
                  b"Expect: 100-continue\r\n\r\n")
        head = read_reply(s)
        check("10 MB body without a token -> 401 before the body",
              head.startswith(b"HTTP/1.1 401") and time.time() - t0 < 5, head[:40])
        s.close()

        # 5. A header too large, and garbage.
        s = connect(port)
        s.sendall(b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 100000 + b"\r\n\r\n")
        check("100 KB header -> 431", read_reply(s).startswith(b"HTTP/1.1 431"))
        s.close()
        s = connect(port)
        s.sendall(bytes(range(256)) * 4)
        check("binary garbage -> 400", read_reply(s).startswith(b"HTTP/1.1 400"))
        s.close()

        # 6. A WebSocket client that never reads while big events pile up.
        idle = WebSocket(port, bob)
        idle.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        text = "\u0001" * 20000
        for _ in range(120):
            http(port, "POST", "/v1/channels/general/messages", {"text": text}, alice)
        time.sleep(6)
        metrics = http_text(port, "/metrics")
        check("a client that does not read is closed", "relay_ws_slow_consumers_closed_total 1" in metrics
              or re.search(r"relay_ws_slow_consumers_closed_total [1-9]", metrics) is not None)
        idle.s.close()

        # 7. More connections than the cap.
        held = [connect(port) for _ in range(80)]
        time.sleep(0.5)
        s = connect(port)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = read_reply(s)
        check("beyond --max-connections -> 503 Retry-After",
              reply.startswith(b"HTTP/1.1 503") and b"Retry-After" in reply, reply[:60])
        for h in held:
            h.close()
        time.sleep(0.5)
        st, _ = http(port, "GET", "/healthz")
        check("serves again once connections close", st == 200, st)

        metrics = http_text(port, "/metrics")
        m = re.search(r"relay_handler_failures_total (\d+)", metrics)
        check("no handler failed", m is not None and m.group(1) == "0", m and m.group(0))
        check("relay alive at the end", relay.alive())
    finally:
        code = relay.stop()
        check("SIGTERM stops relay cleanly", code == 0, code)
        if RESULTS["failed"]:
            print("".join(relay.log[-40:]))
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


def http_text(port, path):
    s = connect(port)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = read_reply(s, until=None, limit=1 << 30)
    s.close()
    return data.partition(b"\r\n\r\n")[2].decode()


if __name__ == "__main__":
    sys.exit(main())
