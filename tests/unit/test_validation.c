/* tests/unit/test_validation.c: train.validation's pure parts: the inner split (by patient,
 * stratified, deterministic, never the test fold), the per-label threshold choice (a
 * hand-computed example, the tie rule, a brute-force check), the best epoch and the patience
 * on constructed loss sequences, and metrics at per-label thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds.h"
#include "jobs/validation.h"
#include "stats/job_metrics.h"
#include "stats/metrics.h"
#include "stats/threshold.h"
#include "util/error.h"
#include "util/rng.h"

/* n_pat patients with 1-3 scans each, label sets (3 labels) drawn with skewed weights. */
static int64_t cohort(int n_pat, uint8_t **labels, int64_t **patient)
{
    sc_rng r;
    sc_rng_seed(&r, 91);
    int64_t n = 0;
    *labels = malloc((size_t)n_pat * 9);
    *patient = malloc((size_t)n_pat * 3 * sizeof(int64_t));
    for (int p = 0; p < n_pat; p++) {
        const double u = sc_rng_uniform(&r);
        const int m = u < 0.3 || u > 0.9, a = (u > 0.3 && u < 0.5) || u > 0.9;
        const int scans = 1 + (int)sc_rng_below(&r, 3);
        for (int s = 0; s < scans; s++, n++) {
            (*labels)[n * 3 + 0] = (uint8_t)m;
            (*labels)[n * 3 + 1] = (uint8_t)a;
            (*labels)[n * 3 + 2] = (uint8_t)(!m && !a);
            (*patient)[n] = 5000 - 3 * p; /* ids neither contiguous nor increasing */
        }
    }
    return n;
}

static int set_of(const uint8_t *labels, const int64_t *patient, int64_t n, int64_t id)
{
    int s = 0;
    for (int64_t i = 0; i < n; i++)
        if (patient[i] == id) s |= labels[i * 3] | labels[i * 3 + 1] << 1 | labels[i * 3 + 2] << 2;
    return s;
}

static void test_split_by_patient_stratified_never_test(void **state)
{
    (void)state;
    uint8_t *lab;
    int64_t *pat;
    const int64_t n = cohort(150, &lab, &pat);
    int16_t *assign = malloc(sizeof *assign * (size_t)n);
    const sc_fold_cfg fc = {.k = 4, .repeats = 1, .stratify = 1, .by_patient = 1};
    assert_int_equal(sc_folds_assign(n, 3, lab, pat, NULL, &fc, 3, assign), 0);
    int32_t *val = malloc(sizeof *val * (size_t)n);
    int64_t groups = 0;
    const int64_t nv = sc_val_split(assign, n, 1, lab, 3, pat, 0.2, 99, val, &groups);
    assert_true(nv > 0);
    /* the training part's patients and label sets, and which of them were held out */
    int64_t P = 0, held = 0, size[8] = {0}, got[8] = {0};
    int64_t *seen = malloc(sizeof *seen * (size_t)n);
    for (int64_t i = 0; i < n; i++) {
        if (assign[i] == 1) continue;
        int dup = 0;
        for (int64_t q = 0; q < P; q++) dup |= seen[q] == pat[i];
        if (dup) continue;
        seen[P++] = pat[i];
        int in_val = 0, in_train = 0;
        for (int64_t k = 0; k < n; k++) {
            if (pat[k] != pat[i]) continue;
            int v = 0;
            for (int64_t q = 0; q < nv; q++) v |= val[q] == k;
            in_val |= v;
            in_train |= !v;
        }
        assert_false(in_val && in_train); /* a patient is held out whole, or not at all */
        const int s = set_of(lab, pat, n, pat[i]);
        size[s]++;
        got[s] += in_val;
        held += in_val;
    }
    for (int64_t q = 0; q < nv; q++) {
        assert_int_not_equal(assign[val[q]], 1); /* never a test scan */
        if (q) assert_true(val[q] > val[q - 1]);  /* increasing */
    }
    assert_int_equal(held, groups);
    assert_int_equal(held, llround(0.2 * (double)P));
    for (int s = 0; s < 8; s++) /* each label set in proportion, within one patient */
        assert_true(fabs((double)got[s] - 0.2 * (double)size[s]) < 1.0);
    /* deterministic; another seed holds out other patients */
    int32_t *again = malloc(sizeof *again * (size_t)n);
    assert_int_equal(sc_val_split(assign, n, 1, lab, 3, pat, 0.2, 99, again, NULL), nv);
    assert_memory_equal(val, again, sizeof *val * (size_t)nv);
    const int64_t n2 = sc_val_split(assign, n, 1, lab, 3, pat, 0.2, 100, again, NULL);
    assert_true(n2 != nv || memcmp(val, again, sizeof *val * (size_t)nv) != 0);
    /* the seed of (repeat, fold) is a function of them alone */
    assert_true(sc_val_seed(1, 0, 1) == sc_val_seed(1, 0, 1));
    assert_true(sc_val_seed(1, 0, 1) != sc_val_seed(1, 1, 0));
    /* removal from the training scans */
    int64_t *train = malloc(sizeof *train * (size_t)n);
    const int64_t m = sc_folds_indices(assign, n, 1, 0, train);
    const int64_t left = sc_val_remove(train, m, val, nv);
    assert_int_equal(left, m - nv);
    for (int64_t i = 0; i < left; i++)
        for (int64_t q = 0; q < nv; q++) assert_int_not_equal(train[i], val[q]);
    free(train);
    free(again);
    free(seen);
    free(val);
    free(assign);
    free(lab);
    free(pat);
}

