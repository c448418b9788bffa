#!/usr/bin/env bash
# tests/run.sh: run every unit test binary (cmocka) and every integration script, count the
# individual test cases, and end with the line "N passed, N failed".
#   SPECTCV     the binary under test (default ./spectcv)
#   TEST_BUILD  the folder of the unit test binaries (default build/release/tests)
#   TESTS       optional substring filter on test names
#   VALGRIND=1  run only the unit test binaries, each under Valgrind memcheck (make valgrind):
#               a memcheck error or a definite/indirect leak fails the binary, and its
#               Valgrind report is printed (docs/testing.md, "Sanitizers and Valgrind")
set -u
cd "$(dirname "$0")/.."
export SPECTCV=${SPECTCV:-./spectcv}
export TEST_BUILD=${TEST_BUILD:-build/release/tests}
export PYTHON=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_mpi_yield_when_idle=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1
# Keep ASan quiet about MPI's own one-off allocations; real leaks in our code still fail tests
# through the error-exit checks (see docs/testing.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export SPECTCV_TMP=$(mktemp -d /tmp/spectcv-tests.XXXXXX)
trap 'rm -rf "$SPECTCV_TMP"' EXIT

# Memcheck: full leak check; only definite and indirect leaks are errors (a "possible" or
# "still reachable" block is a library's pool or cache alive at exit, not a leak of ours).
# The report goes to a file of its own so that cmocka's output stays parseable; the exit code
# 99 is Valgrind's (cmocka's is the number of failed tests).  --keep-debuginfo: Open MPI
# dlcloses its components in MPI_Finalize, and their allocations' stacks would print as "???"
# (unreadable, and no suppression could name the library).  No child is traced: the unit tests
# only fork `rm -rf`.  VALGRIND_OPTS adds options (e.g. --track-origins=yes).
VALGRIND=${VALGRIND:-0}
valgrind_cmd=()
if [ "$VALGRIND" = 1 ]; then
  export SPECTCV_UNDER_VALGRIND=1 # tests/unit/nn_gradcheck.c: fewer directions, same passes
  valgrind_cmd=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
                --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=40
                --keep-debuginfo=yes
                --suppressions="$PWD/tests/valgrind.supp" ${VALGRIND_OPTS:-})
fi

passed=0
failed=0
failures=()
start=$(date +%s)

run_unit() {
  local bin=$1 name out rc p f
  name=$(basename "$bin")
  local vglog="$SPECTCV_TMP/$name.valgrind" limit=900
  # memcheck makes the nn gradient checks slow: test_nn_grad alone took over 17 CPU minutes
  # (docs/testing.md); the limit is for hangs, with room for a loaded machine
  if [ "$VALGRIND" = 1 ]; then limit=7200; fi
  out=$(cd "$SPECTCV_TMP" && timeout $limit ${valgrind_cmd[@]+"${valgrind_cmd[@]}"} \
        ${valgrind_cmd[@]+"--log-file=$vglog"} "$OLDPWD/$bin" 2>&1); rc=$?
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before cmocka's summary
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    failures+=("$name")
    printf '%s\n' "$out" | tail -n 40
    if [ -f "$vglog" ]; then head -n 400 "$vglog"; fi
  fi
  printf '%-40s %3d passed, %d failed\n' "$name" "$p" "$f"
}

run_integration() {
  local script=$1 name out rc p f
  name=$(basename "$script" .sh)
  out=$(timeout 1200 bash "$script" 2>&1); rc=$?
  p=$(printf '%s\n' "$out" | grep -c '^ok - ')
  f=$(printf '%s\n' "$out" | grep -c '^not ok - ')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    failures+=("$name")
    printf '%s\n' "$out" | grep -v '^ok - ' | tail -n 60
  fi
  printf '%-40s %3d passed, %d failed\n' "$name" "$p" "$f"
}

for bin in "$TEST_BUILD"/test_*; do
  [ -x "$bin" ] || continue
  [ -n "${TESTS:-}" ] && [[ "$bin" != *"$TESTS"* ]] && continue
  run_unit "$bin"
done
for script in tests/integration/t_*.sh; do
  [ "$VALGRIND" = 1 ] && break
  [ -f "$script" ] || continue
  [ -n "${TESTS:-}" ] && [[ "$script" != *"$TESTS"* ]] && continue
  run_integration "$script"
done

echo
echo "test time: $(( $(date +%s) - start )) s"
if [ ${#failures[@]} -gt 0 ]; then echo "failing: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
