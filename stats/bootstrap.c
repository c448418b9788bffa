/* stats/bootstrap.c: BCa bootstrap over clusters (patients), after scipy's _bca_interval.
 *
 *   z0     = Phi^-1(p0),  p0 = (#{theta*_b < theta} + #{theta*_b <= theta}) / (2B)
 *            (ties count one half, as scipy's _percentile_of_score since 1.10; this matters
 *            for metrics of thresholded predictions, where many resamples tie the estimate)
 *   a      = sum (mean_J - theta_(g))^3 / (6 [sum (mean_J - theta_(g))^2]^(3/2)),
 *            theta_(g) = the statistic without patient g
 *   alpha1 = Phi(z0 + (z0 + z_{a/2}) / (1 - a (z0 + z_{a/2}))), alpha2 likewise with z_{1-a/2}
 *   [lo, hi] = the alpha1, alpha2 quantiles of the sorted theta*_b, linear interpolation at
 *            (B-1) f (gsl_stats_quantile_from_sorted_data = numpy's default percentile). */
#include "stats/bootstrap.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "util/error.h"

/* Samples grouped by cluster: order[start[g] .. start[g+1]) are the samples of cluster g, clusters
 * in increasing id, samples in increasing index (a fixed order, so a seed fixes the result). */
typedef struct {
    int64_t G;
    int64_t *order; /* [n] */
    int64_t *start; /* [G + 1] */
} clusters;

typedef struct {
    int64_t id, i;
} id_index;

static int cmp_id_index(const void *a, const void *b)
{
    const id_index *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static void clusters_build(int64_t n, const int64_t *cluster, clusters *c)
{
    id_index *tmp = sc_xmalloc(sizeof *tmp * (size_t)n);
    for (int64_t i = 0; i < n; i++) tmp[i] = (id_index){cluster[i], i};
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_id_index);
    c->order = sc_xmalloc(sizeof *c->order * (size_t)n);
    c->start = sc_xmalloc(sizeof *c->start * (size_t)(n + 1));
    c->G = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i == 0 || tmp[i].id != tmp[i - 1].id) c->start[c->G++] = i;
        c->order[i] = tmp[i].i;
    }
    c->start[c->G] = n;
    free(tmp);
}

/* Append the samples of cluster g to *buf (grown as needed). */
static void append_cluster(const clusters *c, int64_t g, int64_t **buf, int64_t *len, int64_t *cap)
{
    int64_t k = c->start[g + 1] - c->start[g];
    if (*len + k > *cap) {
        *cap = 2 * (*len + k);
        *buf = sc_xrealloc(*buf, sizeof **buf * (size_t)*cap);
    }
    for (int64_t s = 0; s < k; s++) (*buf)[(*len)++] = c->order[c->start[g] + s];
}

static int eval_stat(st_statistic_fn stat, void *ctx, const int64_t *idx, int64_t m,
                     const char *what, int64_t which, double *v)
{
    if (stat(idx, m, ctx, v)) {
        sc_err_prefix("BCa bootstrap: statistic on %s %lld", what, (long long)which);
        return -1;
    }
    SC_CHECK(isfinite(*v), "BCa bootstrap: statistic on %s %lld is not finite", what,
             (long long)which);
    return 0;
fail:
    return -1;
}

/* Acceleration from jackknife values; flags ST_BCA_ACCEL_UNDEFINED when they do not vary. */
static double acceleration(const double *jack, int64_t G, int *degenerate)
{
    if (G < 2) {
        *degenerate |= ST_BCA_ACCEL_UNDEFINED;
        return 0.0;
    }
    double mean = gsl_stats_mean(jack, 1, (size_t)G), num = 0, den = 0;
    for (int64_t g = 0; g < G; g++) {
        double d = mean - jack[g];
        num += d * d * d;
        den += d * d;
    }
    if (den == 0.0) {
        *degenerate |= ST_BCA_ACCEL_UNDEFINED;
        return 0.0;
    }
    return num / (6.0 * pow(den, 1.5));
}

static double bca_level(double z0, double a, double z)
{
    double num = z0 + z;
    return gsl_cdf_ugaussian_P(z0 + num / (1.0 - a * num));
}

