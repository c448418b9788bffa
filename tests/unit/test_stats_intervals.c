/* tests/unit/test_stats_intervals.c: quantiles, across-fold t intervals, Wilson and
 * Clopper-Pearson.
 *
 * Goldens: research/pipeline-anchors.md section 3.9 (6 decimals: tolerance 1e-6; quantiles with
 * 15+ digits: 1e-12), and tests/fixtures/stats_reference.py (mpmath, independent of GSL: 1e-12
 * on the t intervals, 1e-9 relative on the large-n Clopper-Pearson bounds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

#include "stats/intervals.h"
#include "util/error.h"

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.15g, want %.15g (tol %g)", got, want, tol);
}

static void test_gsl_quantiles(void **state)
{
    (void)state;
    /* The quantile rule the BCa interval relies on: linear interpolation at (n-1) f. */
    const double sorted[4] = {1, 2, 3, 4};
    assert_near(gsl_stats_quantile_from_sorted_data(sorted, 1, 4, 0.25), 1.75, 1e-15);
    assert_near(gsl_cdf_ugaussian_Pinv(0.975), 1.959963984540054, 1e-12);
    assert_near(gsl_cdf_tdist_Pinv(0.975, 4), 2.776445105197793, 1e-12);
    assert_near(gsl_cdf_tdist_Pinv(0.975, 5), 2.570581835636314, 1e-12);
    assert_near(gsl_cdf_tdist_Pinv(0.975, 9), 2.262157162798205, 1e-12);
}

static const double five[5] = {0.80, 0.82, 0.78, 0.85, 0.81};

static void test_naive_and_corrected_golden(void **state)
{
    (void)state;
    st_interval n, c;
    assert_int_equal(st_interval_naive(five, 5, 0.95, &n), 0);
    assert_int_equal(n.n, 5);
    assert_int_equal(n.df, 4);
    assert_near(n.mean, 0.812, 1e-12);
    assert_near(n.sd * n.sd, 0.00067, 1e-12);
    assert_near(n.se, 0.011576, 1e-6);
    assert_near(n.lo, 0.779860, 1e-6);
    assert_near(n.hi, 0.844140, 1e-6);
    /* 5-fold: n_test/n_train = 1/4. */
    assert_int_equal(st_interval_corrected(five, 5, 0.25, 0.95, &c), 0);
    assert_near(c.se, 0.017364, 1e-6);
    assert_near(c.lo, 0.763790, 1e-6);
    assert_near(c.hi, 0.860210, 1e-6);
    /* mpmath, to 1e-12 */
    assert_near(n.lo, 0.77986032429268, 1e-12);
    assert_near(c.lo, 0.76379048643902, 1e-12);
    assert_near(c.hi, 0.86020951356098, 1e-12);
    assert_near(c.sd, 0.0258843582110895, 1e-12);
    /* The correction widens the interval by sqrt((1/J + 1/4) / (1/J)) = 1.5 here. */
    assert_near((c.hi - c.lo) / (n.hi - n.lo), 1.5, 1e-12);
}

static void test_bouckaert_frank_repeated(void **state)
{
    (void)state;
    /* 5-fold x 2 repeats: J = 10 values, df = 9, same correction (mpmath reference). */
    const double x[10] = {0.80, 0.82, 0.78, 0.85, 0.81, 0.79, 0.83, 0.80, 0.84, 0.82};
    st_interval c;
    assert_int_equal(st_interval_corrected(x, 10, 0.25, 0.90, &c), 0);
    assert_int_equal(c.df, 9);
    assert_near(c.mean, 0.814, 1e-12);
    assert_near(c.sd, 0.0222111083319435, 1e-12);
    assert_near(c.se, 0.0131402688962847, 1e-12);
    assert_near(c.lo, 0.78991240314764, 1e-12);
    assert_near(c.hi, 0.83808759685236, 1e-12);
    assert_true(c.level == 0.90);
}

