#!/usr/bin/env bash
# run.sh - the « Scale, measured » benchmark of issue 6 (docs/PERFORMANCE.md).
#
#   bench/run.sh [sqlite] [pg]      both backends when no argument is given
#
# Builds clr and bench/baseline.c, generates the data set once (cached under
# bench/data/, gitignored: `clr bench-data`, 1 000 organisations, 1 000 000
# candidates, one organisation of 100 000), starts the server pinned to core
# 0 (`taskset -c 0`; PostgreSQL too) and wrk pinned to core 1, and runs wrk,
# in one run, against:
#   baseline-list   bench/baseline answering the captured list page from memory
#   list            /candidats (page 1, 50 rows) of the 100 000-candidate organisation
#   deep            /candidats?page=1..2000 at random (deep.lua)
#   search          /candidats?q=<a realistic substring> (search.lua): the whole page
#   live            the same searches as the search box sends them as one types
#                   (&partiel=1: the results alone, static/app.js)
#   short           /candidats?q=<1-2 letters> (short.lua, the first keystrokes)
#   baseline-show   bench/baseline answering the captured candidate page
#   show            /candidats/ID, the candidate page
#   baseline-home   bench/baseline answering the captured « Accueil »
#   home            /accueil (stock, candidates per status, groups)
#   floor-list, floor-show, floor-home (PostgreSQL only)
#                   bench/baseline answering the captured page after one
#                   round trip to the database (the session's check of a warm
#                   page, FLOOR_SQL): what a page that reads one primary key
#                   and renders nothing could reach here, its ratio the
#                   ceiling of any page that stays exact across servers
# and prints requests/s, p50, p99, the ratio to the baseline of the same
# page, the resident memory of clr serve under load (max VmRSS sampled
# while wrk runs, and VmHWM), the database round trips of one cache-warm
# request of the case (db_trips in the server's log: statements on SQLite)
# and, for PostgreSQL, its req/s against SQLite's for the same case.  The table's header says how steady both
# cores were just before (bench/noise.c: on a shared virtual machine the
# host takes a core away now and then, and the tails show it).  Every run is bounded (DURATION seconds per
# case) and stops its servers on exit.
#
# Environment: B (build dir, default build), DURATION (10), CONNS (64),
# ORGS/CANDIDATES/BIG (data set size), PORT (18480), CASES (subset, e.g.
# "list search"; a case may repeat: each ratio is to the last baseline of
# the same page before it), OUT (results file, default bench/data/results.txt, appended),
# SERVE_ARGS (extra arguments of clr serve, e.g. "--threads 2"), NO_BUILD=1 (use $B/clr as it
# is: compare another commit's build, made in its own worktree, on the same data).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${B:-build}
DUR=${DURATION:-10}
CONNS=${CONNS:-64}
ORGS=${ORGS:-1000}
CANDIDATES=${CANDIDATES:-1000000}
BIG=${BIG:-100000}
PORT=${PORT:-18480}
BPORT=$((PORT + 1))
CASES=${CASES:-baseline-list list deep search live short baseline-show show}
DATA=$ROOT/bench/data
OUT=${OUT:-$DATA/results.txt}
EMAIL=bench@clr.test
PASSWORD=Mesure-de-charge-2026  # 12 characters at least, not common (domain/password.h)
BACKENDS=${*:-sqlite pg}
SUFFIX=${SUFFIX:-}
SERVE_ARGS=${SERVE_ARGS:-}
mkdir -p "$DATA"
# this script and what it forks (the RSS sampler's awk and sleep, curl) run
# on wrk's core 1: core 0 is the measured server's alone
taskset -cp 1 $$ >/dev/null
TMP=$(mktemp -d)
SERVER_PID= BASE_PID= PGDIR=

log() { echo "run.sh: $*" >&2; }

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1; }

stop_pid() { # PID: SIGTERM, then wait up to 15 s
	local p=$1 i
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null || return 0
	for i in $(seq 150); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
}

