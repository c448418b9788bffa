#!/usr/bin/env bash
# GAN augmentation end to end (docs/gan.md): a sweep with original, geometric, gan and synthetic
# (train on synthetic, test on real) under mpirun with 1, 2 and 3 ranks; per-job results
# bit-identical; every GAN job trained on its fold's training part only (its train_index is
# disjoint from the fold's test scans); the report's GAN section; a failed GAN job fails the
# jobs that need it, with a message naming it, and the sweep goes on; configuration errors.
source "$(dirname "$0")/lib.sh"

small_phantom 40 3
sweep_cfg gan-it 77 dspic_half '"original", "geometric+gan", "gan", "synthetic"' \
  'geometric = { copies = 1; thin = 0.5; };' \
  'gan = { generator = "gan_g_small"; discriminator = "gan_d_small"; epochs = 2; batch = 8;' \
  '        samples_per_set = 5; examples = 2; };' 'train = { epochs = 2; batch = 8; lr = 0.001; };' \
  'report = { bootstrap = 0; };' > "$T/gan.cfg"

out=$(mpi 3 "$SPECTCV" run "$T/gan.cfg" -o "$T/r3.h5" -v 2>&1)
check "the run with 3 ranks succeeds" test -f "$T/r3.h5"
check "the plan names the GAN jobs" grep -q "+ 3 GAN jobs" <<<"$out"
check "-v prints every GAN epoch's losses" grep -Eq "job 00[0-9]{2} GAN r0 f[0-2] epoch 2/2: D loss [0-9.]+, G loss" <<<"$out"
check "GAN jobs finish before the jobs that need them" "$PYTHON" -c "
import re, sys
done = [re.search(r'job \d+ r\d+ f(\d+) (\S+)', l).groups()
        for l in sys.stdin.read().splitlines() if re.match(r'\[ *\d+/\d+\] job', l)]
gan = {f: i for i, (f, what) in enumerate(done) if what == 'GAN'}
users = [(f, i) for i, (f, what) in enumerate(done) if 'gan/' in what or 'synthetic/' in what]
sys.exit(0 if len(gan) == 3 and len(users) == 9 and all(gan[f] < i for f, i in users) else 1)" <<<"$out"
for np in 1 2; do
  expect_ok "run with $np rank(s)" mpi "$np" "$SPECTCV" run "$T/gan.cfg" -o "$T/r$np.h5" --quiet
done
expect_ok "every job done; GAN jobs trained on their fold's training part only (disjoint from its test scans)" check_py valid "$T/r3.h5"
expect_ok "per-job results, GAN samples and generators included, identical for -np 1, 2 and 3" check_py same "$T/r1.h5" "$T/r2.h5" "$T/r3.h5"
check "the stored generator: its layout tiles the state vector, one tensor per parameter and statistic of its layers" "$PYTHON" -c "
import h5py, json, numpy as np, sys
f = h5py.File('$T/r3.h5', 'r')
t = f['jobs/table'][:]
g = f['jobs/%04d/generator' % [int(r['id']) for r in t if r['kind'] == 1][0]]
lay = json.loads(g.attrs['layout'])
arch = json.loads(g.attrs['arch_json'])
at, names = 0, set()
for x in lay['tensors']:
    assert x['offset'] == at, x
    at += int(np.prod(x['shape']))
    names.add(x['name'])
assert at == g.shape[0] and np.isfinite(g[:]).all()
layers = {l['name']: l for l in arch['layers']}
for l in layers.values():
    if l['type'] == 'conv_transpose': assert l['name'] + '/weight' in names
    if l['type'] == 'batchnorm': assert l['name'] + '/running_var' in names
assert lay['format'] == 'spectcv-state/1' and len(names) == len(lay['tensors'])"
out=$("$SPECTCV" info "$T/r2.h5" 2>&1)
check "info counts the GAN jobs" grep -q "GAN jobs: 3 (done 3, failed 0" <<<"$out"

expect_ok "report with a GAN section" "$SPECTCV" report "$T/r3.h5" -o "$T/rep"
check "the report has the GAN section, its quality figures and train-on-synthetic" bash -c "
  grep -q '^## GAN augmentation' '$T/rep/summary.md' &&
  grep -q 'W₁ samples vs real' '$T/rep/summary.md' &&
  grep -q 'RMSE real half vs half' '$T/rep/summary.md' &&
  grep -Eq '^\| dspic_half +\| synthetic +\|' '$T/rep/summary.md'"
