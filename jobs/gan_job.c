/* jobs/gan_job.c: the GAN job of a (repeat, fold) (see train_job.h and docs/gan.md).
 *
 * It trains the conditional GAN on the fold's training part only (checked: no scan of the test
 * fold), at the generator's resolution, then makes samples_per_set samples of every label set of
 * the training part, and writes them with what a reader needs to judge them: the real examples
 * and the samples side by side, the loss histories, intensity histograms and mean scans of both
 * (each with the same figure between two halves of the real scans, the level of agreement real
 * data itself reaches), and the generator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment/gan.h"
#include "augment/gan_data.h"
#include "augment/gan_train.h"
#include "data/preprocess.h"
#include "folds/folds.h"
#include "jobs/checkpoint.h"
#include "jobs/train_job.h"
#include "nn/weights.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/sys.h"

#define HIST_BINS 64 /* histograms of [-1, 1] (results.h: sc_gan_layout.bins) */

typedef struct {
    const sc_job_ctx *ctx;
    int job;
} progress_ctx;

static void on_epoch(void *p, int epoch, int epochs, const float *row)
{
    const progress_ctx *pc = p;
    const sc_job *j = &pc->ctx->jobs[pc->job];
    char wrong[48] = "";
    if (row[AUG_HIST_D_WRONG] == row[AUG_HIST_D_WRONG]) /* not NaN: the mismatch term is on */
        snprintf(wrong, sizeof wrong, ", D(real, wrong labels) %.3f", (double)row[AUG_HIST_D_WRONG]);
    printf("  [rank %d] job %04d GAN r%d f%d epoch %d/%d: D loss %.4f, G loss %.4f, "
           "D(real) %.3f, D(fake) %.3f%s\n", pc->ctx->rank, pc->job, j->repeat, j->fold, epoch,
           epochs, (double)row[AUG_HIST_D_LOSS], (double)row[AUG_HIST_G_LOSS],
           (double)row[AUG_HIST_D_REAL], (double)row[AUG_HIST_D_FAKE], wrong);
    fflush(stdout);
}

/* After each step: a checkpoint when due, the stop when the sweep stops (as fit_hook). */
typedef struct {
    const sc_job_ctx *ctx;
    const sc_job *job;
    char path[4200];
    sc_ckpt_clock clock;
    aug_gan_pos at;
    int saved;
} gan_hook_ctx;

static int gan_hook(void *p, aug_gan *g, const aug_gan_pos *pos, const float *history)
{
    gan_hook_ctx *h = p;
    int save;
    const int stop = sc_ckpt_clock_tick(&h->clock, &save);
    if (save) {
        h->saved = sc_ckpt_save_gan(h->path, h->ctx->e->hash, h->job, g, pos, history,
                                    h->ctx->e->gan.train.epochs) == 0;
        if (!h->saved)
            fprintf(stderr, "spectcv: warning: rank %d, job %04d: no checkpoint: %s\n",
                    h->ctx->rank, h->job->id, sc_err_msg());
    }
    if (stop) h->at = *pos;
    return stop;
}

/* Everything the job makes, freed together. */
typedef struct {
    int64_t *train;
    int32_t *train32;
    float *realn, *real, *labels, *history, *synth, *synth_gan, *examples, *generator;
    uint8_t *sets, *sample_labels, *example_labels, *y;
    int64_t *count;
    float *hist_real, *hist_synth, *mean_real, *mean_synth, *half[2];
    double *hist_w1, *mean_rmse;
    float *cols[AUG_HIST_COLS];
} gan_bufs;

/* The history [epochs][AUG_HIST_COLS] as one array per column (the results file's datasets). */
static void history_columns(gan_bufs *b, int epochs)
{
    for (int k = 0; k < AUG_HIST_COLS; k++) {
        b->cols[k] = sc_xmalloc(sizeof(float) * (size_t)epochs);
        for (int ep = 0; ep < epochs; ep++)
            b->cols[k][ep] = b->history[(size_t)ep * AUG_HIST_COLS + k];
    }
}

