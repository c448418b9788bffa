#!/usr/bin/env bash
# train.validation (docs/config.md, "Validation patients"): the held-out patients and the
# selection datasets of every job; "the test fold never chooses anything": data sets that differ
# only in the pixels of fold 0's test scans give fold 0's jobs the same validation curves, best
# epoch and thresholds, bit for bit, while other pixels of its validation scans change them;
# train.validation = 0 is the sweep without it, bit for bit; a job stopped inside its training
# with validation continues from its checkpoint to the uninterrupted result; bad values.
source "$(dirname "$0")/lib.sh"

small_phantom 40 5
exp() { # NAME TRAIN-EXTRA
  sweep_cfg validation-it 31 dspic_half '"original", "geometric"' 'geometric = { copies = 1; };' \
    "train = { epochs = 6; batch = 8; lr = 0.001; $2 };" 'report = { bootstrap = 50; };' > "$T/$1.cfg"
}
exp val "validation = 0.25; patience = 2;"
exp off ""
exp zero "validation = 0.0;"

# 1. the datasets, and what they must hold
expect_ok "a sweep with train.validation = 0.25 (2 ranks)" mpi 2 "$SPECTCV" run "$T/val.cfg" -o "$T/val.h5" --quiet
expect_ok "every job done; counts at the job's own thresholds" check_py valid "$T/val.h5"
expect_ok "validation patients: whole patients of the training part, never the test fold, the fraction; selection and thresholds consistent; pooled subset accuracy and McNemar at the jobs' thresholds" \
  check_py validation "$T/val.h5" 0.25
check "the datasets' shapes and fill values (h5py)" "$PYTHON" -c "
import h5py, numpy as np, sys
f = h5py.File('$T/val.h5', 'r'); g = f['jobs/0000']
ok = g['val_loss'].shape == (6,) and g['val_f1'].shape == (6,) and g['thresholds'].shape == (3,)
ok &= g['selection'].shape == (3,) and [n.decode() for n in g['selection'].attrs['names']] == ['best_epoch', 'epochs_run', 'stopped_early']
ok &= g['val_index'].dtype == np.int32 and int(g['val_index'].attrs['patients']) >= 1
sys.exit(0 if ok else 1)"
check "patience = 2 stopped some job early, and a stopped job's curves end with NaN" "$PYTHON" -c "
import h5py, numpy as np, sys
f = h5py.File('$T/val.h5', 'r')
s = [f[f'jobs/{j:04d}/selection'][:] for j in range(6)]
sys.exit(0 if any(x[2] == 1 and np.isnan(f[f'jobs/{j:04d}/val_loss'][x[1]:]).all() and np.isnan(f[f'jobs/{j:04d}/history'][x[1]:]).all() for j, x in enumerate(s)) else 1)"

out=$("$SPECTCV" info "$T/val.h5" 2>&1)
check "info: the epoch tested and the thresholds of each job" grep -Eq "^00005 +[0-9]+ +[0-9]+ +[0-9]+/[0-9]+ +(no|early) +0\.[0-9]{4} +0\.[0-9]{4} +0\.[0-9]{4}$" <<<"$out"
expect_ok "report" "$SPECTCV" report "$T/val.h5" -o "$T/rep"
check "report: says the jobs predict at their own thresholds" grep -q "each job predicts a label when its score is ≥ the job's own threshold" "$T/rep/summary.md"
check "report: validation.csv holds every job's selection, as the file has it" "$PYTHON" -c "
import csv, h5py, sys
rows = list(csv.DictReader(open('$T/rep/validation.csv')))
f = h5py.File('$T/val.h5', 'r')
ok = len(rows) == 6
for r in rows:
    g = f['jobs/%04d' % int(r['job'])]
    s = g['selection'][:]
    ok &= int(r['epoch_tested']) == s[0] + 1 and int(r['epochs_run']) == s[1] and int(r['stopped_early']) == s[2]
    ok &= float(r['threshold_arthritis']) == g['thresholds'][1] and int(r['val_scans']) == len(g['val_index'])
sys.exit(0 if ok else 1)"

exp f1 "validation = 0.25; select = \"f1\";"
expect_ok "train.select = \"f1\" (1 rank)" "$SPECTCV" run "$T/f1.cfg" -o "$T/f1.h5" --quiet
expect_ok "train.select = \"f1\": the epoch with the highest validation macro F1 (the first of equals)" \
  check_py validation "$T/f1.h5" 0.25 f1