static void test_interval_edge_and_errors(void **state)
{
    (void)state;
    st_interval c;
    const double same[3] = {0.7, 0.7, 0.7};
    assert_int_equal(st_interval_corrected(same, 3, 0.5, 0.95, &c), 0);
    assert_true(c.sd == 0.0 && c.lo == 0.7 && c.hi == 0.7);
    sc_err_clear();
    assert_int_equal(st_interval_naive(five, 1, 0.95, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "at least 2 values"));
    const double nan3[3] = {0.7, NAN, 0.7};
    assert_int_equal(st_interval_naive(nan3, 3, 0.95, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "value 2 is not finite"));
    assert_int_equal(st_interval_naive(five, 5, 0.0, &c), -1);
    assert_int_equal(st_interval_naive(five, 5, 1.0, &c), -1);
    assert_int_equal(st_interval_corrected(five, 5, 0.0, 0.95, &c), -1);
    assert_int_equal(st_interval_corrected(five, 5, NAN, 0.95, &c), -1);
}

static void test_proportions_golden(void **state)
{
    (void)state;
    double lo, hi;
    assert_int_equal(st_clopper_pearson(7, 50, 0.95, &lo, &hi), 0);
    assert_near(lo, 0.05819170033997342, 1e-12); /* scipy reference in the note */
    assert_near(hi, 0.26739600249700846, 1e-12);
    assert_int_equal(st_wilson(7, 50, 0.95, &lo, &hi), 0);
    assert_near(lo, 0.069508334270, 1e-12);
    assert_near(hi, 0.261861937106, 1e-12);
}

static void test_proportions_edges(void **state)
{
    (void)state;
    double lo, hi, z = 1.959963984540054, z2 = z * z;
    /* x = 0: CP upper is 1 - (alpha/2)^(1/n); Wilson upper is z^2 / (n + z^2). */
    assert_int_equal(st_clopper_pearson(0, 50, 0.95, &lo, &hi), 0);
    assert_true(lo == 0.0);
    assert_near(hi, 1.0 - pow(0.025, 1.0 / 50), 1e-12);
    assert_int_equal(st_wilson(0, 50, 0.95, &lo, &hi), 0);
    assert_true(lo == 0.0);
    assert_near(hi, z2 / (50 + z2), 1e-12);
    /* x = n: the mirror images. */
    assert_int_equal(st_clopper_pearson(50, 50, 0.95, &lo, &hi), 0);
    assert_near(lo, pow(0.025, 1.0 / 50), 1e-12);
    assert_true(hi == 1.0);
    assert_int_equal(st_wilson(50, 50, 0.95, &lo, &hi), 0);
    assert_near(lo, 50 / (50 + z2), 1e-12);
    assert_true(hi == 1.0);
    /* n = 1 */
    assert_int_equal(st_clopper_pearson(1, 1, 0.90, &lo, &hi), 0);
    assert_near(lo, 0.05, 1e-12);
    /* Large n, rare events (mpmath reference via the binomial tail). */
    assert_int_equal(st_clopper_pearson(3, 100000, 0.95, &lo, &hi), 0);
    assert_near(lo / 6.18676395892203e-6, 1.0, 1e-9);
    assert_near(hi / 8.7670202566362e-5, 1.0, 1e-9);
    assert_int_equal(st_clopper_pearson(99990, 100000, 0.95, &lo, &hi), 0);
    assert_near(lo, 0.999816104154623, 1e-12);
    assert_near(hi, 0.999952045104861, 1e-12);
}

