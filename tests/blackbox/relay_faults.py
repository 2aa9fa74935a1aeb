#!/usr/bin/env python3
"""Fault tests of relay on real servers, from outside over HTTP: a real relay process,
concurrent senders (threads, plain http.client) posting channel messages and DMs with
Idempotency-Keys, while the database fails under it.

    tests/blackbox/relay_faults.py BINARY postgres [--cluster NAME] [--faults terminate,restart]
                                   [--seconds S] [--senders N]
    tests/blackbox/relay_faults.py BINARY sqlite-full [--seconds S] [--senders N]
    tests/blackbox/relay_faults.py BINARY sqlite-kill [--seconds S] [--senders N]

postgres: without --cluster it starts a throwaway cluster of its own through
`scripts/pg run` (exit 77, a skip, when the PostgreSQL binaries are missing); with
--cluster NAME it uses that scripts/pg cluster (same STRATA_PG_SCOPE). Each fault gets a
fresh database in the cluster:
  terminate  a loop calls pg_terminate_backend on relay's backends (psql, superuser);
  restart    the cluster is restarted under load (scripts/pg restart: -m fast, then
             -m immediate with the server down for a second).
sqlite-full: relay on a SQLite file whose size is capped (the binding's max_page_count,
`sqlite:PATH?max_page_count=N`) is filled; writes must answer 507 storage_full (or a
retryable 503), reads keep working.
sqlite-kill: relay on a SQLite file is killed with SIGKILL under load (commit groups in
flight) and started again on the file.

Every answer must be a 2xx or a retryable 503 (with Retry-After) or 409; relay must keep
serving without a restart. Afterwards every acknowledged send must be stored with all its
deliveries, nothing partial may remain, and each unacknowledged send, retried with its
Idempotency-Key once the fault is over, must end as exactly one stored message.
Prints the figures of each fault and 'N passed, N failed'; exits non-zero on a failure.
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_attacks import Relay  # noqa: E402  (the same way of starting relay)

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS_PG = os.path.join(HERE, "..", "..", "scripts", "pg")
SKIP = 77
APP_NAME = "relay_faults"  # relay's backends, as pg_stat_activity shows them
REQUEST_TIMEOUT = 60  # seconds; a request without an answer by then is a hang

RESULTS = {"passed": 0, "failed": 0}
STARTED = []  # every relay started: its folder goes at the end, unless something failed


def start_relay(binary, db, extra=()):
    relay = Relay(binary, db, list(extra))
    STARTED.append(relay)
    return relay


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok else f"  ({detail})"), flush=True)


# ---------------------------------------------------------------- HTTP

class Client:
    """One keep-alive HTTP connection to relay (http.client), reopened after a failure."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None, token=None, headers=None):
        """(status, document, headers); status 0 when no answer came (reset, timeout...)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        h = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        payload = None if body is None else json.dumps(body)
        try:
            self.conn.request(method, path, body=payload, headers=h)
            resp = self.conn.getresponse()
            data = resp.read()
            head = {k.lower(): v for k, v in resp.getheaders()}
            if head.get("connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return 0, {"error": {"code": type(e).__name__}}, {}
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return resp.status, doc, head

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def code_of(doc):
    return ((doc or {}).get("error") or {}).get("code")


def must(result, what):
    status, doc, _ = result
    if not 200 <= status < 300:
        raise RuntimeError(f"{what}: {status} {doc}")
    return doc["data"]


# ---------------------------------------------------------------- the workload

class Send:
    """One logical send: a channel message or a DM with its own Idempotency-Key."""

    def __init__(self, sender, n, tag, kind, target, recipients, text):
        self.sender, self.n = sender, n
        self.key = f"{tag}-{sender}-{n}"
        self.kind, self.target, self.recipients = kind, target, recipients
        self.text = text
        self.message_id = None  # from the first 2xx
        self.replayed = False  # that 2xx replayed an earlier, unacknowledged success
        self.acked_in_fault = False

    def path_and_body(self):
        if self.kind == "channel":
            return f"/v1/channels/{self.target}/messages", {"text": self.text}
        return "/v1/dm", {"to": self.target, "text": self.text}


class Tally:
    """Every answer, sorted: ok (2xx), retry (503 with Retry-After, 409), full (507
    storage_full, where the database is meant to fill) and other (anything else, a failure)."""

    def __init__(self, full_expected=False):
        self.full_expected = full_expected
        self.full_answers = 0
        self.lock = threading.Lock()
        self.answers = {}  # "201", "503 unavailable", "0 ConnectionResetError"... -> count
        self.retryable = 0
        self.other = 0
        self.other_samples = []
        self.max_latency = 0.0
        self.full = threading.Event()  # a 507 storage_full was seen

    def record(self, status, doc, head, latency):
        label = f"{status}" if 200 <= status < 300 else f"{status} {code_of(doc)}"
        retryable = (status == 503 and "retry-after" in head) or status == 409
        if status == 507:
            self.full.set()
        with self.lock:
            self.answers[label] = self.answers.get(label, 0) + 1
            self.max_latency = max(self.max_latency, latency)
            if 200 <= status < 300:
                return "ok"
            if retryable:
                self.retryable += 1
                return "retry"
            if self.full_expected and status == 507 and code_of(doc) == "storage_full":
                self.full_answers += 1
                return "full"
            self.other += 1
            if len(self.other_samples) < 5:
                self.other_samples.append((status, doc, head.get("retry-after")))
            return "other"


class Workspace:
    """A workspace with N agents, all members of a few channels."""

    def __init__(self, port, senders, channels=3):
        c = Client(port)
        key = must(c.request("POST", "/v1/workspaces", {"name": "faults"}), "create workspace")["api_key"]
        self.names = [f"agent{i:02d}" for i in range(senders)]
        self.tokens = [must(c.request("POST", "/v1/agents", {"name": n}, key), f"create {n}")["token"]
                       for n in self.names]
        self.channels = [f"load{i}" for i in range(channels)]
        for ch in self.channels:
            must(c.request("POST", "/v1/channels", {"name": ch}, self.tokens[0]), f"create #{ch}")
            for t in self.tokens[1:]:
                must(c.request("POST", f"/v1/channels/{ch}/join", None, t), f"join #{ch}")
        c.close()
        self.key = key


def send_once(client, tally, ws, s):
    path, body = s.path_and_body()
    t0 = time.time()
    status, doc, head = client.request("POST", path, body, ws.tokens[s.sender], {"Idempotency-Key": s.key})
    verdict = tally.record(status, doc, head, time.time() - t0)
    if verdict == "ok" and s.message_id is None:
        data = doc["data"]
        s.message_id = (data.get("message") or data)["id"]
        s.replayed = head.get("idempotency-replayed") == "true"
    retry_after = head.get("retry-after")
    return verdict, float(retry_after) if retry_after and retry_after.isdigit() else 0.2


def sender_loop(port, ws, i, tag, stop, sends, tally, body_bytes, inline_retries):
    """Sends until `stop`: a retryable answer is retried (same key) a few times, then left."""
    rnd = random.Random(i)
    client = Client(port)
    n = 0
    while not stop.is_set():
        pad = "x" * rnd.randint(0, body_bytes)  # sizes vary, so a full database fills to the brim
        if rnd.random() < 0.7:
            ch = rnd.choice(ws.channels)
            s = Send(i, n, tag, "channel", ch, len(ws.names) - 1, f"{tag} {i} {n} {pad}")
        else:
            to = rnd.choice([x for x in range(len(ws.names)) if x != i])
            s = Send(i, n, tag, "dm", ws.names[to], 1, f"{tag} {i} {n} {pad}")
        n += 1
        sends.append(s)
        for _ in range(1 + inline_retries):
            verdict, wait = send_once(client, tally, ws, s)
            if verdict == "ok":
                s.acked_in_fault = True
                break
            if verdict == "full":  # as a client would: no retry at once, a pause before the next
                stop.wait(0.1)
            if verdict in ("other", "full") or stop.is_set():
                break
            stop.wait(min(wait, 1.0) * rnd.uniform(0.2, 1.0))
    client.close()


def run_load(port, ws, tag, seconds, fault, body_bytes=0, inline_retries=3, tally=None):
    """Runs the senders for `seconds` while `fault(stop)` runs in its own thread."""
    stop = threading.Event()
    tally = tally or Tally()
    per_sender = [[] for _ in ws.names]
    threads = [threading.Thread(target=sender_loop,
                                args=(port, ws, i, tag, stop, per_sender[i], tally, body_bytes, inline_retries))
               for i in range(len(ws.names))]
    fault_result = {}
    faulter = threading.Thread(target=lambda: fault_result.update(fault(stop) or {}))
    t0 = time.time()
    for t in threads:
        t.start()
    faulter.start()
    stop.wait(seconds)
    stop.set()
    faulter.join()
    for t in threads:
        t.join(REQUEST_TIMEOUT * 5)
    hung = sum(t.is_alive() for t in threads)
    sends = [s for lst in per_sender for s in lst]
    return sends, tally, fault_result, time.time() - t0, hung


def retry_unacknowledged(port, ws, sends, deadline_seconds=60):
    """Once the fault is over: every send not acknowledged is retried with its key until a
    2xx. Returns (acknowledged now, still not acknowledged, answers seen)."""
    pending = [s for s in sends if s.message_id is None]
    tally = Tally()
    lock = threading.Lock()
    deadline = time.time() + deadline_seconds

    def work():
        client = Client(port)
        while True:
            with lock:
                if not pending:
                    break
                s = pending.pop()
            while time.time() < deadline:
                verdict, wait = send_once(client, tally, ws, s)
                if verdict == "ok":
                    break
                time.sleep(min(wait, 1.0))
        client.close()

    before = sum(s.message_id is None for s in sends)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = sum(s.message_id is None for s in sends)
    return before - after, after, tally


def fresh_send_works(port, ws):
    st, _, _ = Client(port).request("POST", f"/v1/channels/{ws.channels[0]}/messages", {"text": "after the fault"},
                                    ws.tokens[0])
    return st == 201


def metric(port, name):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    m = re.search(rf"^{name} (\d+)", text, re.M)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- what is stored

class Stored:
    """What the database holds for the workload's messages (body starts with the tag)."""

    def __init__(self, messages, orphans, seq_rows, key_hashes):
        self.by_text = {}  # text -> [(id, deliveries, logs)]
        for mid, body, deliveries, logs in messages:
            self.by_text.setdefault(body, []).append((str(mid), int(deliveries), int(logs)))
        self.orphans = orphans
        self.seq_rows = seq_rows  # (agent id, deliveries, distinct seqs, max seq, agents.delivery_seq)
        self.key_hashes = key_hashes


