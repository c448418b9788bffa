#!/usr/bin/env bash
# Numeric faults (docs/statistics.md section 1, docs/formats.md): a non-finite or negative pixel
# is refused before anything trains, naming the file, the scan, the view and the pixel; a blank
# scan trains and tests as zeros; a constant label and a test fold without a positive give
# zero-denominator metrics set to 0 and counted (the summary's means include them, the report
# names them) and a NaN AUC (left out of its mean); a diverging learning
# rate fails its jobs with the epoch, the sweep (2 ranks) finishing the others with exit status 3.
source "$(dirname "$0")/lib.sh"
mk() { "$PYTHON" "$ROOT/tests/integration/make_dataset.py" "$@" --size 128x32; }
py() { "$PYTHON" -c "$1"; }

cat > "$T/base.cfg" <<CFG
name = "numeric";
seed = 5;
arch_dir = "$ROOT/configs/archs";
data = { path = "data.h5"; size = [64, 32]; };
folds = { k = 3; stratify = false; };
architectures = ["dspic_half"];
augmentations = ["original"];
train = { epochs = 1; batch = 8; pos_weight = "balanced"; };
CFG

# 1. An infinite or a negative pixel (the float32 format allows them; uint16 cannot hold one):
# refused while the data set loads, before any job, with no results file.
mk "$T/inf.h5" --defect images-inf
mk "$T/neg.h5" --defect images-negative
expect_fail "an Inf pixel is refused, naming file, /images, scan, view, row and column" \
  "inf\.h5: /images: scan 6 has a non-finite pixel \(inf\) in view 'anterior' at row 5, column 2; counts must be finite and non-negative" \
  "$SPECTCV" run "$T/base.cfg" --data "$T/inf.h5" -o "$T/inf-r.h5"
expect_fail "a negative pixel is refused, naming its scan, view and place" \
  "neg\.h5: /images: scan 2 has a negative pixel \(-3\) in view 'posterior' at row 0, column 7" \
  "$SPECTCV" run "$T/base.cfg" --data "$T/neg.h5" -o "$T/neg-r.h5"
check "a refused data set leaves no results file" test ! -e "$T/inf-r.h5" -a ! -e "$T/neg-r.h5"

# 2. A blank scan (all zero, both views) with every normalization and thinned geometric copies:
# trained on and tested as zeros, nothing NaN (the normalization would divide by 0).
mk "$T/blank.h5" --defect blank-scan
for norm in mean max log; do
  sed -e "s/size = \[64, 32\];/size = [64, 32]; normalize = \"$norm\";/" \
      -e 's/"original"\]/"original", "geometric"]/' "$T/base.cfg" > "$T/blank-$norm.cfg"
  echo 'geometric = { copies = 1; thin = 0.5; };' >> "$T/blank-$norm.cfg"
  "$SPECTCV" run "$T/blank-$norm.cfg" --data "$T/blank.h5" -o "$T/blank-$norm.h5" --quiet > "$T/blank-$norm.log" 2>&1
  rc=$?
  check "blank scan, normalize = $norm: exit 0, every job done, every loss and score finite, the blank scans scored" \
    py "
import h5py, numpy as np, sys
f = h5py.File('$T/blank-$norm.h5', 'r')
t = f['jobs/table'][:]
tested = 0
ok = $rc == 0 and len(t) == 6 and all(r['status'] == 2 for r in t)
for r in t:
    j = int(r['id']); idx = list(f['jobs/%04d/test_index' % j][:]); s = f['jobs/%04d/scores' % j][:]
    ok = ok and np.isfinite(f['jobs/%04d/history' % j][:]).all() and np.isfinite(s).all()
    tested += sum(1 for i in (4, 5) if i in idx)
sys.exit(0 if ok and tested == 4 else 1)"
done

# 3. A constant label: arthritis negative and normal positive in every scan.  The sweep runs
# (balanced positive weight 1 for a label without positives) and says so before training; a
# zero denominator gives 0 and is counted (docs/statistics.md section 1: arthritis' sensitivity
# and normal's specificity in every fold), the summary's mean takes those zeros (n = 3), the
# report's footnote names them; the AUC of a constant label is NaN (n = 0).
# zero_rule.py recomputes every job's per-label and micro metrics and its zero_division count
# from its stored scores and the truth at threshold 0.5, under that rule.
cat > "$T/zero_rule.py" <<'PY'
import h5py, numpy as np, sys
BASIC = ('accuracy', 'precision', 'sensitivity', 'specificity', 'f1')
def metrics(tp, fp, fn, tn):
    dens = (tp + fp + fn + tn, tp + fp, tp + fn, tn + fp, 2 * tp + fp + fn)
    nums = (tp + tn, tp, tp, tn, 2 * tp)
    return [n / d if d else 0.0 for n, d in zip(nums, dens)], sum(d == 0 for d in dens)
