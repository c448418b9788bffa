#!/usr/bin/python3
"""Rebuild the torch module of a spectcv weights file and, optionally, check it against the
outputs nn computed.

    /usr/bin/python3 scripts/load_weights_torch.py MODEL.h5 [--check CHECK.h5] [--tol 1e-4]

MODEL.h5 is a weights file (or a group of one, with --group PATH) as nn_weights_save writes:
the architecture JSON in its `arch_json` attribute, one group per layer (docs/formats.md, "Model
weights").  The script builds the equivalent torch module (scripts/spectcv_torch.py), loads
every parameter and batch-norm statistic, and prints a summary.

With --check, CHECK.h5 holds `x` (a batch of inputs) and `y_eval` (nn's eval-mode outputs for
it); the script runs the torch module in eval mode on `x` and fails (exit 1) unless
max |torch - nn| <= tol * max(1, max |nn|).  tests/integration/t_nn_torch_weights.sh writes such
pairs with the C library and runs this.

In your own code:  model, layers = load("MODEL.h5")  then model.eval(); model(x).
"""
import argparse
import os
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spectcv_torch  # noqa: E402


def load(path, group="/"):
    with h5py.File(path, "r") as f:
        g = f[group]
        arch = g.attrs["arch_json"]
        if isinstance(arch, bytes):
            arch = arch.decode()
        model, layers = spectcv_torch.build(arch)
        spectcv_torch.load_group(layers, g)
    return model, layers


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--group", default="/", help="group of the model inside the file")
    ap.add_argument("--check", help="HDF5 file with x and nn's eval outputs y_eval")
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, layers = load(a.model, a.group)
    n = sum(p.numel() for p in model.parameters())
    print(f"{a.model}: {len(layers)} layers with parameters, {n} parameters")
    if not a.check:
        return 0
    with h5py.File(a.check, "r") as f:
        x = torch.from_numpy(np.asarray(f["x"], dtype=np.float32))
        want = np.asarray(f["y_eval"], dtype=np.float32)
    model.eval()
    with torch.no_grad():
        got = model(x).numpy().reshape(want.shape)
    err = float(np.max(np.abs(got - want)))
    scale = max(1.0, float(np.max(np.abs(want))))
    ok = err <= a.tol * scale
    print(f"{a.check}: eval outputs {want.shape}, max |torch - nn| = {err:.3g} "
          f"(tolerance {a.tol * scale:.3g}): {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
