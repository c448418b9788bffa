#!/usr/bin/env bash
# Faults during a sweep (docs/reliability.md): the results disk full when the file is created
# and when it fills during the sweep; the data set removed or truncated while the sweep runs; a
# worker killed with SIGKILL; SIGINT, to mpirun (Ctrl-C) and to a one-process run; a job out of
# memory.  Each ends with a clear message, no crash, a readable results file, and a --resume
# that finishes the sweep bit-identical to an uninterrupted run.
#
# The full disk is real: a small tmpfs mounted for the test (root, as in CI).
source "$(dirname "$0")/lib.sh"
statuses() { # FILE: the jobs' statuses, e.g. "2 2 0"
  "$PYTHON" -c "import h5py, sys; print(*[int(r['status']) for r in h5py.File(sys.argv[1], 'r')['jobs/table'][:]])" "$1"
}
MNT=$T/mnt
mkdir -p "$MNT"
trap 'umount "$MNT" 2>/dev/null' EXIT

expect_ok "synthesize a small phantom" "$SPECTCV" synth -o "$T/data.h5" --patients 30 --size 256x64 --seed 5
exp() { # NAME EPOCHS ARCHS: an experiment file on stdout
  cat <<CFG
name = "$1";
seed = 31;
arch_dir = "$ROOT/configs/archs";
data = { path = "$T/data.h5"; size = [128, 32]; };
folds = { k = 3; stratify = false; };
architectures = [$3];
augmentations = ["original"];
train = { epochs = $2; batch = 8; lr = 0.001; };
report = { bootstrap = 100; };
CFG
}
exp faults 24 '"dspic_half"' > "$T/exp.cfg"
expect_ok "an uninterrupted sweep (3 ranks)" mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/full.h5" --quiet

