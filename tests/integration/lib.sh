# tests/integration/lib.sh: helpers for the integration scripts (TAP-like lines that
# tests/run.sh counts).  Source it; each check prints "ok - NAME" or "not ok - NAME".
set -u
SPECTCV=${SPECTCV:-./spectcv}
case "$SPECTCV" in /*) ;; *) SPECTCV="$PWD/${SPECTCV#./}" ;; esac
PYTHON=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_mpi_yield_when_idle=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d "${SPECTCV_TMP:-/tmp}/it.XXXXXX")

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# mpirun with the flags a root, oversubscribed test machine needs.
mpi() { local np=$1; shift; mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np "$np" "$@"; }

# wait_until PID CMD...: until CMD succeeds, PID has exited, or 120 s have passed.  A signal
# meant for a running command goes after a mark of its progress, not after a fixed sleep: that
# races with a slow start (ASan on a loaded machine), the signal coming before the handlers.
wait_until() {
  local pid=$1 _
  shift
  for _ in $(seq 1 1200); do
    { "$@" || ! kill -0 "$pid" 2>/dev/null; } && return 0
    sleep 0.1
  done
}

# expect_ok NAME CMD...: the command exits 0.
expect_ok() {
  local name=$1; shift
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ $rc -eq 0 ]; then ok "$name"; else notok "$name" "exit $rc: $*" "$(printf '%s' "$out" | tail -n 15)"; fi
}

# expect_fail NAME PATTERN CMD...: the command exits non-zero and its stderr+stdout matches
# the extended regex PATTERN (the message must name what is wrong).
expect_fail() {
  local name=$1 pat=$2; shift 2
  expect_status "$name" any "$pat" "$@"
}

# expect_status NAME STATUS PATTERN CMD...: as expect_fail, and the exit status is STATUS
# exactly (docs/spectcv.1: 1 a bad input or a failed run, 2 a usage error), or any non-zero
# one for STATUS "any".
expect_status() {
  local name=$1 want=$2 pat=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ $rc -eq 0 ]; then
    notok "$name" "expected a non-zero exit: $*" "$(printf '%s' "$out" | tail -n 5)"
  elif [ "$want" != any ] && [ "$rc" -ne "$want" ]; then
    notok "$name" "exit $rc, expected $want: $*" "$(printf '%s' "$out" | tail -n 5)"
  elif ! printf '%s' "$out" | grep -Eq -- "$pat"; then
    notok "$name" "message does not match /$pat/:" "$(printf '%s' "$out" | tail -n 5)"
  else
    ok "$name"
  fi
}

# check NAME CONDITION-COMMAND...: generic assertion.
check() {
  local name=$1; shift
  if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi
}

# check_py CHECK ARGS...: tests/integration/check_results.py, the checks of a results file.
check_py() { "$PYTHON" "$ROOT/tests/integration/check_results.py" "$@"; }

# small_phantom PATIENTS SEED [FILE]: a phantom of PATIENTS patients at 256x64 in FILE
# ($T/data.h5), checked.
small_phantom() {
  expect_ok "synthesize a small phantom" "$SPECTCV" synth -o "${3:-$T/data.h5}" --patients "$1" --size 256x64 --seed "$2"
}

# sweep_cfg NAME SEED ARCH AUGMENTATIONS [LINE...]: prints an experiment on data.h5 (next to the
# file, at 128x32; 3 folds, not stratified) of the one architecture ARCH and AUGMENTATIONS (the
# list as the file writes it: '"original", "geometric"'), then each LINE as it is (the
# augmentations' blocks, train = { ... };, report = { ... };).
sweep_cfg() {
  local name=$1 seed=$2 arch=$3 augs=$4; shift 4
  cat <<CFG
name = "$name";
seed = $seed;
arch_dir = "$ROOT/configs/archs";
data = { path = "data.h5"; size = [128, 32]; };
folds = { k = 3; stratify = false; };
architectures = ["$arch"];
augmentations = [$augs];
CFG
  [ $# -eq 0 ] || printf '%s\n' "$@"
}

# tiny_sweep NAME SEED PATIENTS DATA_SEED: $T/data.h5, a small phantom, and $T/exp.cfg, a sweep
# on it of two cells (dspic; original and geometric), 3 folds, 2 epochs.
tiny_sweep() {
  small_phantom "$3" "$4"
  sweep_cfg "$1" "$2" dspic '"original", "geometric"' 'geometric = { copies = 1; };' \
    'train = { epochs = 2; batch = 8; lr = 0.001; };' > "$T/exp.cfg"
}
