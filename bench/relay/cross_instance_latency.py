#!/usr/bin/env python3
"""What a second and third relay instance on one PostgreSQL cost (issue 17's goals).

    bench/relay/cross_instance_latency.py BINARY [--sends 500] [--pace 0.02] [--seconds 5]
                                          [--connections 24] [--rounds 2] [--cluster NAME]

Without --cluster it starts a throwaway cluster through `scripts/pg run`.

1. Latency: three instances on one database; a sender posts through instance 1 to a
   channel whose members include agent `near` (WebSocket on instance 1, the sender's) and
   agent `far` (WebSocket on instance 2). For each of --sends paced sends: the time from
   just before the POST, and from its 201, to the message frame's arrival on each socket.
   Prints p50/p90/p99 near vs far and the per-send difference far - near.
2. Throughput: wrk (three processes, --connections in all, each to one port) posting to
   a 10-member channel for --seconds, against one instance, then against three instances
   on one database (each configuration a fresh database, alternated --rounds times). In
   both, --sockets members (default 3) hold a WebSocket (spread over the instances). Prints
   sends/s, relay CPU ms per send (utime+stime of every relay process, /proc/PID/stat),
   the CPU of everything else per send, and PostgreSQL transactions per send (pg_stat_database.xact_commit: every
   autocommit read counts as one).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "blackbox"))
import relay_faults as rf  # noqa: E402
from relay_faults import Client, Psql, must  # noqa: E402
from relay_ws_agent import Agent  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


def start_instances(binary, psql, dbname, count, extra=()):
    psql.rows(f"CREATE DATABASE {dbname}", "postgres")
    url = psql.url_for(dbname, "application_name=relay_bench")
    flags = ["--log-level", "info", *extra]  # the "listening on" line is info
    relays = [rf.start_relay(binary, url, flags)]
    relays += [rf.start_relay(binary, url, flags) for _ in range(count - 1)]
    return relays


def stop_instances(psql, dbname, relays):
    for r in relays:
        r.stop()
    psql.rows(f"DROP DATABASE IF EXISTS {dbname}", "postgres")


def workspace(port, members):
    """A sender and `members` agents in channel `bench`; their tokens."""
    c = Client(port)
    key = must(c.request("POST", "/v1/workspaces", {"name": "bench"}), "workspace")["api_key"]
    sender = must(c.request("POST", "/v1/agents", {"name": "sender"}, key), "sender")["token"]
    must(c.request("POST", "/v1/channels", {"name": "bench"}, sender), "channel")
    tokens = []
    for i in range(members):
        t = must(c.request("POST", "/v1/agents", {"name": f"m{i}"}, key), "member")["token"]
        must(c.request("POST", "/v1/channels/bench/join", None, t), "join")
        tokens.append(t)
    c.close()
    return sender, tokens


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")


def line(name, ms):
    return f"{name:<34} p50 {pct(ms, 50):7.3f}  p90 {pct(ms, 90):7.3f}  p99 {pct(ms, 99):7.3f} ms  (n={len(ms)})"


def latency(binary, psql, args):
    dbname = f"bench_latency_{os.getpid()}"
    relays = start_instances(binary, psql, dbname, 3)
    try:
        ports = [r.port for r in relays]
        sender, (near_t, far_t) = workspace(ports[0], 2)
        near = Agent("near", near_t, ports[0])
        far = Agent("far", far_t, ports[1])
        if not (near.start() and far.start()):
            raise RuntimeError("a WebSocket did not connect")
        c = Client(ports[0])
        sent = []  # (message id, before POST, at 201)
        for i in range(args.sends + 20):
            t0 = time.monotonic()
            status, doc, _ = c.request("POST", "/v1/channels/bench/messages", {"text": f"lat {i}"}, sender)
            t1 = time.monotonic()
            if status != 201:
                raise RuntimeError(f"send {i}: {status} {doc}")
            if i >= 20:  # the first 20 warm up caches and connections
                sent.append((doc["data"]["id"], t0, t1))
            time.sleep(args.pace)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(m in near.arrivals and m in far.arrivals for m, _, _ in sent):
            time.sleep(0.05)
        near.stop()
        far.stop()
        c.close()
        got = [(near.arrivals.get(m), far.arrivals.get(m), t0, t1) for m, t0, t1 in sent]
        ms = lambda xs: [x * 1000 for x in xs]  # noqa: E731
        print(f"latency: {len(sent)} sends paced {args.pace * 1000:.0f} ms through instance 1; frames missing: "
              f"near {sum(n is None for n, _, _, _ in got)}, far {sum(f is None for _, f, _, _ in got)}")
        print(line("near (same instance), from POST", ms(n - t0 for n, f, t0, t1 in got if n is not None)))
        print(line("far (other instance), from POST", ms(f - t0 for n, f, t0, t1 in got if f is not None)))
        print(line("near, from the 201", ms(n - t1 for n, f, t0, t1 in got if n is not None)))
        print(line("far, from the 201", ms(f - t1 for n, f, t0, t1 in got if f is not None)))
        print(line("far - near, per send", ms(f - n for n, f, t0, t1 in got if n is not None and f is not None)))
        print(line("POST round trip (201)", ms(t1 - t0 for _, _, t0, t1 in got)))
    finally:
        stop_instances(psql, dbname, relays)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6], v[3] + v[4]  # busy, idle


def throughput_round(binary, psql, args, count, rnd):
    dbname = f"bench_tput_{count}_{rnd}_{os.getpid()}"
    relays = start_instances(binary, psql, dbname, count, args.relay_flags.split())
    work = tempfile.mkdtemp(prefix="bench-instances-")
    agents = []
    try:
        ports = [r.port for r in relays]
        sender, members = workspace(ports[0], 9)
        agents = [Agent(f"m{i}", members[i], ports[i % count]) for i in range(args.sockets)]
        for a in agents:
            a.start()
        script = os.path.join(work, "post.lua")
        with open(script, "w") as f:
            f.write(f'wrk.method = "POST"\nwrk.body = \'{{"text":"load"}}\'\n'
                    f'wrk.headers["Authorization"] = "Bearer {sender}"\n'
                    'wrk.headers["Content-Type"] = "application/json"\n'
                    'request = function() return wrk.format(nil, "/v1/channels/bench/messages") end\n')
        xacts = lambda: int(psql.rows(  # noqa: E731
            f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{dbname}'", "postgres")[0][0])
        x0, m0 = xacts(), machine_ticks()
        c0 = sum(cpu_ticks(r.proc.pid) for r in relays)
        per = max(1, args.connections // 3)
        wrks = [subprocess.Popen(["wrk", "-t1", f"-c{per}", f"-d{args.seconds}s", "-s", script,
                                  f"http://127.0.0.1:{ports[i % count]}"], stdout=subprocess.PIPE, text=True)
                for i in range(3)]
        outs = [w.communicate()[0] for w in wrks]
        c1, m1 = sum(cpu_ticks(r.proc.pid) for r in relays), machine_ticks()
        x1 = xacts()
        grouped = sum(rf.metric(r.port, "relay_commit_group_size_sum") or 0 for r in relays)
        groups = sum(rf.metric(r.port, "relay_commit_group_size_count") or 0 for r in relays)
        requests = sum(int(next(ln.split()[0] for ln in o.splitlines() if "requests in" in ln)) for o in outs)
        non2xx = sum(int(ln.split()[-1]) for o in outs for ln in o.splitlines() if "Non-2xx" in ln)
        relay_ms = (c1 - c0) * 1000 / CLK / max(requests, 1)
        busy = (m1[0] - m0[0]) * 1000 / CLK
        others_ms = busy / max(requests, 1) - relay_ms
        load = 100 * (m1[0] - m0[0]) / max(1, (m1[0] - m0[0]) + (m1[1] - m0[1]))
        print(f"{count} instance{'s' if count > 1 else ' '} round {rnd}: {requests / args.seconds:8.0f} sends/s  "
              f"relay {relay_ms:5.2f} ms CPU/send  others {others_ms:5.2f} ms CPU/send  "
              f"{(x1 - x0) / max(requests, 1):4.2f} PostgreSQL transactions/send (reads included)  "
              f"mean group {grouped / groups if groups else 0:4.1f}  busy {load:3.0f}%"
              + (f"  ({non2xx} non-2xx!)" if non2xx else ""), flush=True)
        return requests / args.seconds, relay_ms
    finally:
        for a in agents:
            a.stop()
        stop_instances(psql, dbname, relays)
        shutil.rmtree(work, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("binary")
    p.add_argument("--sends", type=int, default=500)
    p.add_argument("--pace", type=float, default=0.02, help="seconds between latency sends")
    p.add_argument("--seconds", type=int, default=5, help="wrk time per throughput configuration")
    p.add_argument("--connections", type=int, default=24)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--sockets", type=int, default=3, help="throughput: members holding a WebSocket (spread over "
                   "the instances)")
    p.add_argument("--only", choices=["latency", "throughput"])
    p.add_argument("--relay-flags", default="", help="throughput: extra relay options, e.g. '--group-commit false'")
    p.add_argument("--cluster")
    args = p.parse_args()
    if args.cluster is None:
        env = {k: v for k, v in os.environ.items() if k != "STRATA_PG_SCOPE"}
        return subprocess.call([rf.SCRIPTS_PG, "run", "--", sys.executable, os.path.abspath(__file__), *sys.argv[1:],
                                "--cluster", "pg1"], env=env)
    url = subprocess.run([rf.SCRIPTS_PG, "url", args.cluster], capture_output=True, text=True, check=True).stdout
    psql = Psql(url.strip())
    print(f"machine: {os.cpu_count()} cores (shared), load {os.getloadavg()[0]:.2f}", flush=True)
    if args.only != "throughput":
        latency(args.binary, psql, args)
    if args.only != "latency":
        results = {1: [], 3: []}
        for rnd in range(1, args.rounds + 1):
            for count in ((1, 3) if rnd % 2 else (3, 1)):
                results[count].append(throughput_round(args.binary, psql, args, count, rnd))
        for count, rs in results.items():
            print(f"{count} instance(s): median {statistics.median(r[0] for r in rs):.0f} sends/s, "
                  f"relay {statistics.median(r[1] for r in rs):.2f} ms CPU/send")
        one, three = (statistics.median(r[0] for r in results[c]) for c in (1, 3))
        print(f"three / one instance: {three / one:.2f}x sends/s")
    for r in rf.STARTED:
        shutil.rmtree(r.dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
