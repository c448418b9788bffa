#!/usr/bin/env bash
# scripts/slurm/sweep.sh: run (or continue) a spectcv sweep inside a Slurm allocation, so that a
# time limit costs nothing but the minutes it takes to stop.  demo.sbatch and paper.sbatch
# call it; docs/cluster.md explains the choices.
#
#   EXP      the experiment file (required)
#   OUT      the results file (required); if it exists, the sweep continues it (--resume)
#   SPECTCV  the spectcv binary (default: spectcv on PATH)
#   LAUNCH   how to start the ranks (default: srun --kill-on-bad-exit=1; with an Open MPI
#            built without Slurm's PMI: "mpirun --mca odls_base_sigkill_timeout 60")
#   REQUEUE  what to do when the sweep was stopped (exit 4) (default: scontrol requeue the job,
#            which then runs this again and resumes)
#   EXTRA    more arguments for `spectcv run` (e.g. "--checkpoint 900")
#
# The job is submitted with --signal=B:USR1@SECONDS: Slurm sends SIGUSR1 to this shell that many
# seconds before the time limit; it is passed on to the ranks (srun and mpirun forward SIGUSR1),
# which stop cleanly: no job starts, the running ones checkpoint and stop at their next step,
# the results file is closed, exit 4.  Then the job is requeued and the next run resumes, with
# each interrupted job continuing from its checkpoint.
set -u
: "${EXP:?set EXP to the experiment file}" "${OUT:?set OUT to the results file}"
SPECTCV=${SPECTCV:-spectcv}
LAUNCH=${LAUNCH:-srun --kill-on-bad-exit=1}
REQUEUE=${REQUEUE:-scontrol requeue ${SLURM_JOB_ID:-}}
# ranks that wait for work sleep instead of spinning; OpenBLAS stays single-threaded (nn's own
# threads are the experiment's train.threads)
export OMPI_MCA_mpi_yield_when_idle=1 OPENBLAS_NUM_THREADS=1

args=(run "$EXP" -o "$OUT")
if [ -e "$OUT" ]; then
  args+=(--resume)
  echo "sweep.sh: $OUT exists: resuming (restart ${SLURM_RESTART_COUNT:-0})"
fi
# shellcheck disable=SC2206  # EXTRA and LAUNCH are word lists on purpose
args+=(${EXTRA:-})
echo "sweep.sh: $(date -u +%FT%TZ) $LAUNCH $SPECTCV ${args[*]}"
# shellcheck disable=SC2086
$LAUNCH "$SPECTCV" "${args[@]}" &
pid=$!
trap 'echo "sweep.sh: SIGUSR1 (time limit near): stopping the sweep cleanly"; kill -USR1 $pid' USR1
trap 'kill -TERM $pid' TERM
wait "$pid"; rc=$?
while [ "$rc" -gt 128 ] && kill -0 "$pid" 2>/dev/null; do # wait was interrupted by the trap
  wait "$pid"; rc=$?
done
case $rc in
  0) echo "sweep.sh: the sweep is complete: $OUT" ;;
  3) echo "sweep.sh: the sweep is complete, some jobs failed (their rows say why; EXTRA=--retry-failed with a resume runs them again)" ;;
  4) echo "sweep.sh: stopped and resumable; requeueing: $REQUEUE"
     $REQUEUE ;;
  *) echo "sweep.sh: spectcv failed (exit $rc); $OUT, if it exists, is resumable" ;;
esac
exit "$rc"