check "the report draws a grid of real and synthetic scans per fold" bash -c "
  for f in 0 1 2; do test -s '$T/rep/figures/gan_grid_r0_f'\$f'.png' || exit 1; done
  grep -q 'figures/gan_grid_r0_f0.png' '$T/rep/summary.md' && grep -q 'data:image/png;base64' '$T/rep/index.html'"

# A GAN job that fails: the jobs that need its samples fail with a message naming it; the others
# (original, and the other folds) run.  SPECTCV_FAULT=job:ID is the test-only fault switch.
gan_id=$("$PYTHON" -c "
import h5py; t = h5py.File('$T/r1.h5', 'r')['jobs/table'][:]
print([int(r['id']) for r in t if r['kind'] == 1 and r['fold'] == 1][0])")
SPECTCV_FAULT=job:$gan_id mpi 2 "$SPECTCV" run "$T/gan.cfg" -o "$T/fail.h5" > "$T/fail.log" 2>&1
check "a failed GAN job: the sweep completes" grep -q "jobs (.* failed) in" "$T/fail.log"
check "a failed GAN job fails exactly the jobs that need it, naming it; the rest are done" "$PYTHON" -c "
import h5py, sys
t = h5py.File('$T/fail.h5', 'r')['jobs/table'][:]
g = $gan_id
ok = t[g]['status'] == 3 and b'injected fault' in t[g]['message']
for r in t:
    if r['id'] == g: continue
    needs = r['depends'] == g
    want = 3 if needs else 2
    ok = ok and r['status'] == want
    if needs: ok = ok and (b'job %04d' % g) in r['message'] and b'failed' in r['message']
sys.exit(0 if ok else 1)"
check "the run log says why those jobs failed" grep -q "FAILED: not run: job 00.. (GAN" "$T/fail.log"
expect_ok "report of a sweep with a failed GAN job" "$SPECTCV" report "$T/fail.h5" -o "$T/fail_rep"

# Configuration errors name the file, the key and what is wrong.
bad() { sed "$1" "$T/gan.cfg" > "$T/bad.cfg"; }
bad 's/"geometric+gan"/"geometric+foo"/'
expect_status "an unknown augmentation component" 1 "augmentations\[1\]: unknown augmentation 'foo' in 'geometric\+foo'" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/"gan", "synthetic"/"gan+geometric", "synthetic"/'
expect_status "the same augmentation twice" 1 "'gan\+geometric' is the same augmentation as 'geometric\+gan'" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/generator = "gan_g_small"/generator = "gan_g"/; s/discriminator = "gan_d_small"/discriminator = "gan_d"/'
expect_status "a GAN larger than the classifier input" 1 "gan.generator 'gan_g' makes 256 x 64 scans, larger than the classifier's input 128 x 32" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/size = \[128, 32\]/size = [128, 64]/'
expect_status "a GAN of another aspect ratio" 1 "the aspect ratios differ" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/samples_per_set = 5;/samples_per_set = 5; colour = 1;/'
expect_status "an unknown key in gan" 1 "unknown key 'gan.colour'" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/generator = "gan_g_small"/generator = "nope"/'
expect_status "a missing generator" 1 "gan.generator.*architecture 'nope' not found" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/^report = .*/exclude = ( { augmentation = "synthetic"; architecture = "resnet"; } );/'
expect_status "exclude names an architecture not in the sweep" 1 "exclude\[0\].architecture: 'resnet' is not in architectures" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/^report = .*/exclude = ( { augmentation = "gan"; architecture = "dspic_half"; } );/'
expect_status "exclude may not leave an augmentation without architectures" 1 "exclude leaves no architecture for augmentation 'gan'" "$SPECTCV" run "$T/bad.cfg" --dry-run
bad 's/^report = .*/exclude = ( { augmentation = "synthetic"; architecture = "dspic_nobn"; } );/; s/architectures = \["dspic_half"\]/architectures = ["dspic_half", "dspic_nobn"]/'
out=$("$SPECTCV" run "$T/bad.cfg" --dry-run 2>&1)
check "exclude leaves a cell out" grep -q "jobs: 24 = 1 repeat x 3 folds x 7 cells (4 augmentations x 2 architectures, 1 excluded) + 3 GAN jobs" <<<"$out"
