/* tests/unit/test_stats_metrics.c: confusion counts, per-label / macro / micro / example-based
 * metrics and the per-job metrics vector with its names.
 *
 * Golden vector: research/pipeline-anchors.md section 4.4 (computed there with plain Python and
 * matching the worked example of its source [P3]); per-label values below are the five formulas
 * applied by hand to the note's counts.  Tolerances: 1e-6 absolute on values the note gives
 * with 6 decimals, 1e-12 on exact rationals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/job_metrics.h"
#include "stats/metrics.h"
#include "stats/reference.h"
#include "util/error.h"

#define EXACT 1e-12
#define SIX 1e-6

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.15g, want %.15g (tol %g)", got, want, tol);
}

/* Note 4.4: 5 samples, 4 labels. */
enum { GN = 5, GL = 4 };
static const uint8_t g_true[GN * GL] = {0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1};
static const uint8_t g_pred[GN * GL] = {0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1};

static void golden_scores(float *s)
{
    for (int i = 0; i < GN * GL; i++) s[i] = g_pred[i] ? 1.0f : 0.0f;
}

static void test_counts_golden(void **state)
{
    (void)state;
    float s[GN * GL];
    golden_scores(s);
    int64_t c[GL * 4];
    st_counts_from_scores(s, g_true, GN, GL, 0.5, c);
    const int64_t tp[GL] = {0, 3, 3, 1}, fp[GL] = {0, 1, 1, 0}, fn[GL] = {2, 0, 1, 1},
                  tn[GL] = {3, 1, 0, 3};
    for (int j = 0; j < GL; j++) {
        assert_int_equal(c[4 * j + ST_TP], tp[j]);
        assert_int_equal(c[4 * j + ST_FP], fp[j]);
        assert_int_equal(c[4 * j + ST_FN], fn[j]);
        assert_int_equal(c[4 * j + ST_TN], tn[j]);
    }
}

static void test_threshold_rule(void **state)
{
    (void)state;
    /* score >= thr is positive; NaN is negative; truth: nonzero is positive. */
    const float s[4] = {0.5f, 0.49999997f, NAN, 0.9f};
    const uint8_t y[4] = {1, 1, 1, 7};
    int64_t c[4];
    st_counts_from_scores(s, y, 4, 1, 0.5, c);
    assert_int_equal(c[ST_TP], 2);
    assert_int_equal(c[ST_FN], 2);
    assert_int_equal(c[ST_FP] + c[ST_TN], 0);
}

static void test_label_macro_micro_golden(void **state)
{
    (void)state;
    float s[GN * GL];
    golden_scores(s);
    int64_t c[GL * 4];
    st_counts_from_scores(s, g_true, GN, GL, 0.5, c);
    /* Per label, by hand: acc, prec, sens, spec, f1. */
    const double want[GL][ST_N_BASIC] = {
        {0.6, 0.0, 0.0, 1.0, 0.0}, /* TP=0, FP=0: precision 0/0 -> 0 */
        {0.8, 0.75, 1.0, 0.5, 6.0 / 7.0},
        {0.6, 0.75, 0.75, 0.0, 0.75},
        {0.8, 1.0, 0.5, 1.0, 2.0 / 3.0},
    };
    for (int j = 0; j < GL; j++) {
        double m[ST_N_BASIC];
        int zd = 0;
        st_label_metrics(c + 4 * j, m, &zd);
        assert_int_equal(zd, j == 0 ? 1 : 0);
        for (int k = 0; k < ST_N_BASIC; k++) assert_near(m[k], want[j][k], EXACT);
    }
    double mac[ST_N_BASIC], mic[ST_N_BASIC];
    int zd = 0;
    st_macro_metrics(c, GL, mac, &zd);
    assert_int_equal(zd, 1);
    assert_near(mac[ST_ACC], 0.7, EXACT);
    assert_near(mac[ST_PREC], 0.625, SIX);
    assert_near(mac[ST_SENS], 0.5625, SIX);
    assert_near(mac[ST_SPEC], 0.625, SIX);
    assert_near(mac[ST_F1], 0.568452, SIX);
    /* Macro F1 is the mean of per-label F1, not the harmonic mean of macro P and R. */
    assert_true(fabs(mac[ST_F1] - 2 * 0.625 * 0.5625 / (0.625 + 0.5625)) > 0.02);
    zd = 0;
    st_micro_metrics(c, GL, mic, &zd);
    assert_int_equal(zd, 0);
    assert_near(mic[ST_ACC], 0.7, EXACT);
    assert_near(mic[ST_PREC], 0.777778, SIX);
    assert_near(mic[ST_SENS], 0.636364, SIX);
    assert_near(mic[ST_SPEC], 0.777778, SIX);
    assert_near(mic[ST_F1], 0.7, SIX);
    assert_string_equal(st_basic_names[ST_SENS], "sensitivity");
}