def stored_queries(tag):
    like = tag.replace("'", "''") + " %"
    return [
        "SELECT m.id, m.body, (SELECT COUNT(*) FROM deliveries d WHERE d.message_id = m.id), "
        "(SELECT COUNT(*) FROM message_logs l WHERE l.message_id = m.id) FROM messages m "
        f"WHERE m.body LIKE '{like}'",
        "SELECT COUNT(*) FROM deliveries d WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = d.message_id)",
        "SELECT a.id, COUNT(d.id), COUNT(DISTINCT d.seq), COALESCE(MAX(d.seq), 0), a.delivery_seq "
        "FROM agents a LEFT JOIN deliveries d ON d.agent_id = a.id GROUP BY a.id, a.delivery_seq",
        "SELECT key_hash FROM idempotency_keys",
    ]


def judge(tag, sends, stored, port, ws):
    """Checks and figures: every acknowledged send stored whole, nothing partial, one message
    per key."""
    acked = [s for s in sends if s.message_id is not None]
    stored_ok = 0
    missing = []
    for s in acked:
        rows = stored.by_text.get(s.text, [])
        if len(rows) == 1 and rows[0][0] == s.message_id and rows[0][1] == s.recipients and rows[0][2] == 1:
            stored_ok += 1
        else:
            missing.append((s.key, s.message_id, rows))
    expected = {s.text: s.recipients for s in sends}
    partial = [(t[:40], r) for t, rows in stored.by_text.items() for r in rows
               if t not in expected or r[1] != expected[t] or r[2] != 1]
    duplicates = [t[:40] for t, rows in stored.by_text.items() if len(rows) > 1]
    gaps = [r for r in stored.seq_rows if not (r[1] == r[2] == r[3] == r[4])]
    hashes = set(stored.key_hashes)
    keyless = [s.key for s in acked if hashlib.sha256(s.key.encode()).hexdigest() not in hashes]
    # The API agrees: every acknowledged message can be read back.
    api_missing = []
    lock = threading.Lock()
    queue = list(acked)

    def read_back():
        c = Client(port)
        while True:
            with lock:
                if not queue:
                    break
                s = queue.pop()
            st, doc, _ = c.request("GET", f"/v1/messages/{s.message_id}", None, ws.tokens[s.sender])
            if st != 200 or ((doc or {}).get("data") or {}).get("text") != s.text:
                with lock:
                    api_missing.append((s.key, st))
        c.close()

    threads = [threading.Thread(target=read_back) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"acked": len(acked), "stored": stored_ok, "rows": sum(len(r) for r in stored.by_text.values()),
            "missing": missing, "partial": partial, "duplicates": duplicates, "gaps": gaps, "orphans": stored.orphans,
            "keyless": keyless, "api_missing": api_missing}


