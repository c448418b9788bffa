#!/usr/bin/env bash
# spectcv import of DICOM in every transfer syntax an NM archive holds, single- and two-frame:
# files written here by GDCM (tests/dicom/nm_write: camera-like two-frame NM studies; gdcmimg:
# one file per view) and transcoded by gdcmconv (the 12-bit JPEG extended one by GDCM's codec,
# nm_write jpeg12).  The imported counts must equal the source exactly for the lossless syntaxes
# and stay within the codec's bound for the lossy ones (the bounds of tests/unit/test_dicom.c);
# each scan's transfer syntax is stored; the views and mirroring come from the files.
source "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

NM_WRITE=${NM_WRITE:-}
if [ -z "$NM_WRITE" ] && [ -n "${TEST_BUILD:-}" ]; then NM_WRITE="$ROOT/$(dirname "$TEST_BUILD")/tools/nm_write"; fi
[ -x "$NM_WRITE" ] || NM_WRITE="$ROOT/build/release/tools/nm_write"
if [ ! -x "$NM_WRITE" ] || ! command -v gdcmconv >/dev/null || ! command -v gdcmimg >/dev/null; then
  notok "DICOM writers" "need $NM_WRITE (make nm-write) and gdcmconv, gdcmimg (scripts/install-deps)"
  exit 0
fi

H=128 W=32
expect_ok "a small phantom" "$SPECTCV" synth -q -o ph.h5 --patients 5 --scans-per-patient 1 --size ${H}x$W --seed 3
# Raw sources: per scan the two views as 16-bit counts and as counts scaled to 12 bits; per view
# the 8-bit scaled image for JPEG baseline.  truth.npz keeps what each file should give back.
"$PYTHON" - <<'PY' || notok "raw sources"
import h5py, numpy as np
img = h5py.File('ph.h5', 'r')['images'][:].astype(np.int64)
n = img.shape[0]
c12 = img * 4095 // max(int(img.max()), 1)
c8 = img * 255 // max(int(img.max()), 1)
for i in range(n):
    img[i].astype('<u2').tofile('s%d.raw' % i)
    c12[i].astype('<u2').tofile('s%d.12.raw' % i)
    for v in range(2):
        img[i, v].astype('<u2').tofile('s%d.v%d.raw' % (i, v))
        c8[i, v].astype('u1').tofile('s%d.v%d.8.raw' % (i, v))
np.savez('truth.npz', c16=img, c12=c12, c8=c8)
PY
n=$("$PYTHON" -c "import numpy as np; print(np.load('truth.npz')['c16'].shape[0])")

# name | gdcmconv options ("-" none, "jpeg12": nm_write's codec) | UID | source | bound
# (bound: 0 exact; else max |error| in counts, or "pct" = 5 % of the peak as test_dicom.c)
cases="
implicit|--implicit|1.2.840.10008.1.2|c16|0
explicit|-|1.2.840.10008.1.2.1|c16|0
rle|--rle|1.2.840.10008.1.2.5|c16|0
jpeg-lossless|--jpeg|1.2.840.10008.1.2.4.70|c16|0
jpegls|--jpegls|1.2.840.10008.1.2.4.80|c16|0
jpegls-near|--jpegls --lossy -e 2|1.2.840.10008.1.2.4.81|c16|2
j2k|--j2k|1.2.840.10008.1.2.4.90|c16|0
j2k-lossy|--j2k --lossy -q 75|1.2.840.10008.1.2.4.91|c16|pct
jpeg12|jpeg12|1.2.840.10008.1.2.4.51|c12|pct
jpeg-baseline|--jpeg --lossy -q 95|1.2.840.10008.1.2.4.50|c8|pct"

