/* tests/unit/test_stats_compare.c: corrected resampled paired t-test, McNemar, Holm.
 *
 * Goldens: McNemar b=10, c=3 from research/pipeline-anchors.md section 3.9 (6 decimals:
 * tolerance 1e-6); the t-test and McNemar b=40, c=20 from tests/fixtures/stats_reference.py
 * (mpmath and exact fractions: 1e-12); Holm by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "stats/compare.h"
#include "util/error.h"
#include "util/rng.h"

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.15g, want %.15g (tol %g)", got, want, tol);
}

static void test_corrected_ttest_reference(void **state)
{
    (void)state;
    const double d[5] = {0.02, 0.01, 0.03, -0.01, 0.02};
    st_ttest_result r;
    assert_int_equal(st_ttest_corrected(d, 5, 0.25, 0.95, &r), 0);
    assert_int_equal(r.df, 4);
    assert_near(r.mean, 0.014, 1e-12);
    assert_near(r.sd, 0.0151657508881031, 1e-12);
    assert_near(r.t, 1.37612492411237, 1e-12);
    assert_near(r.p, 0.240801502902751, 1e-12);
    assert_near(r.lo, -0.0142461503252266, 1e-12);
    assert_near(r.hi, 0.0422461503252266, 1e-12);
    assert_int_equal(r.degenerate, 0);
    /* The uncorrected statistic would be sqrt(1 + J * 1/4) = 1.5 times larger. */
    assert_near(r.mean / (r.sd / sqrt(5.0)) / r.t, 1.5, 1e-12);
}

static void test_corrected_ttest_degenerate_and_errors(void **state)
{
    (void)state;
    st_ttest_result r;
    const double zero[4] = {0, 0, 0, 0}, shift[4] = {0.01, 0.01, 0.01, 0.01};
    assert_int_equal(st_ttest_corrected(zero, 4, 1.0 / 3, 0.95, &r), 0);
    assert_true(r.degenerate && r.t == 0.0 && r.p == 1.0);
    assert_int_equal(st_ttest_corrected(shift, 4, 1.0 / 3, 0.95, &r), 0);
    assert_true(r.degenerate && isinf(r.t) && r.t > 0 && r.p == 0.0);
    sc_err_clear();
    assert_int_equal(st_ttest_corrected(shift, 1, 1.0 / 3, 0.95, &r), -1);
    assert_non_null(strstr(sc_err_msg(), "corrected t-test"));
}

static void test_mcnemar_golden(void **state)
{
    (void)state;
    st_mcnemar_result r;
    assert_int_equal(st_mcnemar(10, 3, &r), 0);
    assert_near(r.chi2, 2.769231, 1e-6);
    assert_near(r.p_chi2, 0.096092, 1e-6);
    assert_near(r.p_exact, 0.092285, 1e-6);
    assert_near(r.p_exact, 1.0 * (1 + 13 + 78 + 286) / 4096, 1e-12); /* 2 * sum C(13,i)/2^13 */
    assert_int_equal(r.exact_recommended, 1);
    assert_int_equal(st_mcnemar(40, 20, &r), 0);
    assert_near(r.chi2, 6.01666666666667, 1e-12);
    assert_near(r.p_chi2, 0.0141713882540123, 1e-12);
    assert_near(r.p_exact, 0.0134892937311919, 1e-12);
    assert_int_equal(r.exact_recommended, 0);
}

static void test_mcnemar_edges(void **state)
{
    (void)state;
    st_mcnemar_result r;
    assert_int_equal(st_mcnemar(0, 0, &r), 0); /* never disagree */
    assert_true(r.chi2 == 0.0 && r.p_chi2 == 1.0 && r.p_exact == 1.0);
    assert_int_equal(st_mcnemar(7, 7, &r), 0); /* balanced: no evidence at all */
    assert_true(r.chi2 == 0.0 && r.p_chi2 == 1.0 && r.p_exact == 1.0);
    assert_int_equal(st_mcnemar(0, 6, &r), 0);
    assert_near(r.p_exact, 2.0 / 64, 1e-15);
    assert_near(r.chi2, 25.0 / 6, 1e-12);
    sc_err_clear();
    assert_int_equal(st_mcnemar(-1, 3, &r), -1);
    assert_non_null(strstr(sc_err_msg(), "b=-1"));
}

