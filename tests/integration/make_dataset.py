#!/usr/bin/env python3
"""tests/integration/make_dataset.py: write small data set files, valid or broken on purpose,
for the integration tests (independently of `spectcv synth`, so the reader is tested against
files written by another HDF5 client).

usage: make_dataset.py OUT.h5 [--n N] [--size HxW] [--defect NAME] [--seed S]
defects: none, images-3d, labels-rows, labels-value, labels-float, no-label-names,
         no-patient, images-int32, images-nan, images-nan-last (in the last scan),
         view-names-count, empty-label-name,
         mirrored-count, mirrored-value, mirrored-given (a valid view_mirrored = [1, 0]),
         images-inf (+Inf in scan 6, view 0, row 5, column 2; float32),
         images-negative (-3 in scan 2, view 1, row 0, column 7; float32);
         valid but degenerate (tests/integration/t_numeric.sh):
         blank-scan (scans 4 and 5, patient 102, all zero in every view),
         label-constant (arthritis 0 and normal 1 in every scan),
         label-rare (arthritis positive in patient 100's two scans only)
"""
import argparse
import h5py
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--n", type=int, default=24)
p.add_argument("--size", default="64x16")
p.add_argument("--defect", default="none")
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
h, w = (int(x) for x in a.size.split("x"))
rng = np.random.default_rng(a.seed)
n, v, l = a.n, 2, 3
met = rng.random(n) < 0.35
art = rng.random(n) < 0.3
labels = np.stack([met, art, ~(met | art)], axis=1).astype(np.uint8)
patient = np.arange(n, dtype=np.int64) // 2 + 100
images = rng.poisson(20, size=(n, v, h, w)).astype(np.uint16)
if a.defect == "blank-scan":
    images[4:6] = 0
elif a.defect == "label-constant":
    labels[:, 1], labels[:, 2] = 0, 1
elif a.defect == "label-rare":
    labels[:, 1] = 0
    labels[0:2, 1] = 1

with h5py.File(a.out, "w") as f:
    d = a.defect
    if d == "images-3d":
        f.create_dataset("images", data=images[:, 0])
    elif d == "images-int32":
        f.create_dataset("images", data=images.astype(np.int32))
    elif d in ("images-inf", "images-negative"):
        im = images.astype(np.float32)
        if d == "images-inf":
            im[6, 0, 5, 2] = np.inf
        else:
            im[2, 1, 0, 7] = -3.0
        f.create_dataset("images", data=im, chunks=(1, v, h, w))
    elif d in ("images-nan", "images-nan-last"):
        im = images.astype(np.float32)
        im[4 if d == "images-nan" else n - 1, 1, 3, 3] = np.nan
        f.create_dataset("images", data=im, chunks=(1, v, h, w))
    else:
        f.create_dataset("images", data=images, chunks=(1, v, h, w), compression="gzip")
    if d == "labels-rows":
        f.create_dataset("labels", data=labels[:-1])
    elif d == "labels-value":
        bad = labels.copy()
        bad[3, 1] = 2
        f.create_dataset("labels", data=bad)
    elif d == "labels-float":
        f.create_dataset("labels", data=labels.astype(np.float32))
    else:
        f.create_dataset("labels", data=labels)
    if d != "no-patient":
        f.create_dataset("patient", data=patient)
    if d != "no-label-names":
        names = ["metastasis", "", "normal"] if d == "empty-label-name" else ["metastasis", "arthritis", "normal"]
        f.attrs["label_names"] = np.array(names, dtype="S")
    views = ["anterior"] if d == "view-names-count" else ["anterior", "posterior"]
    f.attrs["view_names"] = np.array(views, dtype=h5py.string_dtype())
    if d == "mirrored-count":
        f.attrs["view_mirrored"] = np.array([0, 1, 0], dtype=np.int32)
    elif d == "mirrored-value":
        f.attrs["view_mirrored"] = np.array([0, 2], dtype=np.int32)
    elif d == "mirrored-given":
        f.attrs["view_mirrored"] = np.array([1, 0], dtype=np.int8)
