/* stats/auc.c: AUC and DeLong's (co)variance by midranks (Sun & Xu 2014).
 *
 * For m positives X and n negatives Y, with T_X, T_Y the midranks of each group within itself
 * and T_Z the midranks within the pooled scores, the DeLong placements are
 *     V10(X_i) = (T_Z(X_i) - T_X(X_i)) / n       (share of negatives below X_i, ties 1/2)
 *     V01(Y_j) = 1 - (T_Z(Y_j) - T_Y(Y_j)) / m   (share of positives above Y_j, ties 1/2)
 * AUC is the mean of either, S10 and S01 are their sample (co)variances over classifiers, and
 * Var(AUC) = S10/m + S01/n.  Sorting makes it O(N log N) instead of the O(mn) pair sum. */
#include "stats/auc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

#include "util/error.h"

/* Midranks (1-based, ties share the mean of their ranks) of x[0..n) into rank. */
static void midranks(const double *x, size_t n, size_t *perm, double *rank)
{
    gsl_sort_index(perm, x, 1, n);
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && x[perm[j]] == x[perm[i]]) j++;
        double r = 0.5 * (double)(i + j - 1) + 1.0;
        for (size_t k = i; k < j; k++) rank[perm[k]] = r;
        i = j;
    }
}

/* DeLong placements of K score vectors on the same samples. */
typedef struct {
    int K;
    int64_t m, n;  /* positives, negatives */
    double *auc;   /* [K] */
    double *v10;   /* [K][m] */
    double *v01;   /* [K][n] */
} placements;

static void placements_free(placements *p)
{
    free(p->auc);
    free(p->v10);
    free(p->v01);
}

static int placements_compute(const double *const *s, int K, const uint8_t *truth, int64_t n,
                              placements *p)
{
    int rc = -1;
    double *z = NULL, *tz = NULL, *tx = NULL, *ty = NULL;
    size_t *perm = NULL;
    p->K = K;
    p->auc = p->v10 = p->v01 = NULL;
    SC_CHECK(n >= 2, "AUC: expected at least 2 samples, got %lld", (long long)n);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) m += truth[i] != 0;
    int64_t nn = n - m;
    SC_CHECK(m > 0 && nn > 0, "AUC: undefined without both classes (%lld positive, %lld negative)",
             (long long)m, (long long)nn);
    for (int k = 0; k < K; k++)
        for (int64_t i = 0; i < n; i++)
            SC_CHECK(isfinite(s[k][i]), "AUC: score %lld of classifier %d is not finite",
                     (long long)i, k + 1);
    p->m = m;
    p->n = nn;
    p->auc = sc_xmalloc(sizeof *p->auc * (size_t)K);
    p->v10 = sc_xmalloc(sizeof *p->v10 * (size_t)(K * m));
    p->v01 = sc_xmalloc(sizeof *p->v01 * (size_t)(K * nn));
    z = sc_xmalloc(sizeof *z * (size_t)n);
    tz = sc_xmalloc(sizeof *tz * (size_t)n);
    tx = sc_xmalloc(sizeof *tx * (size_t)m);
    ty = sc_xmalloc(sizeof *ty * (size_t)nn);
    perm = sc_xmalloc(sizeof *perm * (size_t)n);
    for (int k = 0; k < K; k++) {
        /* z = positives first, then negatives, each in sample order. */
        int64_t a = 0, b = m;
        for (int64_t i = 0; i < n; i++) z[truth[i] ? a++ : b++] = s[k][i];
        midranks(z, (size_t)n, perm, tz);
        midranks(z, (size_t)m, perm, tx);
        midranks(z + m, (size_t)nn, perm, ty);
        double *v10 = p->v10 + k * m, *v01 = p->v01 + k * nn, sum = 0;
        for (int64_t i = 0; i < m; i++) {
            v10[i] = (tz[i] - tx[i]) / (double)nn;
            sum += v10[i];
        }
        for (int64_t j = 0; j < nn; j++) v01[j] = 1.0 - (tz[m + j] - ty[j]) / (double)m;
        p->auc[k] = sum / (double)m;
    }
    rc = 0;
