#!/usr/bin/env bash
# tests/fuzz/run.sh: run the libFuzzer targets (build/fuzz/fuzz/fuzz_*, built by
# `make FUZZ=1 fuzz-bins`).
#   run.sh fuzz    each target for FUZZ_SECONDS (default 60) from its committed corpus plus what
#                  earlier runs found (build/fuzz/work/<target>); prints executions and crashes
#                  per target; crash inputs go to build/fuzz/crashes/.  Exit 1 on any crash.
#   run.sh check   each target over its committed corpus and tests/fuzz/regress/<target> (the
#                  inputs of fixed bugs), then FUZZ_CHECK_RUNS (default 300) fuzzed inputs with
#                  a fixed seed (deterministic: the same inputs every time) from a scratch copy
#                  of it; TAP lines for tests/integration/t_fuzz.sh.
# FUZZ_TARGETS (space-separated names, e.g. "csv pgm") limits the targets.
set -u
cd "$(dirname "$0")/../.."
mode=${1:-}
case "$mode" in fuzz|check) ;; *) echo "usage: tests/fuzz/run.sh fuzz|check" >&2; exit 2 ;; esac
BIN=build/fuzz/fuzz
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
# Keep Open MPI's components loaded so that sanitizer stacks through them have names.
export OMPI_MCA_mca_base_component_disable_dlclose=1
# allocator_may_return_null: a library asking for an absurd size from a corrupt header (HDF5)
# gets NULL and fails cleanly; spectcv's own allocations abort on NULL (util/error.h), and
# libFuzzer reports any single allocation above -rss_limit_mb as an out-of-memory.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
targets=${FUZZ_TARGETS:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
# -timeout: an input taking longer is a hang; -rss_limit_mb: libFuzzer's default, stated.
FLAGS=(-timeout=20 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1)

dict_of() { [ -f "tests/fuzz/$1.dict" ] && echo "-dict=tests/fuzz/$1.dict"; }
# The HDF5 targets run MPI (its threads): LeakSanitizer's tracer crashes in such a process
# ("Tracer caught signal 11", whatever the input), so they run without leak detection; the
# handles their readers leave open are checked by h5_read.c instead.
run_target() {
  local t=$1; shift
  case "$t" in
    dataset*|results*) ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0} "$BIN/fuzz_$t" -detect_leaks=0 "$@" ;;
    *) "$BIN/fuzz_$t" "$@" ;;
  esac
}
# libFuzzer's count of executed inputs in a log
execs_of() { sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1; }

missing=0
for t in $targets; do
  if [ ! -x "$BIN/fuzz_$t" ]; then echo "fuzz: $BIN/fuzz_$t is missing (make FUZZ=1 fuzz-bins)" >&2; missing=1; fi
done
[ $missing -eq 0 ] || exit 1

status=0
if [ "$mode" = fuzz ]; then
  # Fork mode: an out-of-memory or a timeout input is saved and counted, and fuzzing goes on
  # (they are mostly the libraries' own: GDCM allocating an element's declared length, HDF5
  # looping on a corrupt heap); a crash or a sanitizer report stops the target.
  secs=${FUZZ_SECONDS:-60}
  mkdir -p build/fuzz/crashes build/fuzz/logs
  scratch_stamp=$(mktemp)
  trap 'rm -f "$scratch_stamp"' EXIT
  printf '%-16s %8s %12s %6s %8s %8s\n' target seconds executions ooms timeouts crashes
  for t in $targets; do
    work=build/fuzz/work/$t log=build/fuzz/logs/$t.log
    mkdir -p "$work"
    touch "$scratch_stamp"
    [ -n "$(ls -A "$work")" ] || cp tests/fuzz/corpus/$t/* "$work/"
    run_target "$t" "${FLAGS[@]}" $(dict_of "$t") -fork=1 -ignore_ooms=1 -ignore_timeouts=1 \
      -max_total_time="$secs" -artifact_prefix="build/fuzz/crashes/$t-" "$work" \
      </dev/null >"$log" 2>&1
    # what this run found: the artifacts newer than the stamp
    new() { find build/fuzz/crashes -name "$t-$1-*" -newer "$scratch_stamp" | wc -l; }
    ooms=$(new oom) timeouts=$(new timeout) crashes=$(( $(new crash) + $(new leak) ))
    execs=$(grep -E '^#[0-9]+: cov' "$log" | tail -n 1 | sed -n 's/^#\([0-9]*\):.*/\1/p')
    printf '%-16s %8s %12s %6s %8s %8s\n' "$t" "$secs" "${execs:-?}" "$ooms" "$timeouts" "$crashes"
    if [ "$crashes" -ne 0 ]; then
      status=1
      grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/    /'
    fi
  done
  exit $status
fi

runs=${FUZZ_CHECK_RUNS:-300}
scratch=$(mktemp -d "${SPECTCV_TMP:-/tmp}/fuzz-check.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for t in $targets; do
  inputs=(tests/fuzz/corpus/$t/*)
  [ -d "tests/fuzz/regress/$t" ] && inputs+=(tests/fuzz/regress/$t/*)
  log=$scratch/$t.corpus.log
  if run_target "$t" "${FLAGS[@]}" "${inputs[@]}" </dev/null >"$log" 2>&1; then
    echo "ok - fuzz_$t: ${#inputs[@]} corpus and regression inputs"
  else
    echo "not ok - fuzz_$t: corpus and regression inputs"
    grep -E 'ERROR|runtime error|SUMMARY|Running: ' "$log" | tail -n 8 | sed 's/^/#   /'
    status=1
  fi
  mkdir -p "$scratch/$t"
  cp tests/fuzz/corpus/$t/* "$scratch/$t/"
  log=$scratch/$t.fuzz.log
  if run_target "$t" "${FLAGS[@]}" $(dict_of "$t") -seed=1 -runs="$runs" \
       -artifact_prefix="$scratch/$t-" "$scratch/$t" </dev/null >"$log" 2>&1; then
    echo "ok - fuzz_$t: $(execs_of "$log") fuzzed inputs (seed 1), no crash"
  elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log" && ! grep -q 'in sc_x[a-z]*alloc' "$log"; then
    # An allocation a library makes from a declared size (GDCM: an element's length, before
    # reading it; docs/reliability.md) stops libFuzzer; spectcv's own (sc_xmalloc) would fail.
    echo "ok - fuzz_$t: $(execs_of "$log") fuzzed inputs (seed 1), no crash; stopped at an" \
         "out-of-memory inside a library: $(grep -o 'in [a-zA-Z_:]*gdcm[a-zA-Z_:]*\|in H5[A-Za-z_]*' "$log" | head -n 1)"
  else
    echo "not ok - fuzz_$t: $runs fuzzed inputs (seed 1) found a crash (reproduce: $BIN/fuzz_$t FILE)"
    grep -E 'ERROR|runtime error|SUMMARY|Base64' "$log" | head -n 8 | sed 's/^/#   /'
    status=1
  fi
done
exit $status
