"""One agent's realtime view of relay, for tests and benchmarks with several relay
instances: a WebSocket (relay_attacks' raw client) read by a thread that records every
frame and follows the agent's delivery seqs; when the connection drops it reconnects,
to the instance a policy picks, with ?after_seq=<the last delivery seq it saw>.

The invariant of issue 17 (check_deliveries): per agent, over all its connections in
turn, the delivery seqs received (live delivery.accepted data.seq plus delivery.replay
seq) are exactly 1..N once each, increasing, N = the deliveries stored for it.
"""
import json
import os
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_attacks import WebSocket  # noqa: E402
from relay_faults import Client  # noqa: E402

# Frames that show a message to the agent (the sender's own copy included).
MESSAGE_TYPES = ("message.created", "thread.reply", "dm.received", "group_dm.received")


def message_id_of(frame_type, data):
    return data.get("id") if frame_type == "message.created" else (data.get("message") or {}).get("id")


class Connection(WebSocket):
    """relay_attacks' client, reading whole messages (fragments joined, pings answered)
    without losing a frame read halfway when a timeout strikes."""

    def __init__(self, port, token, after_seq=None):
        super().__init__(port, token, "" if after_seq is None else f"&after_seq={after_seq}")
        self.s.settimeout(0.3)
        self.parts = []

    def _frame(self):
        """(opcode, fin, payload) of the next complete frame, or None when none is there yet."""
        b = self.buffer
        if len(b) < 2:
            return None
        n, at = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, at = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, at = struct.unpack("!Q", b[2:10])[0], 10
        if len(b) < at + n:
            return None
        self.buffer = b[at + n:]
        return b[0] & 0x0F, bool(b[0] & 0x80), b[at:at + n]

    def next_message(self):
        """('text', str) or ('close', code); None after a short wait without one; EOFError
        when the connection is gone."""
        while True:
            f = self._frame()
            if f is None:
                try:
                    chunk = self.s.recv(65536)
                except socket.timeout:
                    return None
                except OSError as e:
                    raise EOFError from e
                if not chunk:
                    raise EOFError
                self.buffer += chunk
                continue
            opcode, fin, payload = f
            if opcode == 9:  # ping: the pong carries the same payload
                self.send(payload, 10)
            elif opcode == 8:
                return ("close", struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 0)
            elif opcode in (0, 1):
                self.parts.append(payload)
                if fin:
                    text, self.parts = b"".join(self.parts).decode("utf-8", "replace"), []
                    return ("text", text)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Agent:
    """An agent's WebSocket, reconnecting after a drop to `pick_port(old_port)` (None: it
    stays disconnected)."""

    def __init__(self, name, token, port, pick_port=None):
        self.name, self.token, self.port, self.pick_port = name, token, port, pick_port
        self.id = None  # from the connected frame
        self.lock = threading.Lock()
        self.delivery_seqs = []  # in arrival order, over all connections
        self.delivery_messages = {}  # message id -> seqs of its deliveries
        self.message_frames = {}  # message id -> [(type, seq)]
        self.arrivals = {}  # message id -> time.monotonic() of its first message frame
        self.resyncs = []  # (connection number, frame)
        self.connections = []  # [port, after_seq asked, seq of the connected frame]
        self.refused = []  # (port, status or error) of attempts that got no WebSocket
        self.violations = []  # frames that break the protocol on their own
        self.frames = 0
        self.replayed = 0  # delivery.replay frames
        self.last_seq = 0
        self.stop_event = threading.Event()
        self.up = threading.Event()  # set by each connected frame
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self, timeout=20):
        self.thread.start()
        return self.up.wait(timeout)

    def stop(self):
        self.stop_event.set()
        conn = self.conn
        if conn is not None:
            conn.close()
        self.thread.join(10)

    def _run(self):
        after, port = None, self.port
        while not self.stop_event.is_set():
            try:
                conn = Connection(port, self.token, after)
            except OSError as e:
                conn, status = None, type(e).__name__
            else:
                status = conn.status
            if conn is None or status != 101:
                self.refused.append((port, status))
                if conn is not None:
                    conn.close()
                if self.pick_port is None or self.stop_event.wait(0.2):
                    return
                port = self.pick_port(port)
                continue
            self.conn, self.port = conn, port
            with self.lock:
                self.connections.append([port, after, None])
            self._read(conn, after)
            conn.close()
            if self.stop_event.is_set() or self.pick_port is None:
                return
            self.up.clear()
            after, port = self.last_seq, self.pick_port(port)

    def _read(self, conn, after):
        while not self.stop_event.is_set():
            try:
                m = conn.next_message()
            except EOFError:
                return
            if m is None:
                continue
            if m[0] == "close":
                return
            try:
                frame = json.loads(m[1])
            except ValueError:
                self.violations.append(("not JSON", m[1][:200]))
                continue
            self._on_frame(frame, after)

    def _on_frame(self, frame, after):
        now = time.monotonic()
        t, seq, data = frame.get("type"), frame.get("seq"), frame.get("data") or {}
        with self.lock:
            self.frames += 1
            if t == "connected":
                self.id = str(data.get("agent_id"))
                self.connections[-1][2] = seq
                if after is not None and seq != after:
                    self.violations.append((f"connected with after_seq={after}", str(frame)[:300]))
                self.up.set()
            elif t == "delivery.accepted":
                if seq != data.get("seq"):
                    self.violations.append(("delivery.accepted: seq differs from data.seq", str(frame)[:300]))
                self._delivery(data.get("seq"), data.get("message_id"))
            elif t == "delivery.replay":
                self.replayed += 1
                self._delivery(seq, data.get("message_id") or (data.get("message") or {}).get("id"))
            elif t == "resync":
                self.resyncs.append((len(self.connections), frame))
                if data.get("reason") == "replay_limit":
                    self._page_deliveries(data.get("after_seq"))
            elif t in MESSAGE_TYPES:
                mid = message_id_of(t, data)
                self.message_frames.setdefault(mid, []).append((t, seq))
                self.arrivals.setdefault(mid, now)

    def _delivery(self, seq, message_id):
        self.delivery_seqs.append(seq)
        self.delivery_messages.setdefault(message_id, []).append(seq)
        if isinstance(seq, int) and seq > self.last_seq:
            self.last_seq = seq

    def _page_deliveries(self, after_seq):
        """After a resync for the replay limit: the rest from GET /v1/deliveries (pages)."""
        c, cursor = Client(self.port), None
        while True:
            path = f"/v1/deliveries?after_seq={after_seq}&status=all&limit=100"
            path += f"&cursor={cursor}" if cursor else ""
            status, doc, _ = c.request("GET", path, None, self.token)
            if status != 200:
                self.violations.append(("GET /v1/deliveries after a replay_limit resync", status, doc))
                break
            page = doc["data"]
            for d in page.get("deliveries") or page.get("items") or []:
                self._delivery(d.get("seq"), d.get("message_id"))
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        c.close()

    def delivered(self):
        with self.lock:
            return len(self.delivery_seqs)