cleanup() {
	stop_pid "$SERVER_PID"
	stop_pid "$BASE_PID"
	if [ -n "$PGDIR" ]; then as_pg "$(pgbin)/pg_ctl" -D "$PGDIR/data" -m fast -w -s stop >/dev/null 2>&1 || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

wait_up() { # PORT
	local i
	for i in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
		sleep 0.05
	done
	log "nothing answers on port $1"
	return 1
}

# --- build -------------------------------------------------------------------
[ -n "${NO_BUILD:-}" ] || make -s B="$B" "$B/clr" >&2 # NO_BUILD=1: $B/clr as it is (another commit's build)
CLR=$ROOT/$B/clr
[ -x "$CLR" ] || CLR=$B/clr
BASELINE=$B/bench-baseline
if [ ! -x "$BASELINE" ] || [ bench/baseline.c -nt "$BASELINE" ]; then
	cc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$BASELINE" bench/baseline.c \
		$(pkg-config --cflags --libs libmicrohttpd libpq) -lpthread
fi
NOISE=$B/bench-noise
if [ ! -x "$NOISE" ] || [ bench/noise.c -nt "$NOISE" ]; then
	cc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$NOISE" bench/noise.c
fi
# how steady the two cores are (bench/noise.c): a shared machine's tail
# latencies are the host's before they are ours
taskset -c 0 "$NOISE" 5 >"$TMP/noise0" &
taskset -c 1 "$NOISE" 5 >"$TMP/noise1"
wait

# --- data sets ---------------------------------------------------------------
sqlite_url() {
	local db=$DATA/bench-$CANDIDATES.db
	if [ ! -f "$db.done" ]; then
		rm -f "$db" "$db-wal" "$db-shm"
		log "generating $db (once)"
		"$CLR" bench-data --db "sqlite:$db" --orgs "$ORGS" --candidates "$CANDIDATES" --big "$BIG" \
			--admin-email "$EMAIL" --admin-password "$PASSWORD" >&2
		touch "$db.done"
	fi
	echo "sqlite:$db"
}

pg_url() {
	local bin port i
	bin=$(pgbin)
	PGDIR=$DATA/pg-$CANDIDATES
	if [ ! -f "$PGDIR/done" ]; then
		[ -d "$PGDIR/data" ] && { tests/lib/pg.sh stop "$PGDIR" || true; rm -rf "$PGDIR"; }
		tests/lib/pg.sh start "$PGDIR" >/dev/null
		tests/lib/pg.sh stop "$PGDIR"
	fi
	port=$((PORT + 2))
	# the database server shares core 0 with clr serve
	taskset -c 0 runuser -u postgres -- "$bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 -s \
		-o "-p $port -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" \
		start >&2
	local url="postgresql://postgres@127.0.0.1:$port/clr_test"
	if [ ! -f "$PGDIR/done" ]; then
		log "generating the PostgreSQL data set in $PGDIR (once)"
		"$CLR" bench-data --db "$url" --orgs "$ORGS" --candidates "$CANDIDATES" --big "$BIG" \
			--admin-email "$EMAIL" --admin-password "$PASSWORD" >&2
		touch "$PGDIR/done"
	fi
	echo "$url"
}

# --- measuring ----------------------------------------------------------------
to_ms() { # wrk duration (12.3us, 4.5ms, 1.2s, 2m) -> ms
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; \
		else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# wrk_case NAME PID URL [SCRIPT]: one wrk run; appends a row to $TMP/rows
wrk_case() {
	local name=$1 pid=$2 url=$3 script=${4:-} out rss=0 cur hwm=- errs
	local args=(-t1 -c"$CONNS" -d"${DUR}s" --timeout 5s --latency)
	[ -n "$SESSION" ] && args+=(-H "Cookie: clr_session=$SESSION")
	[ -n "$script" ] && args+=(-s "$script")
	taskset -c 1 wrk "${args[@]}" "$url" >"$TMP/wrk.out" 2>&1 &
	local wpid=$! k v tick
	# sample VmRSS every 0.5 s without forking (no awk, no sleep): a fork on
	# wrk's core stalls wrk for a millisecond or two, which the latencies of
	# every request in flight would show; read -t on a pipe nobody writes
	# waits without a process
	exec {tick}<> <(:)
	while kill -0 "$wpid" 2>/dev/null; do
		while read -r k v _; do
			if [ "$k" = VmRSS: ]; then
				[ "$v" -gt "$rss" ] && rss=$v
				break
			fi
		done <"/proc/$pid/status"
		read -rt 0.5 -u "$tick" _ || true
	done
	exec {tick}>&-
	wait "$wpid" || true
	hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
	out=$(cat "$TMP/wrk.out")
	local rps p50 p99
	rps=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' <<<"$out")
	p50=$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")
	p99=$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")
	errs=$(awk '/Non-2xx/{n+=$NF} /Socket errors/{gsub(/,/,""); n+=$4+$6+$8+$10} END{print n+0}' <<<"$out")
	echo "$BACKEND $name $rps $p50 $p99 $((rss / 1024)) $((hwm / 1024)) $errs $(trips "$name" "$url")" >>"$TMP/rows"
	log "$BACKEND $name: ${rps} req/s, p50 ${p50} ms, p99 ${p99} ms, RSS $((rss / 1024)) MB, errors $errs"
}

# trips CASE URL: the database round trips of one cache-warm request of the
# case, from the server's log line (db_trips=N; "-" for a baseline)
trips() {
	case $1 in baseline-*) echo -; return ;; floor-*) echo 1; return ;; esac
	local u=$2
	case $1 in search | live) u="${2%/}/candidats?q=martin${SEARCH_LIVE:+&partiel=1}" ;; deep) u="${2%/}/candidats?page=7" ;;
	short) u="${2%/}/candidats?q=ma" ;; esac
	curl -s -o /dev/null -H "Cookie: clr_session=$SESSION" "$u"
	curl -s -o /dev/null -H "Cookie: clr_session=$SESSION" "$u"
	sleep 0.2
	grep -o 'db_trips=[0-9]*' "$TMP/serve.log" | tail -1 | cut -d= -f2
}