static void test_split_without_patients_and_errors(void **state)
{
    (void)state;
    /* folds.group = "none": every scan its own patient; 10 training scans, 0.5 -> 5 */
    const int16_t a[12] = {0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1};
    uint8_t lab[12] = {0};
    int32_t val[12];
    int64_t g = 0;
    assert_int_equal(sc_val_split(a, 12, 0, lab, 1, NULL, 0.5, 1, val, &g), 5);
    assert_int_equal(g, 5);
    /* a small fraction still holds out one patient */
    assert_int_equal(sc_val_split(a, 12, 0, lab, 1, NULL, 0.01, 1, val, &g), 1);
    /* one patient in the training part: nothing to hold out */
    const int64_t pat[12] = {7, 8, 8, 8, 8, 8, 7, 8, 8, 8, 8, 8};
    assert_int_equal(sc_val_split(a, 12, 0, lab, 1, pat, 0.2, 1, val, NULL), -1);
    assert_non_null(strstr(sc_err_msg(), "train.validation: the training part of fold 0 has 1 "
                                         "patient"));
}

static void test_threshold_hand_example(void **state)
{
    (void)state;
    /* label 0: 0.9+ 0.8- 0.7+ 0.3+ 0.2-.  At 0.5 (also the midpoint of 0.7 and 0.3): TP 2, FP 1,
     * FN 1, F1 4/6.  Midpoints: 0.85: 2/4; 0.75: 2/5; 0.25: TP 3, FP 1, FN 0: 6/7, the best. */
    const float s[5] = {0.9f, 0.8f, 0.7f, 0.3f, 0.2f};
    const uint8_t y[5] = {1, 0, 1, 1, 0};
    double t, f1;
    st_best_threshold(s, y, 5, 1, 0, &t, &f1);
    assert_true(t == 0.5 * ((double)0.3f + (double)0.2f));
    assert_true(fabs(f1 - 6.0 / 7.0) < 1e-15);
    /* the order of the samples does not matter */
    const float s2[5] = {0.2f, 0.7f, 0.9f, 0.3f, 0.8f};
    const uint8_t y2[5] = {0, 1, 1, 1, 0};
    double t2;
    st_best_threshold(s2, y2, 5, 1, 0, &t2, NULL);
    assert_true(t2 == t);
    /* ties: 0.95+ 0.7- 0.6+ 0.05-: F1 4/5 at 0.5 and at 0.325: 0.5 (closest to 0.5) wins */
    const float s3[4] = {0.95f, 0.7f, 0.6f, 0.05f};
    const uint8_t y3[4] = {1, 0, 1, 0};
    st_best_threshold(s3, y3, 4, 1, 0, &t, &f1);
    assert_true(t == 0.5);
    assert_true(fabs(f1 - 0.8) < 1e-15);
    /* ties at equal distance (scores exact in binary): 15/16- 13/16+ 11/16- 9/16- 7/16- 5/16+
     * 3/16- 1/16-: F1 1/2 at 0.75 (TP 1, FP 1, FN 1) and at 0.25 (TP 2, FP 4, FN 0), 1/3 at
     * 0.5, less elsewhere: the lower, 0.25, wins */
    const float s4[8] = {15 / 16.f, 13 / 16.f, 11 / 16.f, 9 / 16.f, 7 / 16.f, 5 / 16.f,
                         3 / 16.f, 1 / 16.f};
    const uint8_t y4[8] = {0, 1, 0, 0, 0, 1, 0, 0};
    st_best_threshold(s4, y4, 8, 1, 0, &t, &f1);
    assert_true(t == 0.25);
    assert_true(f1 == 0.5);
    /* no samples, and all scores equal: only 0.5 is a candidate */
    st_best_threshold(s, y, 0, 1, 0, &t, &f1);
    assert_true(t == 0.5 && f1 == 0.0);
    const float s5[3] = {0.3f, 0.3f, 0.3f};
    st_best_threshold(s5, y, 3, 1, 0, &t, NULL);
    assert_true(t == 0.5);
}

