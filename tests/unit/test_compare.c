/* tests/unit/test_compare.c: `spectcv compare` (results/compare.h) on the designed results file
 * of report_fixture.c and copies of it changed through HDF5: the pairing of folds, the paired
 * t-test worked out by hand from known per-fold differences, the cells equal to each file's
 * summary, and every refusal (another data set, other folds, unfinished jobs, bad options). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/compare.h"
#include "stats/job_metrics.h"
#include "tests/unit/report_fixture.h"
#include "util/error.h"
#include "util/h5.h"
#include "util/sys.h"

/* |got - want| <= tol (cmocka 1.1 has no double assertion). */
static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g (tol %g)", got, want, tol);
}

static const char *ref = "cmp_ref.h5", *oth = "cmp_oth.h5", *bad = "cmp_bad.h5";
static fx_results fx;

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *buf = malloc((size_t)n);
    assert_int_equal(fread(buf, 1, (size_t)n, in), (size_t)n);
    fclose(in);
    assert_int_equal(sc_write_file_atomic(to, buf, (size_t)n), 0);
    free(buf);
}

/* Add delta(fold) to metric `name` of every done job of cell c in file path. */
static void shift_metric(const char *path, int c, const char *name)
{
    sc_results_file rf;
    assert_int_equal(sc_results_open(path, &rf), 0);
    int mi = sc_results_metric_index(&rf, name);
    sc_results_free(&rf);
    assert_true(mi >= 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    for (int j = 0; j < fx.n_jobs; j++) {
        if (fx.cell[j] != c || fx.status[j] != 2) continue;
        char p[64];
        double m[64];
        snprintf(p, sizeof p, "/jobs/%04d/metrics", j);
        hid_t d = H5Dopen2(f, p, H5P_DEFAULT);
        assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m) >= 0);
        m[mi] += 0.01 * (fx.fold[j] + 1);
        assert_true(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m) >= 0);
        H5Dclose(d);
    }
    H5Fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (fx_make(ref, 1, &fx)) return -1;
    copy_file(ref, oth);
    shift_metric(oth, 2, "macro_f1"); /* geometric x dspic: +0.01, +0.02, +0.03, +0.04 */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(ref);
    remove(oth);
    remove(bad);
    return 0;
}

static int build(const char *a, const char *b, const char *baseline, int partial,
                 sc_comparison *c)
{
    const char *paths[] = {a, b};
    const sc_compare_options opt = {.n_paths = 2, .paths = paths, .baseline = baseline,
                                    .partial = partial};
    return sc_compare_build(&opt, c);
}

static const sc_cmp_test *find_test(const sc_comparison *c, const char *metric, int cell,
                                    int ref_cell)
{
    for (int i = 0; i < c->n_tests; i++) {
        const sc_cmp_test *t = &c->tests[i];
        if (!strcmp(c->metrics[t->metric], metric) && t->cell == cell && t->ref_cell == ref_cell)
            return t;
    }
    return NULL;
}

static void test_parse_cell(void **state)
{
    (void)state;
    char aug[SC_ROW_NAME], arch[SC_ROW_NAME];
    assert_int_equal(sc_compare_parse_cell("geometric+gan/dspic", aug, arch), 0);
    assert_string_equal(aug, "geometric+gan");
    assert_string_equal(arch, "dspic");
    assert_int_equal(sc_compare_parse_cell("original/archs/my.cfg", aug, arch), 0);
    assert_string_equal(aug, "original");
    assert_string_equal(arch, "archs/my.cfg");
    assert_int_equal(sc_compare_parse_cell("dspic", aug, arch), -1);
    assert_non_null(strstr(sc_err_msg(), "AUGMENTATION/ARCHITECTURE"));
    assert_int_equal(sc_compare_parse_cell("/dspic", aug, arch), -1);
    assert_int_equal(sc_compare_parse_cell("original/", aug, arch), -1);
}

/* Folds pair by (repeat, fold), whatever the job order; a fold missing or NaN on either side
 * is left out. */
