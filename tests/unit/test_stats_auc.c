/* tests/unit/test_stats_auc.c: AUC, DeLong variance and interval, DeLong's paired test.
 *
 * Reference values: tests/fixtures/stats_reference.py, which computes DeLong from the O(m n)
 * placement definition with numpy (the C code uses midranks) and the p-value with mpmath.  The
 * data are integer formulas shared with that script (delong_data).  Tolerance 1e-12 absolute:
 * both sides are double computations of the same rationals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "stats/auc.h"
#include "util/error.h"

#define TOL 1e-12

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.15g, want %.15g (tol %g)", got, want, tol);
}

enum { DN = 40 };

/* Same formulas as delong_data() in tests/fixtures/stats_reference.py (many ties). */
static void delong_data(uint8_t *y, double *s1, double *s2)
{
    for (int i = 0; i < DN; i++) {
        y[i] = (i * 7 % 10) < 4;
        s1[i] = (double)(i * 37 % 11) + 3.0 * y[i];
        s2[i] = (double)(i * 53 % 17) * 0.5 + 2.0 * (double)(y[i] && i % 3 != 0);
    }
}

static void test_auc_small_by_hand(void **state)
{
    (void)state;
    /* Positives {3, 2, 2}, negatives {1, 2}: pairs 3>1, 3>2, 2>1, 2=2, 2>1, 2=2 -> 5/6. */
    const double s[5] = {3, 1, 2, 2, 2};
    const uint8_t y[5] = {1, 0, 1, 0, 1};
    double auc;
    assert_int_equal(st_auc(s, y, 5, &auc), 0);
    assert_near(auc, 5.0 / 6.0, TOL);
}

static void test_delong_variance_reference(void **state)
{
    (void)state;
    uint8_t y[DN];
    double s1[DN], s2[DN];
    delong_data(y, s1, s2);
    st_auc_result r;
    assert_int_equal(st_auc_delong(s1, y, DN, 0.95, &r), 0);
    assert_int_equal(r.n_pos, 16);
    assert_int_equal(r.n_neg, 24);
    assert_near(r.auc, 0.66796875, TOL);
    assert_near(r.var, 0.00783712046157911, TOL);
    assert_near(r.lo, 0.494458013946073, TOL);
    assert_near(r.hi, 0.841479486053927, TOL);
    assert_int_equal(st_auc_delong(s2, y, DN, 0.95, &r), 0);
    assert_near(r.auc, 0.565104166666667, TOL);
    assert_near(r.var, 0.00896035407860306, TOL);
}

static void test_delong_test_reference(void **state)
{
    (void)state;
    uint8_t y[DN];
    double s1[DN], s2[DN];
    delong_data(y, s1, s2);
    st_delong_result r;
    assert_int_equal(st_delong_test(s1, s2, y, DN, &r), 0);
    assert_near(r.auc1, 0.66796875, TOL);
    assert_near(r.auc2, 0.565104166666667, TOL);
    assert_near(r.var1, 0.00783712046157911, TOL);
    assert_near(r.var2, 0.00896035407860306, TOL);
    assert_near(r.cov, 0.00193494222398349, TOL);
    assert_near(r.z, 0.904705196259607, 1e-10);
    assert_near(r.p, 0.365621587526953, 1e-10);
    assert_int_equal(r.degenerate, 0);
    /* Swapping the classifiers flips z and keeps p. */
    st_delong_result q;
    assert_int_equal(st_delong_test(s2, s1, y, DN, &q), 0);
    assert_near(q.z, -r.z, 1e-12);
    assert_near(q.p, r.p, 1e-12);
}

static void test_auc_rank_invariant(void **state)
{
    (void)state;
    /* AUC and its variance depend on ranks only: a strictly increasing transform changes
     * nothing, up to rounding. */
    uint8_t y[DN];
    double s1[DN], s2[DN], t[DN];
    delong_data(y, s1, s2);
    for (int i = 0; i < DN; i++) t[i] = exp(0.3 * s1[i]) - 5.0;
    st_auc_result a, b;
    assert_int_equal(st_auc_delong(s1, y, DN, 0.9, &a), 0);
    assert_int_equal(st_auc_delong(t, y, DN, 0.9, &b), 0);
    assert_near(a.auc, b.auc, 1e-15);
    assert_near(a.var, b.var, 1e-15);
    /* Reversing the scores gives 1 - AUC with the same variance. */
    for (int i = 0; i < DN; i++) t[i] = -s1[i];
    assert_int_equal(st_auc_delong(t, y, DN, 0.9, &b), 0);
    assert_near(b.auc, 1.0 - a.auc, 1e-15);
    assert_near(b.var, a.var, 1e-15);
}

static void test_delong_degenerate(void **state)
{
    (void)state;
    uint8_t y[DN];
    double s1[DN], s2[DN];
    delong_data(y, s1, s2);
    st_delong_result r;
    /* The same classifier twice: difference 0 with variance 0 -> z = 0, p = 1, flagged. */
    assert_int_equal(st_delong_test(s1, s1, y, DN, &r), 0);
    assert_int_equal(r.degenerate, 1);
    assert_true(r.z == 0.0 && r.p == 1.0);
    /* Perfect classifier against a constant one: placements are constant, AUCs 1 and 0.5. */
    double perfect[DN], flat[DN];
    for (int i = 0; i < DN; i++) {
        perfect[i] = y[i] ? 2.0 + i : -(double)i;
        flat[i] = 0.25;
    }
    assert_int_equal(st_delong_test(perfect, flat, y, DN, &r), 0);
    assert_near(r.auc1, 1.0, TOL);
    assert_near(r.auc2, 0.5, TOL);
    assert_int_equal(r.degenerate, 1);
    assert_true(isinf(r.z) && r.z > 0 && r.p == 0.0);
    /* The perfect classifier alone: variance 0, interval [1, 1]. */
    st_auc_result a;
    assert_int_equal(st_auc_delong(perfect, y, DN, 0.95, &a), 0);
    assert_true(a.var == 0.0 && a.lo == 1.0 && a.hi == 1.0);
}

static void test_auc_errors(void **state)
{
    (void)state;
    const double s[4] = {0.1, 0.2, 0.3, 0.4};
    const uint8_t none[4] = {0, 0, 0, 0}, one[4] = {1, 0, 0, 0}, two[4] = {1, 1, 0, 0};
    double auc;
    st_auc_result r;
    sc_err_clear();
    assert_int_equal(st_auc(s, none, 4, &auc), -1);
    assert_non_null(strstr(sc_err_msg(), "0 positive, 4 negative"));
    assert_int_equal(st_auc(s, one, 4, &auc), 0); /* defined with one positive */
    assert_near(auc, 0.0, TOL);
    assert_int_equal(st_auc_delong(s, one, 4, 0.95, &r), -1); /* variance is not */
    assert_non_null(strstr(sc_err_msg(), "at least 2 positives and 2 negatives"));
    assert_int_equal(st_auc_delong(s, two, 4, 1.0, &r), -1);
    const double bad[4] = {0.1, NAN, 0.3, 0.4};
    assert_int_equal(st_auc(bad, two, 4, &auc), -1);
    assert_non_null(strstr(sc_err_msg(), "score 1 of classifier 1 is not finite"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_small_by_hand),
        cmocka_unit_test(test_delong_variance_reference),
        cmocka_unit_test(test_delong_test_reference),
        cmocka_unit_test(test_auc_rank_invariant),
        cmocka_unit_test(test_delong_degenerate),
        cmocka_unit_test(test_auc_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
