#!/usr/bin/env bash
# Self-test of scripts/pg: start/env/url/list/stop, password auth, a streaming replica,
# CPU pinning, error messages, `run` (exit codes, cleanup on failure and on TERM) and two
# concurrent runs. Uses its own STRATA_PG_ROOT, so it never touches other clusters.
# Run from anywhere: tests/pg/pg_script_test.sh — exits 0 when every check passes.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pg="$repo/scripts/pg"
if [[ -x /usr/lib/postgresql/15/bin/psql ]]; then psql_bin=/usr/lib/postgresql/15/bin/psql; else psql_bin=$(command -v psql); fi

STRATA_PG_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/strata-pg-test.XXXXXX")
chmod 755 "$STRATA_PG_ROOT"   # the postgres OS user must be able to traverse it
export STRATA_PG_ROOT
unset STRATA_PG_SCOPE STRATA_PG_URL PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGPASSFILE
work=$(mktemp -d)
errlog=$work/stderr.log   # every stderr of scripts/pg, checked for passwords at the end
passwords=()

cleanup() {
  local rc=$?
  "$pg" stop --all 2>/dev/null || true
  rm -rf -- "$STRATA_PG_ROOT" "$work"
  exit "$rc"
}
trap cleanup EXIT

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# pgrun ARGS...: scripts/pg with stderr collected.
pgrun() { "$pg" "$@" 2>>"$errlog"; }
# field FILE KEY: a KEY=value line's value.
field() { sed -n "s/^$2=//p" "$1"; }
# q URL SQL: one value, password from the URL only.
q() { PGPASSFILE=/dev/null PGCONNECT_TIMEOUT=5 "$psql_bin" -X -w -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }
listening() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ------------------------------------------------------------------ start, env, url, list
t=$(now)
pgrun start --name t1 >"$work/t1.env"
echo "     start: $(elapsed "$t") s"
for k in PGPORT PGHOST PGUSER PGPASSWORD PGDATABASE STRATA_PG_URL STRATA_PG_DIR STRATA_PG_NAME; do
  check "start prints $k" grep -q "^$k=." "$work/t1.env"
done
port=$(field "$work/t1.env" PGPORT); pw=$(field "$work/t1.env" PGPASSWORD)
url=$(field "$work/t1.env" STRATA_PG_URL); dir=$(field "$work/t1.env" STRATA_PG_DIR)
passwords+=("$pw")
check "values are as documented" test "$(field "$work/t1.env" PGHOST)/$(field "$work/t1.env" PGUSER)/$(field "$work/t1.env" PGDATABASE)/$(field "$work/t1.env" STRATA_PG_NAME)" = "127.0.0.1/strata/strata/t1"
check "URL is postgresql://strata:<password>@127.0.0.1:<port>/strata" test "$url" = "postgresql://strata:$pw@127.0.0.1:$port/strata"
check "password is generated (>= 24 chars)" test "${#pw}" -ge 24
check "folder is under STRATA_PG_ROOT" test "${dir#"$STRATA_PG_ROOT"/}" != "$dir" -a -d "$dir/data"
if [[ $(id -u) -eq 0 ]]; then
  check "cluster owned by the postgres OS user" test "$(stat -c %U "$dir/data")" = postgres
  check "server runs as postgres" test "$(ps -o user= -p "$(head -1 "$dir/data/postmaster.pid")")" = postgres
fi
check "env NAME repeats start's output" diff <(pgrun env t1) "$work/t1.env"
check "url NAME prints the URL" test "$(pgrun url t1)" = "$url"
check "list shows t1 running" bash -c "'$pg' list | grep -qE '^t1 +$port +primary .* running'"