def job(f, j, names, labels):
    m = dict(zip(names, f['jobs/%04d/metrics' % j][:]))
    idx = f['jobs/%04d/test_index' % j][:]
    p = f['jobs/%04d/scores' % j][:] >= 0.5
    y = labels[idx] == 1
    counts = [((p[:, k] & y[:, k]).sum(), (p[:, k] & ~y[:, k]).sum(),
               (~p[:, k] & y[:, k]).sum(), (~p[:, k] & ~y[:, k]).sum()) for k in range(y.shape[1])]
    label_names = [n[:-len('_accuracy')] for n in names if n.endswith('_accuracy')
                   and n not in ('macro_accuracy', 'micro_accuracy', 'example_accuracy', 'subset_accuracy')]
    zeros, ok = 0, True
    for name, c in list(zip(label_names, counts)) + [('micro', np.sum(counts, axis=0))]:
        v, z = metrics(*c)
        zeros += z
        ok = ok and all(abs(m['%s_%s' % (name, b)] - x) < 1e-12 for b, x in zip(BASIC, v))
    return m, ok and m['zero_division'] == zeros
PY
mk "$T/const.h5" --defect label-constant
"$SPECTCV" run "$T/base.cfg" --data "$T/const.h5" -o "$T/const.h5r" > "$T/const.log" 2>&1
rc=$?
check "constant labels: exit 0, and the plan names each constant label and what has a zero denominator" bash -c "
  test $rc -eq 0 &&
  grep -q \"^note: label 'arthritis' is negative in every scan: in every test fold its sensitivity has a zero denominator (its precision and F1 too where the label is never predicted): such values are set to 0 and counted (docs/statistics.md section 1); its AUC is undefined (NaN)\$\" '$T/const.log' &&
  grep -q \"^note: label 'normal' is positive in every scan: in every test fold its specificity has a zero denominator (its precision too where the label is never predicted): such values are set to 0 and counted (docs/statistics.md section 1); its AUC is undefined (NaN)\$\" '$T/const.log'"
check "constant labels: per job, arthritis sensitivity and normal specificity 0 and counted (every per-label and micro value and zero_division as recomputed from the scores), both AUCs NaN; loss finite" \
  py "
import h5py, numpy as np, sys
sys.path.insert(0, '$T'); from zero_rule import job
f = h5py.File('$T/const.h5r', 'r')
t = f['jobs/table'][:]
names = [n.decode() for n in f['jobs/0000/metrics'].attrs['names']]
labels = f['dataset/labels'][:]
ok = len(t) == 3 and all(r['status'] == 2 for r in t)
for j in range(len(t)):
    m, same = job(f, j, names, labels)
    ok = ok and same and m['arthritis_sensitivity'] == 0.0 and m['normal_specificity'] == 0.0
    ok = ok and m['arthritis_precision'] == 0.0 and m['arthritis_f1'] == 0.0  # TP = 0: 0/FP or 0/0
    ok = ok and m['zero_division'] >= 2 and m['auc_undefined'] == 2
    ok = ok and np.isnan(m['auc_arthritis']) and np.isnan(m['auc_normal'])
    ok = ok and np.isfinite(m['macro_sensitivity']) and np.isfinite(m['auc_metastasis'])
    ok = ok and np.isfinite(f['jobs/%04d/history' % j][:]).all()  # no NaN reached the loss
sys.exit(0 if ok else 1)"
check "constant labels: the summary has n = 3 and mean 0 for the zero-denominator cells, n = 0 and a NaN mean for the AUCs" \
  py "
import h5py, numpy as np, sys
s = h5py.File('$T/const.h5r', 'r')['summary/table'][:]
row = {r['metric'].decode(): r for r in s}
ok = all(row[k]['n'] == 3 and row[k]['n_done'] == 3 and row[k]['mean'] == 0.0
         for k in ('arthritis_sensitivity', 'normal_specificity'))
ok = ok and all(row[k]['n'] == 0 and np.isnan(row[k]['mean']) and row[k]['n_done'] == 3
                for k in ('auc_arthritis', 'auc_normal'))
