/* stats/intervals.c: across-fold t intervals (naive, Nadeau-Bengio, Bouckaert-Frank) and
 * proportion intervals (Wilson, Clopper-Pearson).
 *
 * Every GSL distribution call here is guarded by input checks first: GSL's default error handler
 * aborts the process on a domain error, and library code must not. */
#include "stats/intervals.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <float.h>
#include <math.h>

#include "util/error.h"

static int check_level(const char *what, double level)
{
    SC_CHECK(level > 0.0 && level < 1.0, "%s: confidence level must be in (0, 1), got %g", what,
             level);
    return 0;
fail:
    return -1;
}

/* mean -/+ t * sd * sqrt(var_factor); var_factor = 1/J (naive) or 1/J + n2/n1 (corrected). */
static int t_interval(const char *what, const double *x, int J, double var_factor, double level,
                      st_interval *out)
{
    SC_TRY(check_level(what, level));
    SC_CHECK(J >= 2, "%s: needs at least 2 values (got %d)", what, J);
    for (int j = 0; j < J; j++)
        SC_CHECK(isfinite(x[j]), "%s: value %d is not finite", what, j + 1);
    out->n = J;
    out->df = J - 1;
    out->level = level;
    out->mean = gsl_stats_mean(x, 1, (size_t)J);
    /* Two-pass variance about the mean (GSL), 1/(J-1). */
    out->sd = gsl_stats_sd_m(x, 1, (size_t)J, out->mean);
    out->se = out->sd * sqrt(var_factor);
    double t = gsl_cdf_tdist_Pinv(0.5 + 0.5 * level, (double)out->df);
    out->lo = out->mean - t * out->se;
    out->hi = out->mean + t * out->se;
    return 0;
fail:
    return -1;
}

int st_interval_naive(const double *x, int J, double level, st_interval *out)
{
    return t_interval("naive t interval", x, J, 1.0 / J, level, out);
}

int st_interval_corrected(const double *x, int J, double test_train_ratio, double level,
                          st_interval *out)
{
    SC_CHECK(isfinite(test_train_ratio) && test_train_ratio > 0.0,
             "corrected t interval: n_test/n_train must be positive, got %g", test_train_ratio);
    return t_interval("corrected t interval", x, J, 1.0 / J + test_train_ratio, level, out);
fail:
    return -1;
}

static int check_proportion(const char *what, int64_t x, int64_t n, double level)
{
    SC_TRY(check_level(what, level));
    SC_CHECK(n >= 1, "%s: needs n >= 1 trials (got %lld)", what, (long long)n);
    SC_CHECK(x >= 0 && x <= n, "%s: successes must be in [0, %lld], got %lld", what,
             (long long)n, (long long)x);
    return 0;
fail:
    return -1;
}

int st_wilson(int64_t x, int64_t n, double level, double *lo, double *hi)
{
    SC_TRY(check_proportion("Wilson interval", x, n, level));
    double z = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * level);
    double dn = (double)n, p = (double)x / dn, z2 = z * z;
    double denom = 1.0 + z2 / dn;
    double centre = (p + z2 / (2.0 * dn)) / denom;
    double half = z * sqrt(p * (1.0 - p) / dn + z2 / (4.0 * dn * dn)) / denom;
    /* At x = 0 (x = n) the bound is exactly 0 (1) in exact arithmetic; pin it against rounding. */
    *lo = x == 0 ? 0.0 : fmax(0.0, centre - half);
    *hi = x == n ? 1.0 : fmin(1.0, centre + half);
    return 0;
fail:
    return -1;
}

/* Clopper-Pearson bounds are Beta quantiles.  GSL 2.7.1's gsl_cdf_beta_Pinv/Qinv fail to converge
 * for large parameters (e.g. Qinv(0.025; 4, 99997), the upper bound for 3 events in 100000:
 * "inverse failed to converge", and GSL's default handler aborts), so the quantile is found by
 * bisection on gsl_cdf_beta_P, which stays accurate there. */
