#!/usr/bin/env python3
"""tests/integration/check_results.py: checks on results files with h5py (no spectcv code).

  check_results.py valid R.h5            every job done; table, scores, counts, metrics, history
                                         readable; counts agree with the scores at the stored
                                         threshold; /summary/table present; GAN jobs: trained
                                         on their fold's training part only (train_index
                                         disjoint from the fold's test scans, and all of the
                                         rest), samples finite with labels among the training
                                         part's label sets, histories finite, the classifier
                                         jobs that use them ran after them
  check_results.py same A.h5 B.h5 ...    per-job scores, counts, metrics and histories are
                                         bit-identical (job coordinates, not ranks, decide them),
                                         and so is every table of /summary where all have one
  check_results.py learns R.h5 MIN_F1    every cell's mean macro F1 >= MIN_F1
  check_results.py validation R.h5 FRAC [loss|f1]  train.validation: held-out patients (by
                                         patient, never the test fold, the fraction), selection
                                         (by train.select) and thresholds
  check_results.py chosen A B FOLD same|differ  the selection datasets of (repeat 0, FOLD)
Prints one line per check and exits 1 on the first failure.
"""
import sys
import h5py
import numpy as np


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def valid(path):
    with h5py.File(path, "r") as f:
        t = f["jobs/table"][:]
        thr = float(f.attrs["threshold"])
        truth = f["dataset/labels"][:]
        L = len(f.attrs["label_names"])
        if not f.attrs.get("blas_core"):
            fail("no blas_core attribute (the OpenBLAS kernels the workers ran)")
        if len(t) == 0:
            fail("empty /jobs/table")
        assign = f["folds/assignment"][:]
        n_gan = 0
        for row in t:
            j = int(row["id"])
            if int(row["status"]) != 2:
                fail(f"job {j} status {int(row['status'])}: {row['message'].decode()}")
            g = f[f"jobs/{j:04d}"]
            if int(row["kind"]) == 1:
                valid_gan(f, row, g, assign[int(row["repeat"])], truth)
                n_gan += 1
                continue
            if int(row["depends"]) >= 0:
                d = t[int(row["depends"])]
                if int(d["kind"]) != 1 or (d["repeat"], d["fold"]) != (row["repeat"], row["fold"]):
                    fail(f"job {j} depends on job {int(row['depends'])}, not its fold's GAN job")
            idx = g["test_index"][:]
            s = g["scores"][:]
            c = g["counts"][:]
            if s.shape != (len(idx), L) or c.shape != (L, 4):
                fail(f"job {j}: shapes {s.shape} {c.shape}")
            if not np.all(np.isfinite(s)) or s.min() < 0 or s.max() > 1:
                fail(f"job {j}: scores outside [0, 1]")
            y = truth[idx]
            # train.validation: counts are at the job's own per-label thresholds
            p = s >= (g["thresholds"][:] if "thresholds" in g else thr)
            want = np.stack([(p & (y == 1)).sum(0), (p & (y == 0)).sum(0),
                             (~p & (y == 1)).sum(0), (~p & (y == 0)).sum(0)], axis=1)
            if not np.array_equal(want, c):
                fail(f"job {j}: counts {c.tolist()} != recomputed {want.tolist()}")
            m = g["metrics"][:]
            names = [n.decode() for n in g["metrics"].attrs["names"]]
            acc = dict(zip(names, m))["macro_accuracy"]
            want_acc = np.mean((want[:, 0] + want[:, 3]) / want.sum(1))
            if abs(acc - want_acc) > 1e-12:
                fail(f"job {j}: macro_accuracy {acc} != {want_acc}")
            h = g["history"][:]
            if "selection" in g:  # stopped early: the epochs not run are NaN
                h = h[:int(g["selection"][1])]
            if not np.all(np.isfinite(h)):
                fail(f"job {j}: history has non-finite losses")
        s = f["summary/table"][:]
        if len(s) == 0:
            fail("empty /summary/table")
    print(f"ok: {path}: {len(t)} jobs done ({n_gan} GAN), counts match scores at threshold {thr}")


