#!/usr/bin/env bash
# t_docs: the documentation agrees with the code, and the code with its layering rule.
#   - every "docs/design.md section N" names a section of docs/design.md (check_design_refs.py);
#   - the folders include only what docs/design.md section 3 allows (scripts/check-layering);
#   - docs/config.md's key table lists exactly the keys the code accepts (check_config_keys.py
#     against `spectcv --list-config-keys`);
#   - every test docs/reliability.md's catalogue of bad inputs and faults names exists and is run
#     by `make check`, and the catalogue keeps at least 40 rows (check_reliability.py);
#   - the man page renders without warnings and covers every command and option;
#   - `spectcv --version` names spectcv's version and every library's.
# Each checker is also run on a broken copy, to show that it fails when it should.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# ---- design references ----
expect_ok "every docs/design.md section reference names a section" \
  "$PYTHON" tests/integration/check_design_refs.py "$ROOT"
mkdir -p "$T/refs/docs" "$T/refs/src"
cp docs/design.md "$T/refs/docs/"
# (the numbers go in through %s, so that this script holds no broken reference itself)
printf '/* x.c: see docs/design.md\n * section %s. */\n' 99 > "$T/refs/src/x.c"
expect_fail "a reference to a missing section (across comment lines) fails" \
  "src/x.c: .*has no section 99" \
  "$PYTHON" tests/integration/check_design_refs.py "$T/refs"
printf 'see docs/design.md sections %s\n' 2-12 > "$T/refs/src/x.c"
expect_fail "a range reaching a missing section fails" "no section 12" \
  "$PYTHON" tests/integration/check_design_refs.py "$T/refs"
printf 'see DESIGN%s section 4\n' ".md" > "$T/refs/src/x.c"
expect_fail "the old design file's name fails" "src/x.c:1: names DESIGN" \
  "$PYTHON" tests/integration/check_design_refs.py "$T/refs"

# ---- docs/reliability.md's catalogue: every row backed by a test that make check runs ----
expect_ok "every test in docs/reliability.md's catalogue exists, in at least 40 rows" \
  "$PYTHON" tests/integration/check_reliability.py "$ROOT" 40
mkdir -p "$T/rel/docs" "$T/rel/tests/fuzz"
cp docs/reliability.md "$T/rel/docs/"
cp -r tests/integration tests/unit "$T/rel/tests/"
cp tests/fuzz/run.sh "$T/rel/tests/fuzz/"
sed -i 's/^expect_status "out-of-range value"/expect_status "an out-of-range value"/' "$T/rel/tests/integration/t_config_errors.sh"
expect_fail "a renamed integration check fails, naming the row" \
  "docs/reliability.md:[0-9]+: .tests/integration/t_config_errors.sh.: no check named 'out-of-range value'" \
  "$PYTHON" tests/integration/check_reliability.py "$T/rel"
cp tests/integration/t_config_errors.sh "$T/rel/tests/integration/"
sed -i '/cmocka_unit_test(test_int_range)/d' "$T/rel/tests/unit/test_cli.c"
expect_fail "a unit test that is not registered fails" "test_cli.c.: .test_int_range. is not registered" \
  "$PYTHON" tests/integration/check_reliability.py "$T/rel"
rm "$T/rel/tests/unit/test_cli.c"
expect_fail "a missing test file fails" "tests/unit/test_cli.c.: no such file" \
  "$PYTHON" tests/integration/check_reliability.py "$T/rel"
cp tests/unit/test_cli.c "$T/rel/tests/unit/"
sed -i 's/| `tests\/unit\/test_stats_bootstrap.c`: `test_bca_errors` |/| (none) |/' "$T/rel/docs/reliability.md"
expect_fail "a row without a test fails" "docs/reliability.md:[0-9]+: no test named" \
  "$PYTHON" tests/integration/check_reliability.py "$T/rel"
cp docs/reliability.md "$T/rel/docs/"
expect_ok "the repaired copy passes" "$PYTHON" tests/integration/check_reliability.py "$T/rel"
expect_fail "fewer rows than required fails" "the catalogue has [0-9]+ rows, fewer than 1000" \
  "$PYTHON" tests/integration/check_reliability.py "$T/rel" 1000