# ---------------------------------------------------------------- PostgreSQL

def pg_bin_dir():
    """The folder of the server binaries, found as scripts/pg finds it; None without them."""
    if os.environ.get("STRATA_PG_BIN"):
        d = os.environ["STRATA_PG_BIN"]
    elif os.access("/usr/lib/postgresql/15/bin/initdb", os.X_OK):
        d = "/usr/lib/postgresql/15/bin"
    else:
        initdb = shutil.which("initdb")
        d = os.path.dirname(initdb) if initdb else None
    needed = ("initdb", "pg_ctl", "postgres", "psql")
    return d if d and all(os.access(os.path.join(d, b), os.X_OK) for b in needed) else None


class Psql:
    """psql as the cluster's superuser; the password goes through the environment."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 5432
        self.user = urllib.parse.unquote(u.username or "")
        self.password = urllib.parse.unquote(u.password or "")
        self.dbname = u.path.lstrip("/") or "postgres"
        bindir = pg_bin_dir()
        self.psql = os.path.join(bindir, "psql") if bindir and os.access(os.path.join(bindir, "psql"), os.X_OK) \
            else shutil.which("psql")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env.update(PGPASSWORD=self.password, PGCONNECT_TIMEOUT="5", PGPASSFILE="/dev/null")

    def url_for(self, dbname, params=""):
        u = urllib.parse.urlsplit(self.url_base())
        return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + dbname, params, ""))

    def url_base(self):
        auth = urllib.parse.quote(self.user, safe="") + ":" + urllib.parse.quote(self.password, safe="")
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    def rows(self, sql, dbname=None, timeout=60):
        conninfo = f"host={self.host} port={self.port} user={self.user} dbname={dbname or self.dbname}"
        out = subprocess.run([self.psql, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", conninfo,
                              "-c", sql], env=self.env, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr.strip()}")
        return [line.split("\t") for line in out.stdout.splitlines() if line]


def terminate_loop(psql, dbname, interval):
    def fault(stop):
        killed = rounds = failures = 0
        while not stop.wait(interval * random.uniform(0.5, 1.5)):
            try:
                rows = psql.rows("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                 f"WHERE application_name = '{APP_NAME}' AND datname = '{dbname}' "
                                 "AND pid <> pg_backend_pid()", timeout=10)
                killed += int(rows[0][0])
                rounds += 1
            except (RuntimeError, subprocess.TimeoutExpired):
                failures += 1
        return {"terminated": killed, "rounds": rounds, "psql_failures": failures}
    return fault


def restart_plan(seconds):
    """When to restart, as fractions of the run, and how: fast and immediate (the server down
    for a second) in turn, one restart per 6 s of load, at least two."""
    n = max(2, int(seconds // 6))
    return [(0.15 + 0.5 * i / (n - 1), ["--mode", "fast"] if i % 2 == 0 else ["--mode", "immediate", "--down", "1"])
            for i in range(n)]


def restart_loop(cluster, seconds):
    plan = restart_plan(seconds)

    def fault(stop):
        t0 = time.time()
        done = []
        for at, args in plan:
            if stop.wait(max(0.0, t0 + at * seconds - time.time())):
                break
            r0 = time.time()
            out = subprocess.run([SCRIPTS_PG, "restart", *args, cluster], capture_output=True, text=True)
            done.append((" ".join(args), out.returncode, round(time.time() - r0, 2), out.stderr.strip()[-300:]))
        return {"restarts": done}
    return fault


def stored_pg(psql, dbname, tag):
    q = stored_queries(tag)
    return Stored(psql.rows(q[0], dbname), int(psql.rows(q[1], dbname)[0][0]),
                  [tuple(int(x) for x in r) for r in psql.rows(q[2], dbname)],
                  [r[0] for r in psql.rows(q[3], dbname)])


def pg_scenario(binary, psql, cluster, fault_name, seconds, senders, log_level):
    tag = f"fault-{fault_name}"
    dbname = f"relay_faults_{fault_name}_{os.getpid()}"
    psql.rows(f"CREATE DATABASE {dbname}", "postgres")
    # scripts/pg's clusters run with synchronous_commit = off, which lets an immediate stop
    # lose commits the server already acknowledged (PostgreSQL's documented trade-off).
    # relay's database commits durably here, so "acknowledged, then lost" can only be relay's.
    psql.rows(f"ALTER DATABASE {dbname} SET synchronous_commit = on", "postgres")
    url = psql.url_for(dbname, f"application_name={APP_NAME}")
    relay = start_relay(binary, url, ["--db-pool-size", str(max(8, senders // 2)), "--log-level", log_level])
    print(f"--- {fault_name}: relay pid {relay.proc.pid} on PostgreSQL, {senders} senders, {seconds} s", flush=True)
    failed_before = RESULTS["failed"]
    try:
        ws = Workspace(relay.port, senders)
        if fault_name == "terminate":
            fault = terminate_loop(psql, dbname, interval=0.25)
        else:
            fault = restart_loop(cluster, seconds)
        sends, tally, fr, took, hung = run_load(relay.port, ws, tag, seconds, fault)
        check(f"{fault_name}: no sender hung", hung == 0, hung)
        check(f"{fault_name}: relay kept running", relay.alive())
        if fault_name == "terminate":
            check(f"{fault_name}: backends were terminated under load", fr.get("terminated", 0) > 0, fr)
        else:
            rs = fr.get("restarts", [])
            check(f"{fault_name}: the cluster restarted under load ({len(rs)} times)",
                  len(rs) == len(restart_plan(seconds)) and all(r[1] == 0 for r in rs), rs)
        check(f"{fault_name}: every answer 2xx, 503 + Retry-After or 409", tally.other == 0,
              f"{tally.other} others, e.g. {tally.other_samples}")
        healthy_by = time.time() + 30
        while time.time() < healthy_by and Client(relay.port).request("GET", "/healthz")[0] != 200:
            time.sleep(0.5)
        check(f"{fault_name}: /healthz 200 after the fault, same process", relay.alive()
              and Client(relay.port).request("GET", "/healthz")[0] == 200)
        acked_in_fault = sum(s.acked_in_fault for s in sends)
        # Verify what was acknowledged during the fault before any retry adds to it.
        v = judge(tag, sends, stored_pg(psql, dbname, tag), relay.port, ws)
        recovered, still, retry_tally = retry_unacknowledged(relay.port, ws, sends)
        after = judge(tag, sends, stored_pg(psql, dbname, tag), relay.port, ws)
        report(fault_name, sends, acked_in_fault, tally, v, recovered, still, retry_tally, after, took,
               extra=fault_summary(fr))
        check(f"{fault_name}: a new send is 201 without restarting relay", fresh_send_works(relay.port, ws))
        failures = metric(relay.port, "relay_handler_failures_total")
        check(f"{fault_name}: no handler failed", failures == 0, failures)
    finally:
        code = relay.stop()
        check(f"{fault_name}: SIGTERM stops relay cleanly", code == 0, code)
        if RESULTS["failed"] > failed_before:
            print_log(relay)
        try:
            psql.rows(f"DROP DATABASE IF EXISTS {dbname}", "postgres")
        except RuntimeError:
            pass


def print_log(relay):
    """The last lines of relay's log, and the whole log kept in a file."""
    path = os.path.join(relay.dir, "relay.log")
    with open(path, "w") as f:
        f.write("".join(relay.log))
    print("".join(relay.log[-40:]) + f"(relay's whole log: {path})")


