"""scripts/spectcv_torch.py: build the PyTorch equivalent of a spectcv network.

The input is the resolved architecture JSON ("spectcv-arch/1") that nn stores in every weights
file (attribute `arch_json`) and that `spectcv bench --arch-json` prints: every default filled
in, names assigned, biases explicit.  build(arch) returns (model, layers) where `layers` maps each
spectcv layer name that has parameters or statistics to its torch module, whose state_dict keys
are exactly the dataset names of that layer's HDF5 group (weight, bias, running_mean,
running_var, num_batches_tracked, mlp1.weight, ...).

Tensors stay 4-D (N, C, H, W) everywhere, as in nn: a dense layer's output is N x out x 1 x 1, so
batch norm after it is BatchNorm2d over 1 x 1 maps (the same numbers as BatchNorm1d).

Used by scripts/load_weights_torch.py, scripts/bench_torch.py and
tests/fixtures/make_torch_fixtures.py.  Needs torch (Debian: python3-torch) and numpy.
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F


class Dense(nn.Linear):
    """torch.nn.Linear on the flattened input, output N x out x 1 x 1."""

    def forward(self, x):
        return super().forward(x.flatten(1))[:, :, None, None]


class Flatten(nn.Module):
    def forward(self, x):
        return x.flatten(1)[:, :, None, None]


class CBAM(nn.Module):
    """Channel attention (shared MLP on average- and max-pooled descriptors) then spatial
    attention (a k x k conv over [channel mean, channel max]), as nn/cbam.c."""

    def __init__(self, c, reduction, kernel, bias):
        super().__init__()
        hid = max(1, c // reduction)
        self.mlp1 = nn.Linear(c, hid, bias=bias)
        self.mlp2 = nn.Linear(hid, c, bias=bias)
        self.spatial = nn.Conv2d(2, 1, kernel, padding=(kernel[0] // 2, kernel[1] // 2),
                                 bias=bias)

    def mlp(self, d):
        return self.mlp2(F.relu(self.mlp1(d)))

    def forward(self, x):
        avg = x.mean(dim=(2, 3))
        mx = x.flatten(2).max(dim=2).values
        ca = torch.sigmoid(self.mlp(avg) + self.mlp(mx))
        x1 = x * ca[:, :, None, None]
        s = torch.cat([x1.mean(dim=1, keepdim=True), x1.max(dim=1, keepdim=True).values], dim=1)
        return x1 * torch.sigmoid(self.spatial(s))


class Residual(nn.Module):
    def __init__(self, body, shortcut):
        super().__init__()
        self.body = body
        self.shortcut = shortcut  # None: identity

    def forward(self, x):
        return self.body(x) + (self.shortcut(x) if self.shortcut is not None else x)


class Concat(nn.Module):
    def __init__(self, branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], dim=1)


def _out(n, k, s, p):
    if k > n + 2 * p:
        raise ValueError(f"kernel {k} larger than padded input {n + 2 * p}")
    return (n + 2 * p - k) // s + 1


def _layer(spec, dims, layers):
    """One layer: returns (module, output dims); records modules with state in `layers`."""
    c, h, w = dims
    t = spec["type"]
    if t == "conv":
        k, s, p = spec["kernel"], spec["stride"], spec["pad"]
        m = nn.Conv2d(c, spec["out"], tuple(k), tuple(s), tuple(p), bias=spec["bias"])
        out = (spec["out"], _out(h, k[0], s[0], p[0]), _out(w, k[1], s[1], p[1]))
    elif t == "conv_transpose":
        k, s, p, op = spec["kernel"], spec["stride"], spec["pad"], spec["output_pad"]
        m = nn.ConvTranspose2d(c, spec["out"], tuple(k), tuple(s), tuple(p), tuple(op),
                               bias=spec["bias"])
        out = (spec["out"], (h - 1) * s[0] - 2 * p[0] + k[0] + op[0],
               (w - 1) * s[1] - 2 * p[1] + k[1] + op[1])
    elif t == "batchnorm":
        m = nn.BatchNorm2d(c, eps=spec["eps"], momentum=spec["momentum"])
        out = dims
    elif t == "relu":
        m, out = nn.ReLU(), dims
    elif t == "leaky_relu":
        m, out = nn.LeakyReLU(spec["slope"]), dims
    elif t == "tanh":
        m, out = nn.Tanh(), dims
    elif t == "sigmoid":
        m, out = nn.Sigmoid(), dims
    elif t in ("maxpool", "avgpool"):
        k, s, p = spec["kernel"], spec["stride"], spec["pad"]
        cls = nn.MaxPool2d if t == "maxpool" else nn.AvgPool2d
        m = cls(tuple(k), tuple(s), tuple(p))
        out = (c, _out(h, k[0], s[0], p[0]), _out(w, k[1], s[1], p[1]))
    elif t == "adaptive_avgpool":
        m = nn.AdaptiveAvgPool2d(tuple(spec["size"]))
        out = (c, spec["size"][0], spec["size"][1])
    elif t == "global_avgpool":
        m, out = nn.AdaptiveAvgPool2d(1), (c, 1, 1)
    elif t == "flatten":
        m, out = Flatten(), (c * h * w, 1, 1)
    elif t == "dense":
        m = Dense(c * h * w, spec["out"], bias=spec["bias"])
        out = (spec["out"], 1, 1)
    elif t == "dropout":
        m, out = nn.Dropout(spec["p"]), dims
    elif t == "cbam":
        m, out = CBAM(c, spec["reduction"], spec["kernel"], spec["bias"]), dims
    elif t == "residual":
        body, bd = _sequence(spec["body"], dims, layers)
        sc, sd = (None, dims)
        if spec["shortcut"] is not None:
            sc, sd = _sequence(spec["shortcut"], dims, layers)
        if bd != sd:
            raise ValueError(f"{spec['name']}: body {bd} and shortcut {sd} differ")
        m, out = Residual(body, sc), bd
    elif t == "concat":
        branches, outs = [], []
        for br in spec["branches"]:
            b, d = _sequence(br, dims, layers)
            branches.append(b)
            outs.append(d)
        m, out = Concat(branches), (sum(d[0] for d in outs), outs[0][1], outs[0][2])
    else:
        raise ValueError(f"unknown layer type {t}")
    if len(m.state_dict()) and t not in ("residual", "concat"):
        layers[spec["name"]] = m
    return m, out


def _sequence(specs, dims, layers):
    mods = []
    for spec in specs:
        m, dims = _layer(spec, dims, layers)
        mods.append(m)
    return nn.Sequential(*mods), dims


def build(arch):
    """arch: the JSON text or its parsed dict.  Returns (model, {layer name: module})."""
    if isinstance(arch, (str, bytes)):
        arch = json.loads(arch)
    if arch.get("format") != "spectcv-arch/1":
        raise ValueError("not a spectcv-arch/1 architecture")
    layers = {}
    model, _ = _sequence(arch["layers"], tuple(arch["input"]), layers)
    return model, layers


def load_group(layers, group):
    """Copy the datasets of an HDF5 group written by nn (one subgroup per layer) into the
    modules; every state_dict entry must be present with its shape."""
    import numpy as np
    for name, mod in layers.items():
        if name not in group:
            raise KeyError(f"no group '{name}' in the weights")
        g = group[name]
        sd = mod.state_dict()
        for key, val in sd.items():
            if key not in g:
                raise KeyError(f"/{name}/{key}: missing")
            arr = np.asarray(g[key][()])
            if tuple(arr.shape) != tuple(val.shape):
                raise ValueError(f"/{name}/{key}: shape {arr.shape}, expected {tuple(val.shape)}")
            sd[key] = torch.from_numpy(np.array(arr, dtype=np.int64 if key ==
                                                "num_batches_tracked" else np.float32))
        mod.load_state_dict(sd)


def write_group(layers, group, grads=False):
    """The inverse of load_group (grads=True writes each parameter's .grad instead)."""
    for name, mod in layers.items():
        g = group.require_group(name)
        if grads:
            for key, p in mod.named_parameters():
                g[key] = p.grad.detach().numpy()
        else:
            for key, val in mod.state_dict().items():
                g[key] = val.detach().numpy()


def stack_planes(scans, labels):
    """D's input: the scans [b][v][h][w] and, per scan, its label set as constant planes."""
    b, _, h, w = scans.shape
    return torch.cat([scans, labels[:, :, None, None].expand(b, labels.shape[1], h, w)], dim=1)


def gan_step(G, D, opt_g, opt_d, real, labels, z, real_target=0.9, wrong=None):
    """One conditional DCGAN step exactly as augment/gan.c runs it (docs/gan.md): G forward, a
    D step on the real and the fake batch (separate batches, gradients added) and, with `wrong`
    (a label set other than each scan's: the matching-aware mismatch term, GAN-CLS), on the real
    scans shown with those labels, the fake and mismatched terms weighted 1/2; then a G step
    through the updated D with the non-saturating loss.  Returns (d_loss, g_loss, d_real,
    d_fake, d_wrong); d_wrong is NaN without `wrong`."""
    bce = nn.BCEWithLogitsLoss()
    b = real.shape[0]
    half = 0.5 if wrong is not None else 1.0
    fake = G(torch.cat([z, labels], dim=1)[:, :, None, None])
    opt_d.zero_grad()
    out = D(stack_planes(real, labels)).reshape(b)
    err_real = bce(out, torch.full((b,), real_target))
    err_real.backward()
    d_real = torch.sigmoid(out).mean().item()
    out = D(stack_planes(fake.detach(), labels)).reshape(b)
    err_fake = bce(out, torch.zeros(b))
    (half * err_fake).backward()
    d_fake = torch.sigmoid(out).mean().item()
    err_wrong, d_wrong = torch.zeros(()), float("nan")
    if wrong is not None:
        out = D(stack_planes(real, wrong)).reshape(b)
        err_wrong = bce(out, torch.zeros(b))
        (half * err_wrong).backward()
        d_wrong = torch.sigmoid(out).mean().item()
    opt_d.step()
    opt_g.zero_grad()
    out = D(stack_planes(fake, labels)).reshape(b)
    err_g = bce(out, torch.ones(b))
    err_g.backward()
    opt_g.step()
    d_loss = err_real + half * (err_fake + err_wrong)
    return d_loss.item(), err_g.item(), d_real, d_fake, d_wrong
