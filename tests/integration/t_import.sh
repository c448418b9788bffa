#!/usr/bin/env bash
# tests/integration/t_import.sh: `spectcv import` end to end.  Images of every format are
# made here (PGM and PNG by hand in Python, JPEG with cjpeg, DICOM with gdcmimg), imported
# from a CSV and from a BS-80K-shaped folder, and read back with h5py: the pixels stored equal
# the source pixels exactly (JPEG: djpeg's decoding), and labels, patients, views, mirroring
# and provenance are checked.  Every refusal: exit 1, a message naming the CSV line, no file.
source "$(dirname "$0")/lib.sh"
cd "$T"
mk() { "$PYTHON" "$ROOT/tests/integration/import_images.py" "$@"; }
H=24 W=10

# ---- a CSV of two-view scans in every format ----
mkdir -p s1/img
mk png s1/img/a1.png $H $W 16 1;   mk png s1/img/p1.png $H $W 16 2      # 16-bit PNG
mk png s1/img/a2.png $H $W 8 3;    mk pgm s1/img/p2.pgm $H $W 65535 4   # 8-bit PNG, 16-bit PGM
mk pgm s1/img/a3.pgm $H $W 255 5;  mk pgm s1/img/p3.x $H $W 1000 6      # 8-bit PGM; a name that is no format
mk pgm g7.pgm $H $W 255 7;   cjpeg -grayscale -quality 90 g7.pgm > s1/img/a4.jpg   # greyscale JPEG
mk ppm g8.ppm $H $W 8 grey;  cjpeg -quality 90 g8.ppm > s1/img/p4.jpg              # grey saved as YCbCr
mk png s1/img/a5.dat $H $W 16 9;   mk png s1/img/p5.png $H $W 8 10
for j in a4 p4; do djpeg -grayscale -pnm s1/img/$j.jpg > s1/img/$j.jpg.truth.pgm; done
t=s1/img
mk npy truth1.npy $t/a1.png.truth.pgm $t/p1.png.truth.pgm $t/a2.png.truth.pgm $t/p2.pgm \
  $t/a3.pgm $t/p3.x $t/a4.jpg.truth.pgm $t/p4.jpg.truth.pgm $t/a5.dat.truth.pgm $t/p5.png.truth.pgm
# BOM, CRLF, quoted fields with commas and doubled quotes, spaces, a trailing blank line
printf '\xef\xbb\xbfpatient,anterior,posterior,metastasis,arthritis\r\n' > s1/labels.csv
printf '"Smith, J",img/a1.png,img/p1.png,1,0\r\n' >> s1/labels.csv
printf 'P2,img/a2.png,img/p2.pgm,0,1\r\n' >> s1/labels.csv
printf '"Smith, J", img/a3.pgm ,"img/p3.x",0,0\r\n' >> s1/labels.csv
printf '"say ""x""",img/a4.jpg,img/p4.jpg,1,1\r\n' >> s1/labels.csv
printf 'P2,img/a5.dat,img/p5.png,0,0\r\n\r\n' >> s1/labels.csv

