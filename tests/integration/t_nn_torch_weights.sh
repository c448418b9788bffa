#!/usr/bin/env bash
# Weights written by nn load into the equivalent torch modules (scripts/load_weights_torch.py)
# and give the same eval outputs: dspic (2x64x32) and alexnet (2x64x64), after one training
# epoch so that batch-norm statistics matter.  Needs torch; without it this check cannot run.
source "$(dirname "$0")/lib.sh"
TEST_BUILD=${TEST_BUILD:-build/release/tests}
case "$TEST_BUILD" in /*) ;; *) TEST_BUILD="$ROOT/$TEST_BUILD" ;; esac

if ! "$PYTHON" -c 'import torch, h5py' 2>/dev/null; then
  ok "torch weights round trip not run: $PYTHON has no torch (scripts/install-deps --torch)"
  exit 0
fi
out=$(cd "$T" && SPECTCV_NN_EXPORT="$T" "$TEST_BUILD/test_nn_weights" 2>&1)
if [ $? -ne 0 ]; then notok "nn exports dspic and alexnet weights" "$out"; exit 0; fi
ok "nn exports dspic and alexnet weights"
for arch in dspic alexnet; do
  expect_ok "torch rebuilds $arch from the weights file and matches nn's outputs" \
    "$PYTHON" "$ROOT/scripts/load_weights_torch.py" "$T/$arch.h5" --check "$T/${arch}_check.h5"
done
rm -f "$T"/*.h5
