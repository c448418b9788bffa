/* tests/unit/test_folds_iterative.c: the iterative stage of the fold assignment (label sets
 * with fewer patients than folds, and folds.stratify = "iterative") and the fold quality
 * figures, against hand-computed examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds.h"
#include "util/error.h"
#include "util/rng.h"

#define NL 4 /* metastasis, arthritis, normal, rare */

/* A cohort of n_pat patients with 1-3 scans (ids 500 + 3 p) and 4 labels: the first three as
 * in test_folds.c's cohort, the fourth on every scan of patients 3, 17 and 40 only, so that
 * their label sets hold fewer patients than 5 folds. */
static const int rare_pat[3] = {3, 17, 40};

static void cohort4(int n_pat, uint64_t seed, int64_t *n_out, uint8_t **labels, int64_t **patient)
{
    sc_rng r;
    sc_rng_seed(&r, seed);
    int64_t n = 0;
    *labels = malloc((size_t)n_pat * 3 * NL);
    *patient = malloc((size_t)n_pat * 3 * sizeof(int64_t));
    for (int p = 0; p < n_pat; p++) {
        double u = sc_rng_uniform(&r);
        int m = u < 0.25, a = u > 0.25 && u < 0.40, both = u > 0.9;
        if (both) m = a = 1;
        int rare = p == rare_pat[0] || p == rare_pat[1] || p == rare_pat[2];
        int scans = 1 + (int)sc_rng_below(&r, 3);
        for (int s = 0; s < scans; s++, n++) {
            uint8_t *l = *labels + n * NL;
            l[0] = (uint8_t)m;
            l[1] = (uint8_t)a;
            l[2] = (uint8_t)(!m && !a);
            l[3] = (uint8_t)rare;
            (*patient)[n] = 500 + 3 * p;
        }
    }
    *n_out = n;
}

/* fold of patient id pid (its scans all agree) */
static int fold_of(const int16_t *a, const int64_t *patient, int64_t n, int64_t pid)
{
    int f = -1;
    for (int64_t i = 0; i < n; i++)
        if (patient[i] == pid) {
            if (f >= 0) assert_int_equal(a[i], f);
            f = a[i];
        }
    assert_true(f >= 0);
    return f;
}

static void assert_valid_grouped(const int16_t *a, int64_t n, const int64_t *patient, int k)
{
    for (int64_t i = 0; i < n; i++) {
        assert_true(a[i] >= 0 && a[i] < k);
        for (int64_t j = i + 1; j < n; j++)
            if (patient[i] == patient[j]) assert_int_equal(a[i], a[j]);
    }
}

/* A label set with fewer patients than folds no longer stops the run (folds.stratify = true):
 * every patient in one fold, the rare label's 3 patients in 3 different folds, the common sets
 * still balanced to within one patient, deterministic from the seed. */
