#!/usr/bin/env python3
"""Several relay processes on one PostgreSQL, from outside (issue 17): three real relay
instances on one throwaway cluster, six agents' WebSockets spread over them, senders
posting through random instances.

    tests/blackbox/relay_instances.py BINARY [--seconds S] [--scenarios spread,kill,restart,nginx]
                                      [--cluster NAME]

Without --cluster it starts a cluster of its own through `scripts/pg run` (exit 77, a
skip, when the PostgreSQL binaries are missing); each scenario gets a fresh database.
  spread   each agent's WebSocket on a different instance (two per instance), 60 channel
           messages and DMs through random instances from several threads;
  kill     senders keep posting while one instance is killed with SIGKILL: the others
           keep answering, its clients reconnect to another instance with
           ?after_seq=<the last seq they saw>, unanswered sends are retried with their
           Idempotency-Key;
  restart  the cluster is restarted under the instances (scripts/pg restart): every
           instance's listener is connected again (/healthz), every client got a resync
           frame (or reconnected);
  nginx    the spread scenario through one nginx (deploy/nginx/relay.conf, its ports
           replaced by the instances') in front of the three; skipped without nginx.
Each ends with the invariant: per agent, the delivery seqs received over all its
connections are exactly its stored 1..N, once each, in order (relay_ws_agent.py).
Prints ok/FAIL lines and 'N passed, N failed'; exits non-zero on a failure.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relay_faults as rf  # noqa: E402  (check, Client, Psql, Send, starting relay and clusters)
from relay_faults import Client, Psql, Send, check, must  # noqa: E402
from relay_attacks import http as raw_http  # noqa: E402
from relay_nginx import Nginx, nginx_binary  # noqa: E402
from relay_ws_agent import Agent, MESSAGE_TYPES, check_deliveries, stored_deliveries, wait_for_deliveries  # noqa: E402

APP_NAME = "relay_instances"
CATCH_UP = 20  # seconds the clients get to receive what was stored (a bound on a hang, not a timing)


# ---------------------------------------------------------------- instances and workspace

class Cluster:
    """`count` relay instances (three) on a fresh database of the cluster."""

    def __init__(self, binary, psql, scenario, count=3):
        self.psql = psql
        self.dbname = f"relay_instances_{scenario}_{os.getpid()}"
        psql.rows(f"CREATE DATABASE {self.dbname}", "postgres")
        url = psql.url_for(self.dbname, f"application_name={APP_NAME}")
        extra = ["--db-pool-size", "4", "--log-level", "info", "--worker-threads", "2"]
        # The first one creates the tables; the others start together on them.
        self.relays = [rf.start_relay(binary, url, extra)]
        rest = [None] * (count - 1)

        def start(i):
            rest[i] = rf.start_relay(binary, url, extra)
        threads = [threading.Thread(target=start, args=(i,)) for i in range(count - 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if any(r is None for r in rest):
            raise RuntimeError("a relay instance did not start")
        self.relays += rest
        self.killed = set()
        # Ready when /healthz says the listener is connected (and the node id is leased).
        states = self.wait_listeners(10)
        check(f"{scenario}: every instance's /healthz reports a node id and its listener connected",
              all(st == 200 and "node_id" in d and listening(d) for st, d in states.values()), states)
        check(f"{scenario}: the instances' node ids differ",
              len({d.get("node_id") for _, d in states.values()}) == count, states)

    def ports(self):
        return [r.port for r in self.relays]

    def alive_ports(self):
        return [r.port for i, r in enumerate(self.relays) if i not in self.killed and r.alive()]

    def other_port(self, port):
        """An instance still running, not `port` when there is another."""
        ports = self.alive_ports()
        others = [p for p in ports if p != port]
        return random.choice(others or ports or [port])

    def health(self, port):
        status, doc, _ = Client(port).request("GET", "/healthz")
        return status, (doc or {}).get("data") or {}

    def wait_listeners(self, timeout):
        """port -> (status, /healthz data), once every running instance's PostgreSQL
        listener is connected or `timeout` has passed."""
        deadline = time.monotonic() + timeout
        while True:
            states = {p: self.health(p) for p in self.alive_ports()}
            if all(listening(d) for _, d in states.values()) or time.monotonic() > deadline:
                return states
            time.sleep(0.2)

    def close(self, failed_before):
        for i, r in enumerate(self.relays):
            if i in self.killed:
                continue
            code = r.stop()
            check(f"instance {i + 1} stops cleanly on SIGTERM", code == 0, code)
        if rf.RESULTS["failed"] > failed_before:
            for r in self.relays:
                rf.print_log(r)
        try:
            self.psql.rows(f"DROP DATABASE IF EXISTS {self.dbname}", "postgres")
        except RuntimeError:
            pass


def listening(health):
    return (health.get("listener") or {}).get("state") == "connected"


class Workspace:
    """Six agents (all in `general`, four of them in `ops`) and their tokens."""

    def __init__(self, port, count=6):
        c = Client(port)
        key = must(c.request("POST", "/v1/workspaces", {"name": "instances"}), "create workspace")["api_key"]
        self.names = [f"agent{i}" for i in range(count)]
        self.tokens = [must(c.request("POST", "/v1/agents", {"name": n}, key), f"create {n}")["token"]
                       for n in self.names]
        self.channels = {"general": list(range(count)), "ops": list(range(4))}
        must(c.request("POST", "/v1/channels", {"name": "ops"}, self.tokens[0]), "create #ops")
        for i in self.channels["ops"][1:]:
            must(c.request("POST", "/v1/channels/ops/join", None, self.tokens[i]), "join #ops")
        c.close()

    def plan(self, tag, n, rnd):
        """n sends: channel messages from members and DMs, senders at random."""
        sends = []
        for k in range(n):
            if rnd.random() < 0.6:
                ch = rnd.choice(list(self.channels))
                sender = rnd.choice(self.channels[ch])
                sends.append(Send(sender, k, tag, "channel", ch, None, f"{tag} {k} from {sender} to #{ch}"))
            else:
                sender = rnd.randrange(len(self.names))
                to = rnd.choice([i for i in range(len(self.names)) if i != sender])
                sends.append(Send(sender, k, tag, "dm", self.names[to], None, f"{tag} {k} from {sender} dm {to}"))
        return sends


def connect_agents(ws, ports_for, pick_port):
    """One connected Agent per token, agent i on ports_for(i) (checked: each got its
    `connected` frame, at seq 0)."""
    agents = [Agent(ws.names[i], ws.tokens[i], ports_for(i), pick_port) for i in range(len(ws.tokens))]
    up = [a.start() for a in agents]
    check("every agent's WebSocket is connected (first frame 'connected')", all(up),
          [(a.name, a.refused) for a, u in zip(agents, up) if not u])
    check("a first connection without after_seq starts at the stored position 0",
          all(a.connections and a.connections[0][2] == 0 for a in agents),
          [(a.name, a.connections[:1]) for a in agents])
    return agents


# ---------------------------------------------------------------- senders

def send_until_acked(send, ws, pick_port, deadline, tally, clients):
    """Posts `send` through an instance from pick_port() (a keep-alive connection per
    instance in `clients`); an answer that is not a 2xx (none at all, a 503, a 409 while
    the first attempt is in flight) is retried with the same Idempotency-Key through
    another instance, until `deadline`."""
    port = None
    send.unanswered = send.attempts = 0
    while time.monotonic() < deadline:
        port = pick_port(port)
        send.attempts += 1
        c = clients.setdefault(port, Client(port))
        path, body = send.path_and_body()
        status, doc, head = c.request("POST", path, body, ws.tokens[send.sender], {"Idempotency-Key": send.key})
        with tally["lock"]:
            label = str(status) if 200 <= status < 300 else f"{status} {rf.code_of(doc)}"
            tally[label] = tally.get(label, 0) + 1
        if 200 <= status < 300:
            data = doc["data"]
            send.message_id = (data.get("message") or data)["id"]
            send.replayed = head.get("idempotency-replayed") == "true"
            send.acked_at = time.monotonic()
            return True
        if status == 0:
            send.unanswered += 1
        if status not in (0, 409, 503):
            return False
        time.sleep(0.05)
    return False


def run_senders(sends, ws, pick_port, threads=4, pace=0.0, until=None):
    """Sends the plan from `threads` threads (each its share, in order); with `until` (an
    Event) each thread stops taking new sends once it is set. Returns the tally."""
    tally = {"lock": threading.Lock()}
    deadline = time.monotonic() + 60
    queues = [sends[i::threads] for i in range(threads)]

    def work(q):
        clients = {}
        for s in q:
            if until is not None and until.is_set():
                break
            s.attempted = True
            send_until_acked(s, ws, pick_port, deadline, tally, clients)
            if pace:
                time.sleep(pace)
        for c in clients.values():
            c.close()
    ts = [threading.Thread(target=work, args=(q,)) for q in queues]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    tally.pop("lock")
    return tally


# ---------------------------------------------------------------- the checks every scenario ends with

def check_invariant(name, cluster, agents, sends, senders_frames=True):
    attempted = [s for s in sends if getattr(s, "attempted", False)]
    acked = [s for s in attempted if s.message_id is not None]
    check(f"{name}: every send acknowledged ({len(acked)} of {len(attempted)}, retried with its key when "
          "unanswered)", len(acked) == len(attempted) and acked, len(attempted) - len(acked))
    stored = stored_deliveries(cluster.psql, cluster.dbname)
    caught_up = wait_for_deliveries(agents, stored, CATCH_UP)
    stored = stored_deliveries(cluster.psql, cluster.dbname)  # nothing is sending any more
    total = sum(len(v) for v in stored.values())
    print(f"figures {name}: {len(acked)} sends, {total} deliveries stored; frames received "
          f"{sum(a.frames for a in agents)}, of them {sum(a.replayed for a in agents)} delivery.replay and "
          f"{sum(len(a.resyncs) for a in agents)} resync; {sum(len(a.connections) - 1 for a in agents)} reconnections",
          flush=True)
    check(f"{name}: every agent received as many deliveries as are stored ({total})", caught_up,
          {a.name: (a.delivered(), len(stored.get(a.id, []))) for a in agents})
    for a in agents:
        problem = check_deliveries(a, stored.get(a.id, []))
        check(f"{name}: {a.name} received its deliveries 1..{len(stored.get(a.id, []))} once each, in seq order "
              f"over {len(a.connections)} connection(s)", not problem, problem)
        check(f"{name}: {a.name}'s frames keep the protocol", not a.violations, a.violations[:2])
    tag = attempted[0].key.split("-")[0] if attempted else name
    counts = {body: int(n) for body, n in cluster.psql.rows(
        f"SELECT body, COUNT(*) FROM messages WHERE body LIKE '{tag} %' GROUP BY body", cluster.dbname)}
    check(f"{name}: every send stored exactly once ({sum(s.attempts > 1 for s in attempted)} needed a retry, "
          f"{sum(s.replayed for s in acked)} of them had been stored by an earlier attempt)",
          all(counts.get(s.text) == 1 for s in acked) and sum(counts.values()) == len(acked),
          [(s.key, counts.get(s.text)) for s in acked if counts.get(s.text) != 1][:5])
    acked_ids = {s.message_id for s in acked}
    stored_ids = {m for rows in stored.values() for _, m in rows}
    check(f"{name}: every acknowledged send has stored deliveries", acked_ids <= stored_ids,
          sorted(acked_ids - stored_ids)[:5])
    if senders_frames:
        missing = [(s.key, ws_name) for s in acked for ws_name, a in [(agents[s.sender].name, agents[s.sender])]
                   if s.message_id not in a.message_frames]
        check(f"{name}: every sender got its own message's frame (message.created / dm.received)", not missing,
              missing[:5])
        unpaired = [(a.name, m, seqs, a.message_frames.get(m)) for a in agents
                    for m, seqs in a.delivery_messages.items()
                    if not any(t in MESSAGE_TYPES and seq == seqs[0] for t, seq in a.message_frames.get(m, []))]
        check(f"{name}: each delivery's message frame carries the delivery's seq", not unpaired, unpaired[:3])


# ---------------------------------------------------------------- scenarios

def scenario_spread(binary, psql, args, through_nginx=False):
    name = "nginx" if through_nginx else "spread"
    print(f"--- {name}: {args.instances} instances, 6 agents, 60 sends" + (" through nginx" if through_nginx else ""),
          flush=True)
    failed_before = rf.RESULTS["failed"]
    cluster = Cluster(binary, psql, name, args.instances)
    proxy = None
    agents = []
    try:
        if through_nginx:
            proxy = Nginx(cluster.ports())
            check("nginx: started with deploy/nginx/relay.conf", proxy.port is not None, proxy.log())
            status, data = cluster.health(proxy.port)
            check("nginx: /healthz through nginx answers 200 with a node id", status == 200 and "node_id" in data,
                  (status, data))
            entry = [proxy.port]
        else:
            entry = cluster.ports()
        ws = Workspace(entry[0])
        if through_nginx:
            check_body_limit(proxy.port, ws.tokens[0])
        agents = connect_agents(ws, lambda i: entry[i * len(entry) // 6], None)
        if through_nginx and len(cluster.relays) > 1:
            spread = [rf.metric(p, "relay_ws_connections") for p in cluster.ports()]
            check(f"nginx: the WebSockets were spread over the instances ({spread})",
                  sum(1 for n in spread if n) >= 2, spread)
        sends = ws.plan(name, 60, random.Random(17))
        tally = run_senders(sends, ws, lambda old: random.choice(entry))
        print(f"figures {name}: answers {tally}", flush=True)
        check_invariant(name, cluster, agents, sends)
    finally:
        for a in agents:
            a.stop()
        if proxy is not None:
            code = proxy.stop()
            check("nginx: stops on SIGQUIT", code == 0, (code, proxy.log()))
        cluster.close(failed_before)


def check_body_limit(port, token, limit=1 << 20):
    """nginx's client_max_body_size is relay's --max-body-bytes (default 1 MiB): a body of
    exactly that size reaches relay (its JSON answer), one byte more is nginx's 413."""
    path = "/v1/channels/general/messages"
    at = b'{"text":"' + b"x" * (limit - 11) + b'"}'
    status, doc = raw_http(port, "POST", path, at, token)
    check(f"nginx: a {limit}-byte body reaches relay (a JSON answer: {status})", doc is not None, (status, doc))
    status, doc = raw_http(port, "POST", path, at[:-2] + b'x"}', token)
    check("nginx: one byte more is refused by nginx (413)", status == 413 and doc is None, (status, doc))