# ---- layering ----
graph=$(scripts/check-layering --graph 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$graph" | grep -q '^pipeline: ' \
   && printf '%s\n' "$graph" | grep -qx 'util: -'; then
  ok "the include graph follows the layering rule"
else
  notok "the include graph follows the layering rule" "exit $rc" "$graph"
fi
mkdir -p "$T/layers"
for d in util nn data stats folds augment results jobs pipeline; do cp -r "$d" "$T/layers/"; done
printf '#include "jobs/grid.h"\n' >> "$T/layers/nn/layer.h"
expect_fail "an upward include (nn -> jobs) fails, naming file:line" \
  "nn/layer.h:[0-9]+: nn/ must not include jobs/" scripts/check-layering "$T/layers"
cp nn/layer.h "$T/layers/nn/layer.h"
printf '#include "results/results.h"\n' >> "$T/layers/augment/gan.h"
expect_fail "a sideways include (augment -> results) fails" \
  "augment/gan.h:[0-9]+: augment/ must not include results/" scripts/check-layering "$T/layers"
cp augment/gan.h "$T/layers/augment/gan.h"
printf '#include <mpi.h>\n' >> "$T/layers/stats/metrics.h"
expect_fail "MPI in stats fails" "stats/metrics.h:[0-9]+: stats/ must not include <mpi.h>" \
  scripts/check-layering "$T/layers"
cp stats/metrics.h "$T/layers/stats/metrics.h"
expect_ok "the unbroken copy passes again" scripts/check-layering "$T/layers"

# ---- docs/config.md against the code's keys ----
"$SPECTCV" --list-config-keys > "$T/keys.txt" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -qx 'data.path' "$T/keys.txt" && grep -qx 'train.lr' "$T/keys.txt" \
   && grep -qx 'train_by_arch.NAME.lr' "$T/keys.txt"; then
  ok "--list-config-keys prints the keys"
else
  notok "--list-config-keys prints the keys" "exit $rc" "$(head -n 5 "$T/keys.txt")"
fi
expect_ok "docs/config.md's key table lists exactly the code's keys" \
  "$PYTHON" tests/integration/check_config_keys.py docs/config.md "$T/keys.txt"
grep -v '^| `report.bootstrap`' docs/config.md > "$T/config-missing.md"
expect_fail "a key missing from the table fails" "key 'report.bootstrap' is accepted by the code" \
  "$PYTHON" tests/integration/check_config_keys.py "$T/config-missing.md" "$T/keys.txt"
sed 's/^| `train.clip` |/| `train.clip`, `train.clip_value` |/' docs/config.md > "$T/config-extra.md"
expect_fail "a documented key the code lacks fails" \
  "key 'train.clip_value' is documented but the code accepts no such key" \
  "$PYTHON" tests/integration/check_config_keys.py "$T/config-extra.md" "$T/keys.txt"
grep -v '^| `folds\.' docs/config.md > "$T/config-group.md"
expect_fail "a group with no documented member fails" "key 'folds' is accepted by the code" \
  "$PYTHON" tests/integration/check_config_keys.py "$T/config-group.md" "$T/keys.txt"

# ---- the man page ----
warn=$(groff -man -ww -z docs/spectcv.1 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$warn" ]; then ok "the man page renders without warnings (groff -ww)"
else notok "the man page renders without warnings (groff -ww)" "exit $rc" "$warn"; fi
out=$(MANWIDTH=80 man -l docs/spectcv.1 2>&1 >/dev/null); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "man -l renders the man page"
else notok "man -l renders the man page" "exit $rc" "$out"; fi
cmds=$(sed -n 's/^ *{"\([a-z]*\)", cmd_[a-z]*,.*/\1/p' pipeline/main.c)
missing=()
for c in $cmds; do grep -qx ".SS spectcv $c" docs/spectcv.1 || missing+=("$c"); done
if [ -n "$cmds" ] && [ ${#missing[@]} -eq 0 ]; then
  ok "every registered command ($(echo $cmds)) has a section in the man page"
else
  notok "every registered command has a section in the man page" "missing: ${missing[*]}" "commands: $cmds"
fi
# every option a command's --help names is in the man page (roff writes - as \-)
missing=()
for c in $cmds; do
  for o in $("$SPECTCV" "$c" --help 2>&1 | grep -oE -- '(^|[ [(|])--?[a-z][a-z0-9-]*' | grep -oE -- '--?[a-z][a-z0-9-]*' | sort -u); do
    [ "$o" = "-h" ] && continue
    grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" docs/spectcv.1 || missing+=("$c $o")
  done
done
if [ ${#missing[@]} -eq 0 ]; then ok "every option of every command's --help is in the man page"
else notok "every option of every command's --help is in the man page" "missing: ${missing[*]}"; fi
ver=$(sed -n 's/^#define SPECTCV_VERSION "\(.*\)"/\1/p' util/version.h)
check "the man page's version is util/version.h's ($ver)" grep -q "^\.TH SPECTCV 1 .*\"spectcv $ver\"" docs/spectcv.1
for code in 0 1 2 3 4; do
  check "the man page documents exit status $code" grep -qx -A0 ".B $code" docs/spectcv.1
done
for v in SPECTCV_ARCH_PATH OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS SPECTCV_FAULT; do
  check "the man page documents \$$v" grep -qx ".B $v" docs/spectcv.1
done

# ---- make install puts the man page in place, uninstall removes it ----
# -o: take the binary under test as it is (never rebuild it here); no parent make's flags
inst() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -o "$SPECTCV" BIN="$SPECTCV" PREFIX="$T/prefix" "$@"; }
inst install >"$T/install.log" 2>&1 \
  && [ -f "$T/prefix/share/man/man1/spectcv.1" ] && cmp -s docs/spectcv.1 "$T/prefix/share/man/man1/spectcv.1"
check "make install puts spectcv.1 in PREFIX/share/man/man1" test $? -eq 0
inst uninstall >>"$T/install.log" 2>&1
check "make uninstall removes it" test ! -e "$T/prefix/share/man/man1/spectcv.1" -a ! -e "$T/prefix/bin/spectcv"

# ---- --version ----
"$SPECTCV" --version > "$T/version.txt" 2>&1; rc=$?
check "--version exits 0 (no mpirun)" test $rc -eq 0
check "--version's first line is spectcv $ver" grep -qE "^spectcv $ver( \(git [0-9a-z.-]+\))?\$" <(head -n 1 "$T/version.txt")
for lib in MPI HDF5 libconfig GSL OpenBLAS libpng zlib GDCM libjpeg; do
  check "--version names $lib with a version" grep -qE "^  $lib +[^ ].*[0-9]+\.[0-9]+" "$T/version.txt"
done
check "--version says runtime or compile-time on every library line" \
  test "$(grep -c '^  ' "$T/version.txt")" -eq "$(grep -cE '^  .*\((runtime|compile-time)' "$T/version.txt")"
# the compile-time versions are those of the headers pkg-config finds
norm() { printf '%s' "$1" | sed 's/\(\.0\)*$//'; }
for pair in "HDF5:${HDF5_PKG:-hdf5-openmpi}" GSL:gsl libpng:libpng zlib:zlib libconfig:libconfig; do
  lib=${pair%%:*} pc=${pair#*:}
  want=$(norm "$(pkg-config --modversion "$pc" 2>/dev/null)")
  line=$(grep -E "^  $lib " "$T/version.txt")
  got=$(printf '%s' "$line" | grep -oE '(built with [0-9.]+|^  [a-zA-Z]+ +[0-9.]+  \(compile-time)' | grep -oE '[0-9]+(\.[0-9]+)+' | head -n 1)
  if [ -n "$want" ] && [ "$(norm "$got")" = "$want" ]; then ok "--version: $lib headers $want, as pkg-config says"
  else notok "--version: $lib headers as pkg-config says" "pkg-config $pc: '$want', --version: '$line'"; fi
done
OPENBLAS_CORETYPE=Prescott "$SPECTCV" --version > "$T/version-prescott.txt" 2>&1
check "--version reports the OpenBLAS kernels in use (OPENBLAS_CORETYPE=Prescott)" \
  grep -qE '^  OpenBLAS .*kernels Prescott' "$T/version-prescott.txt"
"$SPECTCV" version > "$T/version2.txt" 2>&1
check "\`spectcv version\` prints the same" cmp -s "$T/version.txt" "$T/version2.txt"
mpi 2 "$SPECTCV" --version > "$T/version-mpi.txt" 2>&1
check "--version under mpirun (2 ranks) prints it on each" test "$(grep -c '^spectcv ' "$T/version-mpi.txt")" -eq 2