while IFS='|' read -r name opts uid src bound; do
  [ -n "$name" ] || continue
  mkdir -p "$name"
  bad=""
  printf 'patient,path,m\n' > "$name/path.csv"
  printf 'patient,anterior,posterior,m\n' > "$name/views.csv"
  for ((i = 0; i < n; i++)); do
    # two-frame camera-like study (not for the 8-bit baseline: JPEG baseline is 8-bit data)
    if [ "$src" != c8 ]; then
      raw=s$i.raw; [ "$src" = c12 ] && raw=s$i.12.raw
      if [ "$opts" = jpeg12 ]; then
        "$NM_WRITE" "$name/t$i.dcm" "$raw" $H $W "P$i" "$i" jpeg12 || bad="nm_write jpeg12 $i"
      else
        "$NM_WRITE" "$name/t$i.src.dcm" "$raw" $H $W "P$i" "$i" || bad="nm_write $i"
        if [ "$opts" = - ]; then mv "$name/t$i.src.dcm" "$name/t$i.dcm"
        else gdcmconv $opts "$name/t$i.src.dcm" "$name/t$i.dcm" || bad="gdcmconv $opts t$i"; rm -f "$name/t$i.src.dcm"; fi
      fi
      printf 'P%d,t%d.dcm,%d\n' "$i" "$i" $((i % 2)) >> "$name/path.csv"
    fi
    # one single-frame file per view (gdcmimg), the same syntax
    for v in 0 1; do
      if [ "$src" = c8 ]; then gdcmimg -i s$i.v$v.8.raw -o "$name/o$i$v.src.dcm" --depth 8 --size $W,$H,1 || bad="gdcmimg 8"
      elif [ "$src" = c12 ]; then continue   # 12-bit: the two-frame study only
      else gdcmimg -i s$i.v$v.raw -o "$name/o$i$v.src.dcm" --depth 16 --size $W,$H,1 --endian LSB || bad="gdcmimg"; fi
      if [ "$opts" = - ]; then mv "$name/o$i$v.src.dcm" "$name/o$i$v.dcm"
      else gdcmconv $opts "$name/o$i$v.src.dcm" "$name/o$i$v.dcm" || bad="gdcmconv $opts o$i$v"; rm -f "$name/o$i$v.src.dcm"; fi
    done
    [ "$src" = c12 ] || printf 'P%d,o%d0.dcm,o%d1.dcm,%d\n' "$i" "$i" "$i" $((i % 2)) >> "$name/views.csv"
  done
  if [ -n "$bad" ]; then notok "$name: files written" "$bad"; continue; fi
  for kind in path views; do
    [ "$kind" = path ] && [ "$src" = c8 ] && continue
    [ "$kind" = views ] && [ "$src" = c12 ] && continue
    out=$("$SPECTCV" import -q --csv "$name/$kind.csv" -o "$name/$kind.h5" 2>&1) ||
      { notok "$name ($kind): import" "$out"; continue; }
    res=$("$PYTHON" - "$name/$kind.h5" "$src" "$bound" "$uid" "$kind" <<'PY' 2>&1
import sys, h5py, numpy as np
path, src, bound, uid, kind = sys.argv[1:6]
f = h5py.File(path, 'r')
want = np.load('truth.npz')[src]
got = f['images'][:].astype(np.int64)
assert got.shape == want.shape, (got.shape, want.shape)
err = np.abs(got - want).max()
peak = want.max()
lim = 0 if bound == '0' else (0.05 * peak if bound == 'pct' else float(bound))
assert err <= lim, 'max |error| %d > %g (peak %d)' % (err, lim, peak)
if bound != '0':
    assert abs((got - want).mean()) <= 0.002 * peak, 'biased: mean error %g' % (got - want).mean()
ts = f['dicom_transfer_syntax'].asstr()[...]
assert (ts == uid).all(), 'transfer syntax %s, want %s' % (set(ts.ravel()), uid)
assert list(f.attrs['view_names']) == ['anterior', 'posterior'], list(f.attrs['view_names'])
assert list(f.attrs['view_mirrored']) == [0, 1], list(f.attrs['view_mirrored'])
print('ok max|error| %d' % err)
PY
)
    label=two-frame; [ "$kind" = views ] && label="single-frame, a file per view"
    case "$res" in ok*) ok "$name ($label): $res, syntax $uid stored" ;;
                   *) notok "$name ($kind): counts back" "$res" ;; esac
  done
done <<<"$cases"

# A 1.7 KB file whose pixel data declares 3 GB (the fuzzer's find, tests/fuzz/regress/dicom):
# refused by the length walk (data/dicom_scan.h) before GDCM would allocate the 3 GB.
printf 'patient,path,metastasis\np1,%s,1\n' "$ROOT/tests/fuzz/regress/dicom/pixel_data_declares_3gb.dcm" > "$T/big.csv"
out=$("$PYTHON" - "$SPECTCV" "$T/big.csv" "$T/big.h5" <<'PY'
import resource, subprocess, sys
r = subprocess.run([sys.argv[1], 'import', '--csv', sys.argv[2], '-o', sys.argv[3]],
                   capture_output=True, text=True)
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(r.returncode, round(peak_mb), r.stderr.replace('\n', ' '))
PY
)
check "a DICOM file declaring a 3 GB pixel element: refused naming the element, before any large allocation (peak < 200 MB)" \
  bash -c "read rc mb msg <<<'$out'; test \$rc -eq 1 && test \$mb -lt 200 &&
    grep -q 'truncated DICOM file: element (7FE0,0010) at byte 808 of the data set declares 3221225472 bytes; the file holds 512 after it' <<<\"\$msg\""
# Files on which one of GDCM's assertions fires (fuzz_dicom's finds): each refused, and the
# import goes on to the next file (it lists every problem) instead of aborting.
R=$ROOT/tests/fuzz/regress/dicom
printf 'patient,path,metastasis\np1,%s,1\np2,%s,0\np3,%s,1\n' "$R/gdcm_assertion_1.dcm" \
  "$R/sequence_end_outside_a_sequence.dcm" "$R/gdcm_assertion_2.dcm" > "$T/abort.csv"
out=$("$SPECTCV" import --csv "$T/abort.csv" -o "$T/abort.h5" 2>&1); rc=$?
check "files on which GDCM asserts: each refused by name, the import goes on to list all 3, exit 1, no file" \
  bash -c "test $rc -eq 1 && test ! -e '$T/abort.h5' && grep -q 'import of $T/abort.csv: 3 problems; no file written' <<<\"\$0\" &&
    grep -q 'abort.csv:2: .*gdcm_assertion_1.dcm: corrupt DICOM file: GDCM stopped on one of its internal checks' <<<\"\$0\" &&
    grep -q 'abort.csv:3: .*sequence_end_outside_a_sequence.dcm: corrupt DICOM file: element (FFFE,E0DD) at byte [0-9]* of the data set stands outside any sequence' <<<\"\$0\" &&
    grep -q 'abort.csv:4: .*gdcm_assertion_2.dcm: corrupt DICOM file' <<<\"\$0\"" "$out"
rm -rf "$T"
