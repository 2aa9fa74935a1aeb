#!/usr/bin/env bash
# Drives a release relay over HTTP with wrk (Debian package): one agent of a 10-member
# channel posting, at CONNECTIONS connections for SECONDS, on a SQLite file on disk.
# Each configuration is a fresh database; configurations run alternately ROUNDS times,
# so a busy machine slows them alike (compare ratios, not absolutes).
#   bench/relay/wrk_sends.sh RELAY_BINARY [CONNECTIONS=64] [SECONDS=5] [ROUNDS=2]
# Prints: config, sends/s, p50, p99, mean group size.
set -euo pipefail
relay=$1 conns=${2:-64} seconds=${3:-5} rounds=${4:-2}
work=$(mktemp -d /var/tmp/wrk-sends.XXXXXX)
trap 'pkill -TERM -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
configs=("full+group:--durability full --group-commit true"
         "normal,no group:--durability normal --group-commit false"
         "full,no group:--durability full --group-commit false")
port=18900
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['data']['$1'])"; }
for ((r = 1; r <= rounds; r++)); do
  for c in "${configs[@]}"; do
    name=${c%%:*} flags=${c#*:}
    port=$((port + 1)) dir="$work/$port"
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    "$relay" --listen 127.0.0.1:$port --db "sqlite:$dir/relay.db" --files-dir "$dir/files" --log-level warn $flags &
    pid=$!
    for _ in $(seq 50); do curl -sf "localhost:$port/healthz" >/dev/null && break; sleep 0.1; done
    base=localhost:$port/v1
    key=$(curl -s -X POST $base/workspaces -d '{"name":"bench"}' | json api_key)
    token=$(curl -s -X POST $base/agents -H "Authorization: Bearer $key" -d '{"name":"sender"}' | json token)
    for i in $(seq 9); do
      curl -s -X POST $base/agents -H "Authorization: Bearer $key" -d "{\"name\":\"m$i\"}" >/dev/null
    done
    cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"text":"load"}'
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
LUA
    out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$dir/post.lua" "http://127.0.0.1:$port/v1/channels/general/messages")
    m=$(curl -s "localhost:$port/metrics")
    groups=$(grep -E '^relay_commit_group_size_count' <<<"$m" | awk '{print $2}')
    units=$(grep -E '^relay_commit_group_size_sum' <<<"$m" | awk '{print $2}')
    rps=$(grep Requests/sec <<<"$out" | awk '{print $2}')
    p50=$(grep -E '^ +50%' <<<"$out" | awk '{print $2}')
    p99=$(grep -E '^ +99%' <<<"$out" | awk '{print $2}')
    non2xx=$(grep -c Non-2xx <<<"$out" || true)
    mean=$(python3 -c "print(f'{$units/$groups:.1f}' if $groups else '-')")
    printf '%-16s round %d: %8s sends/s  p50 %8s  p99 %8s  mean group %s%s\n' "$name" "$r" "$rps" "$p50" "$p99" "$mean" \
      "$( ((non2xx)) && echo '  (NON-2xx answers!)')"
    kill -TERM $pid; wait $pid || true
  done
done
