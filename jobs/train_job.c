/* jobs/train_job.c: the classifier jobs (see train_job.h). */
#include "jobs/train_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment/gan_data.h"
#include "jobs/checkpoint.h"
#include "augment/geometric.h"
#include "data/preprocess.h"
#include "folds/folds.h"
#include "nn/nn.h"
#include "jobs/validation.h"
#include "stats/job_metrics.h"
#include "stats/metrics.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/hash.h"
#include "util/stop.h"
#include "util/sys.h"

/* The training set as nn_fit sees it: samples [0, n_real) are real scans, sample s being copy
 * s / n_train of scan train_idx[s % n_train] (copy 0 the original, copies >= 1 geometric
 * transforms); samples [n_real, n_real + n_synth) are the GAN's, resized to the input as they
 * are drawn (kept at the GAN's resolution: at a fraction of the input's size, thousands of them
 * fit where their resized copies would not). */
typedef struct {
    const sc_job_ctx *ctx;
    const sc_job *job;
    const int64_t *train_idx;
    int64_t n_train, n_real;
    const float *synth;          /* [n_synth][v][gan_h][gan_w] */
    const uint8_t *synth_labels; /* [n_synth][l] */
    int64_t n_synth;
    float *thin_buf;             /* one scan: a thinned copy before its transform */
    /* Test-only (SPECTCV_FAULT=nan:JOB@N, util/fault.h): from epoch N (from 1) on, the batches
     * are NaN, so that the loss turns non-finite there as a diverging job's would; -1: never.
     * `filled` counts the samples given so far: every epoch draws all n_real + n_synth. */
    long nan_epoch;
    int64_t filled;
} fill_ctx;

static const uint8_t *labels_of(const fill_ctx *f, int64_t s)
{
    if (s >= f->n_real) return f->synth_labels + (size_t)(s - f->n_real) * f->ctx->l;
    return f->ctx->truth + (size_t)f->train_idx[s % f->n_train] * f->ctx->l;
}

static int fill_batch(void *p, const int64_t *idx, int b, float *x, float *y)
{
    fill_ctx *f = p;
    const sc_experiment *e = f->ctx->e;
    const int v = f->ctx->v, h = e->in_h, w = e->in_w, l = f->ctx->l;
    const size_t per = (size_t)v * h * w;
    for (int i = 0; i < b; i++) {
        const int64_t s = idx[i];
        float *xi = x + (size_t)i * per;
        if (s >= f->n_real) {
            const int gh = f->ctx->gan_h, gw = f->ctx->gan_w;
            const float *src = f->synth + (size_t)(s - f->n_real) * v * gh * gw;
            for (int c = 0; c < v; c++)
                sc_resize(src + (size_t)c * gh * gw, gh, gw, xi + (size_t)c * h * w, h, w);
        } else {
            const int64_t scan = f->train_idx[s % f->n_train];
            const int copy = (int)(s / f->n_train);
            const float *src = f->ctx->images + (size_t)scan * per;
            if (copy == 0) {
                memcpy(xi, src, per * sizeof *x);
            } else {
                aug_geo_params gp;
                aug_geo_draw(&e->geometric, f->job->seed, scan, copy, h, w, &gp);
                if (gp.keep < 1.0f) { /* thin the counts, then move the patient */
                    float *tmp = f->thin_buf;
                    memcpy(tmp, src, per * sizeof *x);
                    aug_geo_thin(&gp, f->job->seed, scan, copy, tmp, v, (size_t)h * w,
                                 f->ctx->count_scale + (size_t)scan * v, e->norm == SC_NORM_LOG);
                    src = tmp;
                }
                aug_geo_apply(&gp, src, v, h, w, f->ctx->view_mirrored, xi);
            }
        }
        const uint8_t *lab = labels_of(f, s);
        for (int j = 0; j < l; j++) y[(size_t)i * l + j] = lab[j];
    }
    if (f->nan_epoch >= 1 && f->filled / (f->n_real + f->n_synth) + 1 >= f->nan_epoch)
        for (size_t k = 0; k < (size_t)b * per; k++) x[k] = NAN;
    f->filled += b;
    return 0;
}