out=$("$SPECTCV" import --csv s1/labels.csv -o one.h5 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q '^import: wrote one.h5: 5 scans of 3 patients, 2 views (anterior, posterior) of 24x10 from PGM+PNG+JPEG' \
   && printf '%s' "$out" | grep -q 'positives: metastasis 2, arthritis 2; clipped negative pixels 0' \
   && printf '%s' "$out" | grep -Eq '^import: [0-9.]+ s, [0-9.]+ scans/s$'; then
  ok "CSV of PGM, PNG and JPEG scans imported, with a summary"
else
  notok "CSV import" "exit $rc" "$out"
fi
out=$("$PYTHON" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File('one.h5', 'r')
im = f['images']
assert im.dtype == np.uint16 and im.shape == (5, 2, 24, 10), (im.dtype, im.shape)
truth = np.load('truth1.npy').reshape(5, 2, 24, 10)
assert np.array_equal(im[:], truth), 'pixels differ from the sources'
assert (im[:, :, :, :].max() > 255), '16-bit values kept'
assert np.array_equal(f['labels'][:], [[1, 0], [0, 1], [0, 0], [1, 1], [0, 0]])
assert list(f['patient'][:]) == [0, 1, 0, 2, 1], f['patient'][:]
assert [s.decode() if isinstance(s, bytes) else s for s in f['patient_id_text'].asstr()[:]] == \
    ['Smith, J', 'P2', 'Smith, J', 'say "x"', 'P2']
assert list(f.attrs['label_names']) == ['metastasis', 'arthritis']
assert list(f.attrs['view_names']) == ['anterior', 'posterior']
assert list(f.attrs['view_mirrored']) == [0, 1]
sp = f['source_path'].asstr()[:]
assert sp.shape == (5, 2) and list(sp[2]) == ['img/a3.pgm', 'img/p3.x'], sp
assert f['pixel_spacing'].shape == (5, 2) and not f['pixel_spacing'][:].any()
assert not any(k.startswith('dicom_') for k in f), list(f)
assert f.attrs['generator'] == 'spectcv import' and f.attrs['source'] == 'csv:s1/labels.csv'
print('ok')
PY
)
if [ "$out" = ok ]; then ok "pixels equal the sources exactly; labels, patients, views, provenance"; else notok "h5py check of the CSV import" "$out"; fi
expect_ok "the imported file opens (spectcv info)" "$SPECTCV" info one.h5
out=$("$SPECTCV" info one.h5 2>&1)
check "info: the import's provenance (scans, the CSV, when, by which version; files by format)" bash -c '
  grep -Eq "^imported: 5 scans from the CSV s1/labels\.csv on [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z by spectcv [^ ]+$" <<<"$1" &&
  grep -qx "  files: 10 (PGM 3, PNG 5, JPEG 2)" <<<"$1" && ! grep -q "DICOM transfer syntax" <<<"$1"' _ "$out"
check "the attributes behind it: formats, and imported (UTC, within the last hour)" "$PYTHON" -c "
import h5py, datetime as dt, sys
f = h5py.File('one.h5', 'r')
t = dt.datetime.strptime(f.attrs['imported'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=dt.timezone.utc)
age = (dt.datetime.now(dt.timezone.utc) - t).total_seconds()
sys.exit(0 if f.attrs['formats'] == 'PGM 3, PNG 5, JPEG 2' and -60 <= age <= 3600 else 1)"
cp one.h5 badprov.h5
"$PYTHON" -c "
import h5py
f = h5py.File('badprov.h5', 'r+'); del f['source_path']; f['source_path'] = [1, 2, 3, 4, 5]"
expect_fail "info: a damaged /source_path is named, exit non-zero" \
  "badprov\.h5: /source_path: expected variable-length strings" "$SPECTCV" info badprov.h5

# ---- a 'path' column: one file per scan, one view ----
mkdir -p s2
mk png s2/v1.png 16 8 16 21; mk png s2/v2.png 16 8 4 22; mk png s2/v3.png 16 8 1 23   # 16, 4 and 1 bit
mk npy truth2.npy s2/v1.png.truth.pgm s2/v2.png.truth.pgm s2/v3.png.truth.pgm
printf 'Path,PATIENT,abnormal\nv1.png,A,1\nv2.png,B,0\nv3.png,A,0\n' > s2/list.csv   # any case
expect_ok "a single-view 'path' CSV" "$SPECTCV" import -q --csv s2/list.csv -o two.h5
out=$("$PYTHON" - <<'PY' 2>&1
import h5py, numpy as np, subprocess
f = h5py.File('two.h5', 'r')
assert f['images'].shape == (3, 1, 16, 8)
assert list(f.attrs['view_names']) == ['view'] and list(f.attrs['view_mirrored']) == [0]
assert list(f['patient'][:]) == [0, 1, 0] and list(f['labels'][:, 0]) == [1, 0, 0]
assert list(f['source_path'].asstr()[:]) == ['v1.png', 'v2.png', 'v3.png']
truth = np.load('truth2.npy')
assert np.array_equal(f['images'][:, 0], truth), 'pixels of 16, 4 and 1-bit PNG'
assert truth[1].max() == 15 and truth[2].max() == 1, 'values unscaled'
print('ok')
PY
)
if [ "$out" = ok ]; then ok "single view named 'view', paths as [N]; 16, 4 and 1-bit PNG values kept"; else notok "path column" "$out"; fi
# --root: the same list read from elsewhere
cp s2/list.csv list_elsewhere.csv
expect_ok "--root resolves the file names" "$SPECTCV" import -q --csv list_elsewhere.csv --root s2 -o three.h5

# --views names the per-view columns (mirroring by the name rule: "post..." is mirrored)
printf 'patient,ant,post,m\nA,img/a1.png,img/p1.png,1\n' > s1/views.csv
expect_ok "--views ant,post" "$SPECTCV" import -q --csv s1/views.csv --views ant,post -o views.h5
check "views ant, post; post mirrored" "$PYTHON" -c "
import h5py, sys; f = h5py.File('views.h5', 'r')
sys.exit(not (list(f.attrs['view_names']) == ['ant', 'post'] and list(f.attrs['view_mirrored']) == [0, 1]
              and list(f.attrs['label_names']) == ['m']))"
expect_status "without --views they are no view columns" 1 "views.csv:1: header: no 'path' column and no view column \(anterior,posterior; --views names them\)" \
  "$SPECTCV" import --csv s1/views.csv -o views2.h5

# ---- an existing output ----
cp two.h5 keep.h5; cp two.h5 keep_copy.h5
expect_status "an existing output is refused without --force" 1 "keep.h5: the file exists; --force" \
  "$SPECTCV" import --csv s2/list.csv -o keep.h5
check "the existing file is untouched" cmp -s keep.h5 keep_copy.h5
expect_ok "--force replaces it after a successful import" "$SPECTCV" import -q --force --csv s1/labels.csv -o keep.h5
check "and it was replaced" "$PYTHON" -c "import h5py,sys; sys.exit(h5py.File('keep.h5','r')['images'].shape[0] != 5)"

# ---- refusals: exit 1, the line named, no file (the output nor .partial) ----
# has_all OUTPUT PATTERNS: each of the ';;'-separated extended regexes matches some line.
has_all() {
  local out=$1 pat rest=$2
  while [ -n "$rest" ]; do
    pat=${rest%%;;*}
    if [ "$pat" = "$rest" ]; then rest=""; else rest=${rest#*;;}; fi
    printf '%s' "$out" | grep -Eq -- "$pat" || return 1
  done
}
# refuse NAME PATTERNS CSV-TEXT [more import options]: write s1/bad.csv, import it; exit 1,
# every pattern (has_all) in the messages, no file.
refuse() {
  local name=$1 pat=$2; shift 2
  printf "$1" > s1/bad.csv; shift
  rm -f r.h5 r.h5.partial
  local out rc
  out=$("$SPECTCV" import --csv s1/bad.csv -o r.h5 "$@" 2>&1); rc=$?
  if [ $rc -ne 1 ]; then notok "$name" "exit $rc, expected 1" "$out"
  elif ! has_all "$out" "$pat"; then notok "$name" "no /$pat/ in:" "$out"
  elif [ -e r.h5 ] || [ -e r.h5.partial ]; then notok "$name" "a file was left"
  else ok "$name"; fi
}
HDR='patient,anterior,posterior,metastasis,arthritis\n'
mk pgm s1/img/small.pgm 20 $W 255 30
mk png s1/img/rgb.png $H $W 8 31 rgb
mk png s1/img/ga.png $H $W 8 32 greyalpha
mk ppm c.ppm $H $W 33 colour; cjpeg -quality 90 c.ppm > s1/img/colour.jpg
printf 'not an image\n' > s1/img/text.png
refuse "missing file" "bad.csv:3: view 'posterior': .*img/nope.png: cannot open" \
  "${HDR}a,img/a1.png,img/p1.png,0,0\nb,img/a2.png,img/nope.png,0,0\n"
refuse "size differs from the first scan" "bad.csv:3: image size 20x10 differs from the first scan's 24x10 \(s1/bad.csv:2\)" \
  "${HDR}a,img/a1.png,img/p1.png,0,0\nb,img/small.pgm,img/small.pgm,0,0\n"
refuse "a view with an empty path" "bad.csv:2: view 'posterior': empty file name" \
  "${HDR}a,img/a1.png,,0,0\n"
refuse "duplicated scan names both lines" "bad.csv:4: the same images as s1/bad.csv:2" \
  "${HDR}a,img/a1.png,img/p1.png,0,0\nb,img/a2.png,img/p2.pgm,0,0\nc,img/a1.png,img/p1.png,1,0\n"
refuse "label not 0/1" "bad.csv:2: label 'metastasis': value '2' is not 0 or 1" \
  "${HDR}a,img/a1.png,img/p1.png,2,0\n"
refuse "empty patient id" "bad.csv:3: column 'patient': empty patient id" \
  "${HDR}a,img/a1.png,img/p1.png,0,0\n,img/a2.png,img/p2.pgm,0,0\n"
refuse "wrong column count" "bad.csv:2: 4 fields, but the header has 5 columns" \
  "${HDR}a,img/a1.png,img/p1.png,0\n"
refuse "no label columns" "bad.csv:1: header: no label columns" \
  "patient,anterior,posterior\na,img/a1.png,img/p1.png\n"
refuse "duplicate header names" "bad.csv:1: header: column 'metastasis' appears twice" \
  "patient,anterior,posterior,metastasis,metastasis\na,img/a1.png,img/p1.png,0,0\n"
refuse "no patient column" "header: no 'patient' column" "anterior,posterior,m\nimg/a1.png,img/p1.png,0\n"
refuse "no path columns" "header: no 'path' column and no view column" "patient,m\na,0\n"
refuse "colour PNG refused" "bad.csv:2: view 'anterior': .*rgb.png: PNG is RGB colour" \
  "${HDR}a,img/rgb.png,img/p1.png,0,0\n"
refuse "grey+alpha PNG refused" "ga.png: PNG is grey\+alpha" "${HDR}a,img/ga.png,img/p1.png,0,0\n"
refuse "colour JPEG refused" "colour.jpg: colour JPEG" "${HDR}a,img/colour.jpg,img/p1.png,0,0\n"
printf 'P5\n2 1\n100\n\310\001' > s1/img/above.pgm       # 200 > maxval 100
printf 'P5\n2 2\n255\n\001' > s1/img/short.pgm            # 1 of 4 bytes
printf 'P5\n1 1\n255\n\001\002' > s1/img/trailing.pgm     # a byte after the raster
printf 'P2\n1 1\n255\n1\n' > s1/img/plain.pgm
refuse "PGM pixel above maxval" "above.pgm: PGM pixel 0 \(row 0\) is 200, above maxval 100" "${HDR}a,img/above.pgm,img/p1.png,0,0\n"
refuse "truncated PGM" "short.pgm: PGM raster truncated" "${HDR}a,img/short.pgm,img/p1.png,0,0\n"
refuse "bytes after the PGM raster" "trailing.pgm: bytes after the PGM raster" "${HDR}a,img/trailing.pgm,img/p1.png,0,0\n"
refuse "plain PGM refused" "plain.pgm: Netpbm 'P2' file: only binary greyscale PGM \(P5\)" "${HDR}a,img/plain.pgm,img/p1.png,0,0\n"
refuse "not an image" "text.png: not a PGM, PNG, JPEG or DICOM file" "${HDR}a,img/text.png,img/p1.png,0,0\n"
refuse "unclosed quote" "bad.csv: line 2: a quoted field is not closed" "${HDR}\"a,img/a1.png,img/p1.png,0,0\n"
refuse "every problem listed, with its line" \
  "5 problems; no file written:;;bad.csv:2: view 'anterior'.*nope.png;;bad.csv:3: label 'arthritis';;bad.csv:4: column 'patient';;bad.csv:5: 2 fields;;bad.csv:7: image size" \
  "${HDR}a,img/nope.png,img/p1.png,0,0\nb,img/a2.png,img/p2.pgm,0,x\n,img/a3.pgm,img/p3.x,0,0\nc,d\nd,img/a4.jpg,img/p4.jpg,0,0\ne,img/small.pgm,img/small.pgm,0,0\n"
many="${HDR}"; for k in $(seq 1 60); do many="${many}p$k,img/a1.png,img/p1.png,0,7\n"; done
refuse "the listing is capped" "60 problems; ;;bad.csv:51: ;;^  \.\.\. and 10 more$" "$many"
cp one.h5 one_copy.h5
printf "${HDR}a,img/nope.png,img/p1.png,0,0\n" > s1/bad.csv
expect_status "a failed import with --force" 1 "nope.png" "$SPECTCV" import --force --csv s1/bad.csv -o one.h5
check "leaves the existing file untouched" cmp -s one.h5 one_copy.h5
check "and no .partial" test ! -e one.h5.partial
# SIGTERM while an image is being read (a FIFO that nobody writes blocks the open): exit 1,
# no new file, the existing output intact.  The signal goes once spectcv has the list open (its
# handlers are installed right after) and half a second more, not after a fixed `sleep 1`: that
# raced with a slow start, ASan on a loaded machine, and killed it before the handlers (exit
# 143).  (A writer on the FIFO to mark the read would not do: the interrupted read is followed
# by the DICOM sniff's own open, which the writer would let through to block again.)
mkfifo s1/img/fifo.png
printf "${HDR}a,img/a1.png,img/p1.png,0,0\nb,img/fifo.png,img/p2.pgm,0,0\n" > s1/slow.csv
"$SPECTCV" import --force --csv s1/slow.csv -o one.h5 > int.out 2>&1 &
pid=$!
list_open() { ls -l "/proc/$pid/fd" 2>/dev/null | grep -q 'slow\.csv'; }
wait_until $pid list_open
sleep 0.5
kill -TERM $pid
wait $pid; rc=$?
if [ $rc -eq 1 ] && grep -q "stopped by a signal; no file written" int.out && cmp -s one.h5 one_copy.h5 \
   && [ ! -e one.h5.partial ]; then
  ok "SIGTERM: exit 1, a message, no partial file, the existing output intact"
else
  notok "SIGTERM" "exit $rc" "$(cat int.out)" "$(ls one.h5*)"
fi
expect_status "neither --csv nor --bs80k is a usage error" 2 "either --csv" "$SPECTCV" import -o x.h5

# ---- BS-80K ----
mkdir -p bs/wholeBodyANT bs/wholeBodyPOST
k=40
for p in p001 p002 p003 p004; do
  for side in ANT POST; do
    k=$((k + 1)); mk pgm g.pgm $H $W 255 $k
    cjpeg -grayscale -quality 85 g.pgm > bs/wholeBody$side/$p.jpg
    djpeg -grayscale -pnm bs/wholeBody$side/$p.jpg > bs/wholeBody$side/$p.truth.pgm
  done
done
printf 'p001.jpg 0\r\np002.jpg 1\r\np003.jpg 0\r\np004.jpg 1\r\n' > bs/wholeBodyANT/wholeBodyANT.txt
printf 'p003.jpg 1\np001.jpg 0\np004.jpg 1\np002.jpg 0\n\n' > bs/wholeBodyPOST/wholeBodyPOST.txt
mk npy truth_bs.npy $(for p in p001 p002 p003 p004; do echo bs/wholeBodyANT/$p.truth.pgm bs/wholeBodyPOST/$p.truth.pgm; done)
out=$("$SPECTCV" import --bs80k bs -o bs.h5 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'BS-80K: 2 scans whose ANT and POST labels disagree (labelled abnormal); 0 unpaired'; then
  ok "BS-80K folder imported, disagreements counted"
else
  notok "BS-80K import" "exit $rc" "$out"
fi
out=$("$PYTHON" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File('bs.h5', 'r')
assert np.array_equal(f['images'][:], np.load('truth_bs.npy').reshape(4, 2, 24, 10))
assert list(f.attrs['label_names']) == ['abnormal']
assert list(f['labels'][:, 0]) == [0, 1, 1, 1]
assert list(f.attrs['view_names']) == ['anterior', 'posterior'] and list(f.attrs['view_mirrored']) == [0, 1]
assert list(f['patient'][:]) == [0, 1, 2, 3]
assert list(f['patient_id_text'].asstr()[:]) == ['p001', 'p002', 'p003', 'p004']
assert list(f['source_path'].asstr()[1]) == ['wholeBodyANT/p002.jpg', 'wholeBodyPOST/p002.jpg']
print('ok')
PY
)
if [ "$out" = ok ]; then ok "BS-80K: pixels, labels (either view), patients by stem, mirrored posterior"; else notok "BS-80K h5py check" "$out"; fi
out=$("$SPECTCV" info bs.h5 2>&1)
check "info of a BS-80K import: the folder, the files by format" bash -c '
  grep -Eq "^imported: 4 scans from the BS-80K folder bs on [0-9T:-]+Z by spectcv " <<<"$1" &&
  grep -qx "  files: 8 (JPEG 8)" <<<"$1"' _ "$out"
cp bs/wholeBodyANT/p001.jpg bs/wholeBodyANT/p005.jpg
printf 'p005.jpg 0\n' >> bs/wholeBodyANT/wholeBodyANT.txt
printf 'p009.jpg 2\n' >> bs/wholeBodyPOST/wholeBodyPOST.txt
rm -f r.h5
out=$("$SPECTCV" import --bs80k bs -o r.h5 2>&1); rc=$?
if [ $rc -eq 1 ] && has_all "$out" "wholeBodyPOST.txt:6: label '2' of p009.jpg is not 0 or 1;;wholeBodyANT.txt:5: p005.jpg has no posterior image" \
   && [ ! -e r.h5 ] && [ ! -e r.h5.partial ]; then
  ok "BS-80K: an unpaired image and a bad label, each with its list line; no file"
else
  notok "BS-80K refusal" "exit $rc" "$out"
fi
sed -i '$d' bs/wholeBodyPOST/wholeBodyPOST.txt
out=$("$SPECTCV" import --bs80k bs --skip-unpaired -o bs2.h5 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q '4 scans of 4 patients' && printf '%s' "$out" | grep -q '1 unpaired images skipped'; then
  ok "BS-80K --skip-unpaired leaves the patient out and counts it"
else
  notok "BS-80K --skip-unpaired" "exit $rc" "$out"
fi

expect_status "BS-80K: a missing list is named" 1 "nodir/wholeBodyANT/wholeBodyANT.txt: cannot open the BS-80K list" \
  "$SPECTCV" import --bs80k nodir -o r.h5

# ---- DICOM: files written by GDCM's gdcmimg (scripts/install-deps installs it) ----
if ! command -v gdcmimg >/dev/null 2>&1; then
  notok "DICOM cases" "gdcmimg not found: run scripts/install-deps"
else
  mkdir -p s3
  mk raw s3/a.raw 1 $H $W 50; mk raw s3/p.raw 1 $H $W 60; mk raw s3/two.raw 2 $H $W 70
  gdcmimg -i s3/a.raw -o s3/a.dcm --depth 16 --size $W,$H,1 --endian LSB
  gdcmimg -i s3/p.raw -o s3/p.dcm --depth 16 --size $W,$H,1 --endian LSB
  gdcmimg -i s3/two.raw -o s3/two.dcm --depth 16 --size $W,$H,2 --endian LSB
  printf 'patient,anterior,posterior,m\nA,a.dcm,p.dcm,1\n' > s3/views.csv
  printf 'patient,path,m\nA,two.dcm,1\n' > s3/path.csv
  expect_ok "DICOM: one file per view" "$SPECTCV" import -q --csv s3/views.csv -o d1.h5
  expect_ok "DICOM: a two-frame file in a 'path' column" "$SPECTCV" import -q --csv s3/path.csv -o d2.h5
  mk npy d1.npy s3/a.raw.truth0.pgm s3/p.raw.truth0.pgm
  mk npy d2.npy s3/two.raw.truth0.pgm s3/two.raw.truth1.pgm
  out=$("$PYTHON" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File('d1.h5', 'r')
assert np.array_equal(f['images'][0], np.load('d1.npy'))
assert list(f.attrs['view_names']) == ['anterior', 'posterior']
assert list(f.attrs['view_mirrored']) == [0, 1], 'no view in the files: the column names decide'
assert f['dicom_sop_instance_uid'].shape == (1, 2) and all(f['dicom_sop_instance_uid'].asstr()[0])
assert f['dicom_sop_instance_uid'].asstr()[0, 0] != f['dicom_sop_instance_uid'].asstr()[0, 1]
assert f['dicom_transfer_syntax'].asstr()[0, 0] == '1.2.840.10008.1.2.1'
assert list(f['source_path'].asstr()[0]) == ['a.dcm', 'p.dcm']
g = h5py.File('d2.h5', 'r')
assert g['images'].shape == (1, 2, 24, 10)
assert np.array_equal(g['images'][0], np.load('d2.npy'))
assert g['dicom_series_instance_uid'].shape == (1,) and g['dicom_series_instance_uid'].asstr()[0]
assert g['pixel_spacing'].shape == (1, 2)
print('ok')
PY
)
  if [ "$out" = ok ]; then ok "DICOM pixels and UIDs"; else notok "DICOM check" "$out"; fi
  out=$("$SPECTCV" info d1.h5 2>&1; "$SPECTCV" info d2.h5 2>&1)
  check "info counts the DICOM files by transfer syntax" bash -c '
    grep -qx "  files: 2 (DICOM 2)" <<<"$1" && grep -qx "  files: 1 (DICOM 1)" <<<"$1" &&
    grep -qx "  DICOM transfer syntax 1.2.840.10008.1.2.1 (Explicit VR Little Endian): 2 files" <<<"$1" &&
    grep -qx "  DICOM transfer syntax 1.2.840.10008.1.2.1 (Explicit VR Little Endian): 1 file" <<<"$1"' _ "$out"
fi
rm -rf "$T"