static void test_rare_label_set_splits(void **state)
{
    (void)state;
    int64_t n;
    uint8_t *labels;
    int64_t *patient;
    cohort4(120, 77, &n, &labels, &patient);
    const int k = 5, reps = 3;
    int64_t rare_patients = 0;
    int64_t rare_sets = sc_folds_rare_sets(n, NL, labels, patient, k, 1, &rare_patients);
    assert_true(rare_sets >= 1 && rare_sets <= 3);
    assert_int_equal(rare_patients, 3);
    sc_fold_cfg cfg = {.k = k, .repeats = reps, .stratify = SC_STRATIFY_AUTO, .by_patient = 1};
    int16_t *a = malloc((size_t)(reps * n) * sizeof *a);
    int16_t *b = malloc((size_t)(reps * n) * sizeof *b);
    for (uint64_t seed = 1; seed <= 8; seed++) {
        assert_int_equal(sc_folds_assign(n, NL, labels, patient, NULL, &cfg, seed, a), 0);
        for (int r = 0; r < reps; r++) {
            const int16_t *ar = a + r * n;
            assert_valid_grouped(ar, n, patient, k);
            int f0 = fold_of(ar, patient, n, 500 + 3 * rare_pat[0]);
            int f1 = fold_of(ar, patient, n, 500 + 3 * rare_pat[1]);
            int f2 = fold_of(ar, patient, n, 500 + 3 * rare_pat[2]);
            assert_true(f0 != f1 && f0 != f2 && f1 != f2);
            /* the common label sets (over the first three labels; no rare patient) within one
             * patient per fold */
            for (uint32_t key = 0; key < 8; key++) {
                int per_fold[5] = {0}, members = 0;
                int64_t last = -1;
                for (int64_t i = 0; i < n; i++) {
                    const uint8_t *l = labels + i * NL;
                    uint32_t kk = l[0] | l[1] << 1 | l[2] << 2;
                    if (kk != key || l[3] || patient[i] == last) continue;
                    last = patient[i];
                    per_fold[ar[i]]++;
                    members++;
                }
                if (members < k) continue;
                int lo = per_fold[0], hi = per_fold[0];
                for (int f = 1; f < k; f++) {
                    if (per_fold[f] < lo) lo = per_fold[f];
                    if (per_fold[f] > hi) hi = per_fold[f];
                }
                assert_true(hi - lo <= 1);
            }
        }
        assert_int_equal(sc_folds_assign(n, NL, labels, patient, NULL, &cfg, seed, b), 0);
        assert_memory_equal(a, b, (size_t)(reps * n) * sizeof *a);
        assert_memory_not_equal(a, a + n, (size_t)n * sizeof *a); /* repeats differ */
        assert_int_equal(sc_folds_assign(n, NL, labels, patient, NULL, &cfg, seed + 100, b), 0);
        assert_memory_not_equal(a, b, (size_t)(reps * n) * sizeof *a);
    }
    free(a);
    free(b);
    free(labels);
    free(patient);
}

/* The same without grouping: every scan is a unit, and the rare label's scans still spread. */
static void test_rare_label_set_ungrouped(void **state)
{
    (void)state;
    int64_t n;
    uint8_t *labels;
    int64_t *patient;
    cohort4(40, 5, &n, &labels, &patient);
    sc_fold_cfg cfg = {.k = 4, .repeats = 1, .stratify = SC_STRATIFY_AUTO, .by_patient = 0};
    int16_t *a = malloc((size_t)n * sizeof *a);
    assert_int_equal(sc_folds_assign(n, NL, labels, patient, NULL, &cfg, 9, a), 0);
    int per_fold[4] = {0}, rare = 0;
    for (int64_t i = 0; i < n; i++) {
        assert_true(a[i] >= 0 && a[i] < 4);
        if (labels[i * NL + 3]) {
            per_fold[a[i]]++;
            rare++;
        }
    }
    /* as evenly as the scans allow: no fold more than one scan above another */
    int lo = rare, hi = 0;
    for (int f = 0; f < 4; f++) {
        if (per_fold[f] < lo) lo = per_fold[f];
        if (per_fold[f] > hi) hi = per_fold[f];
    }
    assert_true(rare >= 3 && hi - lo <= 1);
    free(a);
    free(labels);
    free(patient);
}

/* The hand-worked example (k = 3, labels A and B, desires written times k):
 *   patient  scans  A  B        totals: 10 scans, A 4, B 4
 *   P1 (10)    3    2  1        A has 3 patients left, B 4: label A first
 *   P2 (20)    1    0  1
 *   P3 (30)    1    1  0
 *   P4 (40)    2    0  0
 *   P5 (50)    1    1  1
 *   P7 (70)    2    0  1
 * A: P1: every fold desires A 4 and scans 10 -> any (empty folds; call it X): X 3 scans, A 2, B 1
 *    P3: A desires X -2, Y 4, Z 4; scans Y 10, Z 10 -> Y or Z (both empty; call it Y)
 *    P5: A desires X -2, Y 1, Z 4 -> Z
 * B (P2, P7 left): P2: B desires X 1, Y 4, Z 1 -> Y
 *    P7: B desires 1, 1, 1; scans X 10 - 9 = 1, Y 10 - 6 = 4, Z 10 - 3 = 7 -> Z
 * no label: P4: scans X 1, Y 4, Z 1 -> Y
 * Folds: {P1}, {P2, P3, P4}, {P5, P7}; the only ties are between empty folds, so this partition
 * is the same for every seed, only the folds' numbers change. */
