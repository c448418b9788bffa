/* util/seeds.h: every stream tag used with the RNG, in one place.
 *
 * A random stream is an sc_rng seeded from sc_seed4(base, ...) (util/rng.h); a tag is the
 * coordinate that tells one purpose's stream from another's under the same base seed.  The
 * values are fixed forever: CHANGING ANY VALUE HERE CHANGES EVERY RESULT THAT USES IT (the
 * folds, weights, batch orders, augmentations, validation splits or phantoms, and so every
 * stored number downstream), and two purposes sharing a value would draw the same numbers.
 * Most are ASCII in hex ("init" = 0x696E6974); the older ones are shorter mnemonics.
 *
 * The phantom's per-purpose tags (enum ph_tag in data/phantom_model.h: plan, anatomy, labels,
 * ...) are small integers inside the phantom's own streams, told apart from every other stream
 * by SC_SEED_PHANTOM. */
#ifndef SC_UTIL_SEEDS_H
#define SC_UTIL_SEEDS_H

/* jobs/grid.c: a classifier job's init_seed = mix(seed, r, f, SC_SEED_JOB_INIT, hash(arch)),
 * the tag in the augmentation hash's place, so that every augmentation of (r, f, arch) starts
 * from the same weights.  (A GAN job's tag is hash("gan"), a name like the others there.) */
#define SC_SEED_JOB_INIT 0x1417ULL

/* folds/folds.c: the folds of repeat r: mix(seed, SC_SEED_FOLDS, r, stage, 0), stage 0 the
 * label-set (powerset) stage's shuffles, stage 1 the iterative stage's ties
 * (folds/folds_iterative.c). */
#define SC_SEED_FOLDS 0xF01D5ULL

/* jobs/validation.c: train.validation's held-out patients of (r, f). */
#define SC_SEED_VALIDATION 0x76616c69ULL /* "vali" */

/* augment/geometric.c: per (scan, copy), the transform's draws (mirror, shift, rotation, zoom,
 * kept fraction) and the binomial thinning's draws. */
#define SC_SEED_GEO 0x6E0ULL
#define SC_SEED_THIN 0x7468ULL /* "th" */

/* nn/init.c and nn/fit.c, under a network's seed: its initial weights (per layer and parameter),
 * its dropout masks and, per epoch, the batch order. */
#define SC_SEED_NN_INIT 0x696E6974ULL    /* "init" */
#define SC_SEED_NN_DROPOUT 0x64726F70ULL /* "drop" */
#define SC_SEED_NN_ORDER 0x6F726472ULL   /* "ordr" */

/* augment/gan.c: the GAN's generator and discriminator, initial weights and dropout masks. */
#define SC_SEED_GAN_INIT_G 0x47696E6974ULL /* "Ginit" */
#define SC_SEED_GAN_INIT_D 0x44696E6974ULL /* "Dinit" */
#define SC_SEED_GAN_DROP_G 0x4764726F70ULL /* "Gdrop" */
#define SC_SEED_GAN_DROP_D 0x4464726F70ULL /* "Ddrop" */

/* augment/gan_train.c: the GAN's batch order (per epoch), its noise, the mismatched label sets
 * of the discriminator's third batch, and the samples it writes (per label set). */
#define SC_SEED_GAN_ORDER 0x47616E6F7264ULL  /* "Ganord" */
#define SC_SEED_GAN_NOISE 0x47616E6E6F69ULL  /* "Gannoi" */
#define SC_SEED_GAN_WRONG 0x47616E77726EULL  /* "Ganwrn" */
#define SC_SEED_GAN_SAMPLE 0x47616E73616DULL /* "Gansam" */

/* results/summary_pooled.c: the report's bootstrap intervals, mix(file seed, [SC_SEED_BOOTSTRAP,
 * hash(arch), hash(aug), repeat, hash(metric)]): streams apart from every training stream. */
#define SC_SEED_BOOTSTRAP 0x626f6f7473747261ULL /* "bootstra" */

/* data/phantom_model.h: the last coordinate of every phantom stream,
 * mix(seed, patient, scan, ph_tag, SC_SEED_PHANTOM). */
#define SC_SEED_PHANTOM 0x5C4A7ULL

#endif