typedef struct {
    double a, b, target;
} beta_root;

/* g(t) = P(Beta(a, b) <= t) - target: increasing on [0, 1]. */
static double beta_excess(double t, const beta_root *r)
{
    return gsl_cdf_beta_P(t, r->a, r->b) - r->target;
}

/* The root of beta_excess in (0, 1) to relative precision ~1e-15, also when it is tiny: first
 * halve the bracket [0, hi] until it straddles [hi/2, hi], then bisect.  NaN if the CDF failed. */
static double beta_quantile_small(const beta_root *r)
{
    double lo = 0.0, hi = 1.0;
    for (;;) {
        double h = 0.5 * hi, g = beta_excess(h, r);
        if (isnan(g)) return NAN;
        if (g < 0.0 || h < 1e-300) {
            lo = g < 0.0 ? h : 0.0;
            break;
        }
        hi = h;
    }
    for (int it = 0; it < 200 && hi - lo > 4.0 * DBL_EPSILON * hi; it++) {
        double mid = lo + 0.5 * (hi - lo), g = beta_excess(mid, r);
        if (isnan(g)) return NAN;
        if (g < 0.0)
            lo = mid;
        else
            hi = mid;
    }
    return lo + 0.5 * (hi - lo);
}

/* The upper tail quantile q of Beta(a, b), Q(q) = tail, as q and 1 - q, each computed where it
 * is small (1 - Beta(a, b) is Beta(b, a)), so that neither loses digits to cancellation. */
static int beta_upper_quantile(double a, double b, double tail, double *q, double *qc)
{
    if (a < b) { /* q below the middle: solve P(Beta(a,b) <= q) = 1 - tail for q */
        beta_root r = {a, b, 1.0 - tail};
        *q = beta_quantile_small(&r);
        *qc = 1.0 - *q;
    } else { /* solve P(Beta(b,a) <= 1-q) = tail for 1 - q */
        beta_root r = {b, a, tail};
        *qc = beta_quantile_small(&r);
        *q = 1.0 - *qc;
    }
    return isnan(*q) ? -1 : 0;
}

int st_clopper_pearson(int64_t x, int64_t n, double level, double *lo, double *hi)
{
    SC_TRY(check_proportion("Clopper-Pearson interval", x, n, level));
    double a2 = 0.5 * (1.0 - level), dx = (double)x, dn = (double)n, q, qc;
    /* The Beta parameters vanish at the edges, where the bounds are 0 and 1 by definition. */
    *lo = 0.0;
    *hi = 1.0;
    /* lower = P-quantile a2 of Beta(x, n-x+1) = 1 - (upper a2 quantile of Beta(n-x+1, x)) */
    if (x > 0) {
        SC_CHECK(beta_upper_quantile(dn - dx + 1.0, dx, a2, &q, &qc) == 0,
                 "Clopper-Pearson interval: Beta CDF did not converge (x=%lld, n=%lld)",
                 (long long)x, (long long)n);
        *lo = qc;
    }
    /* upper = upper a2 quantile of Beta(x+1, n-x) */
    if (x < n) {
        SC_CHECK(beta_upper_quantile(dx + 1.0, dn - dx, a2, &q, &qc) == 0,
                 "Clopper-Pearson interval: Beta CDF did not converge (x=%lld, n=%lld)",
                 (long long)x, (long long)n);
        *hi = q;
    }
    return 0;
fail:
    return -1;
}

int st_clip_unit(double *lo, double *hi)
{
    int moved = 0;
    if (*lo < 0.0) *lo = 0.0, moved |= ST_CLIPPED_LO; /* comparisons with NaN are false */
    if (*lo > 1.0) *lo = 1.0, moved |= ST_CLIPPED_LO;
    if (*hi > 1.0) *hi = 1.0, moved |= ST_CLIPPED_HI;
    if (*hi < 0.0) *hi = 0.0, moved |= ST_CLIPPED_HI;
    return moved;
}