def fault_summary(fr):
    if "terminated" in fr:
        return f"{fr['terminated']} backends terminated in {fr['rounds']} rounds"
    if "restarts" in fr:
        return "restarts: " + ", ".join(f"{r[0]} ({r[2]} s)" for r in fr["restarts"])
    return ""


def report(name, sends, acked_in_fault, tally, v, recovered, still, retry_tally, after, took, extra=""):
    answers = ", ".join(f"{k}: {n}" for k, n in sorted(tally.answers.items()))
    full = f" / {tally.full_answers} answered 507 storage_full" if tally.full_expected else ""
    print(f"figures {name}: {len(sends)} sends attempted / {v['acked']} acknowledged / {v['stored']} stored / "
          f"{len(v['partial'])} partial / {tally.retryable} retryable answers{full} / {tally.other} other answers "
          f"({took:.1f} s{', ' + extra if extra else ''}; answers {answers}; slowest {tally.max_latency:.2f} s)",
          flush=True)
    landed = sum(s.replayed for s in sends)
    print(f"figures {name} retry: {recovered} unacknowledged sends retried with their keys after the fault -> 2xx, "
          f"{still} not; {landed} sends were stored by an attempt that got no 2xx (a retry replayed it); "
          f"{after['rows']} messages for {len(sends)} keys, "
          f"{len(after['duplicates'])} duplicates, {len(after['partial'])} partial", flush=True)
    check(f"{name}: sends were acknowledged during the fault", acked_in_fault > 0, acked_in_fault)
    check(f"{name}: every acknowledged send stored with all its deliveries ({v['stored']} of {v['acked']})",
          v["stored"] == v["acked"] and not v["missing"], v["missing"][:3])
    check(f"{name}: every acknowledged send readable through the API", not v["api_missing"], v["api_missing"][:3])
    check(f"{name}: every acknowledged send has its idempotency record", not v["keyless"], v["keyless"][:3])
    check(f"{name}: nothing partial (messages without their deliveries or log)", not v["partial"], v["partial"][:3])
    check(f"{name}: no delivery without its message", v["orphans"] == 0, v["orphans"])
    check(f"{name}: delivery numbers gapless per agent", not v["gaps"], v["gaps"][:3])
    check(f"{name}: every unacknowledged send, retried with its key, acknowledged", still == 0,
          f"{still} left; answers {retry_tally.answers}")
    check(f"{name}: exactly one stored message per key",
          after["stored"] == len(sends) and not after["duplicates"] and not after["partial"]
          and not after["gaps"] and after["orphans"] == 0,
          f"stored {after['stored']} of {len(sends)}, duplicates {after['duplicates'][:3]}, "
          f"partial {after['partial'][:3]}")


