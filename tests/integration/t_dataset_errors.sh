#!/usr/bin/env bash
# Bad data set files: each gives a clear error naming the file and field, and a non-zero exit.
source "$(dirname "$0")/lib.sh"
mk() { "$PYTHON" "$ROOT/tests/integration/make_dataset.py" "$@"; }

mk "$T/good.h5"
expect_ok "info on a valid data set" "$SPECTCV" info "$T/good.h5"
out=$("$SPECTCV" info "$T/good.h5" 2>&1)
check "info prints scans, patients, views and labels" \
  bash -c "grep -q 'scans: 24' <<<'$out' && grep -q 'patients: 12' <<<'$out' && grep -q 'anterior, posterior' <<<'$out' && grep -q 'metastasis' <<<'$out'"

expect_status "missing file" 1 "missing\.h5: cannot open the data set file" "$SPECTCV" info "$T/missing.h5"
head -c 3000 "$T/good.h5" > "$T/trunc.h5"
expect_status "truncated file" 1 "trunc\.h5: (not an HDF5 file|cannot open as HDF5)" "$SPECTCV" info "$T/trunc.h5"
echo "not hdf5" > "$T/text.h5"
expect_status "not HDF5 at all" 1 "text\.h5: not an HDF5 file" "$SPECTCV" info "$T/text.h5"
check "info says which views are stored mirrored (here from the names)" \
  grep -q 'posterior (mirrored, from the view names)' <<<"$out"
for d in images-3d labels-rows labels-value labels-float no-label-names no-patient images-int32 \
         view-names-count empty-label-name mirrored-count mirrored-value mirrored-given; do
  mk "$T/$d.h5" --defect "$d"
done
expect_status "images with 3 dimensions" 1 "/images: expected 4 dimensions, found 3" "$SPECTCV" info "$T/images-3d.h5"
expect_status "labels rows differ from scans" 1 "/labels: 23 rows but /images has 24 scans" "$SPECTCV" info "$T/labels-rows.h5"
expect_status "labels not 0/1" 1 "/labels: value 2 at \[3\]\[1\] is not 0 or 1" "$SPECTCV" info "$T/labels-value.h5"
expect_status "labels of the wrong type" 1 "/labels: expected uint8 0/1 values" "$SPECTCV" info "$T/labels-float.h5"
expect_status "missing label names" 1 "missing root attribute 'label_names'" "$SPECTCV" info "$T/no-label-names.h5"
expect_status "missing patient ids" 1 "missing dataset /patient" "$SPECTCV" info "$T/no-patient.h5"
expect_status "int32 pixels" 1 "/images: expected uint16 or float32 pixels" "$SPECTCV" info "$T/images-int32.h5"
expect_status "view names do not match views" 1 "view_names': expected 2 names, found 1" "$SPECTCV" info "$T/view-names-count.h5"
expect_status "empty label name" 1 "label_names': name 1 is empty" "$SPECTCV" info "$T/empty-label-name.h5"
expect_status "view_mirrored of the wrong length" 1 "attribute view_mirrored: expected 2 integers" "$SPECTCV" info "$T/mirrored-count.h5"
expect_status "view_mirrored not 0/1" 1 "view_mirrored: value 2 for view 'posterior' is not 0 or 1" "$SPECTCV" info "$T/mirrored-value.h5"
out=$("$SPECTCV" info "$T/mirrored-given.h5" 2>&1)
check "a given view_mirrored is read as given" grep -q 'views: 2 (anterior (mirrored), posterior)' <<<"$out"

# A NaN pixel found while `run` loads the data set: each rank of a node loads a slice of the
# scans into the node's shared copy, and every rank stops with the message of the rank that
# read the bad scan (with 3 ranks, scan 4 is rank 0's and scan 23 rank 2's), none hangs.
mk "$T/nan.h5" --defect images-nan --size 128x32
mk "$T/nan-last.h5" --defect images-nan-last --size 128x32
cat > "$T/nan.cfg" <<CFG
name = "nan-pixel";
arch_dir = "$ROOT/configs/archs";
data = { path = "nan.h5"; size = [64, 32]; };
folds = { k = 2; stratify = false; };
architectures = ["dspic_half"];
augmentations = ["original"];
train = { epochs = 1; batch = 8; };
CFG
for np in 1 3; do
  expect_status "run, $np rank(s): a NaN pixel in the first slice names its scan" 1 \
    "nan\.h5: /images: scan 4 has a non-finite pixel" mpi "$np" "$SPECTCV" run "$T/nan.cfg" -o "$T/nan-r.h5"
  expect_status "run, $np rank(s): a NaN pixel in the last slice names its scan" 1 \
    "nan-last\.h5: /images: scan 23 has a non-finite pixel" \
    mpi "$np" "$SPECTCV" run "$T/nan.cfg" --data "$T/nan-last.h5" -o "$T/nan-r.h5"
done
check "a run that failed while loading wrote no results file" test ! -e "$T/nan-r.h5"
