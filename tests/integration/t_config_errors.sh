#!/usr/bin/env bash
# Bad experiment files: each error names file:line and the key, and exits non-zero; a results
# file that exists is never overwritten without --force.
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$ROOT/tests/integration/make_dataset.py" "$T/data.h5" --n 40 --size 128x32

# A valid experiment to start from (architectures from the repository's configs/archs).
good() {
  cat <<CFG
name = "errors";
seed = 3;
arch_dir = "$ROOT/configs/archs";
data = { path = "data.h5"; size = [128, 32]; };
folds = { k = 3; stratify = false; };
architectures = ["dspic"];
train = { epochs = 1; batch = 8; };
CFG
}
good > "$T/good.cfg"
expect_ok "a valid experiment passes --dry-run" "$SPECTCV" run "$T/good.cfg" --dry-run

printf 'name = "x";\nseed = = 3;\n' > "$T/syntax.cfg"
expect_status "syntax error names file:line" 1 "syntax\.cfg:2: syntax error" "$SPECTCV" run "$T/syntax.cfg" --dry-run

good | sed 's/epochs = 1;/epochs = 1; learning_rate = 0.1;/' > "$T/unknown.cfg"
expect_status "unknown key names file:line and key" 1 "unknown\.cfg:7: train\.learning_rate: unknown key 'train\.learning_rate'|unknown\.cfg:7: unknown key 'train\.learning_rate'" \
  "$SPECTCV" run "$T/unknown.cfg" --dry-run

good | sed 's/epochs = 1;/epochs = "many";/' > "$T/type.cfg"
expect_status "wrong type names file:line and key" 1 "type\.cfg:7: train\.epochs: expected an integer, found a string" \
  "$SPECTCV" run "$T/type.cfg" --dry-run

good | sed 's/k = 3;/k = 1;/' > "$T/range.cfg"
expect_status "out-of-range value" 1 "range\.cfg:5: folds\.k: expected an integer in \[2, 1000\], got 1" \
  "$SPECTCV" run "$T/range.cfg" --dry-run

good | sed 's/path = "data.h5"; //' > "$T/nopath.cfg"
expect_status "missing required key" 1 "nopath\.cfg:4: data\.path: missing" "$SPECTCV" run "$T/nopath.cfg" --dry-run

good | sed 's/data.h5/nothere.h5/' > "$T/nodata.cfg"
expect_status "missing data file" 1 "nothere\.h5: cannot open the data set file" "$SPECTCV" run "$T/nodata.cfg" --dry-run

good | sed 's/\["dspic"\]/["dspic", "nosuchnet"]/' > "$T/noarch.cfg"
expect_status "unknown architecture" 1 "noarch\.cfg:6: architectures\[1\].*nosuchnet" "$SPECTCV" run "$T/noarch.cfg" --dry-run

good | sed 's/architectures/augmentations = ["original", "rotate90"];\narchitectures/' > "$T/noaug.cfg"
expect_status "unknown augmentation" 1 "augmentations\[1\]: unknown augmentation 'rotate90'" "$SPECTCV" run "$T/noaug.cfg" --dry-run

printf 'name = "x";\n' > "$T/nodatagroup.cfg"
expect_status "missing required group names the file" 1 "nodatagroup\.cfg: data: missing \(required" "$SPECTCV" run "$T/nodatagroup.cfg" --dry-run

good | sed 's/k = 3;/k = 30;/' > "$T/bigk.cfg"
expect_status "more folds than patients" 1 "folds\.k = 30 is larger than the number of patients \(20\)" "$SPECTCV" run "$T/bigk.cfg" --dry-run

good | sed 's/stratify = false;/stratify = "powerset";/; s/k = 3;/k = 9;/' > "$T/strat.cfg"
expect_status "stratum smaller than k (stratify = \"powerset\")" 1 "folds: the label set \{.*\} has only [0-9]+ patients, fewer than folds\.k = 9" \
  "$SPECTCV" run "$T/strat.cfg" --dry-run
