#!/usr/bin/env bash
# What a deployment uses, checked (issue 18 item 5):
#  1. `scripts/bootstrap --for run` (what scripts/run installs) lists what building relay
#     needs and none of the test, benchmark or PostgreSQL-server packages;
#  2. relay configures and is a build target with those test and benchmark libraries
#     hidden from CMake, as on a machine that only ran scripts/run;
#  3. deploy/systemd/relay.service passes `systemd-analyze verify` without a warning
#     (skipped where systemd-analyze is absent), and relay starts with the environment
#     the unit gives it and answers /healthz.
# Usage: deploy_test.sh SOURCE_DIR RELAY_BINARY
set -euo pipefail
src=$(realpath "$1") relay=$(realpath "$2")
work=$(mktemp -d)
relay_pid=""
cleanup() {
  [[ -n "$relay_pid" ]] && kill "$relay_pid" 2>/dev/null && wait "$relay_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. the package profiles
run_list=$("$src/scripts/bootstrap" --list run)
all_list=$("$src/scripts/bootstrap" --list)
for p in build-essential cmake libsqlite3-dev libpq-dev libboost-dev nlohmann-json3-dev libspdlog-dev libcli11-dev libssl-dev; do
  grep -qx "$p" <<<"$run_list" || fail "bootstrap --for run lacks $p"
done
for p in postgresql-15 libgtest-dev libgmock-dev libbenchmark-dev libpqxx-dev libsoci-dev libsqlitecpp-dev clang-14; do
  grep -qx "$p" <<<"$run_list" && fail "bootstrap --for run installs $p, which only tests or benchmarks use"
  grep -qx "$p" <<<"$all_list" || fail "bootstrap (all) lacks $p"
done
if "$src/scripts/bootstrap" --for nonsense 2>/dev/null; then fail "bootstrap accepted an unknown profile"; fi
echo "ok: bootstrap profiles"

# 2. relay configures without the test and benchmark libraries (what scripts/run passes)
hidden=()
for pkg in GTest benchmark SQLiteCpp libpqxx SOCI Python3; do
  hidden+=("-DCMAKE_DISABLE_FIND_PACKAGE_$pkg=ON")
done
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_BENCHMARKS=OFF "${hidden[@]}" >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log" >&2; fail "relay does not configure without test and benchmark libraries"; }
targets=$(ninja -C "$work/build" -t targets all)  # (not piped into grep -q: SIGPIPE under pipefail)
grep -q '^relay:' <<<"$targets" || fail "no relay target in that configuration"
grep -q -- '--for run' "$src/scripts/run" || fail "scripts/run does not bootstrap --for run"
echo "ok: relay configures with tests and benchmarks off"

# 3. the systemd unit
unit=$src/deploy/systemd/relay.service
state=$work/state
mkdir -p "$state"
sed -e "s|/usr/local/bin/relay|$relay|" -e "s|/var/lib/relay|$state|g" "$unit" >"$work/relay.service"
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify --man=no "$work/relay.service" 2>&1) || { echo "$out" >&2; fail "systemd-analyze verify failed"; }
  [[ -z "$out" ]] || { echo "$out" >&2; fail "systemd-analyze verify warned"; }
  echo "ok: systemd-analyze verify"
else
  echo "skip: systemd-analyze is not installed (Debian package systemd)"
fi
# relay with the unit's Environment= lines (on a free port instead of 8787)
env_args=()
while IFS= read -r line; do
  env_args+=("${line#Environment=}")
done < <(grep '^Environment=' "$work/relay.service")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$state" && exec env -i PATH=/usr/bin:/bin "${env_args[@]}" RELAY_LISTEN=127.0.0.1:$port "$relay") >"$work/relay.log" 2>&1 &
relay_pid=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$port/healthz',timeout=1).status==200 else 1)" 2>/dev/null; then
    break
  fi
  kill -0 "$relay_pid" 2>/dev/null || { cat "$work/relay.log" >&2; fail "relay exited with the unit's environment"; }
  sleep 0.1
done
python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz',timeout=2)" \
  || { cat "$work/relay.log" >&2; fail "relay did not answer /healthz"; }
[[ -f "$state/relay.db" ]] || fail "relay did not create its database where the unit says (RELAY_DB)"
kill -TERM "$relay_pid"
wait "$relay_pid" || fail "relay did not stop cleanly on SIGTERM (the unit's KillSignal)"
relay_pid=""
echo "ok: relay runs with the unit's environment and stops on SIGTERM"
