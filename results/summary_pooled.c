/* results/summary_pooled.c: the statistics of pooled out-of-fold predictions, per cell and
 * repeat: proportions with Wilson and Clopper-Pearson intervals (/summary/pooled), AUC with
 * DeLong's interval (/summary/auc) and BCa bootstrap intervals over patients of macro metrics
 * (/summary/bootstrap).  One repeat at a time, so that every scan counts once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/summary.h"
#include "results/summary_data.h"
#include "stats/auc.h"
#include "stats/bootstrap.h"
#include "stats/intervals.h"
#include "stats/metrics.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/rng.h"
#include "util/seeds.h"

/* The proportions of one label's (or the micro) counts, in this order. */
static const char *const prop_names[4] = {"accuracy", "precision", "sensitivity", "specificity"};

static void proportions(const int64_t c[4], int64_t x[4], int64_t n[4])
{
    x[0] = c[ST_TP] + c[ST_TN];
    n[0] = c[ST_TP] + c[ST_FP] + c[ST_FN] + c[ST_TN];
    x[1] = c[ST_TP];
    n[1] = c[ST_TP] + c[ST_FP];
    x[2] = c[ST_TP];
    n[2] = c[ST_TP] + c[ST_FN];
    x[3] = c[ST_TN];
    n[3] = c[ST_TN] + c[ST_FP];
}

/* Where a pooled quantity comes from: cell c, repeat r, the done jobs of it. */
typedef struct {
    int c, r;
    int n_folds; /* jobs of the cell in that repeat, done or not */
    int n_done;
} pool_key;

static int add_prop(sc_summary *s, const sc_results_file *rf, const pool_key *k,
                    const char *label, const char *metric, int64_t x, int64_t n)
{
    sc_pooled_row *p = &s->pooled[s->n_pooled++];
    memset(p, 0, sizeof *p);
    sc_summary_cell_names(s, k->c, p->architecture, p->augmentation);
    p->cell = k->c;
    p->repeat = k->r;
    p->n_folds = k->n_folds;
    p->n_folds_done = k->n_done;
    snprintf(p->label, sizeof p->label, "%s", label);
    snprintf(p->metric, sizeof p->metric, "%s", metric);
    p->x = x;
    p->n = n;
    p->level = rf->confidence;
    p->value = p->wilson_lo = p->wilson_hi = p->cp_lo = p->cp_hi = NAN;
    if (n == 0) return 0; /* undefined: nothing pooled, or no case of this kind */
    p->value = (double)x / (double)n;
    SC_TRY(st_wilson(x, n, rf->confidence, &p->wilson_lo, &p->wilson_hi));
    SC_TRY(st_clopper_pearson(x, n, rf->confidence, &p->cp_lo, &p->cp_hi));
    return 0;
fail:
    sc_err_prefix("%s: pooled %s %s of %s/%s", rf->path, label, metric, p->augmentation,
                  p->architecture);
    return -1;
}

/* AUC of label j over the pool (score and truth columns in col, y). */
static int add_auc(sc_summary *s, const sc_results_file *rf, const pool_key *k, int j,
                   const sc_pool *pool, double *col, uint8_t *y)
{
    sc_auc_row *a = &s->auc[s->n_auc++];
    memset(a, 0, sizeof *a);
    sc_summary_cell_names(s, k->c, a->architecture, a->augmentation);
    a->cell = k->c;
    a->repeat = k->r;
    snprintf(a->label, sizeof a->label, "%s", rf->label_names[j]);
    a->level = rf->confidence;
    a->auc = a->var = a->lo = a->hi = NAN;
    for (int64_t i = 0; i < pool->m; i++) {
        col[i] = pool->scores[i * rf->l + j];
        y[i] = pool->truth[i * rf->l + j] != 0;
        a->n_pos += y[i];
    }
    a->n_neg = pool->m - a->n_pos;
    if (a->n_pos < 2 || a->n_neg < 2) return 0; /* DeLong's variance needs two of each */
    st_auc_result res;
    if (st_auc_delong(col, y, pool->m, rf->confidence, &res)) {
        sc_err_prefix("%s: AUC of %s for %s/%s", rf->path, a->label, a->augmentation,
                      a->architecture);
        return -1;
    }
    a->auc = res.auc;
    a->var = res.var;
    a->lo = res.lo;
    a->hi = res.hi;
    return 0;
}

static int count_folds(const sc_results_file *rf, const sc_cv_data *d, int c, int r)
{
    int n = 0;
    for (int j = 0; j < rf->n_jobs; j++) n += d->cell[j] == c && rf->rows[j].repeat == r;
    return n;
}

