#!/usr/bin/env bash
# bench/results.sh - the results API at scale (issue « Activation codes,
# proctoring documents and results », section 3): an organisation of
# N candidates (clr demo --candidates), all assigned a self-proctored
# certification dated today in one « Valider l'attribution » (curl, as
# bench/assign.sh), one activation code each (« Générer les codes »), an API
# key created on the back office's page; then their results are posted:
#   pass 1  the first half of the codes one request at a time (1 connection,
#           bench/results_client.py): each a 201, a real recording
#           (certification « Passée », code revoked, candidate's status and
#           score, history, audit, the e-mail rendered into the outbox: one
#           transaction each);
#   pass 2  the other half over 8 connections at once (the same client);
#   pass 3  the same results again for DURATION seconds with wrk
#           (bench/results.lua, -t2 -c8): each a 200 « unchanged », what a
#           resending exam platform costs.
# Prints requests/s and latencies (p50, p99) of each pass, the statuses seen,
# and the database's counts afterwards (N taken, N e-mails, N history rows).
# The mail worker delivers to a closed port (CLR_SMTP_URL=smtp://127.0.0.1:9):
# each claimed message fails at once and waits for its retry, so delivery
# costs nearly nothing while the results are measured.
#
#   bench/results.sh [N]                                  default 10000, SQLite
#   CLR_DB_URL=postgresql://... bench/results.sh [N]      PostgreSQL (database clr_bench_results)
# Environment: CLR_BIN (build/clr), DURATION (10), THREADS (clr serve's, default: one per core).
# Not a test: nothing is asserted.  Figures go to docs/PERFORMANCE.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLR_BIN:-build/clr}
N=${1:-10000}
DURATION=${DURATION:-10}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clr-bench-results.XXXXXX")
SERVER=
cleanup() {
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
[ -x "$BIN" ] || { echo "bench/results.sh: $BIN is missing (make)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench/results.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }

if [ -n "${CLR_DB_URL:-}" ]; then
	psql -X -q -d "$CLR_DB_URL" -c 'DROP DATABASE IF EXISTS clr_bench_results' -c 'CREATE DATABASE clr_bench_results' >/dev/null
	DB=$(/usr/bin/python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/clr_bench_results").geturl())' "$CLR_DB_URL")
	q() { psql -X -q -At -d "$DB" -c "$1"; }
	qf() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -f "$1" >/dev/null; }
else
	DB=sqlite:$WORK/r.db
	q() { sqlite3 "${DB#sqlite:}" "$1"; }
	qf() { sqlite3 "${DB#sqlite:}" <"$1"; }
fi
ORG="Bench résultats"
"$BIN" migrate --db "$DB" >/dev/null
"$BIN" admin create --db "$DB" --org "$ORG" --email bench@exemple.test --password Bench-results-42 >/dev/null
"$BIN" staff create --db "$DB" --email staff@exemple.test --password Bench-results-42 >/dev/null
"$BIN" demo --db "$DB" --org "$ORG" --candidates "$N" >/dev/null
"$BIN" stock credit --db "$DB" --org "$ORG" --product PART-CLR-EXAMEN --qty "$N" --reason bench >/dev/null
PRODUCT=$(q "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'")

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
# the mail worker's deliveries fail at once (nothing listens on port 9): the
# outbox is filled, not delivered, while the results are measured
CLR_SMTP_URL=smtp://127.0.0.1:9 CLR_SMTP_STARTTLS=off CLR_MAIL_POLL_MS=60000 "$BIN" serve --db "$DB" --port "$PORT" ${THREADS:+--threads $THREADS} \
	>"$WORK/serve.log" 2>&1 &
SERVER=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null && break; sleep 0.1; done

csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1; }
login() { # JAR EMAIL
	local tok
	tok=$(curl -fs -c "$1" "$URL/connexion" | csrf)
	curl -fs -b "$1" -c "$1" -o /dev/null --data-urlencode "csrf=$tok" --data-urlencode "email=$2" \
		--data-urlencode password=Bench-results-42 "$URL/connexion"
}
JAR=$WORK/jar
login "$JAR" bench@exemple.test
TODAY=$(TZ=Europe/Paris date +%d/%m/%Y)
PAGE=$(curl -fs -b "$JAR" "$URL/certifications/surveillance?produit=$PRODUCT&date=$TODAY&lieu=Amphi")
tok=$(echo "$PAGE" | csrf)
idem=$(echo "$PAGE" | sed -n 's/.*name="idem" value="\([^"]*\)".*/\1/p' | head -1)
{
	printf 'csrf=%s&idem=%s&produit=%s&date=%s&heure=&lieu=Amphi' "$tok" "$idem" "$PRODUCT" "$(TZ=Europe/Paris date +%F)"
	q "SELECT id FROM candidates ORDER BY id LIMIT $N" | sed 's/^/\&ids=/' | tr -d '\n'
} >"$WORK/form"
T=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{time_total}' --data-binary @"$WORK/form" \
	-H 'content-type: application/x-www-form-urlencoded' "$URL/certifications/surveillance")
echo "assigned: HTTP ${T% *} in ${T#* } s, $(q "SELECT COUNT(*) FROM certifications WHERE state = 'planned'") certifications planned today"

# « Générer les codes » for that session: one activation code per certification
SESSION_ID=$(q "SELECT session_id FROM certifications LIMIT 1")
tok=$(curl -fs -b "$JAR" "$URL/certifications/sessions/$SESSION_ID" | csrf)
T=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{time_total}' --data-urlencode "csrf=$tok" \
	"$URL/certifications/sessions/$SESSION_ID/codes")
echo "« Générer les codes »: HTTP ${T% *} in ${T#* } s"
q "SELECT code FROM activation_codes WHERE revoked_at IS NULL ORDER BY id" |
	sed 's/^\(....\)\(....\)\(....\)$/\1-\2-\3/' >"$WORK/codes"
echo "codes: $(q "SELECT COUNT(*) FROM activation_codes WHERE revoked_at IS NULL")"

# an API key, created on the back office's page
SJAR=$WORK/sjar
login "$SJAR" staff@exemple.test
tok=$(curl -fs -b "$SJAR" "$URL/backoffice/cles-api" | csrf)
KEY=$(curl -fs -b "$SJAR" --data-urlencode "csrf=$tok" --data-urlencode "name=Bench" "$URL/backoffice/cles-api" |
	sed -n 's/.*id="api-key"[^>]*value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$KEY" ] || { echo "bench/results.sh: no API key" >&2; exit 1; }
outbox0=$(q "SELECT COUNT(*) FROM outbox")

H=$((N / 2))
echo
echo "== pass 1: $H new results, one request at a time (1 connection): each a 201"
/usr/bin/python3 bench/results_client.py "$URL" "$KEY" "$WORK/codes" 0 "$H" 1
echo
echo "== pass 2: $((N - H)) new results over 8 connections at once: each a 201"
/usr/bin/python3 bench/results_client.py "$URL" "$KEY" "$WORK/codes" "$H" "$N" 8
echo "taken: $(q "SELECT COUNT(*) FROM certifications WHERE state = 'taken'"), result e-mails: $(q "SELECT COUNT(*) FROM outbox WHERE kind = 'candidate.result'") (outbox before: $outbox0), history rows: $(q "SELECT COUNT(*) FROM certification_events WHERE action = 'result'")"
echo
echo "== pass 3: the same results again for ${DURATION} s (wrk -t2 -c8): each a 200 « unchanged »"
KEY=$KEY CODES=$WORK/codes wrk -t2 -c8 -d "${DURATION}s" --latency -s bench/results.lua "$URL"
echo "taken: $(q "SELECT COUNT(*) FROM certifications WHERE state = 'taken'"), result e-mails: $(q "SELECT COUNT(*) FROM outbox WHERE kind = 'candidate.result'")"
grep -o 'status=[0-9]* dur_ms=[0-9.]* api_key=[0-9]* certification=[0-9]* result=created' "$WORK/serve.log" | head -1 || true
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(basename "$BIN") $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