# 2. train.validation = 0 is the sweep without it
expect_ok "train.validation = 0 (explicit)" mpi 2 "$SPECTCV" run "$T/zero.cfg" -o "$T/zero.h5" --quiet
expect_ok "the sweep without train.validation" mpi 2 "$SPECTCV" run "$T/off.cfg" -o "$T/off.h5" --quiet
expect_ok "train.validation = 0: bit-identical to the sweep without the key" check_py same "$T/off.h5" "$T/zero.h5"
check "train.validation = 0: no validation datasets" "$PYTHON" -c "
import h5py, sys
f = h5py.File('$T/zero.h5', 'r')
sys.exit(0 if all('selection' not in f[f'jobs/{j:04d}'] for j in range(6)) else 1)"
expect_ok "report without validation" "$SPECTCV" report "$T/zero.h5" -o "$T/rep0"
check "without validation: no validation.csv, no validation table in info" bash -c "
  test ! -e '$T/rep0/validation.csv' && ! '$SPECTCV' info '$T/zero.h5' | grep -q 'model selection'"

# 3. the test fold never chooses anything: change the pixels of fold 0's test scans only
perturb() { # SRC DST WHICH(test|val)
  "$PYTHON" - "$1" "$2" "$3" "$T/val.h5" <<'PY'
import h5py, numpy as np, shutil, sys
src, dst, which, res = sys.argv[1:5]
shutil.copy(src, dst)
with h5py.File(res, "r") as r:
    scans = r["jobs/0000/test_index"][:] if which == "test" else r["jobs/0000/val_index"][:]
    assert int(r["jobs/table"][0]["fold"]) == 0 and int(r["jobs/table"][0]["repeat"]) == 0
rng = np.random.default_rng(3)
with h5py.File(dst, "r+") as f:
    for i in scans:
        img = f["images"][i].astype(np.float64)
        f["images"][i] = np.clip(img * rng.uniform(0.3, 3.0, img.shape), 0, 65535).astype(np.uint16)
PY
}
expect_ok "a copy of the data set with fold 0's test scans' pixels changed" perturb "$T/data.h5" "$T/test_px.h5" test
expect_ok "a copy with fold 0's validation scans' pixels changed" perturb "$T/data.h5" "$T/val_px.h5" val
expect_ok "the sweep on the changed test scans" mpi 2 "$SPECTCV" run "$T/val.cfg" -o "$T/test_px_r.h5" --data "$T/test_px.h5" --quiet
expect_ok "the sweep on the changed validation scans" mpi 2 "$SPECTCV" run "$T/val.cfg" -o "$T/val_px_r.h5" --data "$T/val_px.h5" --quiet
check "the change reached fold 0's test scores" "$PYTHON" -c "
import h5py, sys
a, b = (h5py.File(p, 'r') for p in ('$T/val.h5', '$T/test_px_r.h5'))
sys.exit(0 if a['jobs/0000/scores'][:].tobytes() != b['jobs/0000/scores'][:].tobytes() else 1)"
expect_ok "other test pixels: fold 0's validation curves, best epoch and thresholds bit-identical" \
  check_py chosen "$T/val.h5" "$T/test_px_r.h5" 0 same
expect_ok "other validation pixels: fold 0's thresholds change (the check is not vacuous)" \
  check_py chosen "$T/val.h5" "$T/val_px_r.h5" 0 differ
check "other validation pixels: fold 0's training losses unchanged (validation scans and their geometric copies are never trained on)" "$PYTHON" -c "
import h5py, numpy as np, sys
a, b = (h5py.File(p, 'r') for p in ('$T/val.h5', '$T/val_px_r.h5'))
ok = True
for j in (0, 1):  # fold 0: original, geometric
    n = min(a[f'jobs/{j:04d}/selection'][1], b[f'jobs/{j:04d}/selection'][1])
    ok &= n >= 1 and a[f'jobs/{j:04d}/history'][:n].tobytes() == b[f'jobs/{j:04d}/history'][:n].tobytes()
    ok &= a[f'jobs/{j:04d}/val_loss'][:n].tobytes() != b[f'jobs/{j:04d}/val_loss'][:n].tobytes()
