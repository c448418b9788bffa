#!/usr/bin/env bash
# No hang when one rank fails (issue 10; docs/cluster.md): every collective step of `run` is made
# to fail on one rank (SPECTCV_FAULT=STEP:RANK, util/agree.h), and the whole run must end within
# a time limit, with exit status 1 and that rank's message on stderr; the results file a failed
# step leaves behind is either absent, or closed and resumable.
source "$(dirname "$0")/lib.sh"
tiny_sweep "collective-it" 23 24 9
LIMIT=120 # seconds; a clean run of this sweep takes a few

# run_fault NAME STEP RANK [args...]: 3 ranks, the fault on RANK at STEP
run_fault() {
  local name=$1 step=$2 rank=$3 out rc; shift 3
  out=$(SPECTCV_FAULT="$step:$rank" timeout -k 5 "$LIMIT" mpirun --allow-run-as-root \
        --oversubscribe --mca mpi_yield_when_idle 1 -np 3 "$SPECTCV" run "$T/exp.cfg" "$@" 2>&1)
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    notok "$name: no hang" "still running after $LIMIT s (exit $rc)" "$(tail -n 5 <<<"$out")"
  elif [ "$rc" -ne 1 ]; then
    notok "$name: exit 1" "exit $rc" "$(tail -n 5 <<<"$out")"
  elif ! grep -q "error: .*injected fault at $step" <<<"$out" ||
       { [ "$rank" -ne 0 ] && ! grep -q "error: .*rank $rank: injected fault at $step" <<<"$out"; }; then
    notok "$name: the failing rank's message" "$(tail -n 5 <<<"$out")"
  elif [ "$(grep -c 'injected fault' <<<"$out")" -ne 1 ]; then
    notok "$name: one message (rank 0 prints it once)" "$(grep 'injected fault' <<<"$out")"
  else
    ok "$name: every rank ends (exit 1) with rank $rank's message"
  fi
}

run_fault "experiment loaded on two ranks of three"    experiment 2     -o "$T/a.h5"
run_fault "data set file checked on rank 1 only"        dataset-open 1   -o "$T/a.h5"
run_fault "data set read after the collective open"     dataset-read 2   -o "$T/a.h5"
run_fault "images loaded"                               data-load 1      -o "$T/a.h5"
run_fault "provenance gathered"                         run-info 2       -o "$T/a.h5"
run_fault "results file created"                        results-create 1 -o "$T/a.h5"
check "a results file that was not created is not left behind" test ! -e "$T/a.h5"
run_fault "results objects written (rank 0's writes)"   results-write 0  -o "$T/b.h5"
run_fault "checkpoint folder"                           checkpoints 2    -o "$T/c.h5" --force
run_fault "a worker that cannot work"                   schedule 1       -o "$T/d.h5"
expect_ok "after the failed worker, --resume completes the sweep" \
  mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/d.h5" --resume --quiet
run_fault "results file closed after the sweep"        results-close 1  -o "$T/e.h5"
run_fault "summary (rank 0 alone)"                     summary 0        -o "$T/f.h5"
expect_ok "an uninterrupted sweep" mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/full.h5" --quiet
run_fault "results file reopened by --resume"          results-reopen 2 -o "$T/full.h5" --resume
expect_ok "--resume after the failed reopen: the file is intact" \
  mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/full.h5" --resume --quiet
expect_ok "the sweep after the failed worker equals the uninterrupted one" \
  check_py same "$T/full.h5" "$T/d.h5"