wait_idle() { # until core 0 (clr serve and PostgreSQL) is idle: requests queued by the previous case drained; <= 120 s
	local a b i
	for i in $(seq 240); do
		a=$(awk '$1=="cpu0"{print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)
		sleep 0.5
		b=$(awk '$1=="cpu0"{print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)
		awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2];
			exit !(busy + idle > 0 && busy / (busy + idle) < 0.2) }' && return 0
	done
	log "core 0 still busy after 120 s"
}

FLOOR_SQL=${FLOOR_SQL:-SELECT v, auth_v FROM org_versions WHERE org_id = 1}

start_baseline() { # FILE [PG_URL]
	BASELINE_PG=${2:-} BASELINE_SQL=$FLOOR_SQL taskset -c 0 "$BASELINE" "$BPORT" "$1" &
	BASE_PID=$!
	wait_up "$BPORT"
}

run_backend() {
	BACKEND=$1
	local url
	case $BACKEND in
	sqlite) url=$(sqlite_url) ;;
	pg) PGDIR=$DATA/pg-$CANDIDATES; url=$(pg_url) ;; # pg_url runs in a subshell
	*) log "unknown backend $BACKEND"; return 1 ;;
	esac
	# shellcheck disable=SC2086
	taskset -c 0 "$CLR" serve --db "$url" --port "$PORT" $SERVE_ARGS 2>"$TMP/serve.log" &
	SERVER_PID=$!
	wait_up "$PORT"
	# log in once as the big organisation's administrator
	local jar=$TMP/jar csrf base=http://127.0.0.1:$PORT
	rm -f "$jar"
	csrf=$(curl -s -c "$jar" -b "$jar" "$base/connexion" | grep -o 'name="csrf" value="[^"]*"' | head -1 |
		sed 's/.*value="//; s/"$//')
	curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" \
		--data-urlencode "csrf=$csrf" "$base/connexion"
	SESSION=$(awk '$6=="clr_session"{print $7}' "$jar")
	[ -n "$SESSION" ] || { log "login failed"; return 1; }
	curl -s -H "Cookie: clr_session=$SESSION" "$base/candidats" >"$TMP/list.html"
	local id
	id=$(grep -o 'href="/candidats/[0-9]*"' "$TMP/list.html" | head -1 | grep -o '[0-9]*')
	[ -n "$id" ] || { log "no candidate on the list page"; return 1; }
	curl -s -H "Cookie: clr_session=$SESSION" "$base/candidats/$id" >"$TMP/show.html"
	curl -s -H "Cookie: clr_session=$SESSION" "$base/accueil" >"$TMP/home.html"
	log "$BACKEND: list page $(wc -c <"$TMP/list.html") bytes, candidate $id page $(wc -c <"$TMP/show.html") bytes"
	# warm-up (page cache, statement caches)
	taskset -c 1 wrk -t1 -c8 -d2s -H "Cookie: clr_session=$SESSION" -s bench/search.lua "$base/" >/dev/null 2>&1 || true
	local c
	for c in $CASES; do
		wait_idle "$SERVER_PID"
		case $c in
		baseline-list | baseline-show | baseline-home)
			start_baseline "$TMP/${c#baseline-}.html"
			local s=$SESSION
			wrk_case "$c" "$BASE_PID" "http://127.0.0.1:$BPORT/candidats"
			SESSION=$s
			stop_pid "$BASE_PID"
			BASE_PID=
			;;
		floor-list | floor-show | floor-home)
			if [ "$BACKEND" != pg ]; then log "$c: PostgreSQL only"; continue; fi
			start_baseline "$TMP/${c#floor-}.html" "$url"
			local s=$SESSION
			wrk_case "$c" "$BASE_PID" "http://127.0.0.1:$BPORT/candidats"
			SESSION=$s
			stop_pid "$BASE_PID"
			BASE_PID=
			;;
		list) wrk_case list "$SERVER_PID" "$base/candidats" ;;
		deep) wrk_case deep "$SERVER_PID" "$base/" bench/deep.lua ;;
		search) wrk_case search "$SERVER_PID" "$base/" bench/search.lua ;;
		live) SEARCH_LIVE=1 wrk_case live "$SERVER_PID" "$base/" bench/search.lua ;;
		short) wrk_case short "$SERVER_PID" "$base/" bench/short.lua ;;
		show) wrk_case show "$SERVER_PID" "$base/candidats/$id" ;;
		home) wrk_case home "$SERVER_PID" "$base/accueil" ;;
		esac
	done
	stop_pid "$SERVER_PID"
	SERVER_PID=
	if [ "$BACKEND" = pg ]; then
		as_pg "$(pgbin)/pg_ctl" -D "$PGDIR/data" -m fast -w -s stop >&2 || true
		PGDIR=
	fi
}