sys.exit(0 if ok else 1)"

# 4. stopped inside its training (job 1, in its 3rd epoch), resumed from its checkpoint
SPECTCV_FAULT=stop:1@17 mpi 2 "$SPECTCV" run "$T/val.cfg" -o "$T/c.h5" --force > "$T/c.log" 2>&1; rc=$?
check "job 1 stopped after step 17: exit 4, its checkpoint holds the validation state" bash -c "
  test $rc -eq 4 && '$PYTHON' -c \"
import h5py, numpy as np, sys
c = h5py.File('$T/c.h5.checkpoints/0001.h5', 'r')['validation']
sys.exit(0 if np.isfinite(c['loss'][:]).sum() >= 2 and c.attrs['best'][0] >= 0 else 1)\""
out=$(mpi 2 "$SPECTCV" run "$T/val.cfg" -o "$T/c.h5" --resume -v 2>&1)
check "job 1 continues from its checkpoint in epoch 3" grep -q "job 0001 continues from its checkpoint: epoch 3" <<<"$out"
expect_ok "stopped, checkpointed, resumed with validation: bit-identical to the uninterrupted run" \
  check_py same "$T/val.h5" "$T/c.h5"

# 5. bad values name the key
exp bad "validation = 0.6;"
expect_status "train.validation above 0.5" 1 "bad\.cfg:9: train\.validation: expected a number in \[0, 0\.5\], got 0\.6" \
  "$SPECTCV" run "$T/bad.cfg" -o "$T/bad.h5" --dry-run
exp bad "validation = -0.1;"
expect_status "train.validation below 0" 1 "bad\.cfg:9: train\.validation: expected a number in \[0, 0\.5\], got -0\.1" \
  "$SPECTCV" run "$T/bad.cfg" -o "$T/bad.h5" --dry-run
exp bad "patience = 3;"
expect_status "train.patience without train.validation" 1 "train.patience: needs train.validation > 0" \
  "$SPECTCV" run "$T/bad.cfg" -o "$T/bad.h5" --dry-run
exp bad "validation = 0.2; select = \"auc\";"
expect_status "train.select not loss or f1" 1 'bad\.cfg:9: train\.select: expected one of "loss", "f1", got "auc"' \
  "$SPECTCV" run "$T/bad.cfg" -o "$T/bad.h5" --dry-run
exp bad "validation = 0.2; patience = -1;"
expect_status "a negative train.patience" 1 "bad\.cfg:9: train\.patience: expected an integer in \[0, 100000\], got -1" \
  "$SPECTCV" run "$T/bad.cfg" -o "$T/bad.h5" --dry-run
exp arch "validation = 0.2;"
echo 'train_by_arch = { dspic_half = { patience = 1; select = "f1"; }; };' >> "$T/arch.cfg"
expect_ok "train.patience and train.select per architecture (train_by_arch)" \
  "$SPECTCV" run "$T/arch.cfg" -o "$T/arch.h5" --dry-run
exp arch ""
echo 'train_by_arch = { dspic_half = { select = "f1"; }; };' >> "$T/arch.cfg"
expect_status "train_by_arch's select without train.validation" 1 "train_by_arch.dspic_half.select: needs train.validation > 0" \
  "$SPECTCV" run "$T/arch.cfg" -o "$T/arch.h5" --dry-run
exp arch ""
echo 'train_by_arch = { dspic_half = { validation = 0.2; }; };' >> "$T/arch.cfg"
expect_status "train.validation is not per architecture" 1 "arch\.cfg:11: unknown key 'train_by_arch\.dspic_half\.validation'" \
  "$SPECTCV" run "$T/arch.cfg" -o "$T/arch.h5" --dry-run
expect_ok "a data set of 2 patients" "$SPECTCV" synth -o "$T/two.h5" --patients 2 --size 256x64 --seed 1
exp bad "validation = 0.2;"
sed -i 's/folds = { k = 3; stratify = false; };/folds = { k = 2; stratify = false; };/' "$T/bad.cfg"
expect_status "a training part of 1 patient: nothing to hold out" 1 \
  "bad.cfg: repeat 0: train.validation: the training part of fold 0 has 1 patient; holding some out needs at least 2" \
  "$SPECTCV" run "$T/bad.cfg" -o "$T/bad.h5" --data "$T/two.h5" --dry-run
