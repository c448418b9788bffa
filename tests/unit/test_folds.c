/* tests/unit/test_folds.c: patient grouping, stratification balance, determinism, errors, and
 * the folds of the powerset stage unchanged since the iterative stage came (folds_fixture.h).
 * The iterative stage and the quality figures: test_folds_iterative.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds.h"
#include "tests/unit/folds_fixture.h"
#include "util/error.h"
#include "util/rng.h"

/* A synthetic cohort: n_pat patients with 1-3 scans, label sets drawn with skewed weights. */
static void cohort(int n_pat, int64_t *n_out, uint8_t **labels, int64_t **patient)
{
    sc_rng r;
    sc_rng_seed(&r, 77);
    int64_t cap = (int64_t)n_pat * 3, n = 0;
    *labels = malloc((size_t)cap * 3);
    *patient = malloc((size_t)cap * sizeof(int64_t));
    for (int p = 0; p < n_pat; p++) {
        double u = sc_rng_uniform(&r);
        int m = u < 0.25, a = u > 0.25 && u < 0.40, both = u > 0.9;
        if (both) m = a = 1;
        int scans = 1 + (int)sc_rng_below(&r, 3);
        for (int s = 0; s < scans; s++) {
            (*labels)[n * 3 + 0] = (uint8_t)m;
            (*labels)[n * 3 + 1] = (uint8_t)a;
            (*labels)[n * 3 + 2] = (uint8_t)(!m && !a);
            (*patient)[n] = 1000 + 7 * p; /* non-contiguous ids */
            n++;
        }
    }
    *n_out = n;
}

static void test_patients_stay_in_one_fold_and_strata_balance(void **state)
{
    (void)state;
    int64_t n;
    uint8_t *labels;
    int64_t *patient;
    cohort(120, &n, &labels, &patient);
    sc_fold_cfg cfg = {.k = 5, .repeats = 3, .stratify = 1, .by_patient = 1};
    int16_t *assign = malloc((size_t)(n * cfg.repeats) * sizeof *assign);
    assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 42, assign), 0);
    for (int r = 0; r < cfg.repeats; r++) {
        const int16_t *a = assign + r * n;
        for (int64_t i = 0; i < n; i++) {
            assert_true(a[i] >= 0 && a[i] < cfg.k);
            for (int64_t j = 0; j < n; j++)
                if (patient[i] == patient[j]) assert_int_equal(a[i], a[j]);
        }
        /* Every label set's patients are spread within one patient of each other. */
        for (uint32_t key = 0; key < 8; key++) {
            int per_fold[5] = {0};
            int64_t last = -1;
            for (int64_t i = 0; i < n; i++) {
                uint32_t k = labels[i * 3] | labels[i * 3 + 1] << 1 | labels[i * 3 + 2] << 2;
                if (k != key || patient[i] == last) continue;
                last = patient[i];
                per_fold[a[i]]++;
            }
            int lo = per_fold[0], hi = per_fold[0];
            for (int f = 1; f < 5; f++) {
                if (per_fold[f] < lo) lo = per_fold[f];
                if (per_fold[f] > hi) hi = per_fold[f];
            }
            assert_true(hi - lo <= 1);
        }
        /* Fold sizes within a few scans of each other. */
        int64_t mn = n, mx = 0;
        for (int f = 0; f < 5; f++) {
            int64_t t, tr;
            sc_folds_sizes(a, n, f, &t, &tr);
            assert_int_equal(t + tr, n);
            if (t < mn) mn = t;
            if (t > mx) mx = t;
        }
        assert_true(mx - mn <= 6);
    }
    /* Repeats differ from each other. */
    assert_memory_not_equal(assign, assign + n, (size_t)n * sizeof *assign);
    free(assign);
    free(labels);
    free(patient);
}

static void test_deterministic_and_seed_dependent(void **state)
{
    (void)state;
    int64_t n;
    uint8_t *labels;
    int64_t *patient;
    cohort(60, &n, &labels, &patient);
    sc_fold_cfg cfg = {.k = 4, .repeats = 1, .stratify = 1, .by_patient = 1};
    int16_t *a = malloc((size_t)n * 2), *b = malloc((size_t)n * 2), *c = malloc((size_t)n * 2);
    assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 5, a), 0);
    assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 5, b), 0);
    assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 6, c), 0);
    assert_memory_equal(a, b, (size_t)n * 2);
    assert_memory_not_equal(a, c, (size_t)n * 2);
    int64_t *idx = malloc((size_t)n * sizeof *idx);
    int64_t t = sc_folds_indices(a, n, 2, 1, idx);
    for (int64_t i = 0; i < t; i++) assert_int_equal(a[idx[i]], 2);
    for (int64_t i = 1; i < t; i++) assert_true(idx[i] > idx[i - 1]);
    int64_t tr = sc_folds_indices(a, n, 2, 0, idx);
    assert_int_equal(t + tr, n);
    free(idx);
    free(a);
    free(b);
    free(c);
    free(labels);
    free(patient);
}

