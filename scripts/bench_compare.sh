#!/usr/bin/env bash
# scripts/bench_compare.sh: spectcv vs PyTorch training throughput, side by side, in one run.
#
#   scripts/bench_compare.sh [-r RUNS] [-s STEPS] [CONFIG ...]
#
# A CONFIG is ARCH:VxHxW:BATCH:THREADS (default: the BENCHMARKS.md table: dspic and alexnet at
# 2x1024x256 batch 8 and 2x256x64 batch 32, threads 1 and 2, then the GAN step), or
# gan:GENERATOR+DISCRIMINATOR:BATCH:THREADS for one step of the conditional GAN (`spectcv bench
# --gan`; its throughput is in samples/s and its memory columns are left empty).  For each config the two programs
# run alternately RUNS times (default 5; `spectcv bench` and scripts/bench_torch.py, the same
# architecture, input, batch, threads and training step), and the table shows the medians of
# images/s, their ratio, the conv layers' share of the single-thread sgemm peak and the peak
# RSS over the sum of the network's arenas (both from spectcv's runs, medians).
# Needs the built ./spectcv (or $SPECTCV) and /usr/bin/python3 with torch.
set -euo pipefail
cd "$(dirname "$0")/.."
SPECTCV=${SPECTCV:-./spectcv}
PYTHON=${PYTHON:-/usr/bin/python3}
runs=5
steps=10
while getopts "r:s:h" o; do
  case $o in
    r) runs=$OPTARG ;;
    s) steps=$OPTARG ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  esac
done
shift $((OPTIND - 1))
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
  configs=(dspic:2x1024x256:8:1 dspic:2x1024x256:8:2 dspic:2x256x64:32:1 dspic:2x256x64:32:2
           alexnet:2x1024x256:8:1 alexnet:2x1024x256:8:2 alexnet:2x256x64:32:1 alexnet:2x256x64:32:2
           gan:gan_g+gan_d:32:1 gan:gan_g+gan_d:32:2)
fi

source scripts/bench_lib.sh   # median, field

printf '| arch | input | batch | threads | spectcv img/s | PyTorch img/s | ratio | conv / sgemm peak | peak RSS / arenas |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for cfg in "${configs[@]}"; do
  IFS=: read -r arch input batch threads <<<"$cfg"
  s_ips=() t_ips=() conv=() rss=()
  if [ "$arch" = gan ]; then
    gen=${input%+*} dis=${input#*+}
    for ((r = 0; r < runs; r++)); do
      js=$("$SPECTCV" bench --gan --generator "$gen" --discriminator "$dis" --batch "$batch" \
           --threads "$threads" --steps "$steps" --json)
      s_ips+=("$(field "$js" samples_per_s)")
      jt=$(OMP_NUM_THREADS=$threads "$PYTHON" scripts/bench_torch.py --gan --generator "$gen" \
           --discriminator "$dis" --batch "$batch" --threads "$threads" --steps "$steps" --json)
      t_ips+=("$(field "$jt" samples_per_s)")
    done
    s=$(printf '%s\n' "${s_ips[@]}" | median)
    t=$(printf '%s\n' "${t_ips[@]}" | median)
    printf '| GAN step: %s | %s | %s | %s | %.2f | %.2f | %.2f | | |\n' "$input" \
      "$(field "$js" scan | tr -d '[] ' | tr , x)" "$batch" "$threads" "$s" "$t" \
      "$(echo "$s / $t" | bc -l)"
    continue
  fi
  for ((r = 0; r < runs; r++)); do
    js=$("$SPECTCV" bench --arch "$arch" --input "$input" --batch "$batch" --threads "$threads" \
         --steps "$steps" --json)
    s_ips+=("$(field "$js" images_per_s)")
    conv+=("$(field "$js" conv_peak_ratio)")
    rss+=("$(field "$js" rss_arena_ratio)")
    jt=$(OMP_NUM_THREADS=$threads "$PYTHON" scripts/bench_torch.py --arch "$arch" --input "$input" \
         --batch "$batch" --threads "$threads" --steps "$steps" --json)
    t_ips+=("$(field "$jt" images_per_s)")
  done
  s=$(printf '%s\n' "${s_ips[@]}" | median)
  t=$(printf '%s\n' "${t_ips[@]}" | median)
  c=$(printf '%s\n' "${conv[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | median)
  printf '| %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "$arch" "$input" "$batch" \
    "$threads" "$s" "$t" "$(echo "$s / $t" | bc -l)" "$c" "$m"
done