SESSION=
: >"$TMP/rows"
for b in $BACKENDS; do run_backend "$b"; done

# --- the table ------------------------------------------------------------------
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "# host noise before the run (bench/noise.c): core 0: $(cat "$TMP/noise0"); core 1: $(cat "$TMP/noise1")"
	echo "# wrk -t1 -c$CONNS -d${DUR}s --latency (core 1); clr serve on core 0; $CANDIDATES candidates, big org $BIG${SUFFIX:+; $SUFFIX}"
	# a ratio is to the baseline of the same page measured last before it in
	# the run (the first one after it when none came before), so that
	# CASES="baseline-list list baseline-list list ..." gives paired ratios
	awk '
	{ b[NR] = $1; n[NR] = $2; r[NR] = $3; p50[NR] = $4; p99[NR] = $5; rss[NR] = $6; hwm[NR] = $7; e[NR] = $8; t[NR] = $9 }
	END {
	  printf "%-7s %-14s %9s %9s %9s %8s %8s %8s %7s %6s %8s\n", "backend", "case", "req/s", "p50 ms", "p99 ms", "ratio", "RSS MB", "HWM MB", "errors", "trips", "pg/sqlite"
	  for (i = 1; i <= NR; i++) {
	    k = n[i] ~ /show/ ? "show" : n[i] ~ /home/ ? "home" : "list"
	    base = 0
	    if (n[i] !~ /^baseline/) {
	      for (j = i - 1; j >= 1 && !base; j--) if (b[j] == b[i] && n[j] == "baseline-" k) base = r[j]
	      for (j = i + 1; j <= NR && !base; j++) if (b[j] == b[i] && n[j] == "baseline-" k) base = r[j]
	    }
	    ratio = base > 0 ? sprintf("%.3f", r[i] / base) : "-"
	    # PostgreSQL against SQLite: req/s of the same case (the last SQLite row of that name)
	    vs = "-"
	    if (b[i] == "pg") for (j = 1; j <= NR; j++) if (b[j] == "sqlite" && n[j] == n[i] && r[j] > 0) vs = sprintf("%.2f", r[i] / r[j])
	    printf "%-7s %-14s %9s %9s %9s %8s %8s %8s %7s %6s %8s\n", b[i], n[i], r[i], p50[i], p99[i], ratio, rss[i], hwm[i], e[i], t[i], vs
	  }
	}' "$TMP/rows"
} | tee -a "$OUT"
