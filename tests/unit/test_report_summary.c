/* tests/unit/test_report_summary.c: the /summary datasets beyond /summary/table, on the
 * designed results file of report_fixture.c: pooled proportions, bootstrap, comparisons and
 * Holm, checked against values worked out by hand from the design, and read back through
 * HDF5 (as h5py would). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_read.h"
#include "results/summary.h"
#include "stats/compare.h"
#include "stats/intervals.h"
#include "stats/metrics.h"
#include "tests/unit/report_fixture.h"

static const char *path = "report_summary.h5";
static fx_results fx;

static int setup(void **state)
{
    (void)state;
    return fx_make(path, 1, &fx);
}

static int teardown(void **state)
{
    (void)state;
    remove(path);
    return 0;
}

/* Exact two-sided McNemar p for b, c by the binomial sum, by hand. */
static double exact_p(int b, int c)
{
    int n = b + c, k = b < c ? b : c;
    double sum = 0, coef = 1;
    for (int i = 0; i <= k; i++) {
        sum += coef;
        coef = coef * (n - i) / (i + 1);
    }
    double p = 2 * sum / pow(2, n);
    return p > 1 ? 1 : p;
}

/* b, c of cells a and b from the design: scans of the folds where both jobs are done. */
static void design_bc(int ca, int cb, int label, int *b, int *c)
{
    *b = *c = 0;
    for (int i = 0; i < FX_N; i++) {
        int f = fx.assign[i], both = 1;
        for (int j = 0; j < fx.n_jobs; j++)
            if (fx.fold[j] == f && (fx.cell[j] == ca || fx.cell[j] == cb))
                both &= fx.status[j] == 2;
        if (!both) continue;
        int ra = 1, rb = 1;
        for (int q = 0; q < FX_L; q++)
            if (label < 0 || q == label) {
                ra &= !fx_flip(ca, i, q);
                rb &= !fx_flip(cb, i, q);
            }
        *b += ra && !rb;
        *c += !ra && rb;
    }
}

static void test_mcnemar_by_hand(void **state)
{
    (void)state;
    sc_results_file rf;
    sc_summary s;
    assert_int_equal(sc_results_open(path, &rf), 0);
    assert_int_equal(sc_summary_compute(&rf, &s), 0);
    assert_int_equal(s.n_cells, FX_CELLS);
    /* 6 pairs x (set + 3 labels) x 1 repeat */
    assert_int_equal(s.n_mcnemar, 6 * 4);
    int checked = 0;
    for (int i = 0; i < s.n_mcnemar; i++) {
        const sc_mcnemar_row *m = &s.mcnemar[i];
        int label = !strcmp(m->label, "set") ? -1 : !strcmp(m->label, "metastasis") ? 0
                                                : !strcmp(m->label, "arthritis")    ? 1
                                                                                    : 2;
        int b, c;
        design_bc(m->cell_a, m->cell_b, label, &b, &c);
        assert_int_equal(m->mc.res.b, b);
        assert_int_equal(m->mc.res.c, c);
        if (b + c < 25 && b + c > 0) {
            assert_int_equal(m->mc.res.exact_recommended, 1);
            assert_float_equal(m->mc.p, exact_p(b, c), 1e-12);
        }
        checked++;
    }
    assert_int_equal(checked, 24);
    /* Worked out by hand: original x dspic (flips metastasis at i % 8 == 0) against
     * geometric x dspic (flips normal at i % 5 == 0), all 48 scans: whole set b = 8, c = 4,
     * exact p = 2 (1 + 12 + 66 + 220 + 495) / 4096. */
    const sc_mcnemar_row *m02 = NULL;
    for (int i = 0; i < s.n_mcnemar; i++)
        if (s.mcnemar[i].cell_a == 0 && s.mcnemar[i].cell_b == 2 &&
            !strcmp(s.mcnemar[i].label, "set"))
            m02 = &s.mcnemar[i];
    assert_non_null(m02);
    assert_int_equal(m02->mc.n, 48);
    assert_int_equal(m02->mc.res.b, 8);
    assert_int_equal(m02->mc.res.c, 4);
    assert_float_equal(m02->mc.p, 2.0 * 794 / 4096, 1e-12);
    sc_summary_free(&s);
    sc_results_free(&rf);
}