def scenario_kill(binary, psql, args):
    print(f"--- kill: 3 instances, 6 agents, senders for {args.seconds} s, SIGKILL of instance 3", flush=True)
    failed_before = rf.RESULTS["failed"]
    cluster = Cluster(binary, psql, "kill")
    agents = []
    try:
        ports = cluster.ports()
        ws = Workspace(ports[0])
        agents = connect_agents(ws, lambda i: ports[i // 2], cluster.other_port)
        victim = 2
        stop = threading.Event()
        sends = ws.plan("kill", 5000, random.Random(18))
        killed = {}

        def kill():
            if not stop.wait(args.seconds * 0.4):
                killed["acked_before"] = sum(s.message_id is not None for s in sends)
                # Stopped first, so that senders' requests pile up on it unanswered; then
                # SIGKILL: requests and sockets in flight stay in flight.
                cluster.relays[victim].proc.send_signal(signal.SIGSTOP)
                stop.wait(0.3)
                cluster.killed.add(victim)
                cluster.relays[victim].proc.kill()
                killed["code"] = cluster.relays[victim].proc.wait()
                killed["at"] = time.monotonic()
            stop.wait(args.seconds * 0.6)
            stop.set()
        killer = threading.Thread(target=kill)
        killer.start()
        tally = run_senders(sends, ws, lambda old: cluster.other_port(old) if old else
                            random.choice(cluster.alive_ports()), pace=0.02, until=stop)
        killer.join()
        print(f"figures kill: {sum(hasattr(s, 'attempted') for s in sends)} sends, answers {tally}", flush=True)
        check("kill: instance 3 was killed with SIGKILL under load", killed.get("code") == -signal.SIGKILL, killed)
        after = [s for s in sends if s.message_id is not None and s.acked_at > killed.get("at", float("inf"))]
        check(f"kill: the other instances kept answering ({len(after)} sends acknowledged after the kill)",
              len(after) > 0)
        retried = [s for s in sends if getattr(s, "unanswered", 0)]
        check(f"kill: sends that got no answer from the killed instance were retried with their key elsewhere "
              f"({len(retried)})", retried and all(s.message_id is not None for s in retried),
              [(s.key, s.message_id) for s in retried][:5])
        moved = [a for a in agents[4:] if len(a.connections) > 1 and a.connections[-1][0] != ports[victim]]
        check("kill: the killed instance's clients reconnected to another instance with after_seq",
              len(moved) == 2 and all(a.connections[1][1] is not None for a in moved),
              [(a.name, a.connections) for a in agents[4:]])
        check("kill: the other instances' clients kept their connection",
              all(len(a.connections) == 1 for a in agents[:4]), [(a.name, a.connections) for a in agents[:4]])
        check_invariant("kill", cluster, agents, sends, senders_frames=False)
    finally:
        for a in agents:
            a.stop()
        cluster.close(failed_before)


def scenario_restart(binary, psql, args):
    print(f"--- restart: 3 instances, 6 agents, senders for {args.seconds} s, the cluster restarted", flush=True)
    failed_before = rf.RESULTS["failed"]
    cluster = Cluster(binary, psql, "restart")
    agents = []
    try:
        ports = cluster.ports()
        ws = Workspace(ports[0])
        agents = connect_agents(ws, lambda i: ports[i // 2], cluster.other_port)
        stop = threading.Event()
        sends = ws.plan("restart", 5000, random.Random(19))
        restarted = {}

        def restart():
            if not stop.wait(args.seconds * 0.3):
                out = subprocess.run([rf.SCRIPTS_PG, "restart", "--mode", "fast", args.cluster],
                                     capture_output=True, text=True)
                restarted.update(code=out.returncode, stderr=out.stderr.strip()[-300:], at=time.monotonic())
            stop.wait(args.seconds * 0.7)
            stop.set()
        t = threading.Thread(target=restart)
        t.start()
        tally = run_senders(sends, ws, lambda old: random.choice(ports), pace=0.02, until=stop)
        t.join()
        print(f"figures restart: {sum(hasattr(s, 'attempted') for s in sends)} sends, answers {tally}", flush=True)
        check("restart: the cluster was restarted under load", restarted.get("code") == 0, restarted)
        states = cluster.wait_listeners(30)
        check("restart: every instance's listener is connected again (/healthz)",
              all(listening(d) for _, d in states.values()), states)
        at = restarted.get("at", 0)
        def told():
            return [a for a in agents if len(a.connections) > 1
                    or any(f["data"].get("reason") == "notifications_lost" for _, f in list(a.resyncs))]
        deadline = time.monotonic() + 10  # the frames follow the listener's reconnection
        while len(told()) < len(agents) and time.monotonic() < deadline:
            time.sleep(0.1)
        told = told()
        check("restart: every client got a resync frame (notifications_lost) or reconnected with after_seq",
              len(told) == len(agents), [(a.name, a.resyncs, a.connections) for a in agents if a not in told])
        acked_after = sum(1 for s in sends if s.message_id is not None and s.acked_at > at)
        check(f"restart: sends acknowledged after the restart ({acked_after})", acked_after > 0)
        check_invariant("restart", cluster, agents, sends, senders_frames=False)
    finally:
        for a in agents:
            a.stop()
        cluster.close(failed_before)


# ---------------------------------------------------------------- main

SCENARIOS = {"spread": scenario_spread, "kill": scenario_kill, "restart": scenario_restart,
             "nginx": lambda b, p, a: scenario_spread(b, p, a, through_nginx=True)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("binary")
    p.add_argument("--seconds", type=float, default=3.0, help="load time of kill and restart (default 3)")
    p.add_argument("--scenarios", default="spread,kill,restart,nginx")
    p.add_argument("--cluster", help="a running scripts/pg cluster (default: start one through scripts/pg run)")
    p.add_argument("--instances", type=int, default=3, help="spread and nginx: how many instances (1: the harness "
                   "alone, every client on one instance)")
    args = p.parse_args()
    if args.cluster is None:
        if rf.pg_bin_dir() is None:
            print("PostgreSQL server binaries not found (STRATA_PG_BIN, /usr/lib/postgresql/15/bin, initdb on "
                  "PATH): skipped")
            return rf.SKIP
        # A cluster of our own: the restart must not disturb anyone else's.
        env = {k: v for k, v in os.environ.items() if k != "STRATA_PG_SCOPE"}
        return subprocess.call([rf.SCRIPTS_PG, "run", "--", sys.executable, os.path.abspath(__file__), args.binary,
                                "--cluster", "pg1", "--seconds", str(args.seconds), "--scenarios", args.scenarios,
                                "--instances", str(args.instances)],
                               env=env)
    url = subprocess.run([rf.SCRIPTS_PG, "url", args.cluster], capture_output=True, text=True, check=True).stdout
    psql = Psql(url.strip())
    for name in args.scenarios.split(","):
        if name not in SCENARIOS:
            raise SystemExit(f"unknown scenario '{name}' ({', '.join(SCENARIOS)})")
        if name == "nginx" and nginx_binary() is None:
            print("skip  nginx: no nginx installed (scripts/bootstrap installs nginx-light)", flush=True)
            continue
        t0 = time.monotonic()
        SCENARIOS[name](args.binary, psql, args)
        print(f"figures {name}: {time.monotonic() - t0:.1f} s", flush=True)
    return rf.finish()


if __name__ == "__main__":
    sys.exit(main())