static const int64_t hand_patient[10] = {10, 10, 10, 20, 30, 40, 40, 50, 70, 70};
static const uint8_t hand_labels[10 * 2] = {1, 0, 1, 1, 0, 0, /* P1: A, A+B, none */
                                            0, 1,             /* P2 */
                                            1, 0,             /* P3 */
                                            0, 0, 0, 0,       /* P4 */
                                            1, 1,             /* P5 */
                                            0, 1, 0, 0};      /* P7 */

static void test_iterative_hand_example(void **state)
{
    (void)state;
    int16_t a[10], b[10];
    int seen_fold_of_p1[3] = {0};
    for (uint64_t seed = 0; seed < 30; seed++) {
        sc_fold_cfg cfg = {.k = 3, .repeats = 1, .stratify = SC_STRATIFY_ITERATIVE,
                           .by_patient = 1};
        assert_int_equal(sc_folds_assign(10, 2, hand_labels, hand_patient, NULL, &cfg, seed, a), 0);
        int x = fold_of(a, hand_patient, 10, 10), y = fold_of(a, hand_patient, 10, 20);
        int z = fold_of(a, hand_patient, 10, 50);
        assert_true(x != y && y != z && x != z);
        assert_int_equal(fold_of(a, hand_patient, 10, 30), y);
        assert_int_equal(fold_of(a, hand_patient, 10, 40), y);
        assert_int_equal(fold_of(a, hand_patient, 10, 70), z);
        seen_fold_of_p1[x] = 1;
        /* every label set here has fewer than 3 patients: true does the same */
        cfg.stratify = SC_STRATIFY_AUTO;
        assert_int_equal(sc_folds_assign(10, 2, hand_labels, hand_patient, NULL, &cfg, seed, b), 0);
        assert_memory_equal(a, b, sizeof a);
    }
    /* the seed decides the fold numbers (the ties between empty folds) */
    assert_true(seen_fold_of_p1[0] + seen_fold_of_p1[1] + seen_fold_of_p1[2] >= 2);
}

/* "iterative" on a whole cohort: each label's positive scans within a patient's scans (3 at
 * most) of total / k in every fold, the fold sizes within two patients', and every common
 * label closer to total / k than with unstratified folds of the same seed. */
static void test_iterative_balances_a_cohort(void **state)
{
    (void)state;
    int64_t n;
    uint8_t *labels;
    int64_t *patient;
    cohort4(150, 3, &n, &labels, &patient);
    sc_fold_cfg cfg = {.k = 5, .repeats = 2, .stratify = SC_STRATIFY_ITERATIVE, .by_patient = 1};
    int16_t *a = malloc((size_t)(2 * n) * sizeof *a), *b = malloc((size_t)(2 * n) * sizeof *b);
    assert_int_equal(sc_folds_assign(n, NL, labels, patient, NULL, &cfg, 11, a), 0);
    cfg.stratify = SC_STRATIFY_NONE;
    assert_int_equal(sc_folds_assign(n, NL, labels, patient, NULL, &cfg, 11, b), 0);
    for (int r = 0; r < 2; r++) {
        assert_valid_grouped(a + r * n, n, patient, 5);
        sc_fold_quality q, u;
        assert_int_equal(sc_folds_quality(a + r * n, n, NL, labels, patient, 5, &q), 0);
        assert_int_equal(sc_folds_quality(b + r * n, n, NL, labels, patient, 5, &u), 0);
        assert_true(q.dev_abs[1] <= 6.0);
        for (int c = 2; c < q.ncol; c++) assert_true(q.dev_abs[c] <= 3.0);
        for (int c = 2; c < 2 + 3; c++) assert_true(q.dev_rel[c] < u.dev_rel[c]);
        sc_folds_quality_free(&q);
        sc_folds_quality_free(&u);
    }
    free(a);
    free(b);
    free(labels);
    free(patient);
}

/* Quality of the hand example's folds, numbered 0 = {P1}, 1 = {P2, P3, P4}, 2 = {P5, P7}:
 *           patients scans  A  B
 *   fold 0      1      3    2  1
 *   fold 1      3      4    1  1
 *   fold 2      2      3    1  2
 *   total       6     10    4  4;  ideal 2, 3.33, 1.33, 1.33
 * largest |count - ideal|: patients 1 (folds 0 and 1: the first, 0), relative 1/2; scans 2/3
 * (fold 1), relative 0.2; A 2/3 (fold 0), 0.5; B 2/3 (fold 2), 0.5. */