ok = ok and row['arthritis_specificity']['n'] == 3 and row['macro_sensitivity']['n'] == 3
sys.exit(0 if ok else 1)"
expect_ok "constant labels: the report builds" "$SPECTCV" report "$T/const.h5r" -o "$T/const-rep" --bootstrap 100
check "constant labels: arthritis' precision, sensitivity and F1 0 in the report's table, its AUC —; the footnote names the zero denominators in 3 of 3 folds" bash -c "
  grep -Eq '^\| original +\| dspic_half +\| [0-9.]+ \[[0-9., ]+\] +\| 0\.0000 \[0\.0000, 0\.0000\] +\| 0\.0000 \[0\.0000, 0\.0000\] +\| [0-9.]+ \[[0-9., ]+\] +\| 0\.0000 \[0\.0000, 0\.0000\] +\| +— \|' '$T/const-rep/summary.md' &&
  grep -q \"^Zero denominators (the fold's value set to 0 and included in the mean: .*docs/statistics.md section 1): .*sensitivity of original × dspic_half in 3 of 3 folds\" '$T/const-rep/summary.md' &&
  grep -q 'specificity of original × dspic_half in 3 of 3 folds' '$T/const-rep/summary.md' &&
  grep -q 'AUC undefined in some folds.*defined in original × dspic_half: 0 of 3 folds' '$T/const-rep/summary.md' &&
  grep -q '^dspic_half,original,arthritis_sensitivity,3,3,3,0,0,0,' '$T/const-rep/summary.csv' &&
  grep -q '^dspic_half,original,auc_arthritis,0,3,3,0,,' '$T/const-rep/summary.csv'"

# 4. A test fold with no positive of a label: arthritis positive only in patient 100's two
# scans, so one fold of three holds them and the other two test folds have none.
mk "$T/rare.h5" --defect label-rare
"$SPECTCV" run "$T/base.cfg" --data "$T/rare.h5" -o "$T/rare.h5r" > "$T/rare.log" 2>&1
rc=$?
check "rare label: the plan says in how many test folds it has no positive and what that does" grep -q \
  "^note: label 'arthritis' has no positive scan in 2 of 3 test folds: there its sensitivity has a zero denominator (its precision and F1 too where the label is never predicted): such values are set to 0 and counted; its AUC is undefined (NaN), left out of its mean\$" "$T/rare.log"
check "rare label: exit 0; its sensitivity 0 and counted in the two folds without its positives, AUC NaN there; the summary's mean over all 3 folds" \
  py "
import h5py, numpy as np, sys
sys.path.insert(0, '$T'); from zero_rule import job
f = h5py.File('$T/rare.h5r', 'r')
t = f['jobs/table'][:]
names = [n.decode() for n in f['jobs/0000/metrics'].attrs['names']]
labels = f['dataset/labels'][:]
lab = labels[:, 1]
defined = zero = 0
sens = []
ok = $rc == 0 and len(t) == 3 and all(r['status'] == 2 for r in t)
for j in range(len(t)):
    m, same = job(f, j, names, labels)
    ok = ok and same
    sens.append(m['arthritis_sensitivity'])
    has = lab[f['jobs/%04d/test_index' % j][:]].sum() > 0
    if has: defined += np.isfinite(m['arthritis_sensitivity']) and np.isfinite(m['auc_arthritis'])
    else: zero += m['arthritis_sensitivity'] == 0.0 and m['zero_division'] >= 1 and np.isnan(m['auc_arthritis'])
s = {r['metric'].decode(): r for r in f['summary/table'][:]}
ok = ok and defined == 1 and zero == 2
ok = ok and s['arthritis_sensitivity']['n'] == 3 and s['arthritis_sensitivity']['n_done'] == 3
ok = ok and abs(s['arthritis_sensitivity']['mean'] - np.mean(sens)) < 1e-12
ok = ok and np.isfinite(s['arthritis_sensitivity']['lo']) and s['auc_arthritis']['n'] == 1
sys.exit(0 if ok else 1)"
expect_ok "rare label: the report builds" "$SPECTCV" report "$T/rare.h5r" -o "$T/rare-rep" --bootstrap 100
check "rare label: the footnote says sensitivity in 2 of 3 folds; per_fold.csv holds those zeros" bash -c "
  grep -q \"^Zero denominators (the fold's value set to 0 and included in the mean: .*sensitivity of original × dspic_half in 2 of 3 folds\" '$T/rare-rep/summary.md' &&
  grep -q 'AUC undefined in some folds.*defined in original × dspic_half: 1 of 3 folds' '$T/rare-rep/summary.md' &&
  col=\$(head -1 '$T/rare-rep/per_fold.csv' | tr , '\n' | grep -n '^arthritis_sensitivity\$' | cut -d: -f1) &&
  test \$(cut -d, -f\$col '$T/rare-rep/per_fold.csv' | tail -n +2 | grep -c '^0\$') -ge 2 &&
  test \$(cut -d, -f\$col '$T/rare-rep/per_fold.csv' | tail -n +2 | grep -c '^\$') -eq 0 &&
  grep -q '^dspic_half,original,arthritis_sensitivity,3,3,3,0,' '$T/rare-rep/summary.csv'"