def valid_gan(f, row, g, assign_r, truth):
    """A GAN job: what it trained on, what it made."""
    j, fold = int(row["id"]), int(row["fold"])
    tr = g["train_index"][:]
    test = np.flatnonzero(assign_r == fold)
    if np.intersect1d(tr, test).size:
        fail(f"GAN job {j}: trained on test scans {np.intersect1d(tr, test)[:5].tolist()}")
    if not np.array_equal(np.sort(tr), np.flatnonzero(assign_r != fold)):
        fail(f"GAN job {j}: train_index is not the fold's training part")
    if len(tr) != int(row["n_train"]):
        fail(f"GAN job {j}: {len(tr)} training scans, the table says {int(row['n_train'])}")
    sets = {tuple(r) for r in truth[tr]}
    ls = {tuple(r) for r in g["label_sets"][:]}
    if sets != ls:
        fail(f"GAN job {j}: label_sets {sorted(ls)} != the training part's {sorted(sets)}")
    smp, lab = g["samples"][:], g["sample_labels"][:]
    if len(smp) != int(row["n_synth"]) or len(lab) != len(smp) or not np.all(np.isfinite(smp)):
        fail(f"GAN job {j}: samples {smp.shape}, labels {lab.shape}, finite {np.isfinite(smp).all()}")
    if smp.min() < 0:
        fail(f"GAN job {j}: negative intensities in the samples")
    if not {tuple(r) for r in lab} <= sets:
        fail(f"GAN job {j}: sample labels outside the training part's label sets")
    for d in ("loss_d", "loss_g", "d_real", "d_fake", "generator", "hist_w1", "examples",
              "intensity_max"):
        if not np.all(np.isfinite(g[d][:])):
            fail(f"GAN job {j}: {d} has non-finite values")
    # samples vs real: finite; real half vs half: NaN where a half holds no scan of the set
    if not np.all(np.isfinite(g["mean_rmse"][:, 0])):
        fail(f"GAN job {j}: mean_rmse (samples vs real) has non-finite values")


def datasets(group):
    """Every dataset below group, by full name."""
    out = []
    group.visititems(lambda n, o: out.append(o.name) if isinstance(o, h5py.Dataset) else None)
    return out


def same(paths):
    files = [h5py.File(p, "r") for p in paths]
    t0 = files[0]["jobs/table"][:]
    for f, p in zip(files[1:], paths[1:]):
        t = f["jobs/table"][:]
        for a, b in zip(t0, t):
            for k in ("id", "repeat", "fold", "kind", "augmentation", "architecture", "depends",
                      "seed", "status", "n_synth", "output_hash"):
                if a[k] != b[k]:
                    fail(f"{p}: job {a['id']} field {k} differs")
        for row in t0:
            j = int(row["id"])
            names = tuple(files[0][f"jobs/{j:04d}"].keys())
            for d in names:
                x = files[0][f"jobs/{j:04d}/{d}"][:]
                y = f[f"jobs/{j:04d}/{d}"][:]
                if x.tobytes() != y.tobytes():
                    fail(f"{p}: job {j} {d} differs from {paths[0]}")
        if not np.array_equal(files[0]["folds/assignment"][:], f["folds/assignment"][:]):
            fail(f"{p}: fold assignment differs")
        if "summary" in files[0] and "summary" in f:
            for name in datasets(files[0]["summary"]):
                if files[0][name][()].tobytes() != f[name][()].tobytes():
                    fail(f"{p}: {name} differs from {paths[0]}")
        if files[0].attrs["dataset_hash"] != f.attrs["dataset_hash"]:
            fail(f"{p}: dataset_hash differs from {paths[0]}")
    ranks = [sorted(set(int(r) for r in f["jobs/table"][:]["rank"])) for f in files]
    print(f"ok: {len(paths)} files bit-identical per job (ranks used: {ranks})")


