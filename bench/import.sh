#!/usr/bin/env bash
# bench/import.sh - timings of « Importer des candidats » (issue 6): target
# under 10 s for 100 000 candidates on SQLite, twice the file about twice the
# time.  For each N it generates a realistic file (bench/gen_import.py:
# French names, birthplaces from data/postal_codes.tsv), creates a fresh
# database and organisation, then runs the two steps through the CLI (the
# same domain code as the web pages; the web's upload is capped at 10 MiB,
# about 80 000 lines of this file):
#   check   clr candidates import --dry-run   (the report: validates every line)
#   import  clr candidates import             (validates again and creates, one transaction)
# and prints wall time, CPU time and peak memory of each.
#
#   bench/import.sh [N...]             default: 50000 100000, on SQLite
#   CLR_BIN=build/clr CLR_DB_URL=postgresql://... bench/import.sh 50000   (PostgreSQL: a fresh
#       database named clr_bench_import is created on that server)
# Not a test: nothing is asserted.  Figures go to docs/PERFORMANCE.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLR_BIN:-build/clr}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(50000 100000)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clr-bench-import.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
[ -x "$BIN" ] || { echo "bench/import.sh: $BIN is missing (make)" >&2; exit 1; }

printf '%-8s %-7s %10s %10s %10s %10s\n' lines step wall_s cpu_s maxrss_mb created
for n in "${SIZES[@]}"; do
	csv=$WORK/c$n.csv
	python3 bench/gen_import.py "$n" "$csv"
	if [ -n "${CLR_DB_URL:-}" ]; then
		psql -X -q -d "$CLR_DB_URL" -c 'DROP DATABASE IF EXISTS clr_bench_import' -c 'CREATE DATABASE clr_bench_import' >/dev/null
		db=$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/clr_bench_import").geturl())' "$CLR_DB_URL")
	else
		db=sqlite:$WORK/b$n.db
	fi
	"$BIN" migrate --db "$db" >/dev/null
	"$BIN" admin create --db "$db" --org "Bench import" --email bench@exemple.test --password Bench-import-42 >/dev/null
	for step in check import; do
		flag=; [ $step = check ] && flag=--dry-run
		/usr/bin/time -o "$WORK/time" -f '%e %U %S %M' "$BIN" candidates import --db "$db" --org "Bench import" \
			--file "$csv" $flag >"$WORK/out" 2>"$WORK/err"
		read -r wall user sys rss <"$WORK/time"
		created=$(sed -n 's/.*created=\([0-9]*\).*/\1/p' "$WORK/out")
		printf '%-8s %-7s %10s %10.2f %10d %10s\n' "$n" "$step" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$created"
	done
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
