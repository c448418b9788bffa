/* results/summary_compare.c: paired comparisons of every two cells on the same folds
 * (/summary/comparisons): the corrected resampled t-test on per-fold macro metrics, McNemar's
 * test on pooled out-of-fold predictions (the whole label set, and each label), and Holm's
 * adjustment within each family (one metric, or one (repeat, label), over all pairs of cells). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/summary.h"
#include "results/summary_data.h"
#include "stats/compare.h"
#include "util/error.h"

static const char *const ttest_metrics[] = {"macro_f1", "macro_accuracy"};
#define N_TTEST (int)(sizeof ttest_metrics / sizeof ttest_metrics[0])

/* Pairs of done jobs of cells a and b on the same (repeat, fold), in (repeat, fold) order;
 * r >= 0 restricts to one repeat.  Returns the number of pairs. */
static int paired_jobs(const sc_results_file *rf, const sc_cv_data *d, int a, int b, int r,
                       int *ja, int *jb)
{
    int na = sc_cv_cell_jobs(rf, d, a, r, ja), n = 0;
    for (int i = 0; i < na; i++) {
        int k = sc_cv_job_at(rf, d, b, rf->rows[ja[i]].repeat, rf->rows[ja[i]].fold);
        if (k < 0) continue;
        ja[n] = ja[i];
        jb[n++] = k;
    }
    return n;
}

int sc_holm_rows(void *rows, size_t size, size_t p_off, size_t adj_off, int n)
{
    char *base = rows;
    double *p = sc_xmalloc((size_t)(n + 1) * sizeof *p);
    double *adj = sc_xmalloc((size_t)(n + 1) * sizeof *adj);
    int *at = sc_xmalloc((size_t)(n + 1) * sizeof *at), m = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        double v;
        memcpy(&v, base + (size_t)i * size + p_off, sizeof v);
        if (!isnan(v)) {
            p[m] = v;
            at[m++] = i;
        }
    }
    if (m > 0 && st_holm(p, m, adj)) rc = -1;
    for (int i = 0; i < m && rc == 0; i++)
        memcpy(base + (size_t)at[i] * size + adj_off, &adj[i], sizeof adj[i]);
    free(p);
    free(adj);
    free(at);
    return rc;
}

int sc_paired_ttest_run(const double *diff, int n, double sum_test, double sum_train,
                        double level, sc_paired_ttest *out)
{
    out->n = n;
    out->level = level;
    out->p_holm = out->test_train_ratio = NAN;
    out->res = (st_ttest_result){.mean = NAN, .sd = NAN, .t = NAN, .df = n > 0 ? n - 1 : 0,
                                 .p = NAN, .lo = NAN, .hi = NAN, .degenerate = 1};
    if (n < 2 || sum_train <= 0) return 0; /* nothing to test: p stays NaN */
    out->test_train_ratio = sum_test / sum_train;
    return st_ttest_corrected(diff, n, out->test_train_ratio, level, &out->res);
}

int sc_paired_mcnemar_run(const float *a, const float *b, const uint8_t *truth, int64_t n, int l,
                          int label, sc_paired_mcnemar *out)
{
    out->n = n;
    out->res = (st_mcnemar_result){.chi2 = NAN, .p_chi2 = NAN, .p_exact = NAN};
    out->p = out->p_holm = NAN;
    if (n == 0) return 0;
    /* each job's decisions, at its own threshold: 0/1 at 0.5 */
    if (st_mcnemar_counts(a, b, truth, n, l, 0.5, label, &out->res.b, &out->res.c) ||
        st_mcnemar(out->res.b, out->res.c, &out->res))
        return -1;
    out->p = out->res.exact_recommended ? out->res.p_exact : out->res.p_chi2;
    return 0;
}