def postgres_main(args):
    if args.cluster is None:
        if pg_bin_dir() is None:
            print("PostgreSQL server binaries not found (STRATA_PG_BIN, /usr/lib/postgresql/15/bin, initdb on "
                  "PATH): skipped")
            return SKIP
        # Our own cluster: the restarts must not disturb anyone else's.
        env = {k: v for k, v in os.environ.items() if k != "STRATA_PG_SCOPE"}
        cmd = [SCRIPTS_PG, "run", "--", sys.executable, os.path.abspath(__file__), args.binary, "postgres",
               "--cluster", "pg1", "--faults", args.faults, "--seconds", str(args.seconds),
               "--senders", str(args.senders), "--log-level", args.log_level]
        return subprocess.call(cmd, env=env)
    url = subprocess.run([SCRIPTS_PG, "url", args.cluster], capture_output=True, text=True, check=True).stdout.strip()
    psql = Psql(url)
    for fault_name in args.faults.split(","):
        if fault_name not in ("terminate", "restart"):
            raise SystemExit(f"unknown fault '{fault_name}' (terminate, restart)")
        pg_scenario(args.binary, psql, args.cluster, fault_name, args.seconds, args.senders, args.log_level)
    return finish()


# ---------------------------------------------------------------- SQLite, database full

