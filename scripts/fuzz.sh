#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS TARGET... - runs each libFuzzer target of fuzz/
# (built by `make fuzz-build` into $B/fuzz/) for SECONDS on its corpus, one
# after the other, and prints one line per target: executions, exec/s,
# coverage (cov: and ft:, libFuzzer's figures at the end of the run), new
# inputs, inputs saved as crashes, and ok or FAILED.  `make fuzz` and the
# fuzz step of tests/run call it.
# scripts/fuzz.sh --check - exit status 0 when clang-14 and its libFuzzer
# runtime are installed (scripts/deps.sh installs them).
#
# The committed seeds (fuzz/corpus/TARGET/) are read, never written: new
# inputs go to the scratch corpus FUZZ_SCRATCH/TARGET/ (default
# $B/fuzz/corpus: kept between runs, so that a later run starts from what
# an earlier one found); crashes, leaks and timeouts to
# FUZZ_ARTIFACTS/TARGET/ (default $B/fuzz/artifacts); each run's log is
# FUZZ_LOGS/TARGET.log (default $B/fuzz/logs).  Exit status 1 if a target
# failed.  Other env: B (build dir, default build), FUZZ_CC (default
# clang-14), FUZZ_ARGS (extra libFuzzer flags).
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
CC=${FUZZ_CC:-clang-14}

if [ "${1:-}" = --check ]; then
	command -v "$CC" >/dev/null 2>&1 || exit 1
	rt=$("$CC" -print-runtime-dir 2>/dev/null) || exit 1
	[ -f "$rt/libclang_rt.fuzzer-x86_64.a" ] || [ -f "$rt/libclang_rt.fuzzer.a" ]
	exit
fi

secs=${1:?usage: scripts/fuzz.sh SECONDS TARGET... | --check}
shift
[ $# -gt 0 ] || { echo "scripts/fuzz.sh: no target" >&2; exit 2; }
SCRATCH=${FUZZ_SCRATCH:-$B/fuzz/corpus}
ARTIFACTS=${FUZZ_ARTIFACTS:-$B/fuzz/artifacts}
LOGS=${FUZZ_LOGS:-$B/fuzz/logs}

# summary TARGET LOG RC STAMP - one line of figures from a libFuzzer log.
summary() {
	local t=$1 log=$2 rc=$3 stamp=$4 execs eps cov ft units crashes status
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -oE ' cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
	ft=$(grep -oE ' ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
	units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
	# inputs saved by this run (crash-, leak-, timeout-, oom-...)
	crashes=$(find "$ARTIFACTS/$t" -type f -newer "$stamp" | wc -l)
	status=ok
	[ "$rc" -ne 0 ] && status="FAILED (exit $rc; log $log, inputs in $ARTIFACTS/$t/)"
	printf '%-10s %9s execs %7s exec/s  cov %5s  ft %6s  new %5s  crashes %s  %s\n' \
		"$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${units:-?}" "$crashes" "$status"
}

for t in "$@"; do
	[ -x "$B/fuzz/$t" ] || { echo "scripts/fuzz.sh: $B/fuzz/$t is missing (make fuzz-build)" >&2; exit 2; }
	[ -d "fuzz/corpus/$t" ] || { echo "scripts/fuzz.sh: fuzz/corpus/$t is missing" >&2; exit 2; }
done
mkdir -p "$LOGS"
fail=0
for t in "$@"; do
	log=$LOGS/$t.log stamp=$LOGS/$t.start dict=()
	mkdir -p "$SCRATCH/$t" "$ARTIFACTS/$t"
	touch "$stamp"
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	# -close_fd_mask=2 mutes the project's own log lines (a broken
	# template, a refused file...): libFuzzer's output and the sanitizers'
	# reports still reach the log.  -timeout: an input running 10 s is a hang.
	# shellcheck disable=SC2086
	"$B/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-close_fd_mask=2 -artifact_prefix="$ARTIFACTS/$t/" "${dict[@]}" ${FUZZ_ARGS:-} \
		"$SCRATCH/$t" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	summary "$t" "$log" "$rc" "$stamp"
	rm -f "$stamp"
	[ "$rc" -eq 0 ] || fail=1
done
exit "$fail"
