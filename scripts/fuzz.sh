#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS TARGET... - runs each libFuzzer target of fuzz/
# (built by `make fuzz` into $B/fuzz/) for SECONDS on its corpus, one after
# the other, and prints per target: executions, exec/s, coverage (cov: and
# ft:, libFuzzer's figures at the end of the run), new inputs, crashes.
#
# The committed seeds (fuzz/corpus/TARGET/) are read, never written: new
# inputs go to the scratch corpus $B/fuzz/corpus/TARGET/ (kept between runs,
# so that a later run starts from what an earlier one found), crashes, leaks
# and timeouts to $B/fuzz/artifacts/TARGET/.  A target's full log is
# $B/fuzz/logs/TARGET.log.  Exit status 1 if any target crashed.
#
# Env: B (build dir, default build), FUZZ_JOBS (targets run at once,
# default 1), FUZZ_ARGS (extra libFuzzer flags).
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
secs=${1:?usage: scripts/fuzz.sh SECONDS TARGET...}
shift
[ $# -gt 0 ] || { echo "scripts/fuzz.sh: no target" >&2; exit 2; }

# run_one TARGET - one libFuzzer run; its summary line into $B/fuzz/logs/TARGET.sum
run_one() {
	local t=$1 bin=$B/fuzz/$1 log=$B/fuzz/logs/$1.log dict=() rc
	local scratch=$B/fuzz/corpus/$t art=$B/fuzz/artifacts/$t
	mkdir -p "$scratch" "$art"
	touch "$B/fuzz/logs/$t.start"
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	# -close_fd_mask=2: the project's own log lines (template errors...)
	# are muted; libFuzzer's output and sanitizer reports are not.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-close_fd_mask=2 -artifact_prefix="$art/" "${dict[@]}" ${FUZZ_ARGS:-} \
		"$scratch" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	fuzz_summary "$t" "$log" "$rc" "$art" >"$B/fuzz/logs/$t.sum"
}

# fuzz_summary TARGET LOG RC ARTDIR - one line of figures from a libFuzzer log.
fuzz_summary() {
	local t=$1 log=$2 rc=$3 art=$4 execs eps cov ft units crashes status
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -oE ' cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
	ft=$(grep -oE ' ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
	units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
	# inputs saved by this run (crash-, leak-, timeout-, oom-...)
	crashes=$(find "$art" -type f -newer "$B/fuzz/logs/$t.start" | wc -l)
	status=ok
	[ "$rc" -ne 0 ] && status="FAILED (exit $rc; see $log and $art/)"
	printf '%-10s %10s execs %8s exec/s  cov %5s  ft %6s  new %5s  crashes %s  %s\n' \
		"$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${units:-?}" "$crashes" "$status"
	[ "$rc" -eq 0 ]
}

mkdir -p "$B/fuzz/logs"
for t in "$@"; do
	[ -x "$B/fuzz/$t" ] || { echo "scripts/fuzz.sh: $B/fuzz/$t is missing (make fuzz-build)" >&2; exit 2; }
	[ -d "fuzz/corpus/$t" ] || { echo "scripts/fuzz.sh: fuzz/corpus/$t is missing" >&2; exit 2; }
done
echo "fuzzing $# target(s), ${secs}s each: $*"
jobs=${FUZZ_JOBS:-1}
running=0
for t in "$@"; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
fail=0
for t in "$@"; do
	cat "$B/fuzz/logs/$t.sum"
	grep -q 'FAILED' "$B/fuzz/logs/$t.sum" && fail=1
done
exit "$fail"
