#!/usr/bin/env bash
# instr.sh - instructions per request of `clr serve` (valgrind's callgrind),
# a measure that this shared machine's noise does not move (docs/PERFORMANCE.md:
# wall-clock figures vary by ±30 % between identical runs here).
#
#   B=DIR [DB=FILE] [NO_BUILD=1] [KEEP=DIR] [COLLECT="on_request completed"] bench/instr.sh [list|show|search|live]...  (default: all four)
#
# Starts DIR/clr serve under callgrind on the SQLite bench data set
# (bench/run.sh generates it; or DB=FILE, made by `clr bench-data --db
# sqlite:FILE` with its defaults, then `touch FILE.done`), logs in as the bench administrator, waits for
# the list index of the big organisation, sends each case's URLs once to warm
# the caches, then 200 requests per case (search/live: the 50 terms of
# bench/search.lua, four times) over one keep-alive connection, counting only
# what runs inside the request handler (--toggle-collect=on_request:
# libmicrohttpd's parsing and the kernel are not counted).  Prints, per case,
# instructions per request and mispredicted conditional branches per request.
# Needs valgrind (Debian package).  Takes ~1 minute per case.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
CASES=${*:-list show search live}
DB=${DB:-bench/data/bench-1000000.db}
PORT=${PORT:-18790}
COLLECT=${COLLECT:-on_request} # COLLECT="on_request completed": the request's end (metrics, log line) too
[ -f "$DB.done" ] || { echo "instr.sh: no data set $DB.done: run bench/run.sh sqlite once (or set DB)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "instr.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[ -n "${NO_BUILD:-}" ] || make -s B="$B" "$B/clr" >&2 # NO_BUILD=1: $B/clr as it is (another commit's build)
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
base=http://127.0.0.1:$PORT
terms=$(sed -n '/local terms = {/,/^}/p' bench/search.lua | grep -o '"[^"]*"' | tr -d '"')

for c in $CASES; do
	valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file="$TMP/cg.out" --collect-atstart=no \
		$(for f in $COLLECT; do printf -- '--toggle-collect=%s ' "$f"; done) "$B/clr" serve --db "sqlite:$DB" --port "$PORT" 2>"$TMP/serve.log" &
	PID=$!
	for i in $(seq 600); do curl -s -o /dev/null "$base/healthz" && break; sleep 0.2; done
	jar=$TMP/jar
	rm -f "$jar"
	curl -s -c "$jar" -b "$jar" -o "$TMP/login.html" "$base/connexion"
	csrf=$(grep -o -m1 'name="csrf" value="[^"]*"' "$TMP/login.html" | sed 's/.*value="//; s/"$//')
	curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "email=bench@clr.test" \
		--data-urlencode "password=Bench-2026" --data-urlencode "csrf=$csrf" "$base/connexion"
	cookie="Cookie: clr_session=$(awk '$6=="clr_session"{print $7}' "$jar")"
	for i in $(seq 300); do # until the index answers (its build runs under valgrind too)
		curl -s -o /dev/null -H "$cookie" "$base/candidats?q=mart"
		tail -1 "$TMP/serve.log" | grep -q "list=index" && break
		sleep 2
	done
	case $c in
	list) for i in $(seq 200); do echo "$base/candidats"; done ;;
	show) curl -s -H "$cookie" -o "$TMP/list.html" "$base/candidats"
		id=$(grep -o -m1 'href="/candidats/[0-9]*"' "$TMP/list.html" | tr -dc 0-9)
		for i in $(seq 200); do echo "$base/candidats/$id"; done ;;
	search) for r in 1 2 3 4; do for t in $terms; do echo "$base/candidats?q=$t"; done; done ;;
	live) for r in 1 2 3 4; do for t in $terms; do echo "$base/candidats?q=$t&partiel=1"; done; done ;;
	*) echo "instr.sh: unknown case $c" >&2; exit 2 ;;
	esac >"$TMP/urls"
	head -50 "$TMP/urls" | xargs curl -s -H "$cookie" >/dev/null # warm
	callgrind_control -z "$PID" >/dev/null 2>&1
	xargs -a "$TMP/urls" curl -s -H "$cookie" >/dev/null
	callgrind_control -d "$PID" >/dev/null 2>&1
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	for i in $(seq 150); do curl -s -o /dev/null "$base/healthz" || break; sleep 0.2; done # port free
	n=$(wc -l <"$TMP/urls")
	callgrind_annotate "$TMP/cg.out.1" 2>/dev/null | awk -v c="$c" -v n="$n" '/PROGRAM TOTALS/ {
		gsub(",", "", $1); gsub(",", "", $5)
		printf "%-7s %9d instructions/request %7d mispredicted branches/request\n", c, $1 / n, $5 / n }'
	[ -n "${KEEP:-}" ] && cp "$TMP/cg.out.1" "$KEEP/callgrind-$c.out" # KEEP=DIR: the profiles, for callgrind_annotate
	rm -f "$TMP"/cg.out*
done
