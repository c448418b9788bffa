#!/usr/bin/env bash
# Stopping and resuming a sweep (docs/cluster.md): kill -9 a 3-rank sweep midway and --resume it;
# SIGTERM to every rank (as srun sends at a time limit) and SIGUSR1 to mpirun (which forwards
# it) stop it cleanly (exit 4) and --resume continues it; a job stopped inside its training
# continues from its checkpoint; every resumed file equals an uninterrupted run's, per job and
# /summary, bit for bit.  --retry-failed; what --resume refuses; usage errors.
source "$(dirname "$0")/lib.sh"

small_phantom 40 5
sweep_cfg resume-it 31 dspic_half '"original", "gan"' \
  'gan = { generator = "gan_g_small"; discriminator = "gan_d_small"; epochs = 4; batch = 8;' \
  '        samples_per_set = 5; };' 'train = { epochs = 8; batch = 8; lr = 0.001; };' \
  'report = { bootstrap = 100; };' > "$T/exp.cfg"
expect_ok "an uninterrupted sweep (3 ranks)" mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/full.h5" --quiet

# start a sweep in the background; wait until N jobs are done (its log says so)
start_sweep() { # OUT LOG [env...]
  local out=$1 log=$2; shift 2
  env "$@" mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np 3 \
    "$SPECTCV" run "$T/exp.cfg" -o "$out" --force > "$log" 2>&1 &
  runner=$!
}
wait_done() { # LOG N
  for _ in $(seq 1 600); do
    grep -q "^\[ *$2/" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
ranks_of() { pgrep -f "^$SPECTCV run $T/exp.cfg -o $1" ; }

# 1. kill -9 midway, then --resume with another number of ranks
start_sweep "$T/k.h5" "$T/k.log"
wait_done "$T/k.log" 3
{ kill -9 $(ranks_of "$T/k.h5") "$runner"; wait "$runner"; } 2>/dev/null
check "the killed sweep had finished some jobs, not all" bash -c "grep -q '^\[ 3/' '$T/k.log' && ! grep -q 'results in' '$T/k.log'"
out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/k.h5" --resume 2>&1); rc=$?
check "--resume after kill -9 completes (exit 0)" test "$rc" -eq 0
check "--resume says what it runs" grep -Eq "resuming .*k.h5: [0-9]+ of 9 jobs done, 0 failed" <<<"$out"
expect_ok "after kill -9 and --resume: every job and /summary bit-identical to the uninterrupted run" \
  check_py same "$T/full.h5" "$T/k.h5"
check "the resumed file records both runs" "$PYTHON" -c "
import h5py, sys
p = h5py.File('$T/k.h5', 'r')['provenance']
sys.exit(0 if sorted(p) == ['run_0', 'run_1'] and b'--resume' in p['run_1'].attrs['command'].encode() else 1)"

# 2. SIGTERM to every rank, as srun sends it: a clean stop, exit 4, the resume command
start_sweep "$T/t.h5" "$T/t.log"
wait_done "$T/t.log" 4
kill -TERM $(ranks_of "$T/t.h5") 2>/dev/null
wait "$runner"; rc=$?
check "SIGTERM to the ranks: exit 4" test "$rc" -eq 4
check "SIGTERM: the last lines say how to resume" grep -q -- "-o $T/t.h5 --resume" "$T/t.log"
check "SIGTERM: the file is closed and readable; stopped jobs are pending with why" "$PYTHON" -c "
import h5py, sys
t = h5py.File('$T/t.h5', 'r')['jobs/table'][:]
st = [int(r['status']) for r in t]
stopped = [r for r in t if r['status'] == 0 and b'stopped by' in r['message']]
sys.exit(0 if 2 in st and 0 in st and 1 not in st and all(b'SIGTERM' in r['message'] or
         b'master' in r['message'] for r in stopped) else 1)"
expect_ok "SIGTERM: --resume" mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/t.h5" --resume --quiet
expect_ok "after SIGTERM and --resume: bit-identical to the uninterrupted run" check_py same "$T/full.h5" "$T/t.h5"

# 3. SIGUSR1 to mpirun: it forwards it to every rank
start_sweep "$T/u.h5" "$T/u.log"
wait_done "$T/u.log" 2
kill -USR1 "$runner"
wait "$runner"; rc=$?
check "SIGUSR1 to mpirun: a clean stop (exit 4)" test "$rc" -eq 4
expect_ok "SIGUSR1: --resume" mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/u.h5" --resume --quiet
expect_ok "after SIGUSR1 and --resume: bit-identical" check_py same "$T/full.h5" "$T/u.h5"

# 4. A job stopped inside its training (after its 6th step, by the test-only switch) continues
#    from its checkpoint; so does a GAN job (job 7: fold 1's GAN, after its 3rd step)
for js in 1:6 7:3; do
  job=${js%:*} step=${js#*:}
  SPECTCV_FAULT=stop:$job@$step mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/c$job.h5" --force > "$T/c$job.log" 2>&1; rc=$?
  check "job $job stopped after step $step: exit 4, its checkpoint written" bash -c "
    test $rc -eq 4 && test -s '$T/c$job.h5.checkpoints/000$job.h5' &&
    grep -q 'job 000$job .*stopped by SIGTERM in epoch 1 of .* after step $step; its checkpoint continues it' '$T/c$job.log'"
  out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/c$job.h5" --resume -v 2>&1)
  check "job $job continues from its checkpoint" grep -q "job 000$job continues from its checkpoint: .*epoch 1, step $step" <<<"$out"
  expect_ok "job $job: stopped, checkpointed, resumed: bit-identical to the uninterrupted run" check_py same "$T/full.h5" "$T/c$job.h5"
  check "job $job: the checkpoints are gone once the sweep is done" test ! -e "$T/c$job.h5.checkpoints"
done

# 5. --retry-failed: failed jobs stay failed on --resume (exit 3) until asked
SPECTCV_FAULT=job:2 mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/f.h5" --force --quiet > /dev/null 2>&1; rc=$?
check "a sweep with a failed job exits 3" test "$rc" -eq 3
mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/f.h5" --resume --quiet > /dev/null 2>&1; rc=$?
check "--resume keeps a failed job failed (exit 3)" test "$rc" -eq 3
expect_ok "--resume --retry-failed runs it again" mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/f.h5" --resume --retry-failed --quiet
expect_ok "after --retry-failed: bit-identical to the uninterrupted run" check_py same "$T/full.h5" "$T/f.h5"

# 6. What --resume refuses
cp "$T/exp.cfg" "$T/edited.cfg"; echo "# an edit" >> "$T/edited.cfg"
expect_status "--resume with an edited experiment" 1 "full.h5: another experiment file, or one edited since: the file has experiment_hash" \
  "$SPECTCV" run "$T/edited.cfg" -o "$T/full.h5" --resume
expect_ok "another data set" "$SPECTCV" synth -o "$T/data2.h5" --patients 40 --size 256x64 --seed 6
expect_status "--resume with another data set" 1 "full.h5: another data set, or one changed since" \
  "$SPECTCV" run "$T/exp.cfg" -o "$T/full.h5" --resume --data "$T/data2.h5"
mkdir -p "$T/archs"
for a in dspic dspic_half gan_g gan_d gan_g_small gan_d_small; do cp "$ROOT/configs/archs/$a.cfg" "$T/archs/"; done
sed "s#arch_dir = .*#arch_dir = \"$T/archs\";#" "$T/exp.cfg" > "$T/archd.cfg"
SPECTCV_FAULT=stop:0@1 "$SPECTCV" run "$T/archd.cfg" -o "$T/archd.h5" --quiet > /dev/null 2>&1
sed -i 's/width = 0.5;/width = 0.25;/' "$T/archs/dspic_half.cfg"
expect_status "--resume with a changed architecture file" 1 "architecture 'dspic_half' differs from the one the sweep started with" \
  "$SPECTCV" run "$T/archd.cfg" -o "$T/archd.h5" --resume
expect_status "--resume of a missing file" 1 "nothing.h5: --resume: no such results file" \
  "$SPECTCV" run "$T/exp.cfg" -o "$T/nothing.h5" --resume
expect_status "--force with --resume is a usage error" 2 "not both" "$SPECTCV" run "$T/exp.cfg" --force --resume
expect_status "--retry-failed alone is a usage error" 2 "goes with --resume" "$SPECTCV" run "$T/exp.cfg" --retry-failed
