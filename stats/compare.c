/* stats/compare.c: corrected resampled paired t-test, McNemar, Holm. */
#include "stats/compare.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "stats/intervals.h"
#include "util/error.h"

int st_ttest_corrected(const double *d, int J, double test_train_ratio, double level,
                       st_ttest_result *out)
{
    st_interval ci;
    if (st_interval_corrected(d, J, test_train_ratio, level, &ci)) {
        sc_err_prefix("corrected t-test");
        return -1;
    }
    out->mean = ci.mean;
    out->sd = ci.sd;
    out->df = ci.df;
    out->lo = ci.lo;
    out->hi = ci.hi;
    out->degenerate = ci.se == 0.0;
    if (out->degenerate) {
        out->t = ci.mean == 0.0 ? 0.0 : copysign(INFINITY, ci.mean);
        out->p = ci.mean == 0.0 ? 1.0 : 0.0;
    } else {
        out->t = ci.mean / ci.se;
        out->p = fmin(1.0, 2.0 * gsl_cdf_tdist_Q(fabs(out->t), (double)out->df));
    }
    return 0;
}

int st_mcnemar(int64_t b, int64_t c, st_mcnemar_result *out)
{
    SC_CHECK(b >= 0 && c >= 0, "McNemar: discordant counts must be >= 0 (b=%lld, c=%lld)",
             (long long)b, (long long)c);
    /* gsl_cdf_binomial_P takes unsigned int counts. */
    SC_CHECK(b <= UINT_MAX - c, "McNemar: b + c too large (b=%lld, c=%lld)", (long long)b,
             (long long)c);
    out->b = b;
    out->c = c;
    int64_t n = b + c;
    out->exact_recommended = n < 25;
    if (n == 0) {
        out->chi2 = 0.0;
        out->p_chi2 = out->p_exact = 1.0;
        return 0;
    }
    /* max(0, .): with b = c the corrected difference is 0, not (-1)^2 (statsmodels and mlxtend
     * give 1/(b+c) there; every other case is identical). */
    double diff = fmax(0.0, fabs((double)(b - c)) - 1.0);
    out->chi2 = diff * diff / (double)n;
    out->p_chi2 = gsl_cdf_chisq_Q(out->chi2, 1.0);
    int64_t k = b < c ? b : c;
    out->p_exact = fmin(1.0, 2.0 * gsl_cdf_binomial_P((unsigned)k, 0.5, (unsigned)n));
    return 0;
fail:
    return -1;
}

/* 1 if every label of row is predicted right (label < 0) or the given label is. */
static int row_right(const float *s, const uint8_t *y, int l, double thr, int label)
{
    int j0 = label < 0 ? 0 : label, j1 = label < 0 ? l : label + 1;
    for (int j = j0; j < j1; j++)
        if (((double)s[j] >= thr) != (y[j] != 0)) return 0;
    return 1;
}

int st_mcnemar_counts(const float *scores_a, const float *scores_b, const uint8_t *truth,
                      int64_t n, int l, double thr, int label, int64_t *b, int64_t *c)
{
    SC_CHECK(n >= 1 && l >= 1, "McNemar: needs samples and labels (n=%lld, l=%d)", (long long)n,
             l);
    SC_CHECK(label >= -1 && label < l, "McNemar: label %d out of range [-1, %d)", label, l);
    for (int64_t i = 0; i < n * l; i++)
        SC_CHECK(isfinite(scores_a[i]) && isfinite(scores_b[i]),
                 "McNemar: score of sample %lld, label %lld is not finite", (long long)(i / l),
                 (long long)(i % l));
    *b = *c = 0;
    for (int64_t i = 0; i < n; i++) {
        int ra = row_right(scores_a + i * l, truth + i * l, l, thr, label);
        int rb = row_right(scores_b + i * l, truth + i * l, l, thr, label);
        *b += ra && !rb;
        *c += !ra && rb;
    }
    return 0;
fail:
    return -1;
}

int st_holm(const double *p, int m, double *adjusted)
{
    size_t *order = NULL;
    SC_CHECK(m >= 1, "Holm: no p-values");
    for (int i = 0; i < m; i++)
        SC_CHECK(p[i] >= 0.0 && p[i] <= 1.0, "Holm: p-value %d is %g, not in [0, 1]", i + 1,
                 p[i]);
    order = sc_xmalloc(sizeof *order * (size_t)m);
    gsl_sort_index(order, p, 1, (size_t)m);
    double running = 0.0;
    for (int k = 0; k < m; k++) {
        double v = fmin(1.0, (double)(m - k) * p[order[k]]);
        running = fmax(running, v); /* step-down: never below an earlier (smaller-p) value */
        adjusted[order[k]] = running;
    }
    free(order);
    return 0;
fail:
    return -1;
}
