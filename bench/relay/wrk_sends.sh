#!/usr/bin/env bash
# Drives a release relay over HTTP with wrk (Debian package): one agent of 10-member
# channels posting, at CONNECTIONS connections for SECONDS. Each configuration gets a
# fresh database; configurations run alternately ROUNDS times, so a busy machine slows
# them alike (compare ratios, not absolutes).
#   bench/relay/wrk_sends.sh RELAY_BINARY [CONNECTIONS=64] [SECONDS=5] [ROUNDS=2]
# Environment:
#   WRK_DB=sqlite (default: a file on disk under /var/tmp) or postgres (needs
#     STRATA_PG_URL, e.g. under `scripts/pg run --`; a fresh database per configuration)
#   WRK_CHANNELS=1 (default: every send to one hot channel) or N: each request picks one
#     of N channels at random; each has the sender and 9 members of its own, so sends to
#     different channels share no lock (WRK_SHARED_MEMBERS=1: the same 9 in every channel,
#     so every send bumps the same 10 per-recipient delivery counters)
#   WRK_CONFIGS="name:flags|name:flags" replaces the default configurations
# Prints: config, sends/s, p50, p99, CPU ms per send of relay and of everything else on
# the machine (the database server, wrk, anything running meanwhile), how busy the
# machine's cores were, and the mean commit group size (groups of two or more).
set -euo pipefail
relay=$1 conns=${2:-64} seconds=${3:-5} rounds=${4:-2}
db_kind=${WRK_DB:-sqlite} channels=${WRK_CHANNELS:-1}
work=$(mktemp -d /var/tmp/wrk-sends.XXXXXX)
trap 'pkill -TERM -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
if [[ -n "${WRK_CONFIGS:-}" ]]; then
  IFS='|' read -r -a configs <<<"$WRK_CONFIGS"
elif [[ "$db_kind" == postgres ]]; then
  configs=("interactive:--group-commit false --write-batches false"
           "batch:--group-commit false --write-batches true"
           "batch+group:--group-commit true --write-batches true"
           "interactive+group:--group-commit true --write-batches false")
else
  configs=("full+group:--durability full --group-commit true"
           "normal,no group:--durability normal --group-commit false"
           "full,no group:--durability full --group-commit false")
fi
port=18900
clk=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }  # busy idle
for ((r = 1; r <= rounds; r++)); do
  for c in "${configs[@]}"; do
    name=${c%%:*} flags=${c#*:}
    port=$((port + 1)) dir="$work/$port"
    mkdir -p "$dir"
    if [[ "$db_kind" == postgres ]]; then
      psql -q "$STRATA_PG_URL" -c "CREATE DATABASE wrk_$port" >/dev/null
      db="${STRATA_PG_URL%/*}/wrk_$port"
    else
      db="sqlite:$dir/relay.db"
    fi
    # shellcheck disable=SC2086
    "$relay" --listen 127.0.0.1:$port --db "$db" --files-dir "$dir/files" --log-level warn $flags &
    pid=$!
    for _ in $(seq 100); do curl -sf "localhost:$port/healthz" >/dev/null && break; sleep 0.1; done
    # One workspace; the sender and 9 members in channel "general" when WRK_CHANNELS=1,
    # else the sender and 9 members in each of c0..c(N-1). Prints the sender's token.
    token=$(python3 - "localhost:$port" "$channels" "${WRK_SHARED_MEMBERS:-0}" <<'PY'
import json, sys, urllib.request
base, n, shared = "http://" + sys.argv[1] + "/v1", int(sys.argv[2]), sys.argv[3] == "1"
def post(path, body, auth):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["data"]
req = urllib.request.Request(base + "/workspaces", b'{"name":"bench"}', method="POST")
key = json.load(urllib.request.urlopen(req))["data"]["api_key"]
sender = post("/agents", {"name": "sender"}, key)["token"]
def members(tag):
    return [post("/agents", {"name": f"{tag}m{i}"}, key)["token"] for i in range(9)]
shared_members = members("") if n == 1 or shared else None
for c in range(n if n > 1 else 0):
    post("/channels", {"name": f"c{c}"}, sender)
    for t in shared_members or members(f"c{c}"):
        post(f"/channels/c{c}/join", {}, t)
print(sender)
PY
)
    cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"text":"load"}'
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
local channels = $channels
request = function()
  local path = "/v1/channels/general/messages"
  if channels > 1 then path = "/v1/channels/c" .. math.random(0, channels - 1) .. "/messages" end
  return wrk.format(nil, path)
end
LUA
    before=$(cpu_ticks $pid) m_before=$(machine_ticks)
    out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${seconds}s" --latency -s "$dir/post.lua" "http://127.0.0.1:$port")
    after=$(cpu_ticks $pid) m_after=$(machine_ticks)
    m=$(curl -s "localhost:$port/metrics")
    groups=$(grep -E '^relay_commit_group_size_count' <<<"$m" | awk '{print $2}')
    units=$(grep -E '^relay_commit_group_size_sum' <<<"$m" | awk '{print $2}')
    requests=$(grep -E '^ +[0-9]+ requests in' <<<"$out" | awk '{print $1}')
    rps=$(grep Requests/sec <<<"$out" | awk '{print $2}')
    p50=$(grep -E '^ +50%' <<<"$out" | awk '{print $2}')
    p99=$(grep -E '^ +99%' <<<"$out" | awk '{print $2}')
    non2xx=$(grep -c Non-2xx <<<"$out" || true)
    mean=$(python3 -c "print(f'{$units/$groups:.1f}' if $groups else '-')")
    read -r cpu others busy < <(python3 -c "
b0, i0 = map(int, '$m_before'.split()); b1, i1 = map(int, '$m_after'.split())
n, relay = max($requests, 1), ($after - $before) * 1000 / $clk
print(f'{relay / n:.2f} {((b1 - b0) * 1000 / $clk - relay) / n:.2f} {100 * (b1 - b0) / max(b1 - b0 + i1 - i0, 1):.0f}')")
    printf '%-18s round %d: %8s sends/s  p50 %8s  p99 %8s  cpu relay %5s others %5s ms/send  busy %3s%%  mean group %s%s\n' \
      "$name" "$r" "$rps" "$p50" "$p99" "$cpu" "$others" "$busy" "$mean" "$( ((non2xx)) && echo '  (NON-2xx answers!)')"
    kill -TERM $pid; wait $pid || true
    if [[ "$db_kind" == postgres ]]; then
      psql -q "$STRATA_PG_URL" -c "DROP DATABASE wrk_$port" >/dev/null
    fi
  done
done