/* Against a brute force over the same candidates, for two interleaved labels. */
static void test_threshold_brute_force(void **state)
{
    (void)state;
    sc_rng r;
    sc_rng_seed(&r, 5);
    enum { N = 40, L = 2 };
    float s[N * L];
    uint8_t y[N * L];
    for (int rep = 0; rep < 50; rep++) {
        for (int i = 0; i < N * L; i++) {
            s[i] = (float)(int)(sc_rng_uniform(&r) * 12) / 12.0f; /* many equal scores */
            y[i] = sc_rng_uniform(&r) < 0.2 + 0.6 * s[i];
        }
        double thr[L], f1[L];
        st_best_thresholds(s, y, N, L, thr, f1);
        for (int j = 0; j < L; j++) {
            double bt = 0, bf = -1;
            for (int a = -1; a < N; a++)
                for (int b = 0; b < N; b++) {
                    double t = a < 0 ? 0.5 : 0.5 * ((double)s[a * L + j] + (double)s[b * L + j]);
                    if (a >= 0) { /* only consecutive distinct scores */
                        const float hi = s[a * L + j], lo = s[b * L + j];
                        int between = 0;
                        for (int c = 0; c < N; c++)
                            between |= s[c * L + j] < hi && s[c * L + j] > lo;
                        if (!(hi > lo) || between) continue;
                    }
                    int64_t tp = 0, fp = 0, fn = 0;
                    for (int i = 0; i < N; i++) {
                        const int p = (double)s[i * L + j] >= t;
                        tp += p && y[i * L + j];
                        fp += p && !y[i * L + j];
                        fn += !p && y[i * L + j];
                    }
                    const double f = tp + fp + fn ? 2.0 * tp / (2.0 * tp + fp + fn) : 0.0;
                    const int better = f > bf || (f == bf && (fabs(t - 0.5) < fabs(bt - 0.5) ||
                                                              (fabs(t - 0.5) == fabs(bt - 0.5) &&
                                                               t < bt)));
                    if (better) bf = f, bt = t;
                    if (a < 0) break;
                }
            assert_true(thr[j] == bt);
            assert_true(f1[j] == bf);
        }
    }
}

