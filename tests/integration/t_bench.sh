#!/usr/bin/env bash
# spectcv bench: the JSON object and the table, and its errors.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

json=$("$SPECTCV" bench --arch dspic --input 2x64x32 --batch 2 --steps 2 --warmup 1 --json 2>&1)
check "bench --json prints one JSON object with the documented fields" "$PYTHON" -c '
import json, sys
d = json.loads(sys.argv[1])
need = ["arch", "input", "batch", "threads", "steps", "images_per_s", "gflops",
        "sgemm_peak_gflops", "ratio", "conv_gflops", "conv_peak_ratio", "peak_rss_bytes",
        "arena_bytes", "arenas", "num_params"]
missing = [k for k in need if k not in d]
assert not missing, missing
assert d["input"] == [2, 64, 32] and d["batch"] == 2 and d["images_per_s"] > 0
assert d["sgemm_peak_gflops"] > 0 and 0 < d["ratio"] < 2
assert sum(d["arenas"].values()) == d["arena_bytes"]
' "$json"
expect_ok "bench prints the table" "$SPECTCV" bench --arch alexnet --input 2x64x64 --batch 2 --steps 1 --warmup 0
expect_ok "bench --describe lists the layers" "$SPECTCV" bench --arch dspic_half --describe
expect_fail "bench names an unknown architecture" "architecture 'nonesuch' not found" \
  "$SPECTCV" bench --arch nonesuch
expect_fail "bench names an impossible input size" "alexnet.cfg:[0-9]+: maxpool layer .*key 'kernel'" \
  "$SPECTCV" bench --arch alexnet --input 2x32x32
expect_fail "bench rejects a bad --input" "option --input: expected VxHxW" \
  "$SPECTCV" bench --input 2x64

json=$("$SPECTCV" bench --gan --generator gan_g_small --discriminator gan_d_small --batch 4 --steps 2 --warmup 1 --json 2>&1)
check "bench --gan --json times a GAN step: the scan size the generator makes, samples/s" "$PYTHON" -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["generator"] == "gan_g_small" and d["scan"] == [2, 64, 16] and d["batch"] == 4
assert d["samples_per_s"] > 0 and d["gflops"] > 0 and d["g_params"] > d["d_params"] > 0
' "$json"
expect_ok "bench --gan prints its table" "$SPECTCV" bench --gan --generator gan_g_small --discriminator gan_d_small --batch 2 --steps 1 --warmup 0
expect_fail "bench --gan with a discriminator as the generator" "gan generator: .*gan_d.cfg:[0-9]+: conv layer .down1." \
  "$SPECTCV" bench --gan --generator gan_d --batch 2 --steps 1