static void free_bufs(gan_bufs *b)
{
    void *all[] = {b->train, b->train32, b->realn, b->real, b->labels, b->history, b->synth,
                   b->synth_gan, b->examples, b->generator, b->sets, b->sample_labels,
                   b->example_labels, b->y, b->count, b->hist_real, b->hist_synth, b->mean_real,
                   b->mean_synth, b->half[0], b->half[1], b->hist_w1, b->mean_rmse, b->cols[0],
                   b->cols[1], b->cols[2], b->cols[3], b->cols[4]};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

/* Histograms and mean scans of the samples against the real scans, and of two halves of the
 * real scans (even and odd places in the training list) against each other. */
static void quality(const sc_job_ctx *ctx, const sc_job *job, int64_t n, int n_sets, size_t hw,
                    gan_bufs *b)
{
    const int v = ctx->v, l = ctx->l;
    const size_t per = (size_t)v * hw;
    float *hh[2];
    int64_t nh[2] = {(n + 1) / 2, n / 2};
    for (int k = 0; k < 2; k++) hh[k] = sc_xmalloc(sizeof(float) * (size_t)v * HIST_BINS);
    uint8_t *yh[2];
    for (int k = 0; k < 2; k++) {
        b->half[k] = sc_xmalloc(sizeof(float) * per * (size_t)(nh[k] ? nh[k] : 1));
        yh[k] = sc_xmalloc((size_t)l * (size_t)(nh[k] ? nh[k] : 1));
        for (int64_t i = k; i < n; i += 2) {
            memcpy(b->half[k] + (size_t)(i / 2) * per, b->real + (size_t)i * per,
                   sizeof(float) * per);
            memcpy(yh[k] + (size_t)(i / 2) * l, b->y + (size_t)i * l, (size_t)l);
        }
        aug_histograms(b->half[k], nh[k], v, hw, HIST_BINS, hh[k]);
    }
    aug_histograms(b->real, n, v, hw, HIST_BINS, b->hist_real);
    aug_histograms(b->synth_gan, job->n_synth, v, hw, HIST_BINS, b->hist_synth);
    for (int c = 0; c < v; c++) {
        b->hist_w1[c * 2] = aug_hist_w1(b->hist_synth + (size_t)c * HIST_BINS,
                                        b->hist_real + (size_t)c * HIST_BINS, HIST_BINS);
        b->hist_w1[c * 2 + 1] = aug_hist_w1(hh[0] + (size_t)c * HIST_BINS,
                                            hh[1] + (size_t)c * HIST_BINS, HIST_BINS);
    }
    /* mean scans in normalized intensities: the halves from the normalized copies */
    for (int k = 0; k < 2; k++)
        for (int64_t i = k; i < n; i += 2)
            memcpy(b->half[k] + (size_t)(i / 2) * per, b->realn + (size_t)i * per,
                   sizeof(float) * per);
    aug_mean_images(b->realn, b->y, n, l, per, b->sets, n_sets, b->mean_real);
    aug_mean_images(b->synth, b->sample_labels, job->n_synth, l, per, b->sets, n_sets,
                    b->mean_synth);
    float *m2 = sc_xmalloc(sizeof(float) * per * (size_t)n_sets * 2);
    aug_mean_images(b->half[0], yh[0], nh[0], l, per, b->sets, n_sets, m2);
    aug_mean_images(b->half[1], yh[1], nh[1], l, per, b->sets, n_sets, m2 + per * n_sets);
    for (int s = 0; s < n_sets; s++) {
        b->mean_rmse[s * 2] = aug_rmse(b->mean_synth + (size_t)s * per,
                                       b->mean_real + (size_t)s * per, per);
        b->mean_rmse[s * 2 + 1] = aug_rmse(m2 + (size_t)s * per,
                                           m2 + per * n_sets + (size_t)s * per, per);
    }
    free(m2);
    for (int k = 0; k < 2; k++) free(hh[k]), free(yh[k]);
}

int sc_gan_job(sc_job_ctx *ctx, int job_id, sc_job_row *row)
{
    const sc_experiment *e = ctx->e;
    const sc_gan_cfg *gc = &e->gan;
    const sc_job *job = &ctx->jobs[job_id];
    const int v = ctx->v, l = ctx->l, gh = ctx->gan_h, gw = ctx->gan_w;
    const size_t hw = (size_t)gh * gw, per = (size_t)v * hw, in_hw = (size_t)e->in_h * e->in_w;
    double t0 = sc_now();
    int rc = 0, n_sets = 0;
    aug_gan *gan = NULL;
    gan_bufs b;
    memset(&b, 0, sizeof b);
    gan_hook_ctx hk;
    memset(&hk, 0, sizeof hk);
    hk.ctx = ctx, hk.job = job;
    const size_t n1 = (size_t)(ctx->n ? ctx->n : 1);
    b.history = sc_xmalloc(sizeof(float) * (size_t)gc->train.epochs * AUG_HIST_COLS);
    for (size_t i = 0; i < (size_t)gc->train.epochs * AUG_HIST_COLS; i++) b.history[i] = NAN;

    sc_grid_row(e, job, row);
    row->rank = ctx->rank;
    const int16_t *assign = ctx->assignment + (int64_t)job->repeat * ctx->n;
    b.train = sc_xmalloc(sizeof(int64_t) * n1);
    const int64_t n = sc_folds_indices(assign, ctx->n, job->fold, 0, b.train);
    /* The GAN learns from the training part only: checked before a single pixel is read. */
    if (sc_folds_check_train(assign, ctx->n, job->fold, b.train, n)) goto job_failed;
    SC_CHECK(!sc_fault("job", job_id), "injected fault (SPECTCV_FAULT)");
    b.train32 = sc_xmalloc(sizeof(int32_t) * n1);
    for (int64_t i = 0; i < n; i++) b.train32[i] = (int32_t)b.train[i];

    /* The training scans at the GAN's resolution: normalized (realn), then mapped (real). */
    b.realn = sc_xmalloc(sizeof(float) * per * n1);
    b.real = sc_xmalloc(sizeof(float) * per * n1);
    b.labels = sc_xmalloc(sizeof(float) * (size_t)l * n1);
    b.y = sc_xmalloc((size_t)l * n1);
    for (int64_t i = 0; i < n; i++) {
        const float *src = ctx->images + (size_t)b.train[i] * v * in_hw;
        for (int c = 0; c < v; c++)
            sc_resize(src + (size_t)c * in_hw, e->in_h, e->in_w,
                      b.realn + (size_t)i * per + (size_t)c * hw, gh, gw);
        memcpy(b.y + (size_t)i * l, ctx->truth + (size_t)b.train[i] * l, (size_t)l);
        for (int j = 0; j < l; j++) b.labels[(size_t)i * l + j] = b.y[(size_t)i * l + j];
    }
    float m[SC_DS_MAX_VIEWS];
    aug_gan_intensity_max(b.realn, n, v, hw, m);
    memcpy(b.real, b.realn, sizeof(float) * per * (size_t)n);
    aug_gan_to_gan(b.real, n, v, hw, m);

    /* The label sets and how many samples each gets: as the grid sized the results file. */
    b.sets = sc_xmalloc((size_t)l * n1);
    b.count = sc_xcalloc(n1, sizeof(int64_t));
    n_sets = aug_label_sets(ctx->truth, l, b.train, n, b.sets, b.count);
    const int64_t per_set = sc_grid_samples_per_set(e, job);
    SC_CHECK(n_sets == job->n_sets && per_set * n_sets == job->n_synth,
             "the training part has %d label sets (%lld samples), the results file was made for "
             "%d (%lld)", n_sets, (long long)(per_set * n_sets), job->n_sets,
             (long long)job->n_synth);

    nn_set_threads(ctx->threads);
    gan = aug_gan_build(gc->g_path, gc->d_path, v, l, gc->train.z, gc->train.batch);
    if (!gan) goto job_failed;
    int h2, w2;
    aug_gan_dims(gan, &h2, &w2);
    SC_CHECK(h2 == gh && w2 == gw, "the generator makes %d x %d scans, not %d x %d", h2, w2, gh,
             gw);
    aug_gan_init(gan, job->seed);
    aug_gan_pos start;
    aug_gan_train_opts opts = {ctx->verbose ? on_epoch : NULL, NULL, gan_hook, &hk, NULL};
    progress_ctx pc = {ctx, job_id};
    opts.epoch_ctx = &pc;
    if (ctx->ckpt_every > 0 && ctx->results_path) {
        if (sc_ckpt_path(ctx->results_path, job_id, hk.path, sizeof hk.path)) goto job_failed;
        const int rows = gc->train.epochs;
        int got = sc_ckpt_load_gan(hk.path, e->hash, job, gan, &start, b.history, rows);
        if (got == 0) {
            opts.start = &start;
            if (ctx->verbose)
                printf("  [rank %d] job %04d continues from its checkpoint: GAN epoch %d, step "
                       "%d\n", ctx->rank, job_id, start.epoch + 1, start.step);
        } else if (got < 0) { /* start afresh: the state may be half read */
            fprintf(stderr, "spectcv: warning: job %04d: ignoring its checkpoint: %s\n", job_id,
                    sc_err_msg());
            aug_gan_init(gan, job->seed);
            for (size_t i = 0; i < (size_t)rows * AUG_HIST_COLS; i++) b.history[i] = NAN;
        }
    }
    sc_ckpt_clock_start(&hk.clock, ctx->results_path ? ctx->ckpt_every : 0, job_id);
    const int trained = aug_gan_train(gan, &gc->train, b.real, b.labels, n, job->seed, b.history,
                                      &opts);
    if (trained < 0) goto job_failed;
    if (trained == 1) { /* the sweep is stopping */
        sc_job_stopped_row(row, sc_now() - t0, hk.at.epoch, gc->train.epochs, hk.at.step,
                           hk.saved);
        goto write_row;
    }

    /* Samples: per label set in order, noise k of the job's sample stream. */
    const int64_t ns = job->n_synth;
    b.synth_gan = sc_xmalloc(sizeof(float) * per * (size_t)(ns ? ns : 1));
    b.sample_labels = sc_xmalloc((size_t)l * (size_t)(ns ? ns : 1));
    float *zy = sc_xmalloc(sizeof(float) * ((size_t)gc->train.z + l) * (size_t)(ns ? ns : 1));
    float *z = zy, *yl = zy + (size_t)gc->train.z * (size_t)(ns ? ns : 1);
    for (int64_t q = 0; q < ns; q++) {
        const uint8_t *set = b.sets + (size_t)(q / per_set) * l;
        memcpy(b.sample_labels + (size_t)q * l, set, (size_t)l);
        for (int j = 0; j < l; j++) yl[(size_t)q * l + j] = set[j];
        aug_gan_sample_noise(job->seed, q, gc->train.z, z + (size_t)q * gc->train.z);
    }
    int gen_rc = aug_gan_generate(gan, yl, z, (int)ns, b.synth_gan);
    free(zy);
    if (gen_rc) goto job_failed;
    b.synth = sc_xmalloc(sizeof(float) * per * (size_t)(ns ? ns : 1));
    memcpy(b.synth, b.synth_gan, sizeof(float) * per * (size_t)ns);
    aug_gan_from_gan(b.synth, ns, v, hw, m);
    for (size_t i = 0; i < per * (size_t)ns; i++)
        SC_CHECK(isfinite(b.synth[i]), "sample %lld is not finite", (long long)(i / per));

    /* Examples: the first real scans of each label set, in the training list's order. */
    b.examples = sc_xmalloc(sizeof(float) * per * (size_t)job->n_examples);
    b.example_labels = sc_xmalloc((size_t)l * (size_t)job->n_examples);
    int ne = 0;
    for (int s = 0; s < n_sets; s++) {
        int taken = 0;
        for (int64_t i = 0; i < n && taken < gc->examples; i++) {
            if (memcmp(b.y + (size_t)i * l, b.sets + (size_t)s * l, (size_t)l)) continue;
            SC_CHECK(ne < job->n_examples, "more examples than the results file holds");
            memcpy(b.examples + (size_t)ne * per, b.realn + (size_t)i * per, sizeof(float) * per);
            memcpy(b.example_labels + (size_t)ne * l, b.sets + (size_t)s * l, (size_t)l);
            ne++, taken++;
        }
    }
    SC_CHECK(ne == job->n_examples, "%d examples, the results file holds %d", ne,
             job->n_examples);

    b.hist_real = sc_xmalloc(sizeof(float) * (size_t)v * HIST_BINS);
    b.hist_synth = sc_xmalloc(sizeof(float) * (size_t)v * HIST_BINS);
    b.hist_w1 = sc_xmalloc(sizeof(double) * (size_t)v * 2);
    b.mean_real = sc_xmalloc(sizeof(float) * per * (size_t)n_sets);
    b.mean_synth = sc_xmalloc(sizeof(float) * per * (size_t)n_sets);
    b.mean_rmse = sc_xmalloc(sizeof(double) * (size_t)n_sets * 2);
    quality(ctx, job, n, n_sets, hw, &b);

    nn_net *G = aug_gan_generator(gan);
    b.generator = sc_xmalloc(sizeof(float) * nn_state_size(G));
    nn_state_get(G, b.generator);
    history_columns(&b, gc->train.epochs);
    sc_gan_outputs o = {b.train32, b.sets, b.synth, b.sample_labels, b.examples,
                        b.example_labels, m, b.cols[AUG_HIST_D_LOSS], b.cols[AUG_HIST_G_LOSS],
                        b.cols[AUG_HIST_D_REAL], b.cols[AUG_HIST_D_FAKE],
                        b.cols[AUG_HIST_D_WRONG], b.generator,
                        b.hist_real, b.hist_synth, b.hist_w1, b.mean_real, b.mean_synth,
                        b.mean_rmse};
    row->status = SC_JOB_DONE;
    row->seconds = sc_now() - t0;
    row->output_hash = aug_samples_hash(b.synth, per * (size_t)ns, b.sample_labels,
                                        (size_t)l * ns);
    if (hk.path[0]) sc_ckpt_remove(hk.path);
    if (sc_results_write_gan(ctx->res, job_id, &o)) goto io_failed;
    goto write_row;

fail:
job_failed:
    row->status = SC_JOB_FAILED;
    row->seconds = sc_now() - t0;
    snprintf(row->message, sizeof row->message, "%s", sc_err_msg());
    if (hk.path[0]) sc_ckpt_remove(hk.path); /* retried, it starts afresh */
    /* What it trained on, and the losses up to the failure. */
    history_columns(&b, gc->train.epochs);
    sc_gan_outputs partial = {.train_index = b.train32, .loss_d = b.cols[AUG_HIST_D_LOSS],
                              .loss_g = b.cols[AUG_HIST_G_LOSS], .d_real = b.cols[AUG_HIST_D_REAL],
                              .d_fake = b.cols[AUG_HIST_D_FAKE],
                              .d_wrong = b.cols[AUG_HIST_D_WRONG]};
    if (sc_results_write_gan(ctx->res, job_id, &partial)) goto io_failed;
write_row:
    if (sc_results_write_row(ctx->res, row)) goto io_failed;
    goto cleanup;
io_failed:
    rc = -1;
cleanup:
    aug_gan_free(gan);
    free_bufs(&b);
    return rc;
}