static void test_pair_folds(void **state)
{
    (void)state;
    sc_job_row a[4] = {0}, b[5] = {0};
    const int ra[4][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 0}}, rb[5][2] = {{1, 0}, {0, 2}, {0, 1},
                                                                      {0, 0}, {0, 0}};
    for (int i = 0; i < 4; i++) {
        a[i].repeat = (int16_t)ra[i][0];
        a[i].fold = (int16_t)ra[i][1];
        a[i].status = SC_JOB_DONE;
        a[i].n_test = 10;
        a[i].n_train = 30;
    }
    for (int i = 0; i < 5; i++) {
        b[i].repeat = (int16_t)rb[i][0];
        b[i].fold = (int16_t)rb[i][1];
        b[i].status = SC_JOB_DONE;
    }
    b[2].status = SC_JOB_FAILED; /* (0, 1) */
    const double va[4] = {0.5, 0.6, 0.7, NAN}, vb[5] = {0.9, 0.75, 0.1, 0.55, 0.0};
    const int ina[4] = {1, 1, 1, 1}, inb[5] = {1, 1, 1, 1, 0}; /* b[4]: another cell */
    double d[4], st, sr;
    int n = sc_compare_pair_folds(a, va, 4, ina, b, vb, 5, inb, d, &st, &sr);
    assert_int_equal(n, 2); /* (0,0) and (0,2); (0,1) failed in b, (1,0) NaN in a */
    assert_near(d[0], 0.55 - 0.5, 1e-15);
    assert_near(d[1], 0.75 - 0.7, 1e-15);
    assert_near(st, 20, 0);
    assert_near(sr, 60, 0);
}

/* Refused: the fixture has a failed and a running job. */
static void test_incomplete(void **state)
{
    (void)state;
    sc_comparison c;
    assert_int_equal(build(ref, oth, NULL, 0, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "cmp_ref.h5: 2 of 16 jobs not done (1 failed, 1 "
                                         "running, 0 pending)"));
    assert_non_null(strstr(sc_err_msg(), "--partial"));
    assert_null(c.rf);
}

