/* results/summary_data.c: see summary_data.h. */
#include "results/summary_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* A done job's outputs must be usable as they are: every later step trusts them. */
static int check_job(const sc_results_file *rf, const sc_cv_data *d, int j)
{
    int64_t nt = rf->rows[j].n_test;
    for (int64_t i = 0; i < nt; i++)
        SC_CHECK(d->index[j][i] >= 0 && d->index[j][i] < rf->n,
                 "%s: /jobs/%04d/test_index: entry %lld (%d) is not a scan index", rf->path, j,
                 (long long)i, d->index[j][i]);
    for (int64_t i = 0; i < nt * rf->l; i++)
        SC_CHECK(isfinite(d->scores[j][i]), "%s: /jobs/%04d/scores: a done job with a "
                 "non-finite score (scan %lld)", rf->path, j, (long long)(i / rf->l));
    for (int k = 0; k < 4 * rf->l; k++)
        SC_CHECK(d->counts[j][k] >= 0, "%s: /jobs/%04d/counts: a done job with unwritten "
                 "counts", rf->path, j);
    return 0;
fail:
    return -1;
}

int sc_cv_load(const sc_results_file *rf, int n_cells, const char (*cell_arch)[SC_ROW_NAME],
               const char (*cell_aug)[SC_ROW_NAME], sc_cv_data *d)
{
    memset(d, 0, sizeof *d);
    d->n_jobs = rf->n_jobs;
    d->l = rf->l;
    d->epochs = rf->epochs;
    d->n_metrics = rf->n_metrics;
    size_t nj = (size_t)rf->n_jobs;
    d->cell = sc_xmalloc(nj * sizeof *d->cell);
    d->index = sc_xcalloc(nj, sizeof *d->index);
    d->scores = sc_xcalloc(nj, sizeof *d->scores);
    d->counts = sc_xcalloc(nj, sizeof *d->counts);
    d->metrics = sc_xcalloc(nj, sizeof *d->metrics);
    d->history = sc_xcalloc(nj, sizeof *d->history);
    d->thresholds = sc_xcalloc(nj, sizeof *d->thresholds);
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        d->cell[j] = -1;
        for (int c = 0; c < n_cells; c++)
            if (!strcmp(cell_arch[c], r->architecture) && !strcmp(cell_aug[c], r->augmentation))
                d->cell[j] = c;
        if (r->status != SC_JOB_DONE) continue;
        SC_CHECK(r->n_test >= 1 && r->n_test <= rf->n, "%s: /jobs/table: job %d: n_test %lld "
                 "out of range", rf->path, j, (long long)r->n_test);
        size_t nt = (size_t)r->n_test;
        d->index[j] = sc_xmalloc(nt * sizeof **d->index);
        d->scores[j] = sc_xmalloc(nt * (size_t)rf->l * sizeof **d->scores);
        d->counts[j] = sc_xmalloc(4 * (size_t)rf->l * sizeof **d->counts);
        d->metrics[j] = sc_xmalloc((size_t)rf->n_metrics * sizeof **d->metrics);
        d->history[j] = sc_xmalloc((size_t)rf->epochs * sizeof **d->history);
        SC_TRY(sc_results_read_job(rf, j, d->index[j], d->scores[j], d->counts[j],
                                   d->metrics[j], d->history[j]));
        SC_TRY(check_job(rf, d, j));
        sc_val_result v;
        const int got = sc_results_read_val(rf, j, &v);
        SC_TRY(got < 0);
        if (got == 0) {
            sc_val_result_free(&v);
            d->thresholds[j] = sc_xmalloc((size_t)rf->l * sizeof **d->thresholds);
            for (int k = 0; k < rf->l; k++) {
                SC_CHECK(v.thresholds[k] >= 0 && v.thresholds[k] <= 1, "%s: /jobs/%04d/"
                         "thresholds: a done job without its thresholds", rf->path, j);
                d->thresholds[j][k] = v.thresholds[k];
            }
        }
    }
    return 0;
fail:
    sc_cv_free(d);
    return -1;
}

void sc_cv_free(sc_cv_data *d)
{
    for (int j = 0; d->index && j < d->n_jobs; j++) {
        free(d->index[j]);
        free(d->scores[j]);
        free(d->counts[j]);
        free(d->metrics[j]);
        free(d->history[j]);
        if (d->thresholds) free(d->thresholds[j]);
    }
    free(d->thresholds);
    free(d->cell);
    free(d->index);
    free(d->scores);
    free(d->counts);
    free(d->metrics);
    free(d->history);
    memset(d, 0, sizeof *d);
}

void sc_pool_jobs(const sc_results_file *rf, const sc_cv_data *d, const int *jobs, int n,
                  sc_pool *p)
{
    int l = rf->l;
    memset(p, 0, sizeof *p);
    for (int k = 0; k < n; k++) p->m += rf->rows[jobs[k]].n_test;
    size_t m = (size_t)p->m;
    p->sample = sc_xmalloc(m * sizeof *p->sample);
    p->job = sc_xmalloc(m * sizeof *p->job);
    p->scores = sc_xmalloc(m * (size_t)l * sizeof *p->scores);
    p->decision = sc_xmalloc(m * (size_t)l * sizeof *p->decision);
    p->truth = sc_xmalloc(m * (size_t)l * sizeof *p->truth);
    p->patient = sc_xmalloc(m * sizeof *p->patient);
    int64_t at = 0;
    for (int k = 0; k < n; k++) {
        int j = jobs[k];
        for (int64_t i = 0; i < rf->rows[j].n_test; i++, at++) {
            int32_t s = d->index[j][i];
            p->sample[at] = s;
            p->job[at] = j;
            memcpy(p->scores + at * l, d->scores[j] + i * l, (size_t)l * sizeof *p->scores);
            for (int k = 0; k < l; k++) {
                const double t = d->thresholds[j] ? d->thresholds[j][k] : rf->threshold;
                p->decision[at * l + k] = (double)d->scores[j][i * l + k] >= t ? 1.0f : 0.0f;
            }
            memcpy(p->truth + at * l, rf->truth + (int64_t)s * l, (size_t)l);
            p->patient[at] = rf->patient[s];
        }
    }
}

void sc_pool_free(sc_pool *p)
{
    free(p->sample);
    free(p->job);
    free(p->scores);
    free(p->decision);
    free(p->truth);
    free(p->patient);
    memset(p, 0, sizeof *p);
}

int sc_cv_job_at(const sc_results_file *rf, const sc_cv_data *d, int c, int repeat, int fold)
{
    for (int j = 0; j < rf->n_jobs; j++)
        if (d->cell[j] == c && d->scores[j] && rf->rows[j].repeat == repeat &&
            rf->rows[j].fold == fold)
            return j;
    return -1;
}

int sc_cv_cell_jobs(const sc_results_file *rf, const sc_cv_data *d, int c, int r, int *jobs)
{
    int n = 0;
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *row = &rf->rows[j];
        if (d->cell[j] != c || !d->scores[j] || (r >= 0 && row->repeat != r)) continue;
        /* insertion by (repeat, fold): the order pooled samples are aligned in */
        int at = n++;
        while (at > 0) {
            const sc_job_row *prev = &rf->rows[jobs[at - 1]];
            if (prev->repeat < row->repeat ||
                (prev->repeat == row->repeat && prev->fold <= row->fold))
                break;
            jobs[at] = jobs[at - 1];
            at--;
        }
        jobs[at] = j;
    }
    return n;
}