static void test_zero_division_counted(void **state)
{
    (void)state;
    double m[ST_N_BASIC];
    int zd = 0;
    const int64_t none[4] = {0, 0, 0, 0}; /* no sample at all: every denominator is 0 */
    st_label_metrics(none, m, &zd);
    assert_int_equal(zd, 5);
    for (int k = 0; k < ST_N_BASIC; k++) assert_true(m[k] == 0.0);
    const int64_t all_neg[4] = {0, 0, 0, 9}; /* no positive, none predicted */
    zd = 0;
    st_label_metrics(all_neg, m, &zd);
    assert_int_equal(zd, 3); /* precision, sensitivity, F1 */
    assert_near(m[ST_ACC], 1.0, EXACT);
    assert_near(m[ST_SPEC], 1.0, EXACT);
    const int64_t all_pos[4] = {4, 0, 0, 0}; /* no negative: specificity undefined */
    zd = 0;
    st_label_metrics(all_pos, m, &zd);
    assert_int_equal(zd, 1);
    assert_true(m[ST_SPEC] == 0.0);
    assert_near(m[ST_F1], 1.0, EXACT);
    st_label_metrics(all_pos, m, NULL); /* the counter is optional */
}

static void test_example_based_golden(void **state)
{
    (void)state;
    float s[GN * GL];
    golden_scores(s);
    double ex[ST_N_EXAMPLE];
    int64_t empty = 0;
    st_example_metrics(s, g_true, GN, GL, 0.5, ex, &empty);
    assert_int_equal(empty, 0);
    assert_near(ex[ST_EX_SUBSET_ACC], 0.4, EXACT);
    assert_near(ex[ST_EX_HAMMING], 0.3, EXACT);
    assert_near(ex[ST_EX_ACC], 0.65, SIX);
    assert_near(ex[ST_EX_PREC], 0.8, SIX);
    assert_near(ex[ST_EX_REC], 0.7, SIX);
    assert_near(ex[ST_EX_F1], 0.74, SIX);
    assert_string_equal(st_example_names[ST_EX_HAMMING], "hamming_loss");
}

static void test_example_empty_sets(void **state)
{
    (void)state;
    /* 2 labels.  Row 0: nothing true, nothing predicted (perfect: 1 everywhere).  Row 1: nothing
     * true, one predicted (0).  Row 2: one true, nothing predicted (0).  Row 3: {0,1} vs {0}. */
    const uint8_t y[8] = {0, 0, 0, 0, 1, 0, 1, 1};
    const float s[8] = {0.1f, 0.2f, 0.9f, 0.1f, 0.3f, 0.3f, 0.8f, 0.2f};
    double ex[ST_N_EXAMPLE];
    int64_t empty = 0;
    st_example_metrics(s, y, 4, 2, 0.5, ex, &empty);
    assert_int_equal(empty, 3);
    assert_near(ex[ST_EX_SUBSET_ACC], 0.25, EXACT);
    assert_near(ex[ST_EX_HAMMING], 3.0 / 8.0, EXACT);
    assert_near(ex[ST_EX_ACC], (1.0 + 0 + 0 + 0.5) / 4, EXACT);
    assert_near(ex[ST_EX_PREC], (1.0 + 0 + 0 + 1.0) / 4, EXACT);
    assert_near(ex[ST_EX_REC], (1.0 + 0 + 0 + 0.5) / 4, EXACT);
    assert_near(ex[ST_EX_F1], (1.0 + 0 + 0 + 2.0 / 3.0) / 4, EXACT);
}

