#!/usr/bin/env bash
# connections.sh - overload: the list page under 100 to 5 000 connections
# (issue « Survive overload, abuse and faults », docs/PERFORMANCE.md
# « Connections (overload) »).  Not a test: a measure.
#
#   bench/connections.sh                 this tree's build only
#   OLD_BIN=/path/to/old/clr bench/connections.sh    the old build first, then this one
#
# Starts `clr serve` pinned to core 0 (SQLite, the data set of bench/run.sh:
# `clr bench-data`, cached under bench/data/), logs in as the administrator
# of the 100 000-candidate organisation, and runs wrk pinned to core 1
# against /candidats (page 1, 50 rows) with each number of connections in
# STEPS for DURATION seconds, a fresh server for each step.  Prints per step:
# requests/s, p50 and p99, the errors wrk counts (connect, read, write,
# timeout, non-2xx), and the server's RSS (max VmRSS sampled every 0.5 s
# while wrk runs, and VmHWM).  ulimit -n is raised for both.  All the
# connections come from 127.0.0.1, so the per-address limit is lifted
# (CLR_MAX_CONNS_PER_IP=0); SERVE_ENV adds settings (e.g. "CLR_MAX_CONNS=1000"
# to see the backlog at work).
#
# Environment: DURATION (30), STEPS ("100 400 1000 2000 5000"), OLD_BIN,
# B (build dir, build), CANDIDATES/ORGS/BIG (data set, as bench/run.sh),
# PASSWORD (the data set's administrator's), PORT (18520), TIMEOUT (wrk
# --timeout, 5s), OUT (results file, bench/data/connections.txt, appended).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${B:-build}
DUR=${DURATION:-30}
STEPS=${STEPS:-100 400 1000 2000 5000}
ORGS=${ORGS:-1000}
CANDIDATES=${CANDIDATES:-1000000}
BIG=${BIG:-100000}
PORT=${PORT:-18520}
TIMEOUT=${TIMEOUT:-5s}
DATA=$ROOT/bench/data
OUT=${OUT:-$DATA/connections.txt}
EMAIL=bench@clr.test
PASSWORD=${PASSWORD:-Mesure-de-charge-2026}
SERVE_ENV=${SERVE_ENV:-}
mkdir -p "$DATA"
ulimit -n "$(ulimit -Hn)"
taskset -cp 1 $$ >/dev/null # this script and its samplers on wrk's core
TMP=$(mktemp -d)
SERVER_PID=

log() { echo "connections.sh: $*" >&2; }

stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	local i
	for i in $(seq 200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
}
trap 'stop_server; rm -rf "$TMP"' EXIT

[ -n "${NO_BUILD:-}" ] || make -s B="$B" "$B/clr" >&2
NEW_BIN=$ROOT/$B/clr

