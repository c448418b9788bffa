#!/usr/bin/env bash
# `spectcv report` on a real (tiny) sweep: the files, byte-identical rebuilds, agreement with the
# /summary that `run` stored, an interrupted sweep and a failed job marked, and the errors of the
# command.  The statistics themselves are tested in tests/unit/test_report*.c.
source "$(dirname "$0")/lib.sh"

tiny_sweep it-report 3 24 5
expect_ok "run a tiny sweep" mpi 2 "$SPECTCV" run "$T/exp.cfg" -o "$T/res.h5" --quiet

cd "$T" || exit 1
expect_ok "report with the default folder" "$SPECTCV" report res.h5 --bootstrap 300
check "the default folder holds every file" test -s res_report/summary.md -a -s res_report/index.html \
  -a -s res_report/tables.tex -a -s res_report/predictions.csv -a -s res_report/per_fold.csv \
  -a -s res_report/summary.csv -a -s res_report/figures/metrics.gp
expect_ok "report again into another folder" "$SPECTCV" report res.h5 -o again --bootstrap 300
check "the same results file gives the same bytes" diff -r res_report again
check "index.html loads nothing from outside" bash -c "! grep -Eq '(src|href)=\"(https?:)?//' res_report/index.html"

# With the default B the report recomputes exactly what `run` stored in /summary.
expect_ok "report with the default bootstrap" "$SPECTCV" report res.h5 -o full
check "the report's CSV files equal /summary in the results file" "$PYTHON" - <<'PY'
import csv, sys, h5py, numpy as np
f = h5py.File("res.h5", "r")
for ds, fn in [("table", "summary.csv"), ("pooled", "pooled.csv"), ("auc", "auc.csv"),
               ("bootstrap", "bootstrap.csv"), ("comparisons/ttest", "ttest.csv"),
               ("comparisons/mcnemar", "mcnemar.csv")]:
    a = f["summary/" + ds][:]
    rows = list(csv.DictReader(open("full/" + fn)))
    if len(rows) != len(a): sys.exit(f"{ds}: {len(a)} rows, {fn}: {len(rows)}")
    for r, x in zip(rows, a):
        for k in a.dtype.names:
            v = x[k]
            if isinstance(v, bytes): ok = r[k] == v.decode()
            elif isinstance(v, (float, np.floating)):
                ok = (r[k] == "" and np.isnan(v)) or (r[k] != "" and float(r[k]) == v)
            else: ok = int(r[k]) == int(v)
            if not ok: sys.exit(f"{ds}.{k}: {r[k]} != {v}")
PY

# The t intervals across folds are shown clipped to [0, 1] with the mark § (summary.md, info),
# while summary.csv keeps the unclipped bound; this small sweep has bounds past 1.
info_out=$("$SPECTCV" info res.h5 2>&1)
check "summary.md and info show the clipped bounds, marked, and summary.csv the raw ones" \
  "$PYTHON" - "$info_out" <<'PY'
import csv, re, sys
md = open("full/summary.md", encoding="utf-8").read()
info = sys.argv[1]
rows = list(csv.DictReader(open("full/summary.csv")))
names = ["macro_accuracy", "macro_precision", "macro_sensitivity", "macro_specificity", "macro_f1"]
def shown(mean, lo, hi):
    a, b = max(lo, 0.0), min(hi, 1.0)
    return "%.4f [%.4f%s, %.4f%s]" % (mean, a, "\u00a7" if lo < 0 else "", b, "\u00a7" if hi > 1 else "")
clipped = 0
for r in rows:
    if r["metric"] not in names or r["lo"] == "": continue
    mean, lo, hi = float(r["mean"]), float(r["lo"]), float(r["hi"])
    want = shown(mean, lo, hi)
    line = [l for l in md.splitlines() if re.match(r"\| %s +\| %s +\| +\d+/\d+\S* \| +\d\.\d{4} \[" % (r["augmentation"], r["architecture"]), l)]
    if len(line) != 1 or want not in line[0]: sys.exit(f"summary.md: {want!r} not in {line}")
    iline = [l for l in info.splitlines() if re.match(r"%s +%s +\d" % (r["augmentation"], r["architecture"]), l)]
    if len(iline) != 1 or want not in iline[0]: sys.exit(f"info: {want!r} not in {iline}")
    clipped += lo < 0 or hi > 1
if clipped == 0: sys.exit("no interval past [0, 1] in this sweep: the check checks nothing")
for text in (md, info):
    if "\u00a7 : bound clipped to [0, 1]" not in text: sys.exit("no legend for the mark")
print(f"{clipped} clipped intervals", file=sys.stderr)
PY
cp res.h5 res_copy.h5
out=$("$SPECTCV" compare res.h5 res_copy.h5 2>&1)
check "compare's table shows the clipped bounds marked, with the legend" bash -c "
  grep -Eq '^  res\.h5 +original/dspic +3/3  [0-9.]+ \[[0-9.]+§?, [0-9.]+§?\]' <<<\"\$0\" &&
  grep -q '§\]\|§,' <<<\"\$0\" && grep -q '^  § : bound clipped to \[0, 1\]' <<<\"\$0\"" "$out"

# An interrupted sweep (one job still running, its outputs unwritten) with a failed job.
cp res.h5 cut.h5
check "mark a job running (outputs unwritten) and one failed" "$PYTHON" - <<'PY'
import h5py, numpy as np
f = h5py.File("cut.h5", "r+")
t = f["jobs/table"][:]
t[1]["status"] = 1
t[2]["status"] = 3
t[2]["message"] = b"NaN loss at epoch 2"
f["jobs/table"][:] = t
f["jobs/0001/scores"][:] = np.nan
f["jobs/0001/counts"][:] = -1
f["jobs/0001/metrics"][:] = np.nan
PY
expect_ok "report of an interrupted sweep" "$SPECTCV" report cut.h5 --no-render --bootstrap 200
check "missing and failed jobs are marked" bash -c "grep -q 'Incomplete sweep: 2 of 6 jobs' cut_report/summary.md &&
  grep -q '| 0001 .*| running | not finished' cut_report/summary.md &&
  grep -q '| 0002 .*| failed  | NaN loss at epoch 2' cut_report/summary.md &&
  grep -q '2/3†' cut_report/summary.md"

# Errors: the file or folder named, exit 1; usage errors exit 2.
expect_status "a missing file" 1 "nosuch\.h5: cannot open the results file" "$SPECTCV" report nosuch.h5
echo "plain text" > text.h5
expect_status "not an HDF5 file" 1 "text\.h5: not an HDF5 file" "$SPECTCV" report text.h5
expect_status "a data set is not a results file" 1 "data\.h5: missing attribute '[a-z_]+' \(not a spectcv results file\?\)" \
  "$SPECTCV" report data.h5
expect_status "an unusable report folder" 1 "text\.h5/r: cannot create directory" "$SPECTCV" report res.h5 -o text.h5/r
expect_status "no results file" 2 "missing the results file" "$SPECTCV" report
"$SPECTCV" report > /dev/null 2>&1; rc=$?
check "usage errors exit with 2" test "$rc" -eq 2
"$SPECTCV" report res.h5 -o text.h5/r > /dev/null 2>&1; rc=$?
check "input errors exit with 1" test "$rc" -eq 1
expect_ok "--help" "$SPECTCV" report --help