static void test_tests_by_hand(void **state)
{
    (void)state;
    sc_comparison c;
    assert_int_equal(build(ref, oth, "original/dspic", 1, &c), 0);
    assert_non_null(strstr(c.notes, "cmp_oth.h5: 2 of 16 jobs not done"));
    assert_int_equal(c.n_metrics, 2);
    assert_string_equal(c.metrics[0], "macro_f1");
    assert_int_equal(c.baseline_cell, 0);
    /* per metric: 4 same-cell tests and 3 against the baseline (its own cell is tested once) */
    assert_int_equal(c.n_tests, 2 * 7);
    assert_int_equal(c.n_cells, 2 * 2 * FX_CELLS);

    /* geometric x dspic: differences 0.01 (f + 1) on the 4 folds */
    const sc_cmp_test *t = find_test(&c, "macro_f1", 2, 2);
    assert_non_null(t);
    assert_int_equal(t->baseline, 0);
    assert_int_equal(t->tt.n, 4);
    assert_int_equal(t->tt.res.df, 3);
    double sum_t = 0, sum_r = 0;
    for (int j = 0; j < fx.n_jobs; j++)
        if (fx.cell[j] == 2) {
            sum_t += fx.n_test[j];
            sum_r += FX_N - fx.n_test[j];
        }
    double ratio = sum_t / sum_r, mean = 0.025, sd = sqrt((2 * 0.015 * 0.015 + 2 * 0.005 * 0.005) / 3);
    double tt = mean / (sd * sqrt(0.25 + ratio));
    assert_near(t->tt.test_train_ratio, ratio, 1e-15);
    assert_near(t->tt.res.mean, mean, 1e-12);
    assert_near(t->tt.res.sd, sd, 1e-12);
    assert_near(t->tt.res.t, tt, 1e-9);
    assert_near(t->tt.res.p, 2 * gsl_cdf_tdist_Q(tt, 3), 1e-12);
    double half = gsl_cdf_tdist_Qinv(0.025, 3) * sd * sqrt(0.25 + ratio);
    assert_near(t->tt.res.lo, mean - half, 1e-12);
    assert_near(t->tt.res.hi, mean + half, 1e-12);
    /* macro_accuracy was not changed: equal values, a degenerate test with p = 1 */
    t = find_test(&c, "macro_accuracy", 2, 2);
    assert_non_null(t);
    assert_near(t->tt.res.mean, 0, 0);
    assert_int_equal(t->tt.res.degenerate, 1);
    assert_near(t->tt.res.p, 1, 0);
    /* original x alexnet: its fold 3 still running in both files, so 3 pairs */
    t = find_test(&c, "macro_f1", 1, 1);
    assert_non_null(t);
    assert_int_equal(t->tt.n, 3);
    /* geometric x dspic against the baseline original x dspic: only macro_f1 moved */
    t = find_test(&c, "macro_f1", 2, 0);
    assert_non_null(t);
    assert_int_equal(t->baseline, 1);
    assert_int_equal(t->tt.n, 4);
    /* Holm over the 7 tests of macro_f1: at least p, at most 1, and min(1, 7 p) for the smallest */
    double pmin = 2, hmin = 2;
    for (int i = 0; i < c.n_tests; i++) {
        const sc_cmp_test *x = &c.tests[i];
        if (x->metric != 0 || isnan(x->tt.res.p)) continue;
        assert_true(x->tt.p_holm >= x->tt.res.p && x->tt.p_holm <= 1);
        if (x->tt.res.p < pmin) {
            pmin = x->tt.res.p;
            hmin = x->tt.p_holm;
        }
    }
    assert_near(hmin, fmin(1, 7 * pmin), 1e-15);

    /* each cell is its file's /summary/table row */
    for (int i = 0; i < c.n_cells; i++) {
        const sc_cmp_cell *x = &c.cells[i];
        const sc_summary_row *r = sc_summary_find(&c.s[x->file], x->cell, c.metrics[x->metric]);
        assert_memory_equal(&x->row, r, sizeof *r);
    }
    /* McNemar (the whole label set), one repeat: for each of the 7 pairs.  The copy has the
     * reference's scores, so a cell against its own copy never disagrees; geometric x dspic
     * against the baseline original x dspic disagrees where the design flips one of them. */
    assert_int_equal(c.n_mcnemar, 7);
    for (int i = 0; i < c.n_mcnemar; i++) {
        const sc_cmp_mcnemar *m = &c.mcnemar[i];
        int b = 0, cc = 0;
        int64_t n = 0;
        for (int s = 0; s < FX_N; s++) {
            int both = 1; /* the scan's fold done in both cells */
            for (int j = 0; j < fx.n_jobs; j++)
                if (fx.fold[j] == fx.assign[s] && (fx.cell[j] == m->cell || fx.cell[j] == m->ref_cell))
                    both &= fx.status[j] == 2;
            if (!both) continue;
            n++;
            int ra = 1, rb = 1;
            for (int q = 0; q < FX_L; q++) {
                ra &= !fx_flip(m->ref_cell, s, q);
                rb &= !fx_flip(m->cell, s, q);
            }
            b += ra && !rb;
            cc += !ra && rb;
        }
        assert_int_equal(m->mc.n, n);
        assert_int_equal(m->mc.res.b, b);
        assert_int_equal(m->mc.res.c, cc);
        if (m->cell == m->ref_cell) assert_int_equal(b + cc, 0);
        assert_true(m->mc.res.exact_recommended == (b + cc < 25));
        assert_near(m->mc.p, m->mc.res.exact_recommended ? m->mc.res.p_exact : m->mc.res.p_chi2, 0);
        assert_true(m->mc.p_holm >= m->mc.p && m->mc.p_holm <= 1);
    }
    const sc_cmp_mcnemar *mb = NULL;
    for (int i = 0; i < c.n_mcnemar; i++)
        if (c.mcnemar[i].cell == 2 && c.mcnemar[i].ref_cell == 0) mb = &c.mcnemar[i];
    assert_non_null(mb);
    assert_int_equal(mb->mc.n, FX_N);
    assert_true(mb->mc.res.b + mb->mc.res.c > 0); /* the design makes them disagree */

    /* the CSV: a header, one row per cell and per test */
    assert_int_equal(sc_compare_write_csv(&c, "cmp.csv"), 0);
    FILE *f = fopen("cmp.csv", "r");
    char line[1024];
    int lines = 0;
    while (fgets(line, sizeof line, f)) lines++;
    fclose(f);
    remove("cmp.csv");
    assert_int_equal(lines, 1 + c.n_cells + c.n_tests + c.n_mcnemar);
    sc_compare_free(&c);
}

