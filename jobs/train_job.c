/* jobs/train_job.c: see train_job.h. */
#include "jobs/train_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment/geometric.h"
#include "folds/folds.h"
#include "nn/nn.h"
#include "stats/job_metrics.h"
#include "stats/metrics.h"
#include "util/error.h"
#include "util/sys.h"

/* The training set as nn_fit sees it: sample s is copy s / n_train of scan
 * train_idx[s % n_train]; copy 0 is the original, copies >= 1 geometric transforms. */
typedef struct {
    const sc_job_ctx *ctx;
    const sc_job *job;
    const int64_t *train_idx;
    int64_t n_train;
    int geometric;
} fill_ctx;

static int fill_batch(void *p, const int64_t *idx, int b, float *x, float *y)
{
    const fill_ctx *f = p;
    const sc_experiment *e = f->ctx->e;
    const int v = f->ctx->v, h = e->in_h, w = e->in_w, l = f->ctx->l;
    const size_t per = (size_t)v * h * w;
    for (int i = 0; i < b; i++) {
        int64_t scan = f->train_idx[idx[i] % f->n_train];
        int copy = (int)(idx[i] / f->n_train);
        const float *src = f->ctx->images + (size_t)scan * per;
        if (copy == 0 || !f->geometric) {
            memcpy(x + (size_t)i * per, src, per * sizeof *x);
        } else {
            aug_geo_params gp;
            aug_geo_draw(&e->geometric, f->job->seed, scan, copy, h, w, &gp);
            aug_geo_apply(&gp, src, v, h, w, x + (size_t)i * per);
        }
        for (int j = 0; j < l; j++) y[(size_t)i * l + j] = f->ctx->truth[scan * l + j];
    }
    return 0;
}

/* Balanced positive weights: negatives / positives per label on the training scans, capped
 * so that a label with a handful of positives cannot dominate the loss. */
static void balanced_pos_weight(const sc_job_ctx *ctx, const int64_t *train, int64_t nt,
                                float *pw)
{
    for (int j = 0; j < ctx->l; j++) {
        int64_t pos = 0;
        for (int64_t i = 0; i < nt; i++) pos += ctx->truth[train[i] * ctx->l + j];
        double r = pos > 0 ? (double)(nt - pos) / (double)pos : 1.0;
        pw[j] = (float)fmin(fmax(r, 0.01), 100.0);
    }
}

int sc_train_job(sc_job_ctx *ctx, int job_id, sc_job_row *row)
{
    const sc_experiment *e = ctx->e;
    const sc_job *job = &ctx->jobs[job_id];
    const int l = ctx->l;
    const size_t per = (size_t)ctx->v * e->in_h * e->in_w;
    double t0 = sc_now();
    int rc = 0;
    nn_net *net = NULL;
    int64_t *train = sc_xmalloc((size_t)ctx->n * sizeof *train);
    int64_t *test = sc_xmalloc((size_t)ctx->n * sizeof *test);
    float *history = sc_xcalloc((size_t)e->epochs, sizeof *history);
    float *scores = NULL, *pw = NULL;
    uint8_t *test_truth = NULL;
    int64_t counts[16 * 4];
    double *metrics = NULL;
    int n_metrics = st_job_metrics_count(l);

    sc_grid_row(e, job, row);
    row->rank = ctx->rank;
    const int16_t *assign = ctx->assignment + (int64_t)job->repeat * ctx->n;
    int64_t n_train = sc_folds_indices(assign, ctx->n, job->fold, 0, train);
    int64_t n_test = sc_folds_indices(assign, ctx->n, job->fold, 1, test);

    nn_set_threads(ctx->threads);
    const sc_train_cfg *t = &e->arch[job->arch].train;
    nn_shape shape = {ctx->v, e->in_h, e->in_w, l, t->batch};
    net = nn_net_build(e->arch[job->arch].path, &shape);
    if (!net) goto job_failed;
    nn_net_init(net, job->init_seed);

    fill_ctx fc = {ctx, job, train, n_train, e->aug[job->aug].kind == SC_AUG_GEOMETRIC};
    int64_t n_samples = n_train * (fc.geometric ? 1 + e->geometric.copies : 1);
    nn_train_cfg tc = {.epochs = e->epochs, .batch = t->batch, .optim = t->optim,
                       .seed = job->seed, .pos_weight = NULL};
    if (t->pos_weight == SC_POSW_BALANCED) {
        pw = sc_xmalloc((size_t)l * sizeof *pw);
        balanced_pos_weight(ctx, train, n_train, pw);
        tc.pos_weight = pw;
    }
    if (nn_fit(net, &tc, n_samples, fill_batch, &fc, history)) goto job_failed;

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
    st_counts_from_scores(scores, test_truth, n_test, l, e->threshold, counts);
    metrics = sc_xmalloc((size_t)n_metrics * sizeof *metrics);
    if (st_job_metrics(scores, test_truth, n_test, l, e->threshold, metrics)) goto job_failed;

    row->status = SC_JOB_DONE;
    row->seconds = sc_now() - t0;
    if (sc_results_write_job(ctx->res, job_id, scores, counts, metrics, history)) goto io_failed;
    goto write_row;

job_failed:
    row->status = SC_JOB_FAILED;
    row->seconds = sc_now() - t0;
    snprintf(row->message, sizeof row->message, "%s", sc_err_msg());
    /* Keep what was learned before the failure (e.g. the loss curve up to a NaN). */
    if (sc_results_write_job(ctx->res, job_id, NULL, NULL, NULL, history)) goto io_failed;
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
    free(test_truth);
    free(metrics);
    return rc;
}