def stored_sqlite(path, tag):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        q = stored_queries(tag)
        return Stored(db.execute(q[0]).fetchall(), db.execute(q[1]).fetchone()[0],
                      [tuple(int(x) for x in r) for r in db.execute(q[2]).fetchall()],
                      [r[0] for r in db.execute(q[3]).fetchall()])
    finally:
        db.close()


def sqlite_full_main(args):
    import tempfile
    work = tempfile.mkdtemp(prefix="relay-faults-")
    path = f"{work}/relay.db"
    senders = args.senders
    tag = "fault-full"
    # 1. Set up without a cap; relay checkpoints the WAL into the file when it stops.
    relay = start_relay(args.binary, f"sqlite:{path}")
    ws = Workspace(relay.port, senders)
    check("full: setup relay stops cleanly", relay.stop() == 0)
    db = sqlite3.connect(path)
    pages, page_size = db.execute("PRAGMA page_count").fetchone()[0], db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    cap = pages + args.room_pages
    # 2. The same file, capped: fill it.
    relay = start_relay(args.binary, f"sqlite:{path}?max_page_count={cap}")
    print(f"--- full: relay pid {relay.proc.pid} on {path}, {pages} pages of {page_size} B used, capped at {cap}, "
          f"{senders} senders, {args.seconds} s", flush=True)
    failed_before = RESULTS["failed"]
    try:
        tally = Tally(full_expected=True)

        def watch(stop):
            # While the senders fill the file, reads and other writes are tried once it is full.
            reads = {}
            writes = {}
            c = Client(relay.port)
            probe = must(c.request("POST", "/v1/channels/general/messages", {"text": "probe"}, ws.tokens[1]),
                         "probe message")["id"]
            while not stop.wait(0.2):
                if tally.full.is_set():
                    for what, req in [("history", ("GET", f"/v1/channels/{ws.channels[0]}/messages?limit=5")),
                                      ("inbox", ("GET", "/v1/inbox")), ("channels", ("GET", "/v1/channels")),
                                      ("message", ("GET", f"/v1/messages/{probe}")),
                                      ("acked deliveries", ("GET", "/v1/deliveries?status=acked"))]:
                        st = c.request(*req, None, ws.tokens[1])[0]
                        reads[f"{what} {st}"] = reads.get(f"{what} {st}", 0) + 1
                    # Writes that leave the senders' channels alone (their members are counted).
                    # Listing queued deliveries is one: it hands them out (queued -> delivered).
                    for what, req, token in [
                            ("create channel", ("POST", "/v1/channels", {"name": f"c{time.time_ns()}"}), ws.tokens[2]),
                            ("create agent", ("POST", "/v1/agents", {"name": f"a{time.time_ns()}"}), ws.key),
                            ("list queued deliveries", ("GET", "/v1/deliveries", None), ws.tokens[3])]:
                        st, doc, _ = c.request(*req, token)
                        label = f"{what} {st} {code_of(doc) or ''}".strip()
                        writes[label] = writes.get(label, 0) + 1
            c.close()
            return {"reads": reads, "writes": writes}

        sends, tally, fr, took, hung = run_load(relay.port, ws, tag, args.seconds, watch, body_bytes=2000,
                                                inline_retries=0, tally=tally)
        full = tally.full_answers
        check("full: no sender hung", hung == 0, hung)
        check("full: relay kept running", relay.alive())
        check("full: the database filled up (507 storage_full answers)", full > 0, tally.answers)
        check("full: every answer 2xx, 507 storage_full, 503 + Retry-After or 409", tally.other == 0,
              f"{tally.answers}, e.g. {tally.other_samples}")
        reads, writes = fr.get("reads", {}), fr.get("writes", {})
        check("full: reads keep working", reads and all(k.endswith(" 200") for k in reads), reads)
        check("full: other writes answer 507 storage_full or 2xx",
              writes and all(" 507 storage_full" in k or re.search(r" 2\d\d", k) for k in writes), writes)
        check("full: /healthz 200", Client(relay.port).request("GET", "/healthz")[0] == 200)
        acked_in_fault = sum(s.acked_in_fault for s in sends)
        v = judge(tag, sends, stored_sqlite(path, tag), relay.port, ws)
        failures = metric(relay.port, "relay_handler_failures_total")
        check("full: no handler failed", failures == 0, failures)
        code = relay.stop()
        check("full: SIGTERM stops relay cleanly", code == 0, code)
        # 3. Room again (the cap lifted, as an operator freeing space would): the sends that
        # were refused, retried with their keys, are stored once each.
        relay = start_relay(args.binary, f"sqlite:{path}")
        recovered, still, retry_tally = retry_unacknowledged(relay.port, ws, sends)
        after = judge(tag, sends, stored_sqlite(path, tag), relay.port, ws)
        report("full", sends, acked_in_fault, tally, v, recovered, still, retry_tally, after, took,
               extra=f"reads while full {reads}; other writes while full {writes}")
    finally:
        if relay.alive():
            code = relay.stop()
            check("full: SIGTERM stops relay cleanly (after)", code == 0, code)
        if RESULTS["failed"] > failed_before:
            print_log(relay)
        if not RESULTS["failed"]:
            shutil.rmtree(work, ignore_errors=True)
    return finish()