static void test_holm_families(void **state)
{
    (void)state;
    sc_results_file rf;
    sc_summary s;
    assert_int_equal(sc_results_open(path, &rf), 0);
    assert_int_equal(sc_summary_compute(&rf, &s), 0);
    /* McNemar families: 6 consecutive rows (pairs) per label; t-test: 6 per metric. */
    for (int fam = 0; fam < s.n_mcnemar / 6; fam++) {
        const sc_mcnemar_row *r = &s.mcnemar[6 * fam];
        /* Holm by hand: order the 6 p-values ascending (stable), then
         * adj_(k) = max_{i <= k} min(1, (6 - i) p_(i)). */
        int order[6];
        for (int i = 0; i < 6; i++) {
            assert_string_equal(r[i].label, r[0].label);
            int at = i;
            while (at > 0 && r[order[at - 1]].mc.p > r[i].mc.p) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = i;
        }
        double running = 0;
        for (int k = 0; k < 6; k++) {
            running = fmax(running, fmin(1.0, (6 - k) * r[order[k]].mc.p));
            assert_float_equal(r[order[k]].mc.p_holm, running, 1e-15);
            assert_true(r[order[k]].mc.p_holm >= r[order[k]].mc.p);
        }
        /* monotone: a smaller raw p never gets a larger adjusted p */
        for (int i = 0; i < 6; i++)
            for (int q = 0; q < 6; q++)
                if (r[i].mc.p < r[q].mc.p) assert_true(r[i].mc.p_holm <= r[q].mc.p_holm);
    }
    sc_summary_free(&s);
    sc_results_free(&rf);
}