def validation(path, fraction, select="loss"):
    """train.validation: each classifier job's held-out patients and its selection."""
    with h5py.File(path, "r") as f:
        t = f["jobs/table"][:]
        pat = f["dataset/patient"][:]
        assign = f["folds/assignment"][:]
        epochs = int(f.attrs["epochs"])
        L = len(f.attrs["label_names"])
        by_part = {}
        n = 0
        for row in t:
            if int(row["kind"]) != 0:
                continue
            j, r, k = int(row["id"]), int(row["repeat"]), int(row["fold"])
            g = f[f"jobs/{j:04d}"]
            vi = g["val_index"][:]
            a = assign[r]
            if np.any(a[vi] == k):
                fail(f"job {j}: a validation scan is in the test fold")
            part = np.flatnonzero(a != k)
            train = np.setdiff1d(part, vi)
            if set(pat[vi]) & set(pat[train]):
                fail(f"job {j}: a patient has scans both in validation and in training")
            P = len(set(pat[part]))
            if len(set(pat[vi])) != int(g["val_index"].attrs["patients"]):
                fail(f"job {j}: attribute patients differs from the patients of val_index")
            if len(set(pat[vi])) != max(1, min(P - 1, int(np.floor(fraction * P + 0.5)))):
                fail(f"job {j}: {len(set(pat[vi]))} validation patients of {P}, fraction {fraction}")
            if (r, k) in by_part and not np.array_equal(by_part[(r, k)], vi):
                fail(f"job {j}: other validation scans than its fold's other jobs")
            by_part[(r, k)] = vi
            best, run, stopped = (int(x) for x in g["selection"][:])
            vl, vf = g["val_loss"][:], g["val_f1"][:]
            if not (0 <= best < run <= epochs) or stopped != (run < epochs):
                fail(f"job {j}: selection {best, run, stopped} with {epochs} epochs")
            if not (np.all(np.isfinite(vl[:run])) and np.all(np.isnan(vl[run:]))
                    and np.all(np.isfinite(vf[:run]))):
                fail(f"job {j}: val_loss / val_f1 not finite exactly for the {run} epochs run")
            want = int(np.argmin(vl[:run])) if select == "loss" else int(np.argmax(vf[:run]))
            if best != want:
                fail(f"job {j}: best epoch {best}, the best validation {select} at {want}")
            th = g["thresholds"][:]
            if th.shape != (L,) or not np.all((th > 0) & (th < 1)):
                fail(f"job {j}: thresholds {th}")
            n += 1
        # the thresholded pooled statistics count each job's decisions at its own thresholds
        truth = f["dataset/labels"][:]
        names = [x.decode() for x in f.attrs["label_names"]]
        right, pred = {}, {}
        for row in t:
            if int(row["kind"]) != 0:
                continue
            g = f[f"jobs/{int(row['id']):04d}"]
            idx = g["test_index"][:]
            p = g["scores"][:] >= g["thresholds"][:]
            key = (row["augmentation"], row["architecture"], int(row["repeat"]))
            ok = np.all(p == (truth[idx] == 1), axis=1)
            right[key] = right.get(key, 0) + int(ok.sum())
            pred.setdefault(key, {}).update({(int(row["fold"]), int(i)): (p[k], truth[i]) for k, i in enumerate(idx)})
        pooled = f["summary/pooled"][:]
        for r in pooled[pooled["metric"] == b"subset_accuracy"]:
            key = (r["augmentation"], r["architecture"], int(r["repeat"]))
            if int(r["x"]) != right[key]:
                fail(f"/summary/pooled subset_accuracy of {key}: x {int(r['x'])}, at the jobs' thresholds {right[key]}")
        for m in f["summary/comparisons/mcnemar"][:]:
            a = pred[(m["a_augmentation"], m["a_architecture"], int(m["repeat"]))]
            b = pred[(m["b_augmentation"], m["b_architecture"], int(m["repeat"]))]
            lab = m["label"].decode()
            def ok(pt, j):
                return bool(np.all(pt[0] == (pt[1] == 1))) if j < 0 else bool(pt[0][j] == (pt[1][j] == 1))
            j = -1 if lab == "set" else names.index(lab)
            bb = sum(1 for k in a if ok(a[k], j) and not ok(b[k], j))
            cc = sum(1 for k in a if not ok(a[k], j) and ok(b[k], j))
            if (int(m["b"]), int(m["c"])) != (bb, cc):
                fail(f"McNemar {lab}: b, c = {int(m['b'])}, {int(m['c'])}; at the jobs' thresholds {bb}, {cc}")
    print(f"ok: {path}: {n} jobs with validation patients held out by patient, never the test "
          f"fold; pooled subset accuracy and McNemar at the jobs' own thresholds")


def chosen(a_path, b_path, fold, expect):
    """The selection of the jobs of (repeat 0, fold): the same in two files, or not."""
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        names = ("val_index", "val_loss", "val_f1", "selection", "thresholds")
        diff = []
        for row in a["jobs/table"][:]:
            if int(row["kind"]) != 0 or int(row["repeat"]) != 0 or int(row["fold"]) != fold:
                continue
            j = int(row["id"])
            for d in names:
                if a[f"jobs/{j:04d}/{d}"][:].tobytes() != b[f"jobs/{j:04d}/{d}"][:].tobytes():
                    diff.append(f"job {j} {d}")
        if expect == "same" and diff:
            fail(f"{b_path}: differs from {a_path}: {', '.join(diff)}")
        if expect == "differ" and not any("thresholds" in d for d in diff):
            fail(f"{b_path}: the thresholds of fold {fold} are those of {a_path}")
    print(f"ok: fold {fold}: selection {expect} ({', '.join(diff) or 'bit-identical'})")


def learns(path, min_f1):
    with h5py.File(path, "r") as f:
        s = f["summary/table"][:]
    rows = s[s["metric"] == b"macro_f1"]
    for r in rows:
        cell = f"{r['augmentation'].decode()}/{r['architecture'].decode()}"
        if not r["mean"] >= min_f1:
            fail(f"{cell}: mean macro F1 {r['mean']:.4f} < {min_f1}")
        print(f"ok: {cell}: mean macro F1 {r['mean']:.4f} [{r['lo']:.4f}, {r['hi']:.4f}]")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "valid":
        valid(sys.argv[2])
    elif cmd == "same":
        same(sys.argv[2:])
    elif cmd == "validation":
        validation(sys.argv[2], float(sys.argv[3]), *sys.argv[4:5])
    elif cmd == "chosen":
        chosen(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif cmd == "learns":
        learns(sys.argv[2], float(sys.argv[3]))
    else:
        fail("unknown command " + cmd)
