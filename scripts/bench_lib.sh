# scripts/bench_lib.sh: helpers shared by scripts/bench and scripts/bench_compare.sh (sourced).
# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# field JSON KEY: one top-level field of a JSON object (spectcv bench --json, bench_torch.py).
field() { "$PYTHON" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