static void test_ttest_and_pooled(void **state)
{
    (void)state;
    sc_results_file rf;
    sc_summary s;
    assert_int_equal(sc_results_open(path, &rf), 0);
    assert_int_equal(sc_summary_compute(&rf, &s), 0);
    /* t-test macro_f1 of original x dspic vs geometric x alexnet: the folds where both are done
     * (geometric x alexnet failed fold 2): 0, 1, 3. */
    const sc_ttest_row *t = NULL;
    for (int i = 0; i < s.n_ttest; i++)
        if (s.ttest[i].cell_a == 0 && s.ttest[i].cell_b == 3 &&
            !strcmp(s.ttest[i].metric, "macro_f1"))
            t = &s.ttest[i];
    assert_non_null(t);
    assert_int_equal(t->tt.n, 3);
    double d[3], n_test = 0, n_train = 0;
    int J = 0;
    for (int f = 0; f < FX_K; f++) {
        if (f == 2) continue;
        int ja = -1, jb = -1;
        for (int j = 0; j < fx.n_jobs; j++) {
            if (fx.fold[j] == f && fx.cell[j] == 0) ja = j;
            if (fx.fold[j] == f && fx.cell[j] == 3) jb = j;
        }
        d[J++] = fx.metrics[ja][4] - fx.metrics[jb][4];
        n_test += fx.n_test[ja];
        n_train += FX_N - fx.n_test[ja];
    }
    st_ttest_result want;
    assert_int_equal(st_ttest_corrected(d, 3, n_test / n_train, 0.95, &want), 0);
    assert_float_equal(t->tt.res.mean, want.mean, 1e-15);
    assert_float_equal(t->tt.res.p, want.p, 1e-15);
    assert_float_equal(t->tt.res.lo, want.lo, 1e-15);

    /* pooled sensitivity of metastasis for original x alexnet: folds 0..2 (fold 3 running). */
    const sc_pooled_row *p = sc_summary_find_pooled(&s, 1, 0, "metastasis", "sensitivity");
    assert_non_null(p);
    assert_int_equal(p->n_folds, 4);
    assert_int_equal(p->n_folds_done, 3);
    int64_t tp = 0, fn = 0;
    for (int i = 0; i < FX_N; i++)
        if (fx.assign[i] != 3 && fx.truth[i * FX_L] == 1) {
            tp += !fx_flip(1, i, 0);
            fn += fx_flip(1, i, 0);
        }
    assert_int_equal(p->x, tp);
    assert_int_equal(p->n, tp + fn);
    double lo, hi;
    assert_int_equal(st_wilson(tp, tp + fn, 0.95, &lo, &hi), 0);
    assert_float_equal(p->wilson_lo, lo, 0);
    assert_int_equal(st_clopper_pearson(tp, tp + fn, 0.95, &lo, &hi), 0);
    assert_float_equal(p->cp_hi, hi, 0);
    /* subset accuracy of original x dspic: a flip always makes its label wrong, and the
     * cell flips metastasis at i % 8 == 0: 6 of 48 scans wrong. */
    const sc_pooled_row *sa = sc_summary_find_pooled(&s, 0, 0, "set", "subset_accuracy");
    assert_int_equal(sa->n, 48);
    assert_int_equal(sa->x, 42);

    /* Bootstrap: the estimate is the pooled macro F1; over patients; reproducible. */
    const sc_boot_row *b = NULL;
    for (int i = 0; i < s.n_boot; i++)
        if (s.boot[i].cell == 1 && !strcmp(s.boot[i].metric, "macro_f1")) b = &s.boot[i];
    assert_non_null(b);
    int64_t cnt[FX_L * 4] = {0};
    for (int j = 0; j < fx.n_jobs; j++)
        if (fx.cell[j] == 1 && fx.status[j] == 2)
            for (int q = 0; q < FX_L * 4; q++) cnt[q] += fx.counts[j][q];
    double macro[ST_N_BASIC];
    st_macro_metrics(cnt, FX_L, macro, NULL);
    assert_float_equal(b->estimate, macro[ST_F1], 1e-15);
    assert_int_equal(b->n_samples, 36);
    assert_int_equal(b->n_patients, 18);
    assert_int_equal(b->resamples, SC_SUMMARY_BOOTSTRAP_DEFAULT);
    assert_true(b->lo <= b->estimate && b->estimate <= b->hi && b->lo < b->hi);
    sc_summary s2;
    assert_int_equal(sc_summary_compute(&rf, &s2), 0);
    assert_memory_equal(s.boot, s2.boot, (size_t)s.n_boot * sizeof *s.boot);
    sc_summary_free(&s2);
    sc_summary_free(&s);
    sc_results_free(&rf);
}