good | sed 's/stratify = false;/stratify = true;/; s/k = 3;/k = 9;/' > "$T/strat_auto.cfg"
out=$("$SPECTCV" run "$T/strat_auto.cfg" --dry-run 2>&1)
check "stratify = true: a stratum smaller than k is spread by iterative stratification, with a notice" \
  grep -Eq "^notice: [0-9]+ label sets? with fewer patients than folds" <<<"$out"
good | sed 's/stratify = false;/stratify = "label";/' > "$T/strat_bad.cfg"
expect_status "stratify: an unknown mode names the choices" 1 "strat_bad\.cfg:[0-9]+: folds\.stratify: expected true, false, \"powerset\" or \"iterative\", got \"label\"" \
  "$SPECTCV" run "$T/strat_bad.cfg" --dry-run
good | sed 's/stratify = false;/stratify = 2;/' > "$T/strat_type.cfg"
expect_status "stratify: a number is refused" 1 "strat_type\.cfg:[0-9]+: folds\.stratify: expected true, false, \"powerset\" or \"iterative\", got an integer" \
  "$SPECTCV" run "$T/strat_type.cfg" --dry-run

good > "$T/byarch.cfg"; echo 'train_by_arch = { dspic = { lr = 0.0002; batch = 4; }; };' >> "$T/byarch.cfg"
out=$("$SPECTCV" run "$T/byarch.cfg" --dry-run 2>&1)
check "train_by_arch overrides show in the plan" grep -q "dspic .*adam lr 0.0002, batch 4" <<<"$out"
good > "$T/byarch2.cfg"; echo 'train_by_arch = { resnet = { lr = 0.1; }; };' >> "$T/byarch2.cfg"
expect_status "train_by_arch names an unlisted architecture" 1 "byarch2\.cfg:8: train_by_arch\.resnet: 'resnet' is not in architectures" \
  "$SPECTCV" run "$T/byarch2.cfg" --dry-run
good > "$T/byarch3.cfg"; echo 'train_by_arch = { dspic = { epochs = 3; }; };' >> "$T/byarch3.cfg"
expect_status "train_by_arch cannot change epochs" 1 "byarch3\.cfg:8: unknown key 'train_by_arch\.dspic\.epochs'" \
  "$SPECTCV" run "$T/byarch3.cfg" --dry-run

expect_status "missing experiment argument" 2 "missing the experiment file" "$SPECTCV" run
expect_status "unknown option" 2 "unknown option '--frobnicate'" "$SPECTCV" run "$T/good.cfg" --frobnicate

# Existing results are never overwritten without --force.
echo "precious" > "$T/results.h5"
expect_status "refuses to overwrite results" 1 "results\.h5 exists; refusing to overwrite" \
  "$SPECTCV" run "$T/good.cfg" -o "$T/results.h5"
check "the existing file is untouched" grep -q precious "$T/results.h5"

# data.views: a view the data set does not have is named with the file's views; one view passes.
good | sed 's/size = \[128, 32\];/size = [128, 32]; views = ["lateral"];/' > "$T/views.cfg"
expect_status "data.views: an unknown view names the key, the data set and its views" 1 \
  "views\.cfg: data\.views: .*data\.h5: no view named 'lateral' \(its views: [a-z]+, [a-z]+\)" \
  "$SPECTCV" run "$T/views.cfg" --dry-run
good | sed 's/size = \[128, 32\];/size = [128, 32]; views = ["anterior", "anterior"];/' > "$T/views2.cfg"
expect_status "data.views: a view listed twice" 1 "views2\.cfg:[0-9]+: data\.views: 'anterior' is listed twice|views2\.cfg:[0-9]+: views: 'anterior' is listed twice" \
  "$SPECTCV" run "$T/views2.cfg" --dry-run
good | sed 's/size = \[128, 32\];/size = [128, 32]; views = ["anterior"];/' > "$T/views1.cfg"
out=$("$SPECTCV" run "$T/views1.cfg" --dry-run 2>&1); rc=$?
check "data.views: one view passes --dry-run and the plan says which" bash -c "test $rc -eq 0 &&
  grep -q '^views used: anterior (1 of 2)' <<<\"\$0\"" "$out"