static void test_errors_name_the_field(void **state)
{
    (void)state;
    uint8_t labels[6 * 2] = {1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1};
    int64_t patient[6] = {1, 2, 3, 4, 5, 6};
    int16_t assign[6];
    const char *names[2] = {"metastasis", "arthritis"};
    sc_fold_cfg cfg = {.k = 1, .repeats = 1, .stratify = 0, .by_patient = 1};
    assert_int_equal(sc_folds_assign(6, 2, labels, patient, names, &cfg, 1, assign), -1);
    assert_non_null(strstr(sc_err_msg(), "folds.k"));
    cfg.k = 7;
    assert_int_equal(sc_folds_assign(6, 2, labels, patient, names, &cfg, 1, assign), -1);
    assert_non_null(strstr(sc_err_msg(), "number of patients (6)"));
    cfg.k = 2;
    cfg.stratify = SC_STRATIFY_POWERSET; /* {metastasis, arthritis} has one patient */
    assert_int_equal(sc_folds_assign(6, 2, labels, patient, names, &cfg, 1, assign), -1);
    assert_non_null(strstr(sc_err_msg(), "{metastasis, arthritis} has only 1 patients"));
    assert_non_null(strstr(sc_err_msg(), "folds.stratify = true"));
    cfg.stratify = SC_STRATIFY_NONE;
    assert_int_equal(sc_folds_assign(6, 2, labels, patient, names, &cfg, 1, assign), 0);
    /* true: the rare set's patient goes by iterative stratification instead */
    cfg.stratify = SC_STRATIFY_AUTO;
    assert_int_equal(sc_folds_assign(6, 2, labels, patient, names, &cfg, 1, assign), 0);
    cfg.stratify = 4;
    assert_int_equal(sc_folds_assign(6, 2, labels, patient, names, &cfg, 1, assign), -1);
    assert_non_null(strstr(sc_err_msg(), "folds.stratify"));
}

/* fold digits of a fixture against an assignment */
static void assert_folds_equal(const char *fx, const int16_t *assign, int64_t n)
{
    assert_int_equal((int64_t)strlen(fx), n);
    for (int64_t i = 0; i < n; i++) assert_int_equal(assign[i], fx[i] - '0');
}

/* Every label set of these has at least k patients: the folds are the powerset stage's, as
 * recorded before the iterative stage existed (folds_fixture.h), whether stratify is true or
 * "powerset". */
static void test_folds_unchanged_when_no_label_set_is_rare(void **state)
{
    (void)state;
    int64_t n;
    uint8_t *labels;
    int64_t *patient;
    const int modes[2] = {SC_STRATIFY_AUTO, SC_STRATIFY_POWERSET};
    for (int mi = 0; mi < 2; mi++) {
        sc_fold_cfg cfg = {.k = 5, .repeats = 3, .stratify = modes[mi], .by_patient = 1};
        cohort(120, &n, &labels, &patient);
        int16_t *a = malloc((size_t)(3 * n) * sizeof *a);
        int64_t rare_patients;
        assert_int_equal(sc_folds_rare_sets(n, 3, labels, patient, 5, 1, &rare_patients), 0);
        assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 42, a), 0);
        assert_folds_equal(fx_cohort120_k5_r3_s42, a, 3 * n);
        free(labels);
        free(patient);
        cohort(60, &n, &labels, &patient);
        cfg.k = 4;
        cfg.repeats = 1;
        assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 5, a), 0);
        assert_folds_equal(fx_cohort60_k4_s5, a, n);
        assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 6, a), 0);
        assert_folds_equal(fx_cohort60_k4_s6, a, n);
        free(labels);
        free(patient);
        free(a);

        /* the demo's data set, with configs/demo.cfg's and configs/paper.cfg's folds */
        n = (int64_t)strlen(fx_demo_keys);
        labels = malloc((size_t)n * 3);
        patient = malloc((size_t)n * sizeof *patient);
        int64_t i = 0;
        for (int p = 0; fx_demo_scans_per_patient[p]; p++)
            for (int s = 0; s < fx_demo_scans_per_patient[p] - '0'; s++) patient[i++] = p;
        assert_int_equal(i, n);
        for (i = 0; i < n; i++)
            for (int j = 0; j < 3; j++)
                labels[i * 3 + j] = (uint8_t)((fx_demo_keys[i] - '0') >> j & 1);
        a = malloc((size_t)(2 * n) * sizeof *a);
        cfg = (sc_fold_cfg){.k = 4, .repeats = 1, .stratify = modes[mi], .by_patient = 1};
        assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 20211, a), 0);
        assert_folds_equal(fx_demo_k4_s20211, a, n);
        cfg.k = 5;
        cfg.repeats = 2;
        assert_int_equal(sc_folds_assign(n, 3, labels, patient, NULL, &cfg, 20211, a), 0);
        assert_folds_equal(fx_demo_k5_r2_s20211, a, 2 * n);
        free(a);
        free(labels);
        free(patient);
    }
}

/* The guard of everything that learns from a training part: a scan of the test fold, or no
 * scan at all, is refused with its index. */
static void test_training_scans_are_checked(void **state)
{
    (void)state;
    const int16_t a[6] = {0, 1, 2, 0, 1, 2};
    int64_t train[6];
    int64_t m = sc_folds_indices(a, 6, 1, 0, train);
    assert_int_equal(m, 4);
    assert_int_equal(sc_folds_check_train(a, 6, 1, train, m), 0);
    const int64_t leak[3] = {0, 4, 5}; /* scan 4 is in fold 1 */
    assert_int_equal(sc_folds_check_train(a, 6, 1, leak, 3), -1);
    assert_non_null(strstr(sc_err_msg(), "scan 4 is in test fold 1"));
    const int64_t out[2] = {0, 6};
    assert_int_equal(sc_folds_check_train(a, 6, 1, out, 2), -1);
    assert_non_null(strstr(sc_err_msg(), "training scan 6: no such scan"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patients_stay_in_one_fold_and_strata_balance),
        cmocka_unit_test(test_deterministic_and_seed_dependent),
        cmocka_unit_test(test_errors_name_the_field),
        cmocka_unit_test(test_folds_unchanged_when_no_label_set_is_rare),
        cmocka_unit_test(test_training_scans_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