static void test_mcnemar_counts(void **state)
{
    (void)state;
    /* 4 samples, 2 labels, thr 0.5. */
    const uint8_t y[8] = {1, 0, 0, 1, 1, 1, 0, 0};
    const float a[8] = {0.9f, 0.1f, 0.2f, 0.8f, 0.7f, 0.1f, 0.3f, 0.3f}; /* rows right: Y Y n Y */
    const float b[8] = {0.2f, 0.1f, 0.2f, 0.9f, 0.7f, 0.8f, 0.1f, 0.6f}; /* rows right: n Y Y n */
    int64_t nb, nc;
    assert_int_equal(st_mcnemar_counts(a, b, y, 4, 2, 0.5, -1, &nb, &nc), 0);
    assert_int_equal(nb, 2); /* rows 0, 3 */
    assert_int_equal(nc, 1); /* row 2 */
    /* label 0 alone: A right on every row; B right on rows 1,2,3 */
    assert_int_equal(st_mcnemar_counts(a, b, y, 4, 2, 0.5, 0, &nb, &nc), 0);
    assert_int_equal(nb, 1);
    assert_int_equal(nc, 0);
    /* label 1: A right on rows 0,1,3; B right on rows 0,1,2 */
    assert_int_equal(st_mcnemar_counts(a, b, y, 4, 2, 0.5, 1, &nb, &nc), 0);
    assert_int_equal(nb, 1);
    assert_int_equal(nc, 1);
    /* A against itself: never discordant */
    assert_int_equal(st_mcnemar_counts(a, a, y, 4, 2, 0.5, -1, &nb, &nc), 0);
    assert_int_equal(nb + nc, 0);
    sc_err_clear();
    assert_int_equal(st_mcnemar_counts(a, b, y, 4, 2, 0.5, 2, &nb, &nc), -1);
    const float bad[8] = {0.9f, 0.1f, 0.2f, NAN, 0.7f, 0.1f, 0.3f, 0.3f};
    assert_int_equal(st_mcnemar_counts(a, bad, y, 4, 2, 0.5, -1, &nb, &nc), -1);
    assert_non_null(strstr(sc_err_msg(), "sample 1, label 1"));
}

static void test_holm_by_hand(void **state)
{
    (void)state;
    /* sorted 0.005 0.01 0.03 0.04 -> x4 x3 x2 x1 = 0.02 0.03 0.06 0.04 -> running max
     * 0.02 0.03 0.06 0.06, returned in input order. */
    const double p[4] = {0.01, 0.04, 0.03, 0.005};
    double adj[4];
    assert_int_equal(st_holm(p, 4, adj), 0);
    assert_near(adj[0], 0.03, 1e-15);
    assert_near(adj[1], 0.06, 1e-15);
    assert_near(adj[2], 0.06, 1e-15);
    assert_near(adj[3], 0.02, 1e-15);
    /* capped at 1 */
    const double q[3] = {0.5, 0.6, 0.2};
    assert_int_equal(st_holm(q, 3, adj), 0);
    assert_near(adj[2], 0.6, 1e-15);
    assert_true(adj[0] == 1.0 && adj[1] == 1.0);
    /* ties get the same value; a single p is unchanged */
    const double t[3] = {0.01, 0.01, 0.2};
    assert_int_equal(st_holm(t, 3, adj), 0);
    assert_near(adj[0], 0.03, 1e-15);
    assert_near(adj[1], 0.03, 1e-15);
    assert_near(adj[2], 0.2, 1e-15);
    assert_int_equal(st_holm(&p[0], 1, adj), 0);
    assert_true(adj[0] == 0.01);
}

static void test_holm_properties(void **state)
{
    (void)state;
    /* For random p-values: adj >= p, adj <= 1, and adj ordered like p (monotone). */
    sc_rng r;
    sc_rng_seed(&r, 5);
    double p[50], adj[50];
    for (int rep = 0; rep < 20; rep++) {
        int m = 1 + (int)sc_rng_below(&r, 50);
        for (int i = 0; i < m; i++) p[i] = pow(sc_rng_uniform(&r), 3.0);
        assert_int_equal(st_holm(p, m, adj), 0);
        for (int i = 0; i < m; i++) {
            assert_true(adj[i] >= p[i] && adj[i] <= 1.0);
            for (int k = 0; k < m; k++)
                if (p[i] < p[k]) assert_true(adj[i] <= adj[k]);
        }
    }
    sc_err_clear();
    const double bad[2] = {0.1, 1.5};
    assert_int_equal(st_holm(bad, 2, adj), -1);
    assert_non_null(strstr(sc_err_msg(), "p-value 2"));
    const double nan1[1] = {NAN};
    assert_int_equal(st_holm(nan1, 1, adj), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corrected_ttest_reference),
        cmocka_unit_test(test_corrected_ttest_degenerate_and_errors),
        cmocka_unit_test(test_mcnemar_golden),
        cmocka_unit_test(test_mcnemar_edges),
        cmocka_unit_test(test_mcnemar_counts),
        cmocka_unit_test(test_holm_by_hand),
        cmocka_unit_test(test_holm_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
