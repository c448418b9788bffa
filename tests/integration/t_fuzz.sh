#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz): built with clang (installed by scripts/install-deps; a
# missing toolchain fails here, it is not skipped), then each run over its committed corpus and
# the inputs of the bugs fuzzing found, then over a fixed number of fuzzed inputs with a fixed
# seed (tests/fuzz/run.sh check).  `make fuzz` fuzzes for longer.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
for tool in clang clang++; do
  if command -v "$tool" >/dev/null; then ok "$tool is installed"
  else notok "$tool is installed" "scripts/install-deps installs clang and libclang-rt-14-dev"; fi
done
# The fuzz build is its own (clang, build/fuzz), whatever build runs the tests: a parent
# `make check SANITIZE=1` passes SANITIZE=1 down through MAKEFLAGS, which would pick build/san.
out=$(cd "$ROOT" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
      make --no-print-directory FUZZ=1 SANITIZE=0 NATIVE=0 -j2 fuzz-bins 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "fuzz targets build (make FUZZ=1 fuzz-bins)"
else notok "fuzz targets build (make FUZZ=1 fuzz-bins)" "$(printf '%s' "$out" | tail -n 15)"; exit 1; fi
bash tests/fuzz/run.sh check