/* The bounds of a balanced positive weight: [1/100, 100].  negatives / positives reaches 100 at a
 * prevalence of 1/101, so every label with at least 1% positives gets its exact balance, and a
 * label with a handful of positives among thousands of scans (one positive would weigh n - 1)
 * cannot dominate the loss; the floor is the mirror image, for a label positive in more than 99%
 * of the scans.  A chosen bound, not a tuned one: changing it changes the results of the
 * "balanced" sweeps with such labels. */
#define POS_WEIGHT_MIN 0.01
#define POS_WEIGHT_MAX 100.0

/* Balanced positive weights: negatives / positives per label over the training samples (real
 * scans once each: their copies repeat the same labels), within the bounds above; 1 for a label
 * constant over them (no positive, or no negative: nothing to balance; the floor would instead
 * shrink an all-positive label's loss a hundredfold). */
static void balanced_pos_weight(const fill_ctx *f, float *pw)
{
    const int l = f->ctx->l;
    const int64_t real = f->n_real ? f->n_train : 0, nt = real + f->n_synth;
    for (int j = 0; j < l; j++) {
        int64_t pos = 0;
        for (int64_t i = 0; i < real; i++) pos += labels_of(f, i)[j];
        for (int64_t i = 0; i < f->n_synth; i++) pos += f->synth_labels[(size_t)i * l + j];
        double r = pos > 0 && pos < nt ? (double)(nt - pos) / (double)pos : 1.0;
        pw[j] = (float)fmin(fmax(r, POS_WEIGHT_MIN), POS_WEIGHT_MAX);
    }
}

/* The samples of GAN job `gan` (n of them, at the GAN's resolution), read back and checked. */
static int load_synthetic(const sc_job_ctx *ctx, int gan, int64_t n, uint64_t want_hash,
                          float **out, uint8_t **labels)
{
    const size_t gper = (size_t)ctx->v * ctx->gan_h * ctx->gan_w;
    float *raw = sc_xmalloc(sizeof(float) * gper * (size_t)(n ? n : 1));
    *labels = sc_xmalloc((size_t)ctx->l * (size_t)(n ? n : 1));
    *out = NULL;
    SC_TRY(sc_results_read_gan_samples(ctx->res, gan, raw, *labels));
    uint64_t got = aug_samples_hash(raw, gper * (size_t)n, *labels, (size_t)ctx->l * n);
    /* Another rank wrote them through MPI-IO: a file system that does not show one process's
     * writes to another (POSIX semantics; docs/cluster.md) would show old or unwritten data. */
    SC_CHECK(got == want_hash, "the samples of GAN job %04d read back from the results file differ "
             "from what it wrote (hash %016llx, expected %016llx): the file system does not give "
             "read-after-write consistency between ranks", gan, (unsigned long long)got,
             (unsigned long long)want_hash);
    *out = raw;
    return 0;
fail:
    free(raw);
    return -1;
}

/* After each step: a checkpoint when due, the stop when the sweep stops. */
typedef struct {
    const sc_job_ctx *ctx;
    const sc_job *job;
    char path[4200];
    sc_ckpt_clock clock;
    nn_fit_pos at; /* where it stopped */
    int saved;     /* a checkpoint holds that position */
    int printed;   /* -v: the epochs whose loss was printed */
    sc_val_run *val; /* train.validation, or NULL */
} fit_hook_ctx;

static int fit_hook(void *p, nn_net *net, const nn_fit_pos *pos, const float *history)
{
    fit_hook_ctx *h = p;
    int save;
    /* -v: the epoch's mean loss, set by nn_fit at its last step */
    if (h->ctx->verbose && pos->epoch >= h->printed && !isnan(history[pos->epoch])) {
        printf("  [rank %d] job %04d epoch %d/%d: loss %.4f\n", h->ctx->rank, h->job->id,
               pos->epoch + 1, h->ctx->e->epochs, (double)history[pos->epoch]);
        fflush(stdout);
        h->printed = pos->epoch + 1;
    }
    const int stop = sc_ckpt_clock_tick(&h->clock, &save);
    if (save) {
        h->saved = sc_ckpt_save_fit(h->path, h->ctx->e->hash, h->job, net, pos, history,
                                    h->ctx->e->epochs, h->val) == 0;
        if (!h->saved)
            fprintf(stderr, "spectcv: warning: rank %d, job %04d: no checkpoint: %s\n",
                    h->ctx->rank, h->job->id, sc_err_msg());
    }
    if (stop) h->at = *pos;
    return stop;
}

