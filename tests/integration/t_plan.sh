#!/usr/bin/env bash
# run --dry-run (docs/cluster.md): every job with its dependency and estimated time, the total
# work, the wall time for the ranks asked, the memory per rank and node; calibrated by timing a
# step of each architecture here, or by the jobs of an earlier results file (--calibrate), whose
# times it then reproduces; the progress lines' elapsed time and ETA; usage errors.
source "$(dirname "$0")/lib.sh"
tiny_sweep "plan-it" 5 30 4
expect_ok "a sweep to calibrate from (3 ranks)" mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/r.h5"
out=$("$SPECTCV" run "$T/exp.cfg" --dry-run --ranks 8 --ranks-per-node 4 2>&1); rc=$?
check "--dry-run --ranks 8 exits 0" test "$rc" -eq 0
check "... times a step of each architecture here" grep -q "dspic [0-9.e-]* (timed here)" <<<"$out"
check "... prints every job with an estimated time" \
  test "$(grep -cE '^  job [0-9]{4} r0 f[0-2] (original|geometric)/dspic +[0-9.]+ (s|min|h)  train' <<<"$out")" -eq 6
check "... the wall time on 7 workers and its lower bound" \
  grep -qE "^wall time on 8 ranks \(7 workers\): about [0-9.]+ (s|min).*no schedule is shorter than" <<<"$out"
check "... the memory per rank and for a node of 4 ranks" \
  grep -qE "^memory: the resized data set [0-9.]+ (MB|GB), once per node.*a node of 4 ranks: about" <<<"$out"

out=$("$SPECTCV" run "$T/exp.cfg" --dry-run --calibrate "$T/r.h5" 2>&1); rc=$?
check "--dry-run --calibrate FILE exits 0" test "$rc" -eq 0
check "... takes its rates from the file's jobs" grep -q "dspic [0-9.e-]* (from jobs of $T/r.h5)" <<<"$out"
check "... and its total work is the file's (every job matched)" "$PYTHON" -c "
import h5py, re, sys
t = h5py.File('$T/r.h5', 'r')['jobs/table'][:]
m = re.search(r'^work: ([0-9.]+) (s|min|h) in', sys.argv[1], re.M)
est = float(m.group(1)) * {'s': 1, 'min': 60, 'h': 3600}[m.group(2)]
real = float(t['seconds'].sum())
sys.exit(0 if abs(est - real) <= 0.06 * real + 0.06 else 1)" "$out"

out=$(mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/p.h5" 2>&1)
check "progress: a line per job with done/total and the elapsed time" \
  test "$(grep -cE '^\[ ?[1-6]/6\] job [0-9]{4} .*: done in .* on rank [12] \| elapsed ' <<<"$out")" -eq 6
check "... and an ETA on every line but the last" \
  test "$(grep -cE '\| elapsed [0-9.]+ (s|min), ETA [0-9.]+ (s|min)$' <<<"$out")" -eq 5

out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/v.h5" -v 2>&1)
check "-v: a line per epoch of every job from the workers" \
  test "$(grep -cE '^  \[rank 1\] job 000[0-5] epoch [12]/2: loss [0-9.]+$' <<<"$out")" -eq 12
out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/q.h5" --quiet 2>&1)
check "--quiet: no job lines, the summary" \
  bash -c "! grep -q '^\[' <<<'$out' && grep -q 'macro-averaged' <<<'$out'"

expect_status "--ranks without --dry-run is a usage error" 2 "go with --dry-run" \
  "$SPECTCV" run "$T/exp.cfg" -o "$T/x.h5" --ranks 4
expect_status "--calibrate with a missing file names it" 1 "nothere\.h5" \
  "$SPECTCV" run "$T/exp.cfg" --dry-run --calibrate "$T/nothere.h5"
