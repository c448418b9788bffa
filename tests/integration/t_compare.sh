#!/usr/bin/env bash
# `spectcv compare` on real (tiny) sweeps of one data set and one seed: a reference, an ablation
# (dspic at half width) and a change of learning rate.  The cells' numbers must be those of each
# file's `spectcv report` CSV, the paired tests those recomputed in Python from the per-fold
# values (h5py; the t distribution integrated by hand, scipy is not needed), and the command
# must refuse another data set, other folds and an unfinished sweep, naming the file.
source "$(dirname "$0")/lib.sh"

tiny_sweep it-compare 3 24 5
cd "$T" || exit 1
sed 's/"dspic"/"dspic_half"/' exp.cfg > half.cfg
sed 's/lr = 0.001;/lr = 0.003;/' exp.cfg > lr.cfg
for x in exp half lr; do
  expect_ok "run the $x sweep" mpi 2 "$SPECTCV" run "$x.cfg" -o "$x.h5" --quiet
done

out=$("$SPECTCV" compare exp.h5 half.h5 lr.h5 --baseline original/dspic --csv cmp.csv 2>&1); rc=$?
check "compare three files against the first, with a baseline" test "$rc" -eq 0
printf '%s\n' "$out" > table.txt
for x in exp half lr; do
  expect_ok "report of $x.h5" "$SPECTCV" report "$x.h5" -o "${x}_report" --bootstrap 0 --no-render
done

check "every cell of the CSV is the report's summary.csv row (n, mean, sd, interval)" "$PYTHON" - <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open("cmp.csv")) if r["kind"] == "cell"]
files = {r["file"] for r in rows}
metrics = {r["metric"] for r in rows}
if files != {"exp.h5", "half.h5", "lr.h5"} or metrics != {"macro_f1", "macro_accuracy"}:
    sys.exit(f"files {files}, metrics {metrics}")
if len(rows) != 2 * 2 * 3: sys.exit(f"{len(rows)} cell rows, want 12")
for r in rows:
    rep = [s for s in csv.DictReader(open(r["file"][:-3] + "_report/summary.csv"))
           if (s["augmentation"], s["architecture"], s["metric"]) ==
              (r["augmentation"], r["architecture"], r["metric"])]
    if len(rep) != 1: sys.exit(f"{r}: {len(rep)} report rows")
    for k in ("n", "n_jobs", "mean", "sd", "lo", "hi", "level"):
        if r[k] != rep[0][k]: sys.exit(f"{r['file']} {r['augmentation']}/{r['architecture']} {k}: {r[k]} != {rep[0][k]}")
PY

# The CSV keeps the t interval's own bounds; the table shows them clipped to [0, 1], a clipped
# bound marked § and explained by a legend line.
check "the table prints each cell's mean and interval as the CSV has them (clipped and marked)" "$PYTHON" - <<'PY'
import csv, sys
table = open("table.txt", encoding="utf-8").read().splitlines()
clipped = 0
for r in csv.DictReader(open("cmp.csv")):
    if r["kind"] != "cell": continue
    lo, hi = float(r["lo"]), float(r["hi"])
    clipped += lo < 0 or hi > 1
    want = "%.4f [%.4f%s, %.4f%s]" % (float(r["mean"]), max(lo, 0.0), "\u00a7" if lo < 0 else "",
                                      min(hi, 1.0), "\u00a7" if hi > 1 else "")
    cell = f"{r['augmentation']}/{r['architecture']}"
    if not any(l.split()[:2] == [r["file"], cell] and want in l for l in table):
        sys.exit(f"no line for {r['file']} {cell} with {want}")
legend = any(l.startswith("  \u00a7 : bound clipped to [0, 1]") for l in table)
if legend != (clipped > 0): sys.exit(f"{clipped} clipped intervals, legend {legend}")
PY
check "the table says which cell is the baseline, and which tests ran" bash -c "
  grep -Eq '^  exp.h5 +original/dspic .*\(baseline\)' table.txt &&
  grep -Eq '^  half.h5 +geometric/dspic_half +original/dspic +3 ' table.txt &&
  grep -Eq '^  lr.h5 +geometric/dspic +geometric/dspic +3 ' table.txt"