/* After each epoch, with train.validation: score the validation scans, keep the best network,
 * stop when the patience has run out. */
static int epoch_hook(void *p, nn_net *net, int epoch, const float *history)
{
    fit_hook_ctx *h = p;
    (void)history;
    const int rc = sc_val_epoch(h->val, net, epoch);
    if (rc >= 0 && h->ctx->verbose) {
        printf("  [rank %d] job %04d epoch %d/%d: validation loss %.4f, macro F1 %.4f%s%s\n",
               h->ctx->rank, h->job->id, epoch + 1, h->ctx->e->epochs,
               (double)h->val->loss[epoch], (double)h->val->f1[epoch],
               h->val->sel.best == epoch ? " (best)" : "", rc == 1 ? "; stopping early" : "");
        fflush(stdout);
    }
    return rc;
}

/* The row of a job stopped inside its training: still pending, with where and why. */
void sc_job_stopped_row(sc_job_row *row, double seconds, int epoch, int epochs, int step,
                        int saved)
{
    row->status = SC_JOB_PENDING;
    row->seconds = seconds;
    snprintf(row->message, sizeof row->message, "stopped by %s in epoch %d of %d after step %d; "
             "%s", sc_stop_name(sc_stop_requested()), epoch + 1, epochs, step,
             saved ? "its checkpoint continues it on --resume" : "no checkpoint: it starts again "
             "on --resume");
}

int sc_run_job(sc_job_ctx *ctx, int job_id, uint64_t dep_hash, sc_job_row *row)
{
    if (ctx->jobs[job_id].kind == SC_JOB_GAN) return sc_gan_job(ctx, job_id, row);
    return sc_train_job(ctx, job_id, dep_hash, row);
}

