/* augment/gan_train.h: training the conditional GAN on a training part, epoch by epoch.
 *
 * Epoch e visits the n training scans in a Fisher-Yates order seeded from (seed, e), in batches
 * of cfg->batch (the last one partial; a last batch of one scan is skipped, as batch norm needs
 * two).  The noise of every step comes from one stream seeded from seed.  So the generator a
 * training makes is a pure function of (seed, scans, labels, cfg) for a given thread count. */
#ifndef SC_AUGMENT_GAN_TRAIN_H
#define SC_AUGMENT_GAN_TRAIN_H

#include <stdint.h>

#include "augment/gan.h"
#include "util/rng.h"

/* Columns of the per-epoch history: means over the epoch's scans of the step figures. */
enum {
    AUG_HIST_D_LOSS = 0, AUG_HIST_G_LOSS, AUG_HIST_D_REAL, AUG_HIST_D_FAKE,
    AUG_HIST_D_WRONG, /* NaN without the mismatch term (gan.h) */
    AUG_HIST_COLS
};

/* Called after each epoch (e from 1) with that epoch's row of the history. */
typedef void (*aug_gan_epoch_fn)(void *ctx, int epoch, int epochs, const float *row);

/* Where a GAN training stands between two steps (with both networks' training states:
 * nn/checkpoint.h): the epoch in progress, its samples and steps done, its sums of the history's
 * columns over `seen` samples, and the states of the noise and mismatch streams. */
typedef struct {
    int epoch;
    int64_t next;
    int step;
    double sum[AUG_HIST_COLS];
    int64_t seen;
    sc_rng noise, wrong;
} aug_gan_pos;

/* Called after every step: 0 goes on, 1 stops the training (aug_gan_train returns 1). */
typedef int (*aug_gan_hook)(void *ctx, aug_gan *g, const aug_gan_pos *pos, const float *history);

typedef struct {
    aug_gan_epoch_fn on_epoch; /* may be NULL */
    void *epoch_ctx;
    aug_gan_hook hook;         /* may be NULL */
    void *hook_ctx;
    const aug_gan_pos *start;  /* NULL: from the beginning; else continue from there (the nets
                                  hold the training state, history the finished epochs) */
} aug_gan_train_opts;

/* Train g (initialized by the caller) on real [n][v][h][w] (the GAN's [-1, 1]) with label rows
 * labels [n][l] (0/1 floats).  history [cfg->epochs][AUG_HIST_COLS]: rows of epochs that did not
 * run stay as the caller filled them.  A loss that is not finite stops the training with an
 * error naming the epoch and step.  opts may be NULL.  Returns 0, -1 (error) or 1 (the hook
 * stopped it). */
int aug_gan_train(aug_gan *g, const aug_gan_cfg *cfg, const float *real, const float *labels,
                  int64_t n, uint64_t seed, float *history, const aug_gan_train_opts *opts);

/* The noise of sample k of a generation run seeded by seed (z values). */
void aug_gan_sample_noise(uint64_t seed, int64_t k, int z, float *out);

#endif