check "psql connects with PGPASSWORD" test "$(PGPASSFILE=/dev/null PGHOST=127.0.0.1 PGPORT=$port PGUSER=strata PGPASSWORD=$pw PGDATABASE=strata "$psql_bin" -X -w -At -c 'SELECT current_user || current_database()')" = stratastrata
check "the URL connects, strata is superuser" test "$(q "$url" 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = t
check "listens on 127.0.0.1 only" test "$(q "$url" 'SHOW listen_addresses')" = 127.0.0.1
check "test settings (fsync, synchronous_commit, full_page_writes, max_connections, wal_level, max_wal_senders, hot_standby)" \
  test "$(q "$url" "SELECT string_agg(setting, ',' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes','max_connections','wal_level','max_wal_senders','hot_standby')")" = "off,off,on,200,10,off,replica"
check "UTF8 database" test "$(q "$url" 'SHOW server_encoding')" = UTF8
check "unix socket inside the cluster folder" test -S "$dir/sock/.s.PGSQL.$port"
check "wrong password is refused" bash -c "! PGPASSFILE=/dev/null '$psql_bin' -X -w 'postgresql://strata:wrong@127.0.0.1:$port/strata' -c 'SELECT 1' >/dev/null 2>&1"
check "no password is refused over TCP" bash -c "! PGPASSFILE=/dev/null '$psql_bin' -X -w -h 127.0.0.1 -p $port -U strata -d strata -c 'SELECT 1' >/dev/null 2>&1"
check "no password is refused over the socket" bash -c "! PGPASSFILE=/dev/null '$psql_bin' -X -w -h '$dir/sock' -p $port -U strata -d strata -c 'SELECT 1' >/dev/null 2>&1"
check "pg_hba.conf has no trust line" bash -c "! grep -v '^#' '$dir/data/pg_hba.conf' | grep -qw trust"

# ------------------------------------------------------------------ errors
if out=$("$pg" start --name t1 2>&1 >/dev/null); then fail "duplicate name is refused"; else pass "duplicate name is refused"; fi
echo "$out" >>"$errlog"
check "duplicate name error says so" grep -q "already exists" <<<"$out"
check "url of an unknown cluster fails" bash -c "! '$pg' url nosuch 2>>'$errlog'"
check "bad cluster name is refused" bash -c "! '$pg' start --name 'a/b' 2>>'$errlog'"
if out=$(STRATA_PG_BIN=/nonexistent "$pg" start --name nobin 2>&1); then fail "missing binaries fail"; else pass "missing binaries fail"; fi
check "missing binaries point to scripts/bootstrap" grep -q "scripts/bootstrap" <<<"$out"
check "missing binaries leave no registry entry" bash -c "! '$pg' url nobin 2>/dev/null"
if [[ $(id -u) -eq 0 ]]; then
  closed=$(mktemp -d)   # mode 700, owned by root: not traversable by postgres
  if out=$(STRATA_PG_ROOT=$closed "$pg" start --name closed 2>&1); then fail "inaccessible root fails"; else pass "inaccessible root fails"; fi
  check "inaccessible root is explained" grep -q "traversable" <<<"$out"
  check "inaccessible root leaves nothing behind" bash -c "[[ -z \$(find '$closed' -name 'strata-pg.*') ]]"
  rm -rf -- "$closed"
fi

# ------------------------------------------------------------------ replica
t=$(now)
pgrun start --name t1r --replica-of t1 >"$work/t1r.env"
echo "     replica start: $(elapsed "$t") s"
rurl=$(field "$work/t1r.env" STRATA_PG_URL); rport=$(field "$work/t1r.env" PGPORT)
check "replica has its own port" test "$rport" != "$port"
check "replica names its primary" test "$(field "$work/t1r.env" STRATA_PG_PRIMARY)" = t1
check "replica is in recovery" test "$(q "$rurl" 'SELECT pg_is_in_recovery()')" = t
check "primary is not in recovery" test "$(q "$url" 'SELECT pg_is_in_recovery()')" = f
q "$url" "CREATE TABLE pg_script_test(id int PRIMARY KEY, note text); INSERT INTO pg_script_test VALUES (1, 'from primary')" >/dev/null
seen=""; t=$(now)
for _ in $(seq 1 100); do
  seen=$(q "$rurl" "SELECT note FROM pg_script_test WHERE id = 1" 2>/dev/null || true)
  [[ "$seen" == "from primary" ]] && break
  sleep 0.05
done
check "a row written on the primary reaches the replica (after $(elapsed "$t") s)" test "$seen" = "from primary"
if out=$(q "$rurl" "INSERT INTO pg_script_test VALUES (2, 'from replica')" 2>&1); then fail "writes on the replica fail"; else pass "writes on the replica fail"; fi
check "replica write error is read-only" grep -q "read-only transaction" <<<"$out"
check "primary streams to one standby" test "$(q "$url" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1

# ------------------------------------------------------------------ cpu pinning
pgrun start --name tcpu --cpu 0 >"$work/tcpu.env"
cdir=$(field "$work/tcpu.env" STRATA_PG_DIR)
cpid=$(head -1 "$cdir/data/postmaster.pid")
check "--cpu 0 pins the postmaster" bash -c "taskset -cp $cpid | grep -q ': 0\$'"
check "--cpu 0 pins its children" bash -c "for c in \$(pgrep -P $cpid); do taskset -cp \$c | grep -q ': 0\$' || exit 1; done"
check "list shows the pinned CPU" bash -c "'$pg' list | grep -qE '^tcpu +[0-9]+ +primary +0 +running'"
check "--cpu rejects garbage" bash -c "! '$pg' start --cpu abc 2>>'$errlog'"

# ------------------------------------------------------------------ restart
curl=$(field "$work/tcpu.env" STRATA_PG_URL)
q "$curl" "CREATE TABLE restart_test(x int); INSERT INTO restart_test VALUES (7)" >/dev/null
t=$(now)
pgrun restart tcpu
echo "     restart (fast): $(elapsed "$t") s"
check "restart starts a new postmaster" test "$(head -1 "$cdir/data/postmaster.pid")" != "$cpid"
check "restart keeps the port, password and data" test "$(q "$curl" 'SELECT x FROM restart_test')" = 7
check "restart keeps the CPU pin" bash -c "taskset -cp \$(head -1 '$cdir/data/postmaster.pid') | grep -q ': 0\$'"
t=$(now)
pgrun restart --mode immediate --down 0.3 tcpu
echo "     restart (immediate, 0.3 s down): $(elapsed "$t") s"
check "an immediate restart recovers the data" test "$(q "$curl" 'SELECT x FROM restart_test')" = 7
check "restart refuses an unknown mode" bash -c "! '$pg' restart --mode smart tcpu 2>>'$errlog'"
check "restart of an unknown cluster fails" bash -c "! '$pg' restart nosuch 2>>'$errlog'"

# ------------------------------------------------------------------ leaks while running
for f in "$work"/*.env; do passwords+=("$(field "$f" PGPASSWORD)"); done
# Passwords go to grep through a file, never through grep's own argv.
printf '%s\n' "${passwords[@]}" | grep . >"$work/passwords"
for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' 2>/dev/null <"$f" || true; echo; done >"$work/argv"
"$pg" list >"$work/list"
leak=""
grep -qF -f "$work/passwords" "$work/argv" && leak+=" argv"
grep -qF -f "$work/passwords" "$STRATA_PG_ROOT"/strata-pg.*/server.log && leak+=" server.log"
grep -qF -f "$work/passwords" "$work/list" && leak+=" list"
check "passwords are in no process argv, server log or list output${leak:+ (found in:$leak)}" test -z "$leak"

# ------------------------------------------------------------------ stop
t=$(now)
pgrun stop t1
echo "     stop (primary + its replica): $(elapsed "$t") s"
check "stop removes the folder" test ! -e "$dir"
check "stop removes the registry entry" bash -c "! '$pg' url t1 2>/dev/null"
check "stop closes the port" bash -c "! (: <>/dev/tcp/127.0.0.1/$port) 2>/dev/null"
check "stopping a primary stops its replica" bash -c "! '$pg' url t1r 2>/dev/null && [[ ! -e '$(field "$work/t1r.env" STRATA_PG_DIR)' ]]"
check "stop is idempotent" pgrun stop t1
pgrun stop tcpu

# concurrent starts with default names
for i in 1 2 3; do pgrun start >"$work/c$i.out" & done
wait
check "three concurrent starts get distinct names" test "$(cat "$work"/c?.out | grep -c '^STRATA_PG_NAME=' )" = 3 -a "$(cat "$work"/c?.out | sed -n 's/^STRATA_PG_NAME=//p' | sort -u | wc -l)" = 3
check "three concurrent starts get distinct ports" test "$(cat "$work"/c?.out | sed -n 's/^PGPORT=//p' | sort -u | wc -l)" = 3
for i in 1 2 3; do
  check "concurrent cluster $i answers" test "$(q "$(field "$work/c$i.out" STRATA_PG_URL)" 'SELECT 1')" = 1
  passwords+=("$(field "$work/c$i.out" PGPASSWORD)")
done
pgrun stop --all
check "stop --all stops everything" test -z "$(find "$STRATA_PG_ROOT" -maxdepth 1 -name 'strata-pg.*')"
check "list is empty after stop --all" test "$("$pg" list | sed 1d)" = ""

# ------------------------------------------------------------------ run
cat >"$work/inside.sh" <<EOF
set -eu
q() { PGPASSFILE=/dev/null "$psql_bin" -X -w -At -v ON_ERROR_STOP=1 "\$1" -c "\$2"; }
test -n "\$STRATA_PG_SCOPE"
test "\$STRATA_PG_URL" = "\$STRATA_PG_URL_1"
test "\$STRATA_PG_URL_1" != "\$STRATA_PG_URL_2"
test "\$("$pg" url pg1)" = "\$STRATA_PG_URL"
test "\$("$pg" url pg2)" = "\$STRATA_PG_URL_2"
test "\$("$pg" url pg1_replica)" = "\$STRATA_PG_REPLICA_URL"
test "\$(q "\$STRATA_PG_URL" 'SELECT pg_is_in_recovery()')" = f
test "\$(q "\$STRATA_PG_URL_2" 'SELECT pg_is_in_recovery()')" = f
test "\$(q "\$STRATA_PG_REPLICA_URL" 'SELECT pg_is_in_recovery()')" = t
env | grep '^STRATA_PG_' >"$work/run.env"
exit 3
EOF
t=$(now)
rc=0; "$pg" run --clusters 2 --replica -- bash "$work/inside.sh" 2>>"$errlog" || rc=$?
echo "     run --clusters 2 --replica (start, command, stop): $(elapsed "$t") s"
check "run returns the command's exit code (3) after the checks inside passed" test "$rc" = 3 -a -s "$work/run.env"
check "run stops its clusters when the command fails" test -z "$(find "$STRATA_PG_ROOT" -maxdepth 1 -name 'strata-pg.*')"
check "run leaves no registry entries" test -z "$(find "$STRATA_PG_ROOT" -name '*.env')"
while IFS= read -r u; do
  p=${u#postgresql://strata:}; passwords+=("${p%%@*}")
  p=${u##*:}; p=${p%%/*}
  check "run's cluster on port $p is gone" bash -c "! (: <>/dev/tcp/127.0.0.1/$p) 2>/dev/null"
done < <(sed -n 's/^STRATA_PG_\(REPLICA_\)\{0,1\}URL[_0-9]*=//p' "$work/run.env" | sort -u)

check "run returns 0 when the command succeeds" pgrun run -- true
check "run passes stdin to the command" test "$(echo hello | "$pg" run -- cat 2>>"$errlog")" = hello

"$pg" run -- sleep 300 2>>"$errlog" &
runpid=$!
for _ in $(seq 1 200); do [[ -n "$(find "$STRATA_PG_ROOT" -name '*.env' -path '*run-*' 2>/dev/null)" ]] && pgrep -P "$runpid" -x sleep >/dev/null && break; sleep 0.05; done
kill -TERM "$runpid"
rc=0; wait "$runpid" || rc=$?
check "run exits 143 on TERM" test "$rc" = 143
check "run stops its clusters on TERM" test -z "$(find "$STRATA_PG_ROOT" -maxdepth 1 -name 'strata-pg.*')"

# two concurrent runs are isolated: each creates the same table in its own pg1
cat >"$work/iso.sh" <<EOF
set -eu
PGPASSFILE=/dev/null "$psql_bin" -X -w -q -v ON_ERROR_STOP=1 "\$STRATA_PG_URL" -c 'CREATE TABLE only_mine(x int)'
echo "\$STRATA_PG_URL" >"$work/iso.\$1"
sleep 2
test "\$(PGPASSFILE=/dev/null "$psql_bin" -X -w -At "\$STRATA_PG_URL" -c "SELECT count(*) FROM pg_tables WHERE tablename = 'only_mine'")" = 1
EOF
t=$(now)
"$pg" run -- bash "$work/iso.sh" a 2>>"$errlog" & ra=$!
"$pg" run -- bash "$work/iso.sh" b 2>>"$errlog" & rb=$!
rca=0; wait "$ra" || rca=$?; rcb=0; wait "$rb" || rcb=$?
echo "     two concurrent runs: $(elapsed "$t") s"
check "two concurrent runs both succeed" test "$rca/$rcb" = 0/0
check "two concurrent runs use different clusters" test -s "$work/iso.a" -a -s "$work/iso.b" -a "$(cat "$work/iso.a")" != "$(cat "$work/iso.b")"
check "concurrent runs leave nothing behind" test -z "$(find "$STRATA_PG_ROOT" -maxdepth 1 -name 'strata-pg.*')"
for f in "$work"/iso.?; do passwords+=("$(sed 's|^postgresql://strata:\([^@]*\)@.*|\1|' "$f")"); done

# ------------------------------------------------------------------ no password in any error output
leak=0
printf '%s\n' "${passwords[@]}" | grep . >"$work/passwords"
grep -qF -f "$work/passwords" "$errlog" && leak=1
check "no password appears in scripts/pg's stderr (${#passwords[@]} passwords checked)" test "$leak" = 0

if ((failures)); then echo "pg_script_test: $failures check(s) failed"; exit 1; fi
echo "pg_script_test: all checks passed"