int sc_train_job(sc_job_ctx *ctx, int job_id, uint64_t dep_hash, sc_job_row *row)
{
    const sc_experiment *e = ctx->e;
    const sc_job *job = &ctx->jobs[job_id];
    const sc_aug *aug = &e->aug[job->aug];
    const int l = ctx->l;
    const size_t per = (size_t)ctx->v * e->in_h * e->in_w;
    double t0 = sc_now();
    int rc = 0;
    nn_net *net = NULL;
    int64_t *train = sc_xmalloc((size_t)ctx->n * sizeof *train);
    int64_t *test = sc_xmalloc((size_t)ctx->n * sizeof *test);
    float *history = sc_xmalloc((size_t)e->epochs * sizeof *history);
    float *scores = NULL, *pw = NULL, *synth = NULL;
    uint8_t *test_truth = NULL, *synth_labels = NULL;
    int64_t counts[SC_DS_MAX_LABELS * 4];
    double *metrics = NULL;
    int n_metrics = st_job_metrics_count(l);
    for (int i = 0; i < e->epochs; i++) history[i] = NAN; /* epochs that never ran */
    fit_hook_ctx hk; /* before any jump to job_failed */
    memset(&hk, 0, sizeof hk);
    hk.ctx = ctx, hk.job = job;
    sc_val_run vr;
    memset(&vr, 0, sizeof vr);
    double thr[SC_DS_MAX_LABELS];

    sc_grid_row(e, job, row);
    row->rank = ctx->rank;
    const int16_t *assign = ctx->assignment + (int64_t)job->repeat * ctx->n;
    int64_t n_train = sc_folds_indices(assign, ctx->n, job->fold, 0, train);
    int64_t n_test = sc_folds_indices(assign, ctx->n, job->fold, 1, test);
    if (ctx->val) { /* the validation patients leave the training set (and its copies) */
        const int part = job->repeat * e->folds.k + job->fold;
        vr.index = ctx->val->index[part];
        vr.n = ctx->val->count[part];
        n_train = sc_val_remove(train, n_train, vr.index, vr.n);
    }
    fill_ctx fc = {ctx, job, train, n_train, 0, NULL, NULL, 0, NULL, -1, 0};
    fc.nan_epoch = sc_fault_arg("nan", job_id);
    fc.thin_buf = sc_xmalloc(per * sizeof *fc.thin_buf);
    if (sc_folds_check_train(assign, ctx->n, job->fold, train, n_train)) goto job_failed;
    for (int64_t i = 0; i < vr.n; i++)
        if (assign[vr.index[i]] == job->fold) {
            sc_err_set(NULL, 0, "validation scan %d is in the test fold", vr.index[i]);
            goto job_failed;
        }
    if (sc_fault("job", job_id)) {
        sc_err_set(NULL, 0, "injected fault (SPECTCV_FAULT)");
        goto job_failed;
    }

    if (aug->real) fc.n_real = n_train * (aug->geometric ? 1 + e->geometric.copies : 1);
    if (aug->gan) {
        fc.n_synth = job->n_synth;
        if (load_synthetic(ctx, job->depends, fc.n_synth, dep_hash, &synth, &synth_labels))
            goto job_failed;
        fc.synth = synth;
        fc.synth_labels = synth_labels;
    }

    nn_set_threads(ctx->threads);
    const sc_train_cfg *t = &e->arch[job->arch].train;
    nn_shape shape = {ctx->v, e->in_h, e->in_w, l, t->batch};
    net = nn_net_build(e->arch[job->arch].path, &shape);
    if (!net) {
        sc_err_prefix("architecture '%s' at batch %d", e->arch[job->arch].name, t->batch);
        if (strstr(sc_err_msg(), "out of memory"))
            sc_err_append("; a smaller train.batch, or fewer ranks on the node, may fit");
        goto job_failed;
    }
    nn_net_init(net, job->init_seed);
    if (ctx->val) {
        hk.val = &vr;
        vr.images = ctx->images, vr.per = per, vr.truth = ctx->truth, vr.l = l;
        vr.threshold = e->threshold, vr.batch = t->batch;
        sc_val_run_init(&vr, net, e->epochs);
        sc_val_select_init(&vr.sel, t->select, t->patience);
    }

    nn_fit_pos start, *startp = NULL;
    if (ctx->ckpt_every > 0 && ctx->results_path) {
        if (sc_ckpt_path(ctx->results_path, job_id, hk.path, sizeof hk.path)) goto job_failed;
        int got = sc_ckpt_load_fit(hk.path, e->hash, job, net, &start, history, e->epochs,
                                   hk.val);
        if (got == 0) {
            startp = &start;
            if (ctx->verbose)
                printf("  [rank %d] job %04d continues from its checkpoint: epoch %d, step %d\n",
                       ctx->rank, job_id, start.epoch + 1, start.step);
        } else if (got < 0) { /* start afresh: the state may be half read */
            fprintf(stderr, "spectcv: warning: job %04d: ignoring its checkpoint: %s\n", job_id,
                    sc_err_msg());
            nn_net_init(net, job->init_seed);
            for (int i = 0; i < e->epochs; i++) history[i] = NAN;
            if (hk.val) {
                for (int i = 0; i < e->epochs; i++) vr.loss[i] = vr.f1[i] = NAN;
                sc_val_select_init(&vr.sel, t->select, t->patience);
            }
        }
    }
    sc_ckpt_clock_start(&hk.clock, ctx->results_path ? ctx->ckpt_every : 0, job_id);
    nn_train_cfg tc = {.epochs = e->epochs, .batch = t->batch, .optim = t->optim,
                       .seed = job->seed, .pos_weight = NULL, .hook = fit_hook, .hook_ctx = &hk,
                       .start = startp, .epoch_hook = hk.val ? epoch_hook : NULL};
    if (t->pos_weight == SC_POSW_BALANCED) {
        pw = sc_xmalloc((size_t)l * sizeof *pw);
        balanced_pos_weight(&fc, pw);
        tc.pos_weight = pw;
    }
    vr.pos_weight = tc.pos_weight; /* the validation loss is the training loss */
    if (startp) fc.filled = (int64_t)start.epoch * (fc.n_real + fc.n_synth) + start.next;
    const int fit = nn_fit(net, &tc, fc.n_real + fc.n_synth, fill_batch, &fc, history);
    if (fit < 0) goto job_failed;
    if (fit == 1) { /* the sweep is stopping */
        sc_job_stopped_row(row, sc_now() - t0, hk.at.epoch, e->epochs, hk.at.step, hk.saved);
        goto write_row;
    }
    /* the best epoch's network and the thresholds of its validation scores: chosen before the
     * test fold is looked at */
    if (hk.val && sc_val_finish(&vr, net, thr)) goto job_failed;

    /* Score the test fold (original images only), in batches. */
    scores = sc_xmalloc((size_t)(n_test ? n_test : 1) * l * sizeof *scores);
    float *xb = sc_xmalloc((size_t)t->batch * per * sizeof *xb);
    for (int64_t s = 0; s < n_test; s += t->batch) {
        int b = (int)(n_test - s < t->batch ? n_test - s : t->batch);
        for (int i = 0; i < b; i++)
            memcpy(xb + (size_t)i * per, ctx->images + (size_t)test[s + i] * per,
                   per * sizeof *xb);
        if (nn_predict(net, xb, b, scores + (size_t)s * l)) {
            free(xb);
            goto job_failed;
        }
    }
    free(xb);
    for (int64_t i = 0; i < n_test * l; i++)
        if (!isfinite(scores[i])) {
            sc_err_set(NULL, 0, "after %d epochs the network's output on test scan %lld is not "
                       "finite: training diverged (lower train.lr?)", e->epochs,
                       (long long)test[i / l]);
            goto job_failed;
        }
    test_truth = sc_xmalloc((size_t)(n_test ? n_test : 1) * l);
    for (int64_t i = 0; i < n_test; i++)
        memcpy(test_truth + i * l, ctx->truth + test[i] * l, (size_t)l);
    metrics = sc_xmalloc((size_t)n_metrics * sizeof *metrics);
    if (hk.val) {
        st_counts_from_scores_at(scores, test_truth, n_test, l, thr, counts);
        if (st_job_metrics_at(scores, test_truth, n_test, l, thr, metrics)) goto job_failed;
    } else {
        st_counts_from_scores(scores, test_truth, n_test, l, e->threshold, counts);
        if (st_job_metrics(scores, test_truth, n_test, l, e->threshold, metrics)) goto job_failed;
    }

    row->status = SC_JOB_DONE;
    row->seconds = sc_now() - t0;
    row->output_hash = sc_hash(scores, sizeof *scores * (size_t)n_test * l);
    if (hk.path[0]) sc_ckpt_remove(hk.path);
    if (sc_results_write_job(ctx->res, job_id, scores, counts, metrics, history)) goto io_failed;
    if (hk.val) {
        const int32_t sel[3] = {vr.sel.best, sc_val_epochs_run(&vr), vr.stopped};
        const sc_val_outputs vo = {vr.loss, vr.f1, thr, sel};
        if (sc_results_write_val(ctx->res, job_id, &vo)) goto io_failed;
    }
    goto write_row;

job_failed:
    row->status = SC_JOB_FAILED;
    row->seconds = sc_now() - t0;
    snprintf(row->message, sizeof row->message, "%s", sc_err_msg());
    if (hk.path[0]) sc_ckpt_remove(hk.path); /* retried, it starts afresh */
    /* Keep what was learned before the failure (e.g. the loss curve up to a NaN). */
    if (sc_results_write_job(ctx->res, job_id, NULL, NULL, NULL, history)) goto io_failed;
    if (vr.loss) {
        const sc_val_outputs vo = {vr.loss, vr.f1, NULL, NULL};
        if (sc_results_write_val(ctx->res, job_id, &vo)) goto io_failed;
    }
write_row:
    if (sc_results_write_row(ctx->res, row)) goto io_failed;
    goto cleanup;
io_failed:
    rc = -1;
cleanup:
    nn_net_free(net);
    free(train);
    free(test);
    free(history);
    free(scores);
    free(pw);
    free(synth);
    free(synth_labels);
    free(fc.thin_buf);
    free(test_truth);
    free(metrics);
    sc_val_run_free(&vr);
    return rc;
}