# The tests: every (other cell, reference cell) expected, each recomputed from the jobs' values.
check "the paired tests equal a recomputation from the per-fold values" "$PYTHON" - <<'PY'
import csv, math, sys, h5py, numpy as np

def jobs(path):
    f = h5py.File(path, "r")
    t = f["jobs/table"][:]
    out = {}
    for r in t:
        if r["kind"] != 0 or r["status"] != 2: continue
        m = f["jobs/%04d/metrics" % r["id"]]
        names = [n.decode() if isinstance(n, bytes) else n for n in m.attrs["names"]]
        cell = (r["augmentation"].decode(), r["architecture"].decode())
        out.setdefault(cell, {})[(int(r["repeat"]), int(r["fold"]))] = (
            dict(zip(names, m[:])), int(r["n_test"]), int(r["n_train"]))
    return out

def t_sf2(t, df):   # two-sided p of Student's t, by Simpson's rule on the density
    t = abs(t)
    if t == 0: return 1.0
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    n = 20000
    h = t / n
    f = lambda x: c * (1 + x * x / df) ** (-(df + 1) / 2)
    s = f(0) + f(t) + 4 * sum(f((2 * i - 1) * h) for i in range(1, n // 2 + 1)) \
        + 2 * sum(f(2 * i * h) for i in range(1, n // 2))
    return 1 - 2 * s * h / 3

def t_quantile(q, df):   # t with P(T > t) = q, by bisection on t_sf2
    lo, hi = 0.0, 100.0
    for _ in range(45):
        mid = (lo + hi) / 2
        if t_sf2(mid, df) / 2 > q: lo = mid
        else: hi = mid
    return (lo + hi) / 2

files = {p: jobs(p) for p in ("exp.h5", "half.h5", "lr.h5")}
ref = files["exp.h5"]
tests = [r for r in csv.DictReader(open("cmp.csv")) if r["kind"] == "test"]
want = set()
for p in ("half.h5", "lr.h5"):
    for cell in files[p]:
        for m in ("macro_f1", "macro_accuracy"):
            if cell in ref: want.add((m, p, cell, cell, "same cell"))
            if cell != ("original", "dspic"): want.add((m, p, cell, ("original", "dspic"), "baseline"))
got = {(r["metric"], r["file"], (r["augmentation"], r["architecture"]),
        (r["ref_augmentation"], r["ref_architecture"]), r["match"]) for r in tests}
if got != want or len(tests) != len(want): sys.exit(f"tests {sorted(got)} != {sorted(want)}")
holm_in = {}
for r in tests:
    a = ref[(r["ref_augmentation"], r["ref_architecture"])]
    b = files[r["file"]][(r["augmentation"], r["architecture"])]
    keys = sorted(set(a) & set(b))
    d = np.array([b[k][0][r["metric"]] - a[k][0][r["metric"]] for k in keys])
    ratio = sum(a[k][1] for k in keys) / sum(a[k][2] for k in keys)
    J = len(d)
    mean, sd = d.mean(), d.std(ddof=1)
    se = sd * math.sqrt(1 / J + ratio)
    t = mean / se
    p = t_sf2(t, J - 1)
    half = t_quantile(0.025, J - 1) * se
    checks = [("n", int(r["n"]), J), ("df", int(r["df"]), J - 1),
              ("test_train_ratio", float(r["test_train_ratio"]), ratio),
              ("mean_diff", float(r["mean_diff"]), mean), ("sd_diff", float(r["sd_diff"]), sd),
              ("t", float(r["t"]), t), ("p", float(r["p"]), p),
              ("diff_lo", float(r["diff_lo"]), mean - half), ("diff_hi", float(r["diff_hi"]), mean + half)]
    for name, x, y in checks:
        if not abs(x - y) <= 1e-7 * max(1, abs(y)):
            sys.exit(f"{r['file']} {r['augmentation']}/{r['architecture']} vs {r['ref_augmentation']}/"
                     f"{r['ref_architecture']} {r['metric']}: {name} {x} != {y}")
    holm_in.setdefault(r["metric"], []).append((float(r["p"]), float(r["p_holm"])))
for m, ps in holm_in.items():   # Holm by hand over the tests of each metric
    ps.sort()
    run = 0
    for i, (p, ph) in enumerate(ps):
        run = max(run, min(1, (len(ps) - i) * p))
        if abs(run - ph) > 1e-12: sys.exit(f"{m}: Holm {ph} != {run}")
PY

check "the McNemar tests equal a recomputation from the stored scores" "$PYTHON" - <<'PY'
import csv, math, sys, h5py, numpy as np

def preds(path):   # (cell) -> {(repeat, fold): {scan: right}}, the whole label set at the job's thresholds
    f = h5py.File(path, "r")
    thr = float(f.attrs["threshold"])
    truth = f["dataset/labels"][:]
    out = {}
    for r in f["jobs/table"][:]:
        if r["kind"] != 0 or r["status"] != 2: continue
        j = int(r["id"])
        idx = f["jobs/%04d/test_index" % j][:]
        g = f["jobs/%04d" % j]
        t = g["thresholds"][:] if "thresholds" in g else thr   # train.validation: the job's own
        right = ((g["scores"][:] >= t) == (truth[idx] == 1)).all(axis=1)
        cell = (r["augmentation"].decode(), r["architecture"].decode())
        out.setdefault(cell, {})[(int(r["repeat"]), int(r["fold"]))] = dict(zip(idx.tolist(), right))
    return out

files = {p: preds(p) for p in ("exp.h5", "half.h5", "lr.h5")}
rows = [r for r in csv.DictReader(open("cmp.csv")) if r["kind"] == "mcnemar"]
tests = {(r["file"], r["augmentation"], r["architecture"], r["ref_augmentation"], r["ref_architecture"])
         for r in csv.DictReader(open("cmp.csv")) if r["kind"] == "test"}
if {(r["file"], r["augmentation"], r["architecture"], r["ref_augmentation"], r["ref_architecture"])
        for r in rows} != tests or len(rows) != len(tests):
    sys.exit(f"{len(rows)} McNemar rows for {len(tests)} pairs of cells")
by_repeat = {}
for r in rows:
    a = files["exp.h5"][(r["ref_augmentation"], r["ref_architecture"])]
    o = files[r["file"]][(r["augmentation"], r["architecture"])]
    keys = [k for k in sorted(set(a) & set(o)) if k[0] == int(r["repeat"])]
    b = c = n = 0
    for k in keys:
        if set(a[k]) != set(o[k]): sys.exit(f"{k}: test scans differ")
        for s, ra in a[k].items():
            rb = o[k][s]
            n += 1
            b += ra and not rb
            c += (not ra) and rb
    m = b + c
    exact = min(1.0, 2 * sum(math.comb(m, i) for i in range(min(b, c) + 1)) / 2 ** m) if m else 1.0
    chi2 = max(0, abs(b - c) - 1) ** 2 / m if m else 0.0
    p_chi2 = math.erfc(math.sqrt(chi2 / 2))
    p = exact if m < 25 else p_chi2
    got = (int(r["n"]), int(r["b"]), int(r["c"]), int(r["exact"]))
    if got != (n, b, c, int(m < 25)): sys.exit(f"{r}: n, b, c, exact {got} != {(n, b, c, int(m < 25))}")
    for name, x, y in (("chi2", r["chi2"], chi2), ("p_chi2", r["p_chi2"], p_chi2),
                       ("p_exact", r["p_exact"], exact), ("p", r["p"], p)):
        if abs(float(x) - y) > 1e-9: sys.exit(f"{r['file']} {r['augmentation']}/{r['architecture']}: {name} {x} != {y}")
    by_repeat.setdefault(r["repeat"], []).append((float(r["p"]), float(r["p_holm"])))
for rep, ps in by_repeat.items():
    ps.sort()
    run = 0
    for i, (p, ph) in enumerate(ps):
        run = max(run, min(1, (len(ps) - i) * p))
        if abs(run - ph) > 1e-12: sys.exit(f"repeat {rep}: Holm {ph} != {run}")
PY
check "the table has the McNemar section" grep -q "^McNemar: the whole label set right at each job's thresholds" table.txt

expect_ok "--metric by short name, two files, no CSV" "$SPECTCV" compare exp.h5 lr.h5 --metric f1 --metric sensitivity
out=$("$SPECTCV" compare exp.h5 lr.h5 --metric sensitivity 2>&1)
check "the short name is the macro metric" grep -q "^macro_sensitivity: mean over folds" <<<"$out"
out=$("$SPECTCV" compare exp.h5 half.h5 2>&1)
check "without a common cell or a baseline, the table says how to name one" grep -q "name the reference's cell to test against with --baseline" <<<"$out"

# Refusals: another data set, other folds (another seed), an unfinished sweep.
expect_ok "synthesize another data set" "$SPECTCV" synth -o other.h5 --patients 24 --size 256x64 --seed 6
sed -e 's/"data.h5"/"other.h5"/' -e 's/epochs = 2;/epochs = 1;/' \
    -e 's/\["original", "geometric"\]/["original"]/' exp.cfg > otherdata.cfg
sed -e 's/^seed = 3;/seed = 4;/' -e 's/epochs = 2;/epochs = 1;/' \
    -e 's/\["original", "geometric"\]/["original"]/' exp.cfg > otherseed.cfg
for x in otherdata otherseed; do
  expect_ok "run the $x sweep" mpi 1 "$SPECTCV" run "$x.cfg" -o "$x.h5" --quiet
done
expect_status "another data set is refused, naming the file and both hashes" 1 \
  "otherdata\.h5: data set hash [0-9a-f]{16} differs from exp\.h5's [0-9a-f]{16}" \
  "$SPECTCV" compare exp.h5 otherdata.h5
"$SPECTCV" compare exp.h5 otherdata.h5 > /dev/null 2>&1; rc=$?
check "another data set: exit 1" test "$rc" -eq 1
expect_status "folds of another seed are refused, naming the file" 1 \
  "otherseed\.h5: fold assignment hash [0-9a-f]{16} differs from exp\.h5's [0-9a-f]{16}" \
  "$SPECTCV" compare exp.h5 otherseed.h5
"$SPECTCV" compare exp.h5 otherseed.h5 > /dev/null 2>&1; rc=$?
check "other folds: exit 1" test "$rc" -eq 1

cp lr.h5 cut.h5
check "mark a job of a copy failed" "$PYTHON" - <<'PY'
import h5py
f = h5py.File("cut.h5", "r+")
t = f["jobs/table"][:]
t[1]["status"] = 3
t[1]["message"] = b"NaN loss at epoch 2"
f["jobs/table"][:] = t
PY
expect_status "an unfinished sweep is refused without --partial" 1 \
  "cut\.h5: 1 of 6 jobs not done \(1 failed, 0 running, 0 pending\).*--partial" \
  "$SPECTCV" compare exp.h5 cut.h5
"$SPECTCV" compare exp.h5 cut.h5 --partial > partial.txt 2>&1; rc=$?
check "--partial compares the done folds, and says so" bash -c "test $rc -eq 0 &&
  grep -q 'note: cut.h5: 1 of 6 jobs not done' partial.txt &&
  grep -Eq '^  cut.h5 +geometric/dspic +2/3 ' partial.txt &&
  grep -Eq '^  cut.h5 +geometric/dspic +geometric/dspic +2 ' partial.txt"

expect_status "a data set is not a results file" 1 "data\.h5: missing attribute '[a-z_]+' \(not a spectcv results file\?\)" \
  "$SPECTCV" compare exp.h5 data.h5
expect_status "a missing file" 1 "nosuch\.h5: cannot open the results file" "$SPECTCV" compare exp.h5 nosuch.h5
expect_status "a baseline that is not a cell of the reference" 1 \
  "--baseline original/alexnet: exp\.h5 has no such cell \(its cells: original/dspic, geometric/dspic\)" \
  "$SPECTCV" compare exp.h5 half.h5 --baseline original/alexnet
expect_status "an unwritable CSV" 1 "nodir/x\.csv" "$SPECTCV" compare exp.h5 lr.h5 --csv nodir/x.csv
expect_status "one file is not a comparison" 2 "at least two results files" "$SPECTCV" compare exp.h5
"$SPECTCV" compare exp.h5 > /dev/null 2>&1; rc=$?
check "usage errors exit with 2" test "$rc" -eq 2
expect_status "an unknown option" 2 "unknown option '--frobnicate'" "$SPECTCV" compare exp.h5 lr.h5 --frobnicate
expect_ok "--help" "$SPECTCV" compare --help
check "compare is listed in spectcv --help" bash -c "'$SPECTCV' --help | grep -q '^  compare '"