# Names longer than the job table's width (SC_ROW_NAME - 1 = 31 characters, results/results.h)
# would be cut there, and two that share their first 31 characters would merge into one cell of
# the summary: they are refused at validation, naming file:line and key; 31 characters pass.
mkdir -p "$T/longarchs"
long_a=dspic_long_name_shared_prefix_abc_variant1   # 42 characters, the first 31 shared
long_b=dspic_long_name_shared_prefix_abc_variant2
name31=dspic_thirty_one_characters_xyz
for n in "$long_a" "$long_b" "$name31"; do cp "$ROOT/configs/archs/dspic.cfg" "$T/longarchs/$n.cfg"; done
good | sed -e "s#arch_dir = .*#arch_dir = \"$T/longarchs\";#" \
  -e "s/\[\"dspic\"\]/[\"$long_a\", \"$long_b\"]/" > "$T/longname.cfg"
expect_status "an architecture name longer than 31 characters is refused (file:line, key, width)" 1 \
  "longname\.cfg:6: architectures\[0\]: expected a name of 1 to 31 characters, got 42 \(the width of a name in the results file's job table" \
  "$SPECTCV" run "$T/longname.cfg" --dry-run
good | sed -e "s#arch_dir = .*#arch_dir = \"$T/longarchs\";#" \
  -e "s/\[\"dspic\"\]/[\"$name31\"]/" > "$T/name31.cfg"
expect_ok "a 31-character architecture name passes" "$SPECTCV" run "$T/name31.cfg" --dry-run

# report.bootstrap: one rule (sc_summary_bootstrap_check) for the experiment, the summary and
# `report --bootstrap`: B = 1 is refused before any job runs, with file:line and key.
good > "$T/boot1.cfg"; echo 'report = { bootstrap = 1; };' >> "$T/boot1.cfg"
out=$("$SPECTCV" run "$T/boot1.cfg" -o "$T/boot1.h5" 2>&1); rc=$?
check "run with report.bootstrap = 1 fails at once (exit 1, file:line and key, no job, no file)" \
  bash -c "test $rc -eq 1 && ! test -e '$T/boot1.h5' && ! grep -q '^\[ *1/' <<<\"\$0\" &&
    grep -Eq 'boot1\.cfg:8: report\.bootstrap: expected 0 \(no bootstrap\) or 2 to 1000000 resamples, got 1' <<<\"\$0\"" "$out"
good > "$T/bootneg.cfg"; echo 'report = { bootstrap = -5; };' >> "$T/bootneg.cfg"
expect_status "report.bootstrap < 0 is refused by the same rule" 1 \
  "bootneg\.cfg:8: report\.bootstrap: expected 0 \(no bootstrap\) or 2 to 1000000 resamples, got -5" \
  "$SPECTCV" run "$T/bootneg.cfg" --dry-run
good > "$T/boot2.cfg"; echo 'report = { bootstrap = 2; };' >> "$T/boot2.cfg"
expect_ok "report.bootstrap = 2 passes" "$SPECTCV" run "$T/boot2.cfg" --dry-run
expect_status "report --bootstrap 1 is refused by the same rule" 2 \
  "--bootstrap: expected 0 \(no bootstrap\) or 2 to 1000000 resamples, got 1" \
  "$SPECTCV" report "$T/nothere.h5" --bootstrap 1
# The GAN jobs' rows name "generator+discriminator": that too must fit the width.
good | sed 's/architectures/augmentations = ["original", "gan"];\narchitectures/' > "$T/ganname.cfg"
echo 'gan = { generator = "generator_with_a_long_name"; discriminator = "gan_d"; };' >> "$T/ganname.cfg"
expect_status "a generator+discriminator name longer than 31 characters is refused" 1 \
  "ganname\.cfg:[0-9]+: gan\.generator, gan\.discriminator: 'generator_with_a_long_name\+gan_d' is longer than 31 characters" \
  "$SPECTCV" run "$T/ganname.cfg" --dry-run