def stored_deliveries(psql, dbname):
    """agent id (text) -> its stored delivery seqs, ascending, and the message id of each."""
    out = {}
    for agent_id, seq, message_id in psql.rows("SELECT agent_id, seq, message_id FROM deliveries "
                                               "ORDER BY agent_id, seq", dbname):
        out.setdefault(agent_id, []).append((int(seq), message_id))
    return out


def wait_for_deliveries(agents, stored, timeout):
    """Waits until every agent has received as many deliveries as are stored for it (or
    more: the check tells). False if that did not happen within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(a.delivered() >= len(stored.get(a.id, [])) for a in agents):
            return True
        time.sleep(0.1)
    return False


def check_deliveries(agent, stored_rows):
    """'' when the agent received exactly its stored deliveries 1..N, once each, in seq
    order; else what is wrong."""
    with agent.lock:
        got = list(agent.delivery_seqs)
    stored = [s for s, _ in stored_rows]
    if stored != list(range(1, len(stored) + 1)):
        return f"stored seqs are not 1..N: {stored[:20]}"
    if got == stored:
        return ""
    missing = sorted(set(stored) - set(got))
    twice = sorted({s for s in got if got.count(s) > 1})
    unordered = [(a, b) for a, b in zip(got, got[1:]) if not (isinstance(a, int) and isinstance(b, int) and a < b)]
    extra = sorted(set(got) - set(stored), key=str)
    return (f"received {len(got)} of {len(stored)}: missing {missing[:10]}, twice {twice[:10]}, "
            f"out of order {unordered[:5]}, not stored {extra[:10]}")