/* Brute-force AUC over all (positive, negative) pairs: the reference for the job vector. */
static double brute_auc(const float *s, const uint8_t *y, int n, int l, int j)
{
    double sum = 0;
    int pairs = 0;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            if (y[a * l + j] && !y[b * l + j]) {
                float x = s[a * l + j], z = s[b * l + j];
                sum += x > z ? 1.0 : x == z ? 0.5 : 0.0;
                pairs++;
            }
    return sum / pairs;
}

static void test_job_layout_and_names(void **state)
{
    (void)state;
    assert_int_equal(st_job_metrics_count(3), 37);
    assert_int_equal(st_job_metrics_count(1), 25);
    st_job_layout y = st_job_metrics_layout(3);
    assert_int_equal(y.macro, 0);
    assert_int_equal(y.micro, 5);
    assert_int_equal(y.label, 10);
    assert_int_equal(y.example, 25);
    assert_int_equal(y.auc, 31);
    assert_int_equal(y.counts, 34);
    assert_int_equal(y.total, 37);
    const char *labels[3] = {"metastasis", "arthritis", "normal"};
    char **names = st_job_metric_names(labels, 3);
    assert_non_null(names);
    const char *want[37] = {
        "macro_accuracy", "macro_precision", "macro_sensitivity", "macro_specificity", "macro_f1",
        "micro_accuracy", "micro_precision", "micro_sensitivity", "micro_specificity", "micro_f1",
        "metastasis_accuracy", "metastasis_precision", "metastasis_sensitivity",
        "metastasis_specificity", "metastasis_f1", "arthritis_accuracy", "arthritis_precision",
        "arthritis_sensitivity", "arthritis_specificity", "arthritis_f1", "normal_accuracy",
        "normal_precision", "normal_sensitivity", "normal_specificity", "normal_f1",
        "subset_accuracy", "hamming_loss", "example_accuracy", "example_precision",
        "example_recall", "example_f1", "auc_metastasis", "auc_arthritis", "auc_normal",
        "zero_division", "empty_examples", "auc_undefined"};
    for (int k = 0; k < 37; k++) assert_string_equal(names[k], want[k]);
    st_job_metric_names_free(names, 3);
}

/* The one list of the macro metrics that summary.c and the report use: the five names, in the
 * order of the vector's first block (and so of per_fold.csv's and summary.csv's columns), and
 * their titles. */
static void test_macro_name_list(void **state)
{
    (void)state;
    const char *want[ST_N_BASIC] = {"macro_accuracy", "macro_precision", "macro_sensitivity",
                                    "macro_specificity", "macro_f1"};
    const char *titles[ST_N_BASIC] = {"accuracy", "precision", "sensitivity", "specificity", "F1"};
    const char *labels[2] = {"a", "b"};
    char **names = st_job_metric_names(labels, 2);
    assert_non_null(names);
    const st_job_layout y = st_job_metrics_layout(2);
    for (int k = 0; k < ST_N_BASIC; k++) {
        assert_string_equal(st_macro_names[k], want[k]);
        assert_string_equal(names[y.macro + k], st_macro_names[k]);
        assert_string_equal(st_macro_titles[k], titles[k]);
    }
    assert_string_equal(st_macro_names[ST_F1], "macro_f1");
    assert_string_equal(st_macro_names[ST_ACC], "macro_accuracy");
    st_job_metric_names_free(names, 2);
}