int sc_summary_pooled(const sc_results_file *rf, const sc_cv_data *d, sc_summary *s)
{
    int l = rf->l, R = rf->repeats, C = s->n_cells;
    int *jobs = sc_xmalloc((size_t)rf->n_jobs * sizeof *jobs);
    double *col = NULL;
    uint8_t *y = NULL;
    sc_pool pool = {0};
    s->pooled = sc_xcalloc((size_t)C * (size_t)R * (size_t)(4 * (l + 1) + 1), sizeof *s->pooled);
    s->auc = sc_xcalloc((size_t)C * (size_t)R * (size_t)l, sizeof *s->auc);
    for (int c = 0; c < C; c++)
        for (int r = 0; r < R; r++) {
            pool_key k = {c, r, count_folds(rf, d, c, r), sc_cv_cell_jobs(rf, d, c, r, jobs)};
            /* counts [l + 1][4]: each label, then micro (the sum over labels) */
            int64_t cnt[(16 + 1) * 4] = {0};
            for (int i = 0; i < k.n_done; i++)
                for (int q = 0; q < 4 * l; q++) cnt[q] += d->counts[jobs[i]][q];
            for (int j = 0; j < l; j++)
                for (int q = 0; q < 4; q++) cnt[4 * l + q] += cnt[4 * j + q];
            for (int j = 0; j <= l; j++) {
                int64_t x[4], n[4];
                proportions(cnt + 4 * j, x, n);
                for (int q = 0; q < 4; q++)
                    SC_TRY(add_prop(s, rf, &k, j < l ? rf->label_names[j] : "micro",
                                    prop_names[q], x[q], n[q]));
            }
            sc_pool_jobs(rf, d, jobs, k.n_done, &pool);
            int64_t right = 0;
            for (int64_t i = 0; i < pool.m; i++) {
                int ok = 1;
                for (int j = 0; j < l; j++)
                    ok &= (pool.decision[i * l + j] != 0.0f) == (pool.truth[i * l + j] != 0);
                right += ok;
            }
            SC_TRY(add_prop(s, rf, &k, "set", "subset_accuracy", right, pool.m));
            col = sc_xrealloc(col, (size_t)(pool.m + 1) * sizeof *col);
            y = sc_xrealloc(y, (size_t)(pool.m + 1));
            for (int j = 0; j < l; j++) SC_TRY(add_auc(s, rf, &k, j, &pool, col, y));
            sc_pool_free(&pool);
        }
    free(jobs);
    free(col);
    free(y);
    return 0;
fail:
    sc_pool_free(&pool);
    free(jobs);
    free(col);
    free(y);
    return -1;
}

/* The bootstrapped macro metrics (pooled statistic st_stat_pooled_metric). */
static const struct {
    const char *name;
    int which;
} boot_metrics[] = {{"macro_f1", ST_POOLED_MACRO + ST_F1},
                    {"macro_accuracy", ST_POOLED_MACRO + ST_ACC}};
#define N_BOOT (int)(sizeof boot_metrics / sizeof boot_metrics[0])

int sc_summary_bootstrap(const sc_results_file *rf, const sc_cv_data *d, sc_summary *s)
{
    int R = rf->repeats, C = s->n_cells;
    int *jobs = sc_xmalloc((size_t)rf->n_jobs * sizeof *jobs);
    sc_pool pool = {0};
    s->boot = sc_xcalloc((size_t)C * (size_t)R * N_BOOT, sizeof *s->boot);
    for (int c = 0; c < C; c++)
        for (int r = 0; r < R; r++) {
            int n_done = sc_cv_cell_jobs(rf, d, c, r, jobs);
            sc_pool_jobs(rf, d, jobs, n_done, &pool);
            for (int k = 0; k < N_BOOT; k++) {
                sc_boot_row *b = &s->boot[s->n_boot++];
                memset(b, 0, sizeof *b);
                sc_summary_cell_names(s, c, b->architecture, b->augmentation);
                b->cell = c;
                b->repeat = r;
                snprintf(b->metric, sizeof b->metric, "%s", boot_metrics[k].name);
                b->n_samples = pool.m;
                b->resamples = s->bootstrap;
                b->level = rf->confidence;
                /* Seeded from the file's seed and the coordinates (cell names, repeat,
                 * metric): the same file gives the same interval, whatever else it holds. */
                const uint64_t coords[5] = {
                    SC_SEED_BOOTSTRAP, sc_hash(b->architecture, strlen(b->architecture)),
                    sc_hash(b->augmentation, strlen(b->augmentation)), (uint64_t)r,
                    sc_hash(b->metric, strlen(b->metric))};
                b->seed = sc_seed_mix(rf->seed, 5, coords);
                b->estimate = b->lo = b->hi = b->z0 = b->accel = NAN;
                b->degenerate = -1;
                if (pool.m == 0) continue;
                /* the jobs' decisions (at their own thresholds), as 0/1 scores at 0.5 */
                st_pooled_metric ctx = {.scores = pool.decision, .truth = pool.truth, .l = rf->l,
                                        .thr = 0.5, .which = boot_metrics[k].which};
                st_bca_result res;
                if (st_bca_clusters(pool.m, pool.patient, st_stat_pooled_metric, &ctx,
                                    s->bootstrap, rf->confidence, b->seed, &res)) {
                    sc_err_prefix("%s: bootstrap of %s for %s/%s", rf->path, b->metric,
                                  b->augmentation, b->architecture);
                    goto fail;
                }
                b->n_patients = res.n_clusters;
                b->estimate = res.estimate;
                b->lo = res.lo;
                b->hi = res.hi;
                b->z0 = res.z0;
                b->accel = res.accel;
                b->degenerate = res.degenerate;
            }
            sc_pool_free(&pool);
        }
    free(jobs);
    return 0;
fail:
    sc_pool_free(&pool);
    free(jobs);
    return -1;
}