# ---------------------------------------------------------------- SQLite, relay killed

def sqlite_kill_main(args):
    """relay on a SQLite file (--durability full, group commit on) is killed with SIGKILL
    while senders keep it busy: commit groups are in flight. Started again on the same
    file, everything it acknowledged must be there whole and nothing partial; the sends
    that got no answer, retried with their keys, end as exactly one message each."""
    import tempfile
    work = tempfile.mkdtemp(prefix="relay-faults-")
    path = f"{work}/relay.db"
    tag = "fault-kill"
    relay = start_relay(args.binary, f"sqlite:{path}", ["--log-level", args.log_level])
    print(f"--- kill: relay pid {relay.proc.pid} on {path}, {args.senders} senders, SIGKILL after "
          f"{args.seconds * 0.6:.1f} s of {args.seconds} s", flush=True)
    failed_before = RESULTS["failed"]
    try:
        ws = Workspace(relay.port, args.senders)
        killed = {}

        def kill(stop):
            if not stop.wait(args.seconds * 0.6):
                killed["groups"] = metric(relay.port, "relay_commit_group_size_count")
                relay.proc.kill()  # SIGKILL: no clean shutdown, whatever is in flight stays in flight
                killed["code"] = relay.proc.wait()
            return killed

        sends, tally, fr, took, hung = run_load(relay.port, ws, tag, args.seconds, kill, inline_retries=0)
        check("kill: no sender hung", hung == 0, hung)
        check("kill: relay was killed with SIGKILL under load", fr.get("code") == -9, fr)
        check("kill: sends shared commits before the kill (commit groups formed)", (fr.get("groups") or 0) > 0, fr)
        unexpected = {k: n for k, n in tally.answers.items()
                      if not (k.startswith("2") or k.startswith("0 ") or k.startswith("503") or k.startswith("409"))}
        check("kill: every answer 2xx, 503, 409, or none (relay gone)", not unexpected, unexpected)
        acked_in_fault = sum(s.acked_in_fault for s in sends)
        relay = start_relay(args.binary, f"sqlite:{path}", ["--log-level", args.log_level])
        v = judge(tag, sends, stored_sqlite(path, tag), relay.port, ws)
        recovered, still, retry_tally = retry_unacknowledged(relay.port, ws, sends)
        after = judge(tag, sends, stored_sqlite(path, tag), relay.port, ws)
        report("kill", sends, acked_in_fault, tally, v, recovered, still, retry_tally, after, took,
               extra=f"{fr.get('groups')} commit groups before the kill")
        check("kill: a new send is 201 after the restart", fresh_send_works(relay.port, ws))
    finally:
        if relay.alive():
            code = relay.stop()
            check("kill: SIGTERM stops the restarted relay cleanly", code == 0, code)
        if RESULTS["failed"] > failed_before:
            print_log(relay)
        if not RESULTS["failed"]:
            shutil.rmtree(work, ignore_errors=True)
    return finish()


def finish():
    if not RESULTS["failed"]:
        for relay in STARTED:
            shutil.rmtree(relay.dir, ignore_errors=True)
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("binary")
    p.add_argument("mode", choices=["postgres", "sqlite-full", "sqlite-kill"])
    p.add_argument("--cluster", help="a running scripts/pg cluster (default: start one through scripts/pg run)")
    p.add_argument("--faults", default="terminate,restart")
    p.add_argument("--seconds", type=float, default=8.0, help="load time per fault (default 8)")
    p.add_argument("--senders", type=int, default=16)
    p.add_argument("--log-level", default="info", help="relay's --log-level (debug shows each error's cause)")
    p.add_argument("--room-pages", type=int, default=256, help="sqlite-full: pages allowed beyond the setup's")
    args = p.parse_args()
    if args.mode == "postgres":
        return postgres_main(args)
    if args.mode == "sqlite-kill":
        return sqlite_kill_main(args)
    return sqlite_full_main(args)


if __name__ == "__main__":
    sys.exit(main())