static int ttests(const sc_results_file *rf, const sc_cv_data *d, sc_summary *s, int *ja,
                  int *jb, double *diff)
{
    int C = s->n_cells, pairs = C * (C - 1) / 2;
    s->ttest = sc_xcalloc((size_t)(N_TTEST * pairs + 1), sizeof *s->ttest);
    for (int k = 0; k < N_TTEST; k++) {
        int mi = sc_results_metric_index(rf, ttest_metrics[k]);
        SC_CHECK(mi >= 0, "%s: /jobs/0000/metrics: no metric named %s", rf->path,
                 ttest_metrics[k]);
        sc_ttest_row *family = s->ttest + s->n_ttest;
        for (int a = 0; a < C; a++)
            for (int b = a + 1; b < C; b++) {
                sc_ttest_row *t = &s->ttest[s->n_ttest++];
                sc_summary_cell_names(s, a, t->a_architecture, t->a_augmentation);
                sc_summary_cell_names(s, b, t->b_architecture, t->b_augmentation);
                t->cell_a = a;
                t->cell_b = b;
                snprintf(t->metric, sizeof t->metric, "%s", ttest_metrics[k]);
                int n = paired_jobs(rf, d, a, b, -1, ja, jb);
                double sum_test = 0, sum_train = 0;
                int J = 0;
                for (int i = 0; i < n; i++) {
                    double v = d->metrics[ja[i]][mi] - d->metrics[jb[i]][mi];
                    if (!isfinite(v)) continue;
                    diff[J++] = v;
                    sum_test += (double)rf->rows[ja[i]].n_test;
                    sum_train += (double)rf->rows[ja[i]].n_train;
                }
                if (sc_paired_ttest_run(diff, J, sum_test, sum_train, rf->confidence, &t->tt)) {
                    sc_err_prefix("%s: %s of %s/%s vs %s/%s", rf->path, t->metric,
                                  t->a_augmentation, t->a_architecture, t->b_augmentation,
                                  t->b_architecture);
                    goto fail;
                }
            }
        SC_TRY(sc_holm_rows(family, sizeof *family, offsetof(sc_ttest_row, tt.res.p),
                            offsetof(sc_ttest_row, tt.p_holm), pairs));
    }
    return 0;
fail:
    return -1;
}

static int mcnemars(const sc_results_file *rf, const sc_cv_data *d, sc_summary *s, int *ja,
                    int *jb)
{
    int C = s->n_cells, pairs = C * (C - 1) / 2, l = rf->l;
    sc_pool pa = {0}, pb = {0};
    s->mcnemar = sc_xcalloc((size_t)(rf->repeats * (l + 1) * pairs + 1), sizeof *s->mcnemar);
    for (int r = 0; r < rf->repeats; r++)
        for (int lab = -1; lab < l; lab++) {
            sc_mcnemar_row *family = s->mcnemar + s->n_mcnemar;
            for (int a = 0; a < C; a++)
                for (int b = a + 1; b < C; b++) {
                    sc_mcnemar_row *m = &s->mcnemar[s->n_mcnemar++];
                    sc_summary_cell_names(s, a, m->a_architecture, m->a_augmentation);
                    sc_summary_cell_names(s, b, m->b_architecture, m->b_augmentation);
                    m->cell_a = a;
                    m->cell_b = b;
                    m->repeat = r;
                    snprintf(m->label, sizeof m->label, "%s",
                             lab < 0 ? "set" : rf->label_names[lab]);
                    int n = paired_jobs(rf, d, a, b, r, ja, jb);
                    sc_pool_jobs(rf, d, ja, n, &pa);
                    sc_pool_jobs(rf, d, jb, n, &pb);
                    if (sc_paired_mcnemar_run(pa.decision, pb.decision, pa.truth, pa.m, l, lab,
                                              &m->mc)) {
                        sc_err_prefix("%s: McNemar of %s/%s vs %s/%s", rf->path,
                                      m->a_augmentation, m->a_architecture, m->b_augmentation,
                                      m->b_architecture);
                        goto fail;
                    }
                    sc_pool_free(&pa);
                    sc_pool_free(&pb);
                }
            SC_TRY(sc_holm_rows(family, sizeof *family, offsetof(sc_mcnemar_row, mc.p),
                                offsetof(sc_mcnemar_row, mc.p_holm), pairs));
        }
    return 0;
fail:
    sc_pool_free(&pa);
    sc_pool_free(&pb);
    return -1;
}

int sc_summary_compare(const sc_results_file *rf, const sc_cv_data *d, sc_summary *s)
{
    int *ja = sc_xmalloc((size_t)rf->n_jobs * sizeof *ja);
    int *jb = sc_xmalloc((size_t)rf->n_jobs * sizeof *jb);
    double *diff = sc_xmalloc((size_t)rf->n_jobs * sizeof *diff);
    int rc = -1;
    SC_TRY(ttests(rf, d, s, ja, jb, diff));
    SC_TRY(mcnemars(rf, d, s, ja, jb));
    rc = 0;
fail:
    free(ja);
    free(jb);
    free(diff);
    return rc;
}
