#!/usr/bin/env bash
# The end-to-end sweep under mpirun with 1, 2 and 3 ranks: every job done, results readable by
# h5py, counts consistent with scores, and per-job results bit-identical for any rank count.
source "$(dirname "$0")/lib.sh"
check_py() { "$PYTHON" "$ROOT/tests/integration/check_results.py" "$@"; }

tiny_sweep it-run 7 30 11

for np in 1 2 3; do
  expect_ok "run with $np rank(s)" mpi "$np" "$SPECTCV" run "$T/exp.cfg" -o "$T/r$np.h5" --quiet
done
expect_ok "h5py reads the table, scores and counts; counts agree with the scores" check_py valid "$T/r3.h5"
expect_ok "per-job results identical for -np 1, 2 and 3" check_py same "$T/r1.h5" "$T/r2.h5" "$T/r3.h5"
out=$("$SPECTCV" info "$T/r2.h5" 2>&1)
check "info describes a results file" grep -q "jobs: 6 (done 6, failed 0" <<<"$out"
expect_ok "--force overwrites" "$SPECTCV" run "$T/exp.cfg" -o "$T/r1.h5" --force --quiet

# A job that fails (a diverging learning rate gives a non-finite loss or non-finite outputs) is
# a status row with its message; the sweep goes on.
sed 's/lr = 0.001;/optimizer = "sgd"; lr = 10.0; momentum = 0.99;/' "$T/exp.cfg" > "$T/nan.cfg"
mpi 2 "$SPECTCV" run "$T/nan.cfg" -o "$T/nan.h5" > "$T/nan.log" 2>&1
check "a diverging job is recorded as failed, with what diverged, and the sweep completes" \
  "$PYTHON" -c "
import h5py, sys
t = h5py.File('$T/nan.h5', 'r')['jobs/table'][:]
failed = [r for r in t if r['status'] == 3]
ok = all(r['status'] in (2, 3) for r in t) and failed and all(
    (b'epoch' in r['message'] and b'loss is' in r['message']) or b'training diverged' in r['message']
    for r in failed)
sys.exit(0 if ok else 1)"
check "the run log names the failed jobs" grep -q "FAILED on rank" "$T/nan.log"