# start_sweep OUT LOG NP [args...]: a sweep in the background ($runner); wait_done LOG N
start_sweep() {
  local out=$1 log=$2 np=$3; shift 3
  mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np "$np" \
    "$SPECTCV" run "$T/exp.cfg" -o "$out" --force "$@" > "$log" 2>&1 &
  runner=$!
}
wait_done() {
  for _ in $(seq 1 1200); do
    grep -q "^\[ *$2/" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
ranks_of() { pgrep -f "^$SPECTCV run $T/exp.cfg -o $1" ; }
no_crash() { ! grep -Eq 'Segmentation fault|signal 11|Aborted|core dumped' "$1"; }

if ! mount -t tmpfs -o size=16k tmpfs "$MNT" 2>"$T/mount.err"; then
  notok "mount a 16 KiB tmpfs for the full-disk tests (needs root)" "$(cat "$T/mount.err")"
else
  # 1. The disk is full when the results file is created.
  out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$MNT/r.h5" 2>&1); rc=$?
  check "full disk at creation: exit 1" test "$rc" -eq 1
  check "full disk at creation: the message names the file and the full file system" grep -q \
    "spectcv: error: $MNT/r.h5: cannot write the new file to disk (its file system is full: [0-9]* bytes free)" <<<"$out"
  check "full disk at creation: no crash (HDF5's failed close is not closed again at exit)" \
    no_crash /dev/stdin <<<"$out"
  check "full disk at creation: no half-made results file is left" test ! -e "$MNT/r.h5"
  expect_fail "full disk: synth names the file and the full file system" \
    "$MNT/d.h5: /images: cannot write scan [0-9]+ \(its file system is full" \
    "$SPECTCV" synth -o "$MNT/d.h5" --patients 30 --size 256x64 --seed 5
  check "full disk: synth leaves neither the file nor its .partial" \
    bash -c "test ! -e '$MNT/d.h5' && test ! -e '$MNT/d.h5.partial'"
  cp "$T/full.h5" "$T/full-copy.h5"
  expect_fail "full disk: report names the file it could not write" \
    "$MNT/rep/.*: write failed: No space left on device" \
    "$SPECTCV" report "$T/full-copy.h5" -o "$MNT/rep" --bootstrap 0 --no-render
  check "full disk: the report's results file is untouched" cmp -s "$T/full.h5" "$T/full-copy.h5"
  umount "$MNT"

  # 2. The disk fills while the sweep runs: checkpoints cannot be written (a warning), the
  #    jobs' results go into the space reserved at creation, and /summary, refused before the
  #    file is touched, waits for --resume.
  mount -t tmpfs -o size=1m tmpfs "$MNT"
  start_sweep "$MNT/r.h5" "$T/full-disk.log" 3 --checkpoint 1
  wait_done "$T/full-disk.log" 1
  dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
  wait "$runner"; rc=$?
  check "disk filled during the sweep: exit 1" test "$rc" -eq 1
  check "disk filled during the sweep: the message says /summary could not be written and how to finish" grep -q \
    "cannot write /summary: $MNT/r.h5: no room for [0-9]* more bytes: No space left on device (its file system is full: 0 bytes free); every job is in the file: once there is room, \`spectcv run $T/exp.cfg -o $MNT/r.h5 --resume\` writes the summary" "$T/full-disk.log"
  check "disk filled during the sweep: no crash" no_crash "$T/full-disk.log"
  check "disk filled during the sweep: the file is readable and every job is done" \
    test "$(statuses "$MNT/r.h5")" = "2 2 2"
  rm -f "$MNT/filler"
  out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$MNT/r.h5" --resume 2>&1); rc=$?
  check "disk filled during the sweep: --resume, with room again, writes the summary (exit 0)" \
    bash -c "test $rc -eq 0 && grep -q 'resuming .*: 3 of 3 jobs done, 0 failed' <<<'$out'"
  expect_ok "disk filled during the sweep, then --resume: bit-identical to the uninterrupted run" \
    check_py same "$T/full.h5" "$MNT/r.h5"
  umount "$MNT"
fi

# 3. The data set removed, or truncated, while the sweep runs: its images are in memory from
#    the start, so the sweep goes on; a --resume then refuses the damaged file by name.
for how in removed truncated; do
  cp "$T/data.h5" "$T/data-$how.h5"
  sed "s#$T/data.h5#$T/data-$how.h5#" "$T/exp.cfg" > "$T/exp-$how.cfg"
  mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np 3 \
    "$SPECTCV" run "$T/exp-$how.cfg" -o "$T/$how.h5" > "$T/$how.log" 2>&1 &
  runner=$!
  wait_done "$T/$how.log" 1
  if [ $how = removed ]; then rm "$T/data-$how.h5"; else truncate -s 20000 "$T/data-$how.h5"; fi
  wait "$runner"; rc=$?
  check "data set $how during the sweep: the sweep finishes (exit 0)" test "$rc" -eq 0
  expect_ok "data set $how during the sweep: bit-identical to the uninterrupted run" \
    check_py same "$T/full.h5" "$T/$how.h5"
done
expect_fail "--resume with the data set removed: named" "data-removed.h5: cannot open" \
  "$SPECTCV" run "$T/exp-removed.cfg" -o "$T/removed.h5" --resume
expect_fail "--resume with the data set truncated: named" "data-truncated.h5: .*(truncated|cannot open|not an HDF5)" \
  "$SPECTCV" run "$T/exp-truncated.cfg" -o "$T/truncated.h5" --resume

# 4. A worker killed with SIGKILL (the kernel's OOM killer, a node failure): mpirun ends the
#    run; the file holds the finished jobs, and --resume runs the rest.
start_sweep "$T/k.h5" "$T/k.log" 3
wait_done "$T/k.log" 1
worker=$(ranks_of "$T/k.h5" | sort -n | tail -n 1)
kill -KILL "$worker"
wait "$runner"; rc=$?
check "a worker killed with SIGKILL: the run ends (non-zero exit), mpirun says which rank" \
  bash -c "test $rc -ne 0 && grep -Eq 'signal 9|Killed' '$T/k.log'"
s=$(statuses "$T/k.h5")
check "a worker killed with SIGKILL: the file is readable, the finished jobs done, none failed" \
  bash -c "[[ '$s' == *2* && '$s' != *3* ]]"
out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/k.h5" --resume 2>&1); rc=$?
check "a worker killed with SIGKILL: --resume completes (exit 0)" test "$rc" -eq 0
expect_ok "a worker killed with SIGKILL, then --resume: bit-identical to the uninterrupted run" \
  check_py same "$T/full.h5" "$T/k.h5"

# 5. SIGINT: Ctrl-C on mpirun (it sends SIGTERM to the ranks, which begin a clean stop, and
#    kills them shortly after: whether the stop finishes first is a race, seen both ways), and
#    SIGINT to a one-process run (no mpirun), which always stops cleanly.
start_sweep "$T/i.h5" "$T/i.log" 3
wait_done "$T/i.log" 1
kill -INT "$runner"
wait "$runner"
s=$(statuses "$T/i.h5")
check "SIGINT to mpirun: the run ends; the file is readable, its finished jobs done, none failed" \
  bash -c "[[ '$s' == *2* && '$s' != *3* ]]"
expect_ok "SIGINT to mpirun: --resume" mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/i.h5" --resume --quiet
expect_ok "SIGINT to mpirun, then --resume: bit-identical" check_py same "$T/full.h5" "$T/i.h5"
"$SPECTCV" run "$T/exp.cfg" -o "$T/s.h5" > "$T/s.log" 2>&1 &
runner=$!
wait_done "$T/s.log" 1
kill -INT "$runner"
wait "$runner"; rc=$?
check "SIGINT to a one-process run: exit 4, stopped by SIGINT" \
  bash -c "test $rc -eq 4 && grep -q 'the sweep was stopped by SIGINT' '$T/s.log'"
expect_ok "SIGINT to a one-process run: --resume" "$SPECTCV" run "$T/exp.cfg" -o "$T/s.h5" --resume --quiet
expect_ok "SIGINT to a one-process run, then --resume: bit-identical" check_py same "$T/full.h5" "$T/s.h5"

# 6. A job out of memory: a network whose activations at the job's batch cannot be allocated
#    (16384 channels at full resolution: 4 GiB at batch 8, 0.5 GiB at batch 1, the size the
#    sweep plans with) under a memory limit: its jobs fail with the message, the others finish,
#    exit 3; --resume --retry-failed runs only the failed ones again.  The limit is the address
#    space (ulimit -v), or under AddressSanitizer (which reserves terabytes of address space)
#    its largest allocation; both make malloc return NULL as a full node does.
mkdir -p "$T/archs"
cp "$ROOT/configs/archs/dspic.cfg" "$ROOT/configs/archs/dspic_half.cfg" "$T/archs/"
cat > "$T/archs/wide.cfg" <<'CFG'
description = "small in parameters, huge in activations";
layers = (
  { type = "conv"; out = 16384; kernel = 1; },
  { type = "relu"; },
  { type = "global_avgpool"; },
  { type = "dense"; out = "n_out"; }
);
CFG
exp oom 1 '"dspic_half", "wide"' | sed "s#arch_dir = .*#arch_dir = \"$T/archs\";#" > "$T/oom.cfg"
exp oom 1 '"dspic_half"' | sed "s#arch_dir = .*#arch_dir = \"$T/archs\";#" > "$T/oom-ref.cfg"
expect_ok "out of memory: the reference sweep without the wide network" \
  mpi 2 "$SPECTCV" run "$T/oom-ref.cfg" -o "$T/oom-ref.h5" --quiet
limited() { # CMD...: under the memory limit, and never longer than 120 s
  if "$SPECTCV" --version 2>/dev/null | grep -q '^build: AddressSanitizer'; then
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:allocator_may_return_null=1:max_allocation_size_mb=1024" timeout 120 "$@"
  else
    (ulimit -v 1600000 && timeout 120 "$@")
  fi
}
limited mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np 2 \
  "$SPECTCV" run "$T/oom.cfg" -o "$T/oom.h5" > "$T/oom.log" 2>&1; rc=$?
check "out of memory: the sweep completes with failed jobs (exit 3)" test "$rc" -eq 3
check "out of memory: each wide job failed with the message" "$PYTHON" -c "
import h5py, sys
t = h5py.File('$T/oom.h5', 'r')['jobs/table'][:]
msg = b\"architecture 'wide' at batch 8: out of memory: 4097.3 MiB for the network's activations (at this batch size); a smaller train.batch, or fewer ranks on the node, may fit\"
wide = [r for r in t if r['architecture'] == b'wide']
sys.exit(0 if len(wide) == 3 and all(r['status'] == 3 and r['message'] == msg for r in wide) else 1)"
check "out of memory: the other jobs are done, bit-identical to a sweep without the wide network" "$PYTHON" -c "
import h5py, sys
a = [r for r in h5py.File('$T/oom-ref.h5', 'r')['jobs/table'][:]]
b = [r for r in h5py.File('$T/oom.h5', 'r')['jobs/table'][:] if r['architecture'] == b'dspic_half']
sys.exit(0 if [(r['status'], r['output_hash']) for r in a] == [(r['status'], r['output_hash']) for r in b] and a[0]['status'] == 2 else 1)"
check "out of memory: the progress line names the failed job and why" \
  grep -q "job 0001 .* original/wide: FAILED .*out of memory" "$T/oom.log"
limited mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np 2 \
  "$SPECTCV" run "$T/oom.cfg" -o "$T/oom.h5" --resume --retry-failed > "$T/oom2.log" 2>&1; rc=$?
check "out of memory: --resume --retry-failed runs only the 3 failed jobs again (exit 3 again)" \
  bash -c "test $rc -eq 3 && grep -q 'resuming .*: 3 of 6 jobs done, 3 failed' '$T/oom2.log' && test \$(grep -c 'FAILED' '$T/oom2.log') -eq 3"
