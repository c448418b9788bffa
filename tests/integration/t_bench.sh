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

# the scheduler's figures (BENCHMARKS.md): every job runs, no schedule beats the lower bound
out=$(mpi 4 "$SPECTCV" bench --scheduler --jobs 40 --mean 0.02 --json 2>&1)
check "bench --scheduler --json: the makespan, the bound, the computed schedules" "$PYTHON" -c "
import json, sys
d = json.loads(sys.argv[1])
ok = d['jobs'] == 40 and d['workers'] == 3 and d['makespan_s'] >= 0.999 * d['bound_s'] > 0
ok = ok and d['lpt_s'] >= 0.999 * d['bound_s'] and d['round_robin_s'] >= 0.999 * d['bound_s']
ok = ok and abs(d['total_s'] / 40 - 0.02) < 0.015 and d['jobs_per_s'] > 0
sys.exit(0 if ok else 1)" "$out"
printf '0.01\n0.02\n\n0.03\n' > "$T/times.txt"
out=$(mpi 3 "$SPECTCV" bench --scheduler --times "$T/times.txt" --json 2>&1)
check "bench --scheduler --times FILE: its jobs" "$PYTHON" -c "
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d['jobs'] == 3 and abs(d['total_s'] - 0.06) < 1e-9 and abs(d['longest_s'] - 0.03) < 1e-9 else 1)" "$out"
printf '0.01\nfast\n' > "$T/bad.txt"
expect_fail "bench --scheduler --times: a bad line is named" "bad\.txt:2: expected a time in seconds" \
  mpi 2 "$SPECTCV" bench --scheduler --times "$T/bad.txt"
expect_fail "bench --scheduler needs a master and a worker" "needs at least 2 ranks" \
  "$SPECTCV" bench --scheduler
