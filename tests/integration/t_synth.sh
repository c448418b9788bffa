#!/usr/bin/env bash
# tests/integration/t_synth.sh: `spectcv synth` end to end: the file read with h5py
# (layout, labels, patients, provenance), determinism, size scaling, nuisance features not
# predictive of the labels, previews, bad options, and no file left by a failed or
# interrupted run.
source "$(dirname "$0")/lib.sh"
cd "$T"

# ---- a set read back with h5py ----
expect_ok "synth writes a small set" \
  "$SPECTCV" synth -o a.h5 --patients 40 --size 256x64 --seed 7 --scans-per-patient 1..3 --preview prev
out=$("$SPECTCV" synth -o a2.h5 --patients 40 --size 256x64 --seed 7 --scans-per-patient 1..3 2>&1)
if printf '%s' "$out" | grep -Eq '^synth: wrote a2.h5: [0-9]+ scans of 40 patients, 2 views 256x64;.* scans/s$'; then
  ok "summary line with timing"
else
  notok "summary line with timing" "$out"
fi
out=$("$SPECTCV" info a.h5 2>&1)
check "info names what made the set" grep -Eqx "made by: spectcv synth: whole-body bone-scan phantom \(spectcv [^ ]+\)" <<<"$out"

check_layout() {
"$PYTHON" - "$@" <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
im, lab, pat = f['images'], f['labels'][:], f['patient'][:]
n = im.shape[0]
assert im.shape[1:] == (2, 256, 64), im.shape
assert im.dtype == np.uint16 and im.chunks == (1, 2, 256, 64) and im.compression == 'gzip' and im.shuffle
assert lab.shape == (n, 3) and lab.dtype == np.uint8 and pat.shape == (n,) and pat.dtype == np.int64
assert list(f.attrs['label_names']) == ['metastasis', 'arthritis', 'normal'], f.attrs['label_names']
assert list(f.attrs['view_names']) == ['anterior', 'posterior']
for k in ('generator', 'version', 'parameters', 'seed'):
    assert k in f.attrs, k
assert 'seed=7' in f.attrs['parameters'] and f.attrs['seed'] == '7'
assert set(np.unique(lab)) <= {0, 1}
assert (lab[:, 2] == 1 - (lab[:, 0] | lab[:, 1])).all(), 'normal must be neither disease'
# patients: contiguous ids 0..39, 1..3 scans each, labels constant within a patient
ids, counts = np.unique(pat, return_counts=True)
assert (ids == np.arange(40)).all() and counts.min() >= 1 and counts.max() <= 3
assert (np.diff(pat) >= 0).all()
for p in ids:
    l = lab[pat == p]
    assert (l == l[0]).all(), p
tot = im[:].reshape(n, 2, -1).sum(axis=2)
assert tot.min() > 0.99 * 1.5e6 and tot.max() < 1.01 * 3e6, (tot.min(), tot.max())
print('ok')
EOF
}
if out=$(check_layout a.h5 2>&1); then ok "layout, labels, patients, attributes read with h5py"; else notok "layout read with h5py" "$out"; fi

# ---- determinism ----
"$SPECTCV" synth -q -o b.h5 --patients 40 --size 256x64 --seed 7 --scans-per-patient 1..3
"$SPECTCV" synth -q -o c.h5 --patients 40 --size 256x64 --seed 8 --scans-per-patient 1..3
out=$("$PYTHON" - <<'EOF' 2>&1
import h5py, numpy as np
a, b, c = (h5py.File(x, 'r') for x in ('a.h5', 'b.h5', 'c.h5'))
for k in ('images', 'labels', 'patient'):
    assert np.array_equal(a[k][:], b[k][:]), k
assert not np.array_equal(a['images'][0], c['images'][0])
print('ok')
EOF
)
if [ "$out" = ok ]; then ok "same seed, same data; another seed, other data"; else notok "determinism" "$out"; fi

# ---- nuisance features are not predictive of the labels ----
"$SPECTCV" synth -q -o big.h5 --patients 400 --size 128x32 --seed 3
out=$("$PYTHON" - <<'EOF' 2>&1
import h5py, numpy as np
f = h5py.File('big.h5', 'r')
im, lab = f['images'][:].astype(float), f['labels'][:]
def auc(x, y):
    r = np.argsort(np.argsort(x)) + 1.0
    p = y.sum(); q = len(y) - p
    return (r[y == 1].sum() - p * (p + 1) / 2) / (p * q)
rows = np.arange(im.shape[2])
feats = {
  'total counts anterior': im[:, 0].sum(axis=(1, 2)),
  'total counts posterior': im[:, 1].sum(axis=(1, 2)),
  'background (top corners)': im[:, :, :6, :4].sum(axis=(1, 2, 3)),
  'body length (rows with counts)': (im[:, 0].sum(axis=2) > 40).sum(axis=1),
  'vertical centroid': (im[:, 0].sum(axis=2) * rows).sum(axis=1) / im[:, 0].sum(axis=(1, 2)),
}
bad = []
for name, x in feats.items():
    for j, ln in enumerate(('metastasis', 'arthritis', 'normal')):
        a = auc(x, lab[:, j])
        if not 0.4 < a < 0.6:
            bad.append('%s vs %s: AUC %.3f' % (name, ln, a))
print('\n'.join(bad) if bad else 'ok')
EOF
)
if [ "$out" = ok ]; then ok "counts, background, body size and position not predictive of labels (AUC in 0.4..0.6)"; else notok "nuisance AUC" "$out"; fi

