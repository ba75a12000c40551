#!/usr/bin/env bash
# bench/assign.sh - « Valider l'attribution » at scale (issue « Gérer les
# certifications »): an organisation of 100 000 candidates, 10 000 of them
# assigned a self-proctored certification in ONE request (the form posts
# 10 000 ticked ids, as « Sélectionner les N candidats correspondants » of a
# filtered list would), through a real `clr serve`.  Then the outbox's
# delivery of the 10 000 notices (each with its .ics) to a local SMTP sink
# (tests/lib/smtp_sink.py, python3-aiosmtpd).  Prints:
#   - the request's wall time (curl), the certifications and outbox rows made,
#     the stock left (must be exactly 0 of the 10 000 credited) and the ledger
#     movement of the batch;
#   - « Générer les codes » for that session: 10 000 activation codes, one request;
#   - a second session of 500: its codes PDF, « Document de surveillance »,
#     scratch sheets and results CSV (time, pages, the server's peak RSS);
#   - the delivery rate: messages per second from the first to the last one
#     delivered by the server's worker.
#
#   bench/assign.sh [CANDIDATES [ASSIGNED]]     default 100000 10000, SQLite
#   CLR_DB_URL=postgresql://... bench/assign.sh  PostgreSQL (database clr_bench_assign)
# Not a test: nothing is asserted.  Figures go to docs/PERFORMANCE.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLR_BIN:-build/clr}
N=${1:-100000}
K=${2:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clr-bench-assign.XXXXXX")
SERVER= SINK=
cleanup() {
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
[ -x "$BIN" ] || { echo "bench/assign.sh: $BIN is missing (make)" >&2; exit 1; }

if [ -n "${CLR_DB_URL:-}" ]; then
	psql -X -q -d "$CLR_DB_URL" -c 'DROP DATABASE IF EXISTS clr_bench_assign' -c 'CREATE DATABASE clr_bench_assign' >/dev/null
	DB=$(/usr/bin/python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/clr_bench_assign").geturl())' "$CLR_DB_URL")
	q() { psql -X -q -At -d "$DB" -c "$1"; }
else
	DB=sqlite:$WORK/a.db
	q() { sqlite3 "${DB#sqlite:}" "$1"; }
fi
ORG="Bench attribution"
"$BIN" migrate --db "$DB" >/dev/null
"$BIN" admin create --db "$DB" --org "$ORG" --email bench@exemple.test --password Bench-assign-42 >/dev/null
"$BIN" demo --db "$DB" --org "$ORG" --candidates "$N" >/dev/null
"$BIN" stock credit --db "$DB" --org "$ORG" --product PART-CLR-EXAMEN --qty "$K" --reason bench >/dev/null
PRODUCT=$(q "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'")

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SMTP_PORT=$(port)
mkdir -p "$WORK/sink"
/usr/bin/python3 tests/lib/smtp_sink.py --port "$SMTP_PORT" --dir "$WORK/sink" >"$WORK/sink.log" 2>&1 &
SINK=$!
PORT=$(port)
# the delivery worker starts with the server: hold it back until the
# request is measured (a huge poll interval), then restart with it on
CLR_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT CLR_SMTP_STARTTLS=off CLR_MAIL_POLL_MS=3600000 \
	"$BIN" serve --db "$DB" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null && break; sleep 0.1; done

JAR=$WORK/jar
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1; }
tok=$(curl -fs -c "$JAR" "$URL/connexion" | csrf)
curl -fs -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf=$tok" --data-urlencode email=bench@exemple.test \
	--data-urlencode password=Bench-assign-42 "$URL/connexion"
DATE=$(date -d '+30 days' +%d/%m/%Y)
PAGE=$(curl -fs -b "$JAR" "$URL/certifications/surveillance?produit=$PRODUCT&date=$DATE&heure=09:00&lieu=Amphi")
tok=$(echo "$PAGE" | csrf)
idem=$(echo "$PAGE" | sed -n 's/.*name="idem" value="\([^"]*\)".*/\1/p' | head -1)
{
	printf 'csrf=%s&idem=%s&produit=%s&date=%s&heure=09:00&lieu=Amphi' "$tok" "$idem" "$PRODUCT" "$(date -d '+30 days' +%F)"
	q "SELECT id FROM candidates ORDER BY id LIMIT $K" | sed 's/^/\&ids=/' | tr -d '\n'
} >"$WORK/form"
echo "form: $(wc -c <"$WORK/form") bytes, $K ids"
T=$(curl -s -b "$JAR" -o "$WORK/resp" -w '%{http_code} %{time_total}' --data-binary @"$WORK/form" \
	-H 'content-type: application/x-www-form-urlencoded' "$URL/certifications/surveillance")
echo "« Valider l'attribution » of $K among $N candidates: HTTP ${T% *}, ${T#* } s (request to response)"
echo "certifications: $(q "SELECT COUNT(*) FROM certifications"), outbox rows: $(q "SELECT COUNT(*) FROM outbox"), stock left: $(q "SELECT qty FROM stock_balances b JOIN products p ON p.id = b.product_id WHERE p.reference = 'PART-CLR-EXAMEN'")"
echo "ledger: $(q "SELECT qty || ' by movement ' || id || ' (' || ref || ')' FROM stock_movements WHERE ref LIKE 'lot:%'")"
grep -o 'path=/certifications/surveillance[^ ]* status=[0-9]* ms=[0-9.]*' "$WORK/serve.log" | tail -1 || true

# « Générer les codes » for that session of 10 000
SESSION_ID=$(q "SELECT session_id FROM certifications LIMIT 1")
tok=$(curl -fs -b "$JAR" "$URL/certifications/sessions/$SESSION_ID" | csrf)
T=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{time_total}' --data-urlencode "csrf=$tok" \
	"$URL/certifications/sessions/$SESSION_ID/codes")
echo "« Générer les codes » for the session: HTTP ${T% *}, ${T#* } s; codes: $(q "SELECT COUNT(*) FROM activation_codes WHERE revoked_at IS NULL")"

# the proctoring documents of a session of 500 (another day): the codes PDF,
# the « Document de surveillance », 500 scratch sheets; time and the
# server's peak RSS (VmHWM) after each
"$BIN" stock credit --db "$DB" --org "$ORG" --product PART-CLR-EXAMEN --qty 500 --reason bench >/dev/null
DATE2=$(date -d '+31 days' +%F)
PAGE=$(curl -fs -b "$JAR" "$URL/certifications/surveillance?produit=$PRODUCT&date=$(date -d '+31 days' +%d/%m/%Y)&heure=14:00&lieu=Salle+B")
tok=$(echo "$PAGE" | csrf)
idem=$(echo "$PAGE" | sed -n 's/.*name="idem" value="\([^"]*\)".*/\1/p' | head -1)
{
	printf 'csrf=%s&idem=%s&produit=%s&date=%s&heure=14:00&lieu=Salle+B' "$tok" "$idem" "$PRODUCT" "$DATE2"
	q "SELECT id FROM candidates ORDER BY id DESC LIMIT 500" | sed 's/^/\&ids=/' | tr -d '\n'
} >"$WORK/form2"
curl -fs -b "$JAR" -o /dev/null --data-binary @"$WORK/form2" -H 'content-type: application/x-www-form-urlencoded' "$URL/certifications/surveillance"
S2=$(q "SELECT session_id FROM certifications WHERE exam_date = '$DATE2' LIMIT 1")
tok=$(curl -fs -b "$JAR" "$URL/certifications/sessions/$S2" | csrf)
curl -fs -b "$JAR" -o /dev/null --data-urlencode "csrf=$tok" "$URL/certifications/sessions/$S2/codes"
echo "session of $(q "SELECT COUNT(*) FROM certifications WHERE session_id = $S2") with $(q "SELECT COUNT(*) FROM activation_codes k JOIN certifications c ON c.id = k.certification_id WHERE c.session_id = $S2 AND k.revoked_at IS NULL") codes:"
for doc in codes.pdf surveillance.pdf brouillons.pdf resultats.csv; do
	for run in 1 2 3; do
		T=$(curl -s -b "$JAR" -o "$WORK/$doc" -w '%{http_code} %{time_total}' "$URL/certifications/sessions/$S2/$doc")
		echo "  $doc run $run: HTTP ${T% *}, ${T#* } s, $(wc -c <"$WORK/$doc") bytes$(case $doc in *.pdf) echo ", $(pdfinfo "$WORK/$doc" | sed -n 's/^Pages: *//p') pages";; esac), server VmHWM $(sed -n 's/^VmHWM: *//p' /proc/$SERVER/status)"
	done
done

# delivery: restart the server with a working poll interval
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
CLR_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT CLR_SMTP_STARTTLS=off CLR_MAIL_POLL_MS=100 \
	"$BIN" serve --db "$DB" --port "$PORT" >"$WORK/serve2.log" 2>&1 &
SERVER=$!
start=$(date +%s.%N)
while :; do
	sent=$(q "SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
	[ "$sent" -ge "$K" ] && break
	sleep 1
	now=$(date +%s.%N)
	if [ "$(echo "$now - $start > 900" | bc)" = 1 ]; then echo "delivery: stopped after 15 min, $sent sent"; break; fi
done
end=$(date +%s.%N)
first=$(q "SELECT MIN(sent_at) FROM outbox WHERE status = 'sent'"); last=$(q "SELECT MAX(sent_at) FROM outbox WHERE status = 'sent'")
echo "delivery: $sent messages to the SMTP sink in $(echo "$end - $start" | bc | cut -c1-6) s (wall), $(echo "scale=0; $sent / ($end - $start)" | bc) messages/s; sink holds $(ls "$WORK/sink" | grep -c '\.eml$') .eml"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