db=$DATA/bench-$CANDIDATES.db
if [ ! -f "$db.done" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	log "generating $db (once)"
	"$NEW_BIN" bench-data --db "sqlite:$db" --orgs "$ORGS" --candidates "$CANDIDATES" --big "$BIG" \
		--admin-email "$EMAIL" --admin-password "$PASSWORD" >&2
	touch "$db.done"
fi

to_ms() { # wrk duration (12.3us, 4.5ms, 1.2s, 2m) -> ms
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; \
		else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.1f", n }'
}

wait_idle() { # core 0 quiet (other users of a shared machine), <= 10 s
	local a b i
	for i in $(seq 20); do
		a=$(awk '$1=="cpu0"{print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)
		sleep 0.5
		b=$(awk '$1=="cpu0"{print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)
		awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2];
			exit !(busy + idle > 0 && busy / (busy + idle) < 0.3) }' && return 0
	done
	log "core 0 still busy: measuring anyway"
}

# step LABEL BIN CONNS: one server, one wrk run; a row in $TMP/rows
step() {
	local label=$1 bin=$2 c=$3 base=http://127.0.0.1:$PORT jar=$TMP/jar i
	wait_idle
	# shellcheck disable=SC2086
	env CLR_MAX_CONNS_PER_IP=0 $SERVE_ENV taskset -c 0 "$bin" serve --db "sqlite:$db" --port "$PORT" \
		2>"$TMP/serve.log" &
	SERVER_PID=$!
	for i in $(seq 300); do curl -s -o /dev/null "$base/healthz" && break; sleep 0.1; done
	rm -f "$jar"
	local csrf session
	csrf=$(curl -s -c "$jar" -b "$jar" "$base/connexion" | grep -o 'name="csrf" value="[^"]*"' | head -1 |
		sed 's/.*value="//; s/"$//')
	curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" \
		--data-urlencode "csrf=$csrf" "$base/connexion"
	session=$(awk '$6=="clr_session"{print $7}' "$jar")
	[ -n "$session" ] || { log "login failed ($label)"; stop_server; return 1; }
	# warm-up (list index, page cache, statement caches), then idle again
	taskset -c 1 wrk -t1 -c8 -d3s -H "Cookie: clr_session=$session" "$base/candidats" >/dev/null 2>&1 || true
	wait_idle
	local cpu0 cpu1 rss=0 k v tick
	cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
	taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout "$TIMEOUT" --latency -H "Cookie: clr_session=$session" \
		"$base/candidats" >"$TMP/wrk.out" 2>&1 &
	local wpid=$!
	exec {tick}<> <(:)
	while kill -0 "$wpid" 2>/dev/null; do
		while read -r k v _; do
			if [ "$k" = VmRSS: ]; then
				[ "$v" -gt "$rss" ] && rss=$v
				break
			fi
		done <"/proc/$SERVER_PID/status"
		read -rt 0.5 -u "$tick" _ || true
	done
	exec {tick}>&-
	wait "$wpid" || true
	cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
	local hwm maxc out rps p50 p99 connect read write timeout non2xx
	hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$SERVER_PID/status")
	maxc=$(grep -o 'max_conns=[0-9]*' "$TMP/serve.log" | head -1 | cut -d= -f2 || true)
	stop_server
	out=$(cat "$TMP/wrk.out")
	rps=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' <<<"$out")
	p50=$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")
	p99=$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")
	read -r connect read write timeout < <(awk '/Socket errors/{gsub(/,/,""); print $4, $6, $8, $10; f=1} END{if (!f) print 0, 0, 0, 0}' <<<"$out")
	non2xx=$(awk '/Non-2xx/{print $NF; f=1} END{if (!f) print 0}' <<<"$out")
	echo "$label $c ${rps:-0} $p50 $p99 $connect $read $write $timeout $non2xx $((rss / 1024)) $((hwm / 1024)) ${maxc:-512} $(((cpu1 - cpu0) / DUR))" >>"$TMP/rows"
	log "$label c=$c: ${rps:-0} req/s, p99 $p99 ms, errors connect $connect read $read write $write timeout $timeout non-2xx $non2xx, RSS $((rss / 1024)) MB"
}

: >"$TMP/rows"
for c in $STEPS; do
	[ -n "${OLD_BIN:-}" ] && step before "$OLD_BIN" "$c"
	step after "$NEW_BIN" "$c"
done

{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc --all) cores, load $(cut -d' ' -f1-3 /proc/loadavg); clr serve on core 0, wrk -t1 --timeout $TIMEOUT on core 1, ${DUR} s a step; /candidats of the $BIG-candidate organisation ($CANDIDATES candidates); CLR_MAX_CONNS_PER_IP=0 $SERVE_ENV"
	awk '
	BEGIN { printf "%-7s %6s %8s %9s %9s %8s %6s %6s %8s %8s %7s %7s %9s %6s\n", "build", "conns", "req/s", "p50 ms", "p99 ms", "connect", "read", "write", "timeout", "non-2xx", "RSS MB", "HWM MB", "max_conns", "cpu %" }
	{ printf "%-7s %6s %8s %9s %9s %8s %6s %6s %8s %8s %7s %7s %9s %6s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 }' "$TMP/rows"
} | tee -a "$OUT"