# ---- previews ----
npng=$(ls prev/*.png 2>/dev/null | wc -l)
if [ "$npng" -ge 4 ] && [ -s prev/index.html ] && [ -s prev/index.txt ] && ls prev | grep -q '_normal.png$' \
   && ls prev | grep -q '_metastasis.png$' && ls prev | grep -q '_arthritis.png$'; then
  ok "previews per label combination with an index ($npng PNGs)"
else
  notok "previews" "$(ls prev 2>&1)"
fi
if "$PYTHON" -c "
import sys
for l in open('prev/index.txt'):
    if l.startswith('#'): continue
    f = l.split('\t')[0]
    assert open('prev/' + f, 'rb').read(8) == b'\x89PNG\r\n\x1a\n', f
"; then ok "preview files are PNGs listed in the index"; else notok "preview PNG signature"; fi

# ---- help and bad options ----
out=$("$SPECTCV" synth --help)
missing=""
for o in --output --patients --scans-per-patient --p-metastasis --p-arthritis --difficulty --seed --size --counts --preview; do
  printf '%s' "$out" | grep -q -- "$o" || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "--help lists every option"; else notok "--help lists every option" "missing:$missing"; fi

usage() { # NAME PATTERN ARGS...: exit 2 and a message matching PATTERN
  local name=$1 pat=$2; shift 2
  local out rc
  out=$("$SPECTCV" synth "$@" 2>&1); rc=$?
  if [ $rc -eq 2 ] && printf '%s' "$out" | grep -Eq -- "$pat"; then ok "$name"; else notok "$name" "exit $rc" "$out"; fi
}
usage "bad size" "--size: expected HxW" -o x.h5 --size 100
usage "size too small" "--size: expected H in" -o x.h5 --size 8x2
usage "negative patients" "--patients: expected an integer" -o x.h5 --patients -5
usage "unknown option" "unknown option '--frobnicate'" -o x.h5 --frobnicate 1
usage "missing output" "missing -o" --patients 3
usage "missing value" "option --seed needs a value" -o x.h5 --seed
usage "bad scans range" "--scans-per-patient: expected" -o x.h5 --scans-per-patient 3..1
usage "bad prevalence" "--p-metastasis: expected a number" -o x.h5 --p-metastasis 1.2
usage "bad difficulty" "--difficulty: expected a number" -o x.h5 --difficulty abc
usage "bad counts" "--counts: expected" -o x.h5 --counts 3e6..1e6
[ -e x.h5 ] && notok "no file after usage errors" || ok "no file after usage errors"

expect_status "unwritable output path names it" 1 "nodir/x.h5.*cannot write in directory" \
  "$SPECTCV" synth -o nodir/x.h5 --patients 2 --size 64x16
[ -e nodir ] && notok "no directory created for the output" || ok "nothing created for an unwritable output"

# ---- interrupted run: nothing at the path ----
# Each signal goes once the .partial file exists: the handlers are installed before it is made.
"$SPECTCV" synth -q -o int.h5 --patients 100000 --size 256x64 >int.out 2>&1 &
pid=$!
wait_until $pid test -e int.h5.partial
kill -TERM $pid
wait $pid; rc=$?
if [ $rc -ne 0 ] && [ ! -e int.h5 ] && [ ! -e int.h5.partial ] && grep -q "interrupted after" int.out; then
  ok "SIGTERM: non-zero exit, message, no file and no partial file"
else
  notok "SIGTERM: no file left" "exit $rc" "$(ls int.h5* 2>&1)" "$(cat int.out)"
fi
"$SPECTCV" synth -q -o kill.h5 --patients 100000 --size 256x64 >/dev/null 2>&1 &
pid=$!
wait_until $pid test -e kill.h5.partial
kill -KILL $pid
wait $pid 2>/dev/null
if [ ! -e kill.h5 ]; then ok "SIGKILL: nothing at the output path"; else notok "SIGKILL: nothing at the output path"; fi
rm -f kill.h5.partial

# an existing file is replaced only by a complete new one
"$SPECTCV" synth -q -o keep.h5 --patients 3 --size 64x16 --seed 1
before=$(md5sum keep.h5)
"$SPECTCV" synth -q -o keep.h5 --patients 100000 --size 256x64 >/dev/null 2>&1 &
pid=$!
wait_until $pid test -e keep.h5.partial
kill -TERM $pid
wait $pid
[ "$(md5sum keep.h5)" = "$before" ] && ok "interrupted run leaves an existing file intact" \
  || notok "interrupted run leaves an existing file intact"