static void test_clopper_pearson_defining_property(void **state)
{
    (void)state;
    /* By definition the bounds make each binomial tail exactly alpha/2:
     * P(Bin(n, hi) <= x) = alpha/2 and P(Bin(n, lo) >= x) = alpha/2.  Checked over small to
     * large n (GSL's own Beta inverse fails for the large ones) at two levels. */
    const unsigned ns[] = {1, 2, 5, 17, 100, 1000, 30000, 200000};
    const double levels[2] = {0.95, 0.99};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++) {
        unsigned n = ns[a];
        unsigned xs[7] = {0, 1, 2, n / 3, n / 2, n - 1, n};
        for (int b = 0; b < 7; b++) {
            unsigned x = xs[b] > n ? n : xs[b];
            for (int c = 0; c < 2; c++) {
                double lo, hi, a2 = 0.5 * (1.0 - levels[c]);
                assert_int_equal(st_clopper_pearson(x, n, levels[c], &lo, &hi), 0);
                assert_true(0.0 <= lo && lo <= (double)x / n && (double)x / n <= hi && hi <= 1.0);
                if (x < n) assert_near(gsl_cdf_binomial_P(x, hi, n) / a2, 1.0, 1e-8);
                if (x > 0) assert_near(gsl_cdf_binomial_Q(x - 1, lo, n) / a2, 1.0, 1e-8);
            }
        }
    }
}

static void test_proportion_errors(void **state)
{
    (void)state;
    double lo, hi;
    sc_err_clear();
    assert_int_equal(st_wilson(3, 0, 0.95, &lo, &hi), -1);
    assert_non_null(strstr(sc_err_msg(), "n >= 1"));
    assert_int_equal(st_clopper_pearson(51, 50, 0.95, &lo, &hi), -1);
    assert_non_null(strstr(sc_err_msg(), "got 51"));
    assert_int_equal(st_clopper_pearson(-1, 50, 0.95, &lo, &hi), -1);
    assert_int_equal(st_wilson(3, 50, 1.5, &lo, &hi), -1);
}

/* Clipping for readers: only the bounds past [0, 1] move, each flagged; NaN stays NaN. */
static void test_clip_unit(void **state)
{
    (void)state;
    double lo = 0.2477, hi = 1.4777; /* a small sweep's specificity */
    assert_int_equal(st_clip_unit(&lo, &hi), ST_CLIPPED_HI);
    assert_true(lo == 0.2477 && hi == 1.0);
    lo = -0.31, hi = 0.42;
    assert_int_equal(st_clip_unit(&lo, &hi), ST_CLIPPED_LO);
    assert_true(lo == 0.0 && hi == 0.42);
    lo = -0.5, hi = 1.5;
    assert_int_equal(st_clip_unit(&lo, &hi), ST_CLIPPED_LO | ST_CLIPPED_HI);
    assert_true(lo == 0.0 && hi == 1.0);
    lo = 0.0, hi = 1.0; /* at the edges: not clipped */
    assert_int_equal(st_clip_unit(&lo, &hi), 0);
    assert_true(lo == 0.0 && hi == 1.0);
    lo = 1.2, hi = 1.3; /* wholly outside (never from a mean in [0, 1]): both moved */
    assert_int_equal(st_clip_unit(&lo, &hi), ST_CLIPPED_LO | ST_CLIPPED_HI);
    assert_true(lo == 1.0 && hi == 1.0);
    lo = NAN, hi = NAN;
    assert_int_equal(st_clip_unit(&lo, &hi), 0);
    assert_true(isnan(lo) && isnan(hi));
    /* The interval of a real t computation: mean 0.9, wide spread over 3 folds. */
    const double x[3] = {0.6, 1.0, 1.0};
    st_interval iv;
    assert_int_equal(st_interval_corrected(x, 3, 0.5, 0.95, &iv), 0);
    assert_true(iv.hi > 1.0 && iv.lo < 1.0);
    double a = iv.lo, b = iv.hi;
    assert_int_equal(st_clip_unit(&a, &b), ST_CLIPPED_HI | (iv.lo < 0 ? ST_CLIPPED_LO : 0));
    assert_true(b == 1.0 && a == (iv.lo < 0 ? 0.0 : iv.lo));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gsl_quantiles),
        cmocka_unit_test(test_naive_and_corrected_golden),
        cmocka_unit_test(test_bouckaert_frank_repeated),
        cmocka_unit_test(test_interval_edge_and_errors),
        cmocka_unit_test(test_proportions_golden),
        cmocka_unit_test(test_proportions_edges),
        cmocka_unit_test(test_clopper_pearson_defining_property),
        cmocka_unit_test(test_proportion_errors),
        cmocka_unit_test(test_clip_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