static void test_job_names_rejected(void **state)
{
    (void)state;
    const char *clash[2] = {"macro", "x"}; /* "macro_accuracy" twice */
    sc_err_clear();
    assert_null(st_job_metric_names(clash, 2));
    assert_non_null(strstr(sc_err_msg(), "macro_accuracy"));
    const char *dup[2] = {"a", "a"};
    assert_null(st_job_metric_names(dup, 2));
    const char *empty[2] = {"a", ""};
    assert_null(st_job_metric_names(empty, 2));
    assert_non_null(strstr(sc_err_msg(), "label 2"));
}

static void test_job_metrics_vector(void **state)
{
    (void)state;
    /* The golden labels with graded scores: thresholding at 0.5 gives the golden predictions,
     * and the ranking inside each class makes the AUCs non-trivial. */
    float s[GN * GL];
    for (int i = 0; i < GN * GL; i++)
        s[i] = g_pred[i] ? 0.5f + 0.05f * (float)(i % 7) : 0.45f - 0.05f * (float)(i % 5);
    double v[64];
    assert_int_equal(st_job_metrics(s, g_true, GN, GL, 0.5, v), 0);
    st_job_layout y = st_job_metrics_layout(GL);
    int64_t c[GL * 4];
    st_counts_from_scores(s, g_true, GN, GL, 0.5, c);
    double mac[ST_N_BASIC], mic[ST_N_BASIC], lab[ST_N_BASIC], ex[ST_N_EXAMPLE];
    st_macro_metrics(c, GL, mac, NULL);
    st_micro_metrics(c, GL, mic, NULL);
    for (int k = 0; k < ST_N_BASIC; k++) {
        assert_true(v[y.macro + k] == mac[k]);
        assert_true(v[y.micro + k] == mic[k]);
    }
    assert_near(v[y.macro + ST_F1], 0.568452, SIX);
    for (int j = 0; j < GL; j++) {
        st_label_metrics(c + 4 * j, lab, NULL);
        for (int k = 0; k < ST_N_BASIC; k++) assert_true(v[y.label + 5 * j + k] == lab[k]);
    }
    st_example_metrics(s, g_true, GN, GL, 0.5, ex, NULL);
    for (int k = 0; k < ST_N_EXAMPLE; k++) assert_true(v[y.example + k] == ex[k]);
    assert_near(v[y.example + ST_EX_F1], 0.74, SIX);
    int graded = 0;
    for (int j = 0; j < GL; j++) {
        assert_near(v[y.auc + j], brute_auc(s, g_true, GN, GL, j), EXACT);
        graded += v[y.auc + j] > 0.0 && v[y.auc + j] < 1.0;
    }
    assert_true(graded >= 2);
    assert_true(v[y.counts + 0] == 1.0); /* label 0 precision */
    assert_true(v[y.counts + 1] == 0.0);
    assert_true(v[y.counts + 2] == 0.0);
}

static void test_job_metrics_undefined_auc(void **state)
{
    (void)state;
    /* Label 1 is never positive in this fold: its AUC is NaN and counted, not 0 or 0.5. */
    const uint8_t y[8] = {1, 0, 0, 0, 1, 0, 0, 0};
    const float s[8] = {0.9f, 0.1f, 0.2f, 0.7f, 0.6f, 0.2f, 0.4f, 0.1f};
    double v[64];
    assert_int_equal(st_job_metrics(s, y, 4, 2, 0.5, v), 0);
    st_job_layout lay = st_job_metrics_layout(2);
    assert_near(v[lay.auc + 0], 1.0, EXACT);
    assert_true(isnan(v[lay.auc + 1]));
    assert_true(v[lay.counts + 2] == 1.0);
    /* label 1: TP=0, FP=1: sensitivity 0/0 and F1 0/1 -> one zero division; micro none */
    assert_true(v[lay.counts + 0] == 1.0);
    /* ... its sensitivity is 0 (zero_division=0, docs/statistics.md section 1), its F1 0
     * (defined: one false positive), its specificity 3/4; the macro sensitivity (1 + 0) / 2 */
    assert_true(v[lay.label + 5 + ST_SENS] == 0.0);
    assert_true(v[lay.label + 5 + ST_F1] == 0.0);
    assert_near(v[lay.label + 5 + ST_SPEC], 0.75, EXACT);
    assert_near(v[lay.macro + ST_SENS], 0.5, EXACT);
    assert_near(v[lay.micro + ST_SENS], 1.0, EXACT); /* 2 TP of 2 positives, pooled */
    /* rows 1 and 3 have no true label, row 1 predicts one: two rows with an empty set */
    assert_true(v[lay.counts + 1] == 2.0);
}