static void test_quality_hand_computed(void **state)
{
    (void)state;
    const int16_t a[10] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
    sc_fold_quality q;
    assert_int_equal(sc_folds_quality(a, 10, 2, hand_labels, hand_patient, 3, &q), 0);
    assert_int_equal(q.k, 3);
    assert_int_equal(q.ncol, 4);
    const int64_t want[3][4] = {{1, 3, 2, 1}, {3, 4, 1, 1}, {2, 3, 1, 2}};
    for (int f = 0; f < 3; f++)
        for (int c = 0; c < 4; c++) assert_int_equal(q.count[f * 4 + c], want[f][c]);
    const int64_t total[4] = {6, 10, 4, 4};
    const double abs_dev[4] = {1, 2.0 / 3, 2.0 / 3, 2.0 / 3}, rel[4] = {0.5, 0.2, 0.5, 0.5};
    const int at[4] = {0, 1, 0, 2};
    for (int c = 0; c < 4; c++) {
        assert_int_equal(q.total[c], total[c]);
        assert_float_equal(q.dev_abs[c], abs_dev[c], 1e-12);
        assert_float_equal(q.dev_rel[c], rel[c], 1e-12);
        assert_int_equal(q.dev_fold[c], at[c]);
    }
    sc_folds_quality_free(&q);

    /* ungrouped folds may split a patient: it counts in each of its folds, once in the total */
    const int16_t split[10] = {0, 1, 1, 1, 2, 2, 2, 0, 0, 0};
    assert_int_equal(sc_folds_quality(split, 10, 2, hand_labels, hand_patient, 3, &q), 0);
    assert_int_equal(q.count[0 * 4], 3); /* P1, P5, P7 */
    assert_int_equal(q.count[1 * 4], 2); /* P1, P2 */
    assert_int_equal(q.count[2 * 4], 2); /* P3, P4 */
    assert_int_equal(q.total[0], 6);
    sc_folds_quality_free(&q);

    /* a fold out of range is an error, not a write out of bounds */
    const int16_t bad[10] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 3};
    assert_int_equal(sc_folds_quality(bad, 10, 2, hand_labels, hand_patient, 3, &q), -1);
    assert_non_null(strstr(sc_err_msg(), "scan 9 is in fold 3"));
}

/* The printed table: a line per fold of repeat 0, the ideal and the deviation per column, then
 * the worst repeat of each column. */
static void test_quality_print(void **state)
{
    (void)state;
    /* repeat 0: the hand example's folds; repeat 1: fold 0 = {P1, P2}, 1 = {P3, P4}, 2 = {P5,
     * P7}: scans 4, 3, 3 (dev 2/3, 20%), A 2, 1, 1 (50%), B 2, 0, 2 (dev 4/3 at fold 1, 100%) */
    const int16_t a[20] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
    const char *names[2] = {"A", "B"};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(
        sc_folds_quality_print(out, a, 2, 10, 2, hand_labels, hand_patient, 3, names), 0);
    fclose(out);
    assert_non_null(strstr(buf, "\n  fold  patients    scans        A        B\n"));
    assert_non_null(strstr(buf, "\n  0            1        3        2        1\n"));
    assert_non_null(strstr(buf, "\n  1            3        4        1        1\n"));
    assert_non_null(strstr(buf, "\n  2            2        3        1        2\n"));
    assert_non_null(strstr(buf, "\n  ideal      2.0      3.3      1.3      1.3\n"));
    assert_non_null(strstr(buf, "\n  dev      50.0%    20.0%    50.0%    50.0%\n"));
    assert_non_null(strstr(buf, "largest dev over the 2 repeats: patients 50.0% (1.0, repeat 0), "
                                "scans 20.0% (0.7, repeat 0), A 50.0% (0.7, repeat 0), "
                                "B 100.0% (1.3, repeat 1)\n"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rare_label_set_splits),
        cmocka_unit_test(test_rare_label_set_ungrouped),
        cmocka_unit_test(test_iterative_hand_example),
        cmocka_unit_test(test_iterative_balances_a_cohort),
        cmocka_unit_test(test_quality_hand_computed),
        cmocka_unit_test(test_quality_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