int st_bca_clusters(int64_t n, const int64_t *cluster, st_statistic_fn stat, void *ctx, int B,
                    double level, uint64_t seed, st_bca_result *out)
{
    int rc = -1;
    clusters c = {0, NULL, NULL};
    int64_t *idx = NULL, len = 0, cap = 0;
    double *boot = NULL, *jack = NULL;
    gsl_rng *rng = NULL;

    SC_CHECK(n >= 1, "BCa bootstrap: no samples");
    SC_CHECK(stat != NULL, "BCa bootstrap: no statistic");
    SC_CHECK(B >= ST_BCA_MIN_RESAMPLES, "BCa bootstrap: needs at least %d resamples, got %d",
             ST_BCA_MIN_RESAMPLES, B);
    SC_CHECK(level > 0.0 && level < 1.0, "BCa bootstrap: level must be in (0, 1), got %g", level);

    clusters_build(n, cluster, &c);
    /* gsl_rng_uniform_int needs G <= 2^32 - 1 for mt19937; no data set comes near it. */
    SC_CHECK(c.G <= 0xffffffffLL, "BCa bootstrap: too many clusters (%lld)", (long long)c.G);
    *out = (st_bca_result){.n_clusters = c.G, .n_resamples = B};

    cap = 2 * n;
    idx = sc_xmalloc(sizeof *idx * (size_t)cap);
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    SC_TRY(eval_stat(stat, ctx, idx, n, "the full data", n, &out->estimate));

    SC_LIB((rng = gsl_rng_alloc(gsl_rng_mt19937)) != NULL, 1, "gsl_rng_alloc failed");
    gsl_rng_set(rng, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffULL));
    boot = sc_xmalloc(sizeof *boot * (size_t)B);
    for (int b = 0; b < B; b++) {
        len = 0;
        for (int64_t k = 0; k < c.G; k++)
            append_cluster(&c, (int64_t)gsl_rng_uniform_int(rng, (unsigned long)c.G), &idx, &len,
                           &cap);
        SC_TRY(eval_stat(stat, ctx, idx, len, "resample", b + 1, &boot[b]));
    }

    /* Jackknife: leave each patient out in turn (needs 2 patients to leave anything). */
    jack = sc_xmalloc(sizeof *jack * (size_t)c.G);
    for (int64_t g = 0; g < c.G && c.G >= 2; g++) {
        len = 0;
        for (int64_t k = 0; k < c.G; k++)
            if (k != g) append_cluster(&c, k, &idx, &len, &cap);
        SC_TRY(eval_stat(stat, ctx, idx, len, "jackknife without patient number", g + 1,
                         &jack[g]));
    }
    out->accel = acceleration(jack, c.G, &out->degenerate);

    gsl_sort(boot, 1, (size_t)B);
    int64_t below = 0, at_or_below = 0;
    for (int b = 0; b < B; b++) {
        below += boot[b] < out->estimate;
        at_or_below += boot[b] <= out->estimate;
    }
    double p0 = (double)(below + at_or_below) / (2.0 * B);
    double za = gsl_cdf_ugaussian_Pinv(0.5 * (1.0 - level));
    /* The percentile levels, kept whenever the BCa adjustment cannot be applied. */
    out->alpha_lo = 0.5 * (1.0 - level);
    out->alpha_hi = 1.0 - out->alpha_lo;
    if (boot[0] == boot[B - 1]) {
        out->degenerate |= ST_BCA_CONSTANT;
        out->z0 = 0.0;
    } else if (p0 <= 0.0 || p0 >= 1.0) {
        out->degenerate |= ST_BCA_BIAS_INFINITE;
        out->z0 = p0 <= 0.0 ? -INFINITY : INFINITY;
    } else {
        out->z0 = gsl_cdf_ugaussian_Pinv(p0);
        if (1.0 - out->accel * (out->z0 + za) <= 0.0 || 1.0 - out->accel * (out->z0 - za) <= 0.0) {
            out->degenerate |= ST_BCA_UNSTABLE;
        } else {
            out->alpha_lo = bca_level(out->z0, out->accel, za);
            out->alpha_hi = bca_level(out->z0, out->accel, -za);
        }
    }
    if (out->degenerate & ST_BCA_CONSTANT) {
        /* exactly the common value (GSL's interpolation (1-d) v + d v may round off it) */
        out->lo = out->hi = boot[0];
    } else {
        out->lo = gsl_stats_quantile_from_sorted_data(boot, 1, (size_t)B, out->alpha_lo);
        out->hi = gsl_stats_quantile_from_sorted_data(boot, 1, (size_t)B, out->alpha_hi);
    }
    rc = 0;
fail:
    if (rng) gsl_rng_free(rng);
    free(c.order);
    free(c.start);
    free(idx);
    free(boot);
    free(jack);
    return rc;
}

int st_stat_pooled_metric(const int64_t *idx, int64_t m, void *ctx, double *value)
{
    const st_pooled_metric *pm = ctx;
    int64_t *counts = NULL;
    int rc = -1;
    SC_CHECK(pm->l >= 1, "pooled metric: needs at least one label");
    SC_CHECK(pm->which >= 0 && pm->which < ST_POOLED_LABEL + ST_N_BASIC * pm->l,
             "pooled metric: metric index %d out of range for %d labels", pm->which, pm->l);
    int l = pm->l;
    counts = sc_xcalloc((size_t)(4 * l), sizeof *counts);
    for (int64_t s = 0; s < m; s++)
        st_counts_add_sample(pm->scores + idx[s] * l, pm->truth + idx[s] * l, l, pm->thr, counts);
    double v[ST_N_BASIC];
    if (pm->which < ST_POOLED_MICRO) {
        st_macro_metrics(counts, l, v, NULL);
        *value = v[pm->which - ST_POOLED_MACRO];
    } else if (pm->which < ST_POOLED_LABEL) {
        st_micro_metrics(counts, l, v, NULL);
        *value = v[pm->which - ST_POOLED_MICRO];
    } else {
        int k = pm->which - ST_POOLED_LABEL;
        st_label_metrics(counts + 4 * (k / ST_N_BASIC), v, NULL);
        *value = v[k % ST_N_BASIC];
    }
    rc = 0;
fail:
    free(counts);
    return rc;
}
