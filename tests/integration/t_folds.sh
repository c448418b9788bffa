#!/usr/bin/env bash
# Folds on a data set with label sets rarer than the folds: `run` (stratify = true) spreads
# their patients by iterative stratification instead of stopping, says so, prints the fold
# quality once at the start (not with --quiet), and the stored folds keep every patient in one
# fold and the rare sets' patients apart.
source "$(dirname "$0")/lib.sh"
# 40 scans of 20 patients, 3 labels: 3 of its label sets have fewer than 5 patients
"$PYTHON" "$ROOT/tests/integration/make_dataset.py" "$T/data.h5" --n 40 --size 128x32
cat > "$T/exp.cfg" <<CFG
name = "rare-sets";
seed = 5;
arch_dir = "$ROOT/configs/archs";
data = { path = "data.h5"; size = [128, 32]; };
folds = { k = 5; repeats = 2; stratify = true; };
architectures = ["dspic"];
train = { epochs = 1; batch = 4; };
CFG

out=$(mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/r.h5" 2>&1); rc=$?
check "run with rare label sets succeeds" test "$rc" -eq 0
check "a notice names the rare label sets" \
  grep -Eq "^notice: 3 label sets with fewer patients than folds \(4 patients in all\)" <<<"$out"
check "the fold quality table: a line per fold of repeat 0, the ideal and the deviation" \
  bash -c 'grep -q "^fold quality, repeat 0" <<<"$1" &&
           test "$(grep -Ec "^  [0-4] +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$" <<<"$1")" -eq 5 &&
           grep -Eq "^  ideal +4\.0 +8\.0 " <<<"$1" && grep -Eq "^  dev +[0-9.]+% " <<<"$1"' _ "$out"
check "the largest deviation over the repeats, once" \
  test "$(grep -c '^largest dev over the 2 repeats: patients' <<<"$out")" -eq 1
check "printed once, by rank 0" test "$(grep -c '^fold quality' <<<"$out")" -eq 1
check "the stored folds: each patient in one fold, rare sets' patients apart, repeats differ" \
  "$PYTHON" -c "
import h5py, numpy as np, collections, sys
f = h5py.File('$T/r.h5', 'r'); a = f['folds/assignment'][:]
d = h5py.File('$T/data.h5', 'r'); pat = d['patient'][:]; lab = d['labels'][:]
sets = collections.defaultdict(set)
for p, l in zip(pat, lab): sets[p].add(tuple(l))
key = {p: tuple(max(s[j] for s in v) for j in range(3)) for p, v in sets.items()}
members = collections.Counter(key.values())
assert a.shape == (2, len(pat)) and a.min() >= 0 and a.max() <= 4, a
for r in range(2):
    fold = {}
    for i, p in enumerate(pat):
        assert fold.setdefault(p, a[r, i]) == a[r, i], ('patient split', p)
    for k, c in members.items():
        if c < 5:   # a rare set's patients (at most 2 here) are in different folds
            fs = [fold[p] for p in fold if key[p] == k]
            assert len(set(fs)) == len(fs), (k, fs)
assert (a[0] != a[1]).any()
"
out=$("$SPECTCV" run "$T/exp.cfg" --dry-run --quiet 2>&1)
check "--quiet prints no fold quality" bash -c '! grep -q "fold quality\|^notice" <<<"$1"' _ "$out"