static void test_metrics_and_baseline(void **state)
{
    (void)state;
    const char *paths[] = {ref, oth};
    const char *m1[] = {"f1", "macro_sensitivity"};
    sc_compare_options opt = {.n_paths = 2, .paths = paths, .n_metrics = 2, .metrics = m1,
                              .partial = 1};
    sc_comparison c;
    assert_int_equal(sc_compare_build(&opt, &c), 0);
    assert_string_equal(c.metrics[0], "macro_f1");
    assert_string_equal(c.metrics[1], "macro_sensitivity");
    assert_int_equal(c.n_tests, 2 * FX_CELLS); /* no baseline: the same cells only */
    sc_compare_free(&c);
    const char *m2[] = {"nosuch"};
    opt.metrics = m2;
    opt.n_metrics = 1;
    assert_int_equal(sc_compare_build(&opt, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "--metric nosuch: cmp_ref.h5 has no per-job metric"));
    const char *m3[] = {"f1", "macro_f1"};
    opt.metrics = m3;
    opt.n_metrics = 2;
    assert_int_equal(sc_compare_build(&opt, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "named twice"));
    opt.n_metrics = 0;
    opt.baseline = "original/vgg11";
    assert_int_equal(sc_compare_build(&opt, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "--baseline original/vgg11: cmp_ref.h5 has no such "
                                         "cell (its cells: original/dspic, original/alexnet"));
    opt.baseline = NULL;
    paths[1] = ref;
    assert_int_equal(sc_compare_build(&opt, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "cmp_ref.h5: named twice"));
    opt.n_paths = 1;
    assert_int_equal(sc_compare_build(&opt, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "at least two results files"));
}

/* Another data set (its hash), other folds (their number, or the assignment of one scan). */
static void test_refusals(void **state)
{
    (void)state;
    sc_comparison c;
    copy_file(ref, bad);
    hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(H5Adelete(f, "dataset_hash") >= 0);
    assert_int_equal(sc_h5_write_str_attr(f, bad, "dataset_hash", "00000000000000ff", SC_H5_FIXED), 0);
    H5Fclose(f);
    assert_int_equal(build(ref, bad, NULL, 1, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "cmp_bad.h5: data set hash 00000000000000ff differs "
                                         "from cmp_ref.h5's"));

    copy_file(ref, bad);
    f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/folds/assignment", H5P_DEFAULT);
    int16_t a[FX_N];
    assert_true(H5Dread(d, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) >= 0);
    a[7] = (int16_t)((a[7] + 1) % FX_K);
    assert_true(H5Dwrite(d, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) >= 0);
    H5Dclose(d);
    H5Fclose(f);
    assert_int_equal(build(ref, bad, NULL, 1, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "cmp_bad.h5: fold assignment hash"));
    assert_non_null(strstr(sc_err_msg(), "differs from cmp_ref.h5's"));
    assert_non_null(strstr(sc_err_msg(), "1 of 48 scans in another fold, the first: repeat 0, "
                                         "scan 7"));

    fx_results fx2;
    assert_int_equal(fx_make(bad, 2, &fx2), 0);
    assert_int_equal(build(ref, bad, NULL, 1, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "cmp_bad.h5: folds differ from cmp_ref.h5's: 4 folds x "
                                         "2 repeats against 4 x 1"));

    FILE *t = fopen(bad, "w");
    fputs("text\n", t);
    fclose(t);
    assert_int_equal(build(ref, bad, NULL, 1, &c), -1);
    assert_non_null(strstr(sc_err_msg(), "cmp_bad.h5: not an HDF5 file"));
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cell),
        cmocka_unit_test(test_pair_folds),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_tests_by_hand),
        cmocka_unit_test(test_metrics_and_baseline),
        cmocka_unit_test(test_refusals),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    MPI_Finalize();
    return rc;
}