fail:
    free(z);
    free(tz);
    free(tx);
    free(ty);
    free(perm);
    if (rc) placements_free(p);
    return rc;
}

/* DeLong covariance of AUC a and AUC b: S10[a][b]/m + S01[a][b]/n. */
static double delong_cov(const placements *p, int a, int b)
{
    const double *xa = p->v10 + a * p->m, *xb = p->v10 + b * p->m;
    const double *ya = p->v01 + a * p->n, *yb = p->v01 + b * p->n;
    double s10 = 0, s01 = 0;
    for (int64_t i = 0; i < p->m; i++) s10 += (xa[i] - p->auc[a]) * (xb[i] - p->auc[b]);
    for (int64_t j = 0; j < p->n; j++) s01 += (ya[j] - p->auc[a]) * (yb[j] - p->auc[b]);
    s10 /= (double)(p->m - 1);
    s01 /= (double)(p->n - 1);
    return s10 / (double)p->m + s01 / (double)p->n;
}

int st_auc(const double *score, const uint8_t *truth, int64_t n, double *auc)
{
    placements p;
    if (placements_compute(&score, 1, truth, n, &p)) return -1;
    *auc = p.auc[0];
    placements_free(&p);
    return 0;
}

/* DeLong needs m - 1 > 0 and n - 1 > 0. */
static int check_variance_defined(const placements *p)
{
    SC_CHECK(p->m >= 2 && p->n >= 2,
             "AUC variance: needs at least 2 positives and 2 negatives (got %lld and %lld)",
             (long long)p->m, (long long)p->n);
    return 0;
fail:
    return -1;
}

int st_auc_delong(const double *score, const uint8_t *truth, int64_t n, double level,
                  st_auc_result *r)
{
    placements p;
    SC_CHECK(level > 0.0 && level < 1.0, "AUC interval: level must be in (0, 1), got %g", level);
    SC_TRY(placements_compute(&score, 1, truth, n, &p));
    if (check_variance_defined(&p)) {
        placements_free(&p);
        return -1;
    }
    r->auc = p.auc[0];
    r->var = fmax(0.0, delong_cov(&p, 0, 0));
    r->n_pos = p.m;
    r->n_neg = p.n;
    double half = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * level) * sqrt(r->var);
    r->lo = fmax(0.0, r->auc - half);
    r->hi = fmin(1.0, r->auc + half);
    placements_free(&p);
    return 0;
fail:
    return -1;
}

int st_delong_test(const double *s1, const double *s2, const uint8_t *truth, int64_t n,
                   st_delong_result *r)
{
    const double *s[2] = {s1, s2};
    placements p;
    if (placements_compute(s, 2, truth, n, &p)) return -1;
    if (check_variance_defined(&p)) {
        placements_free(&p);
        return -1;
    }
    r->auc1 = p.auc[0];
    r->auc2 = p.auc[1];
    r->var1 = delong_cov(&p, 0, 0);
    r->var2 = delong_cov(&p, 1, 1);
    r->cov = delong_cov(&p, 0, 1);
    double diff = r->auc1 - r->auc2;
    double v = r->var1 + r->var2 - 2.0 * r->cov;
    /* Identical or rank-equivalent scores give v = 0 up to rounding: judge against the scale of
     * the individual variances, not against exact zero. */
    double tiny = 1e-12 * (r->var1 + r->var2) + 1e-300;
    r->degenerate = v <= tiny;
    if (r->degenerate) {
        /* Distinct AUCs differ by at least 1/(2mn) (they are multiples of it). */
        int equal = fabs(diff) < 0.25 / ((double)p.m * (double)p.n);
        r->z = equal ? 0.0 : copysign(INFINITY, diff);
        r->p = equal ? 1.0 : 0.0;
    } else {
        r->z = diff / sqrt(v);
        r->p = fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(fabs(r->z)));
    }
    placements_free(&p);
    return 0;
}
