#!/usr/bin/python3
"""Time the PyTorch equivalent of a `spectcv bench` run: the same architecture (rebuilt from the
JSON that `spectcv bench --arch-json` prints, so both sides run the same network), input, batch,
thread count, and the same training step (forward, BCEWithLogitsLoss, backward, Adam).

    /usr/bin/python3 scripts/bench_torch.py [--arch dspic] [--input 2x256x64] [--batch 8]
                                            [--threads 1] [--steps 10] [--warmup 2] [--json]
    /usr/bin/python3 scripts/bench_torch.py --gan [--generator gan_g] [--discriminator gan_d]
                                            [--views 2] [--outputs 3] [--z 100] [--batch 32] ...

With --gan: the same step as `spectcv bench --gan` (spectcv_torch.gan_step: the conditional
DCGAN step of augment/gan.c), Adam lr 2e-4, betas (0.5, 0.999), on both networks.

Prints the median step time and images/s (one JSON object with --json).  Needs torch and the
built ./spectcv (or $SPECTCV).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spectcv_torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def arch_json(name, input_, outputs):
    exe = os.environ.get("SPECTCV", os.path.join(ROOT, "spectcv"))
    return subprocess.run([exe, "bench", "--arch", name, "--input", input_, "--outputs",
                           str(outputs), "--arch-json"], check=True, capture_output=True,
                          text=True).stdout


def median(times):
    times = sorted(times)
    n = len(times)
    return times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])


def bench_gan(a):
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    batch = a.batch if "--batch" in sys.argv else 32
    G, _ = spectcv_torch.build(arch_json(a.generator, f"{a.z + a.outputs}x1x1", a.views))
    gj = json.loads(arch_json(a.generator, f"{a.z + a.outputs}x1x1", a.views))
    # the generator's output size: build it once
    with torch.no_grad():
        G.eval()
        _, v, h, w = G(torch.zeros(1, a.z + a.outputs, 1, 1)).shape
        G.train()
    del gj
    D, _ = spectcv_torch.build(arch_json(a.discriminator, f"{v + a.outputs}x{h}x{w}", 1))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    torch.manual_seed(7)
    real = torch.rand(batch, v, h, w) * 2 - 1
    labels = (torch.rand(batch, a.outputs) < 0.5).float()
    times = []
    for s in range(a.warmup + a.steps):
        z = torch.randn(batch, a.z)
        t0 = time.perf_counter()
        spectcv_torch.gan_step(G, D, opt_g, opt_d, real, labels, z)
        if s >= a.warmup:
            times.append(time.perf_counter() - t0)
    med = median(times)
    out = {"framework": f"torch {torch.__version__}", "generator": a.generator,
           "discriminator": a.discriminator, "scan": [v, h, w], "labels": a.outputs, "z": a.z,
           "batch": batch, "threads": a.threads, "steps": a.steps, "warmup": a.warmup,
           "step_s": med, "samples_per_s": batch / med}
    if a.json:
        print(json.dumps(out))
    else:
        print(f"torch gan: {a.generator} + {a.discriminator}, scans {v}x{h}x{w}, batch {batch}, "
              f"{a.threads} thread(s): {med:.4f} s/step (median of {len(times)}), "
              f"{batch / med:.2f} samples/s")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", default="dspic")
    ap.add_argument("--input", default="2x256x64")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--outputs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--gan", action="store_true")
    ap.add_argument("--generator", default="gan_g")
    ap.add_argument("--discriminator", default="gan_d")
    ap.add_argument("--views", type=int, default=2)
    ap.add_argument("--z", type=int, default=100)
    a = ap.parse_args()
    if a.gan:
        return bench_gan(a)
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    exe = os.environ.get("SPECTCV", os.path.join(ROOT, "spectcv"))
    arch = subprocess.run([exe, "bench", "--arch", a.arch, "--input", a.input, "--outputs",
                           str(a.outputs), "--arch-json"], check=True, capture_output=True,
                          text=True).stdout
    model, _ = spectcv_torch.build(arch)
    c, h, w = (int(v) for v in a.input.split("x"))
    torch.manual_seed(7)
    x = torch.rand(a.batch, c, h, w)
    y = (torch.rand(a.batch, a.outputs) < 0.5).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    times = []
    for s in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x).reshape(a.batch, a.outputs), y)
        loss.backward()
        opt.step()
        if s >= a.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    out = {"framework": f"torch {torch.__version__}", "arch": a.arch, "input": [c, h, w],
           "batch": a.batch, "threads": a.threads, "steps": a.steps, "warmup": a.warmup,
           "step_s": med, "images_per_s": a.batch / med,
           "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
           "mkldnn": torch.backends.mkldnn.is_available()}
    if a.json:
        print(json.dumps(out))
    else:
        print(f"torch: {a.arch}, input {a.input}, batch {a.batch}, {a.threads} thread(s): "
              f"{med:.4f} s/step (median of {n}), {a.batch / med:.2f} images/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
