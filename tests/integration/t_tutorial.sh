#!/usr/bin/env bash
# docs/tutorial.md, run as written in an empty folder: the practice folder of DICOM files
# (scripts/practice-folder), import and its refusal, info, the experiment files, the dry run, a
# 3-rank sweep, the report, an ablation and compare.  Each command must exit as the tutorial
# says and print every line it shows (numbers and times aside: tests/integration/tutorial.py).
source "$(dirname "$0")/lib.sh"

# `spectcv` on the PATH is the binary under test (the tutorial puts the build on the PATH).
mkdir -p "$T/bin" "$T/work"
ln -s "$SPECTCV" "$T/bin/spectcv"
export PATH="$T/bin:$PATH" SPECTCV
# The practice folder's DICOM writer, from the same build as the tests.
if [ -n "${TEST_BUILD:-}" ] && [ -x "$ROOT/$(dirname "$TEST_BUILD")/tools/nm_write" ]; then
  export NM_WRITE="$ROOT/$(dirname "$TEST_BUILD")/tools/nm_write"
fi
"$PYTHON" "$ROOT/tests/integration/tutorial.py" "$ROOT/docs/tutorial.md" "$T/work" "$ROOT"
rm -rf "$T"