static void test_best_epoch_and_patience(void **state)
{
    (void)state;
    /* loss: best at epochs 0, 1, 3; then 3 epochs without improving: stop after epoch 6 */
    const double loss[8] = {1.0, 0.8, 0.85, 0.7, 0.75, 0.7, 0.9, 0.6};
    const int want[7] = {SC_VAL_IMPROVED, SC_VAL_IMPROVED, 0, SC_VAL_IMPROVED, 0, 0, SC_VAL_STOP};
    sc_val_select s;
    sc_val_select_init(&s, SC_SELECT_LOSS, 3);
    for (int e = 0; e < 7; e++) assert_int_equal(sc_val_select_step(&s, e, loss[e], 0.0), want[e]);
    assert_int_equal(s.best, 3); /* an equal loss (epoch 5) does not replace an earlier best */
    /* patience 0: no stop, the best over all epochs */
    sc_val_select_init(&s, SC_SELECT_LOSS, 0);
    for (int e = 0; e < 8; e++) assert_int_equal(sc_val_select_step(&s, e, loss[e], 0.0) &
                                                 SC_VAL_STOP, 0);
    assert_int_equal(s.best, 7);
    /* a NaN loss is never the best */
    sc_val_select_init(&s, SC_SELECT_LOSS, 1);
    assert_int_equal(sc_val_select_step(&s, 0, NAN, 0.0), SC_VAL_STOP);
    assert_int_equal(s.best, -1);
    assert_int_equal(sc_val_select_step(&s, 1, 2.0, 0.0), SC_VAL_IMPROVED);
    /* select = "f1": the highest F1, the earliest among equals */
    const double f1[5] = {0.2, 0.4, 0.4, 0.3, 0.35};
    sc_val_select_init(&s, SC_SELECT_F1, 2);
    int last = 0;
    for (int e = 0; e < 5 && !(last & SC_VAL_STOP); e++) last = sc_val_select_step(&s, e, 9.0, f1[e]);
    assert_int_equal(s.best, 1);
    assert_int_equal(s.since, 2);
    assert_true(last & SC_VAL_STOP);
}

/* Metrics at per-label thresholds: equal thresholds give st_job_metrics bit for bit; other
 * thresholds move each label's counts alone. */
static void test_metrics_at_thresholds(void **state)
{
    (void)state;
    const float s[8] = {0.9f, 0.2f, 0.6f, 0.7f, 0.4f, 0.3f, 0.1f, 0.8f};
    const uint8_t y[8] = {1, 0, 1, 1, 0, 0, 0, 1};
    const int m = st_job_metrics_count(2);
    double *a = malloc(sizeof *a * (size_t)m), *b = malloc(sizeof *b * (size_t)m);
    const double same[2] = {0.5, 0.5};
    assert_int_equal(st_job_metrics(s, y, 4, 2, 0.5, a), 0);
    assert_int_equal(st_job_metrics_at(s, y, 4, 2, same, b), 0);
    assert_memory_equal(a, b, sizeof *a * (size_t)m);
    const double thr[2] = {0.35, 0.75};
    int64_t c[8];
    st_counts_from_scores_at(s, y, 4, 2, thr, c);
    /* label 0: 0.9+ 0.6+ 0.4- 0.1- at 0.35: TP 2, FP 1, FN 0, TN 1 */
    const int64_t want0[4] = {2, 1, 0, 1};
    /* label 1: 0.2- 0.7+ 0.3- 0.8+ at 0.75: TP 1, FP 0, FN 1, TN 2 */
    const int64_t want1[4] = {1, 0, 1, 2};
    assert_memory_equal(c, want0, sizeof want0);
    assert_memory_equal(c + 4, want1, sizeof want1);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_by_patient_stratified_never_test),
        cmocka_unit_test(test_split_without_patients_and_errors),
        cmocka_unit_test(test_threshold_hand_example),
        cmocka_unit_test(test_threshold_brute_force),
        cmocka_unit_test(test_best_epoch_and_patience),
        cmocka_unit_test(test_metrics_at_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
