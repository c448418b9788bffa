#!/usr/bin/env bash
# scripts/slurm/sweep.sh, the body of the sbatch scripts, without Slurm (docs/cluster.md): the
# SIGUSR1 that Slurm sends before a time limit (--signal=B:USR1@...) reaches the script's shell,
# which passes it on to the launcher and the ranks; the sweep stops cleanly (exit 4), the script
# requeues the job; run again, it resumes and completes, and the file equals an uninterrupted
# run's.  The sbatch scripts are valid bash.
source "$(dirname "$0")/lib.sh"
for f in sweep.sh demo.sbatch paper.sbatch; do
  check "scripts/slurm/$f parses" bash -n "$ROOT/scripts/slurm/$f"
done
small_phantom 30 8
sweep_cfg slurm-it 7 dspic_half '"original", "geometric"' 'geometric = { copies = 1; };' \
  'train = { epochs = 10; batch = 8; lr = 0.001; };' 'report = { bootstrap = 50; };' > "$T/exp.cfg"
expect_ok "an uninterrupted sweep" mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/full.h5" --quiet

export SPECTCV EXP="$T/exp.cfg" OUT="$T/s.h5" REQUEUE="echo REQUEUED"
export LAUNCH="mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np 3"
bash "$ROOT/scripts/slurm/sweep.sh" > "$T/s1.log" 2>&1 &
script=$!
# Signal only once the sweep is under way (two jobs done): before its ranks have installed
# their handlers, SIGUSR1's default action kills them.  A loaded machine can take minutes.
for _ in $(seq 1 3000); do grep -q '^\[ *2/' "$T/s1.log" && break; sleep 0.1; done
check "the sweep under sweep.sh got under way (two jobs done) within 300 s" grep -q '^\[ *2/' "$T/s1.log"
kill -USR1 "$script"
wait "$script"; rc=$?
check "SIGUSR1 to the script: the sweep stops cleanly (exit 4)" test "$rc" -eq 4
check "... and the script requeues the job" grep -q "^REQUEUED" "$T/s1.log"
check "... having said how it stopped" grep -q "stopped by SIGUSR1" "$T/s1.log"
bash "$ROOT/scripts/slurm/sweep.sh" > "$T/s2.log" 2>&1; rc=$?
check "the requeued run resumes (exit 0)" test "$rc" -eq 0
check "... and says so" grep -q "exists: resuming" "$T/s2.log"
expect_ok "stopped by the time limit's signal and resumed: the file equals the uninterrupted run's" \
  check_py same "$T/full.h5" "$T/s.h5"