static void test_job_metrics_rejects_bad_input(void **state)
{
    (void)state;
    double v[64];
    const uint8_t y[4] = {1, 0, 0, 1};
    float s[4] = {0.9f, 0.1f, NAN, 0.7f};
    sc_err_clear();
    assert_int_equal(st_job_metrics(s, y, 2, 2, 0.5, v), -1);
    assert_non_null(strstr(sc_err_msg(), "sample 1, label 0 is not finite"));
    s[2] = 0.2f;
    const uint8_t bad[4] = {1, 0, 2, 1};
    assert_int_equal(st_job_metrics(s, bad, 2, 2, 0.5, v), -1);
    assert_non_null(strstr(sc_err_msg(), "is 2, not 0 or 1"));
    assert_int_equal(st_job_metrics(s, y, 0, 2, 0.5, v), -1);
    assert_int_equal(st_job_metrics(s, y, 2, 2, NAN, v), -1);
}

/* Reference predictors on 2 labels: label 0 with prevalence 1/4, label 1 with 3/4.  Values by
 * hand: all positive F1 = 2p/(1+p): 0.4 and 6/7; random F1 = p; majority: all negative on
 * label 0 (F1 0, accuracy 3/4), all positive on label 1 (F1 6/7, accuracy 3/4). */
static void test_reference_predictors(void **state)
{
    (void)state;
    const uint8_t truth[8] = {1, 1, 0, 1, 0, 0, 0, 1}; /* [4][2] */
    double r[ST_REF_N][ST_N_BASIC];
    assert_int_equal(st_reference_macro(truth, 4, 2, r), 0);
    assert_float_equal(r[ST_REF_ALL_POSITIVE][ST_F1], (0.4 + 6.0 / 7) / 2, 1e-12);
    assert_float_equal(r[ST_REF_ALL_POSITIVE][ST_SENS], 1.0, 1e-12);
    assert_float_equal(r[ST_REF_ALL_POSITIVE][ST_SPEC], 0.0, 1e-12);
    assert_float_equal(r[ST_REF_ALL_POSITIVE][ST_ACC], 0.5, 1e-12);
    assert_float_equal(r[ST_REF_RANDOM][ST_F1], 0.5, 1e-12);
    assert_float_equal(r[ST_REF_RANDOM][ST_ACC], (0.625 + 0.625) / 2, 1e-12);
    assert_float_equal(r[ST_REF_MAJORITY][ST_F1], (0 + 6.0 / 7) / 2, 1e-12);
    assert_float_equal(r[ST_REF_MAJORITY][ST_ACC], 0.75, 1e-12);
    assert_int_equal(st_reference_macro(truth, 0, 2, r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_golden),
        cmocka_unit_test(test_threshold_rule),
        cmocka_unit_test(test_label_macro_micro_golden),
        cmocka_unit_test(test_zero_division_counted),
        cmocka_unit_test(test_example_based_golden),
        cmocka_unit_test(test_example_empty_sets),
        cmocka_unit_test(test_job_layout_and_names),
        cmocka_unit_test(test_macro_name_list),
        cmocka_unit_test(test_job_names_rejected),
        cmocka_unit_test(test_job_metrics_vector),
        cmocka_unit_test(test_job_metrics_undefined_auc),
        cmocka_unit_test(test_job_metrics_rejects_bad_input),
        cmocka_unit_test(test_reference_predictors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