/* /summary datasets written and read back as compound data. */
static void test_written_datasets(void **state)
{
    (void)state;
    sc_results_file rf;
    sc_summary s;
    assert_int_equal(sc_results_open(path, &rf), 0);
    assert_int_equal(sc_summary_compute(&rf, &s), 0);
    sc_results_free(&rf);
    assert_int_equal(sc_summary_write(path, &s), 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    for (int t = 0; t < SC_N_TABLES; t++) {
        const sc_table_desc *desc = &sc_summary_tables[t];
        int n;
        const void *rows = sc_summary_table_rows(&s, t, &n);
        hid_t d = H5Dopen2(f, desc->path, H5P_DEFAULT);
        assert_true(d >= 0);
        hid_t sp = H5Dget_space(d), ft = H5Dget_type(d);
        assert_int_equal(H5Sget_simple_extent_npoints(sp), n);
        assert_int_equal(H5Tget_nmembers(ft), desc->n_fields);
        assert_true(H5Aexists(d, "description") > 0);
        /* the file's type is the row layout: the bytes read back are the rows written */
        void *back = calloc((size_t)n + 1, desc->row_size);
        if (n > 0) {
            assert_true(H5Dread(d, ft, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
            assert_memory_equal(back, rows, (size_t)n * desc->row_size);
        }
        H5Tclose(ft);
        free(back);
        H5Sclose(sp);
        H5Dclose(d);
    }
    /* one McNemar row through a field-selecting read, as h5py's ds["p"] does */
    hid_t d = H5Dopen2(f, "/summary/comparisons/mcnemar", H5P_DEFAULT);
    hid_t pt = H5Tcreate(H5T_COMPOUND, 2 * sizeof(double));
    H5Tinsert(pt, "p", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(pt, "p_holm", sizeof(double), H5T_NATIVE_DOUBLE);
    double *pp = malloc((size_t)s.n_mcnemar * 2 * sizeof *pp);
    assert_true(H5Dread(d, pt, H5S_ALL, H5S_ALL, H5P_DEFAULT, pp) >= 0);
    for (int i = 0; i < s.n_mcnemar; i++) {
        assert_memory_equal(&pp[2 * i], &s.mcnemar[i].mc.p, sizeof(double));
        assert_memory_equal(&pp[2 * i + 1], &s.mcnemar[i].mc.p_holm, sizeof(double));
    }
    free(pp);
    H5Tclose(pt);
    H5Dclose(d);
    hid_t g = H5Gopen2(f, "/summary", H5P_DEFAULT);
    int B = 0;
    hid_t a = H5Aopen(g, "bootstrap_resamples", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_INT, &B) >= 0);
    assert_int_equal(B, SC_SUMMARY_BOOTSTRAP_DEFAULT);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(f);
    sc_summary_free(&s);
}

/* With two repeats, pooled counts are per repeat: every scan once. */
static void test_two_repeats(void **state)
{
    (void)state;
    fx_results fx2;
    const char *p2 = "report_summary_r2.h5";
    assert_int_equal(fx_make(p2, 2, &fx2), 0);
    sc_results_file rf;
    sc_summary s;
    assert_int_equal(sc_results_open(p2, &rf), 0);
    sc_summary_options opt = {.bootstrap = 200};
    assert_int_equal(sc_summary_compute_opts(&rf, &opt, &s), 0);
    for (int r = 0; r < 2; r++) {
        const sc_pooled_row *p = sc_summary_find_pooled(&s, 0, r, "set", "subset_accuracy");
        assert_non_null(p);
        assert_int_equal(p->n, FX_N);
        assert_int_equal(p->n_folds_done, FX_K);
    }
    /* repeat 1 is complete for every cell; repeat 0 is not for cell 1 */
    assert_int_equal(sc_summary_find_pooled(&s, 1, 0, "set", "subset_accuracy")->n_folds_done, 3);
    assert_int_equal(sc_summary_find_pooled(&s, 1, 1, "set", "subset_accuracy")->n_folds_done, 4);
    assert_int_equal(s.n_mcnemar, 2 * 4 * 6);
    /* t-test over both repeats: 8 paired folds, minus the failed one for cell 3 */
    for (int i = 0; i < s.n_ttest; i++)
        if (s.ttest[i].cell_a == 0 && s.ttest[i].cell_b == 3) assert_int_equal(s.ttest[i].tt.n, 7);
    assert_int_equal(s.boot[0].resamples, 200);
    sc_summary_free(&s);
    sc_results_free(&rf);
    remove(p2);
}

static void test_options_rejected(void **state)
{
    (void)state;
    sc_results_file rf;
    sc_summary s;
    assert_int_equal(sc_results_open(path, &rf), 0);
    sc_summary_options opt = {.bootstrap = 1};
    assert_int_equal(sc_summary_compute_opts(&rf, &opt, &s), -1);
    opt = (sc_summary_options){.table_only = 1};
    assert_int_equal(sc_summary_compute_opts(&rf, &opt, &s), 0);
    assert_null(s.pooled);
    assert_null(s.ttest);
    sc_summary_free(&s);
    sc_results_free(&rf);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mcnemar_by_hand),    cmocka_unit_test(test_holm_families),
        cmocka_unit_test(test_ttest_and_pooled),   cmocka_unit_test(test_two_repeats),
        cmocka_unit_test(test_options_rejected),   cmocka_unit_test(test_written_datasets),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    MPI_Finalize();
    return rc;
}