# 5. A diverging learning rate.  lr = 1e6 is refused with the key and its range; within range, a
# deep linear network (no activation, no normalization: its gradients grow geometrically) at
# SGD lr 0.3 diverges in a later epoch, while dspic_half (batch norm) stays finite: the linear
# jobs fail with the epoch and the hint, their loss finite before it and NaN from it on, the
# others are done, and the exit status is 3.  --resume --retry-failed runs the failed jobs again.
sed 's/pos_weight = "balanced";/lr = 1e6;/' "$T/base.cfg" > "$T/lr-huge.cfg"
expect_fail "train.lr = 1e6 is refused at the configuration, naming the key and its range" \
  "lr-huge\.cfg:[0-9]+: train\.lr: expected a number in \[1e-12, 10\], got 1e\+06" \
  "$SPECTCV" run "$T/lr-huge.cfg" --data "$T/blank.h5" -o "$T/lr-huge.h5"
mkdir -p "$T/archs"
cp "$ROOT/configs/archs/dspic_half.cfg" "$ROOT"/configs/archs/dspic*.cfg "$T/archs/" 2>/dev/null
cat > "$T/archs/linear.cfg" <<'ARCH'
description = "deep linear network, no activation or normalization: diverges at a high lr";
layers = (
  { type = "conv"; out = 8; kernel = 3; pad = 1; },
  { type = "conv"; out = 8; kernel = 3; pad = 1; },
  { type = "global_avgpool"; },
  { type = "dense"; out = 8; },
  { type = "dense"; out = "n_out"; }
);
ARCH
mk "$T/data.h5"
sed -e 's/size = \[64, 32\];/size = [64, 32]; normalize = "none";/' \
    -e 's/\["dspic_half"\]/["dspic_half", "linear"]/' -e "s#arch_dir = .*#arch_dir = \"$T/archs\";#" \
    -e 's/train = .*/train = { epochs = 5; batch = 8; optimizer = "sgd"; lr = 0.3; momentum = 0.9; };/' \
    "$T/base.cfg" > "$T/div.cfg"
mpi 2 "$SPECTCV" run "$T/div.cfg" -o "$T/div.h5" > "$T/div.log" 2>&1
rc=$?
check_div() {
  py "
import h5py, numpy as np, re, sys
f = h5py.File('$T/div.h5', 'r')
t = f['jobs/table'][:]
ok = len(t) == 6
for r in t:
    j = int(r['id']); h = f['jobs/%04d/history' % j][:]
    if r['architecture'] == b'dspic_half':
        ok = ok and r['status'] == 2 and np.isfinite(h).all() and np.isfinite(f['jobs/%04d/scores' % j][:]).all()
        continue
    m = re.fullmatch(rb'epoch (\d+), step \d+: loss is (NaN|Inf) \(not finite\): training diverged; lower train\.lr', r['message'])
    ok = ok and r['status'] == 3 and m is not None
    if not ok: break
    n = int(m.group(1))
    ok = ok and n >= 2 and np.isfinite(h[:n - 1]).all() and np.isnan(h[n - 1:]).all()
    ok = ok and np.isnan(f['jobs/%04d/scores' % j][:]).all()
if not ok: print(t, file=sys.stderr)
sys.exit(0 if ok else 1)"
}
check "diverging lr: exit status 3 (the sweep completed with failed jobs)" test "$rc" -eq 3
check "diverging lr: the linear jobs failed at epoch N >= 2 saying so, loss finite before N and NaN from N; the dspic_half jobs done" check_div
check "diverging lr: the run log names the failed jobs and --retry-failed" bash -c "
  test \$(grep -c 'FAILED on rank' '$T/div.log') -eq 3 && grep -q -- '--resume --retry-failed' '$T/div.log'"
py "import h5py; t = h5py.File('$T/div.h5', 'r')['jobs/table'][:]; print(' '.join('%d:%d:%s' % (r['id'], r['output_hash'], r['message'].decode()) for r in t))" > "$T/div-before.txt"
mpi 2 "$SPECTCV" run "$T/div.cfg" -o "$T/div.h5" --resume --retry-failed > "$T/retry.log" 2>&1
rc=$?
py "import h5py; t = h5py.File('$T/div.h5', 'r')['jobs/table'][:]; print(' '.join('%d:%d:%s' % (r['id'], r['output_hash'], r['message'].decode()) for r in t))" > "$T/div-after.txt"
check "--resume --retry-failed: runs the 3 failed jobs again (not the done ones), they fail the same way, exit 3" bash -c "
  test $rc -eq 3 && grep -Eq 'resuming .*: 3 of 6 jobs done, 3 failed \(run again: --retry-failed\).*: 3 to run' '$T/retry.log' && test \$(grep -c 'FAILED on rank' '$T/retry.log') -eq 3 &&
  cmp -s '$T/div-before.txt' '$T/div-after.txt'"
check "--resume --retry-failed: the file still reads as before" check_div
