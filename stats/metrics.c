/* stats/metrics.c: confusion-count metrics (per label, macro, micro) and example-based metrics.
 * Definitions: Zhang & Zhou, "A review on multi-label learning algorithms", IEEE TKDE 26(8) 2014,
 * section 2.2; zero-division rule as sklearn's zero_division=0 (docs/statistics.md). */
#include "stats/metrics.h"

#include <stddef.h>

const char *const st_basic_names[ST_N_BASIC] = {"accuracy", "precision", "sensitivity",
                                                "specificity", "f1"};

const char *const st_example_names[ST_N_EXAMPLE] = {
    "subset_accuracy",   "hamming_loss",   "example_accuracy",
    "example_precision", "example_recall", "example_f1"};

/* thr [l] (one per label), or the same thr1 for every label when thr is NULL. */
#define THR(j) (thr ? thr[j] : thr1)

static void add_sample(const float *score_row, const uint8_t *truth_row, int l,
                       const double *thr, double thr1, int64_t *counts)
{
    for (int j = 0; j < l; j++) {
        int pred = (double)score_row[j] >= THR(j); /* false for NaN */
        int pos = truth_row[j] != 0;
        counts[4 * j + (pos ? (pred ? ST_TP : ST_FN) : (pred ? ST_FP : ST_TN))]++;
    }
}

void st_counts_add_sample(const float *score_row, const uint8_t *truth_row, int l, double thr,
                          int64_t *counts)
{
    add_sample(score_row, truth_row, l, NULL, thr, counts);
}

static void counts_from_scores(const float *scores, const uint8_t *truth, int64_t n, int l,
                               const double *thr, double thr1, int64_t *counts)
{
    for (int k = 0; k < 4 * l; k++) counts[k] = 0;
    for (int64_t i = 0; i < n; i++) add_sample(scores + i * l, truth + i * l, l, thr, thr1, counts);
}

void st_counts_from_scores(const float *scores, const uint8_t *truth, int64_t n, int l, double thr,
                           int64_t *counts)
{
    counts_from_scores(scores, truth, n, l, NULL, thr, counts);
}

void st_counts_from_scores_at(const float *scores, const uint8_t *truth, int64_t n, int l,
                              const double *thr, int64_t *counts)
{
    counts_from_scores(scores, truth, n, l, thr, 0.0, counts);
}

/* num / den, or 0 with one zero-division counted when den == 0. */
static double ratio(double num, double den, int *zero_div)
{
    if (den == 0.0) {
        if (zero_div) (*zero_div)++;
        return 0.0;
    }
    return num / den;
}

void st_label_metrics(const int64_t *c4, double out[ST_N_BASIC], int *zero_div)
{
    /* Counts are exact in double up to 2^53, far beyond any data set. */
    double tp = (double)c4[ST_TP], fp = (double)c4[ST_FP];
    double fn = (double)c4[ST_FN], tn = (double)c4[ST_TN];
    out[ST_ACC] = ratio(tp + tn, tp + fp + fn + tn, zero_div);
    out[ST_PREC] = ratio(tp, tp + fp, zero_div);
    out[ST_SENS] = ratio(tp, tp + fn, zero_div);
    out[ST_SPEC] = ratio(tn, tn + fp, zero_div);
    out[ST_F1] = ratio(2.0 * tp, 2.0 * tp + fp + fn, zero_div);
}

void st_macro_metrics(const int64_t *counts, int l, double out[ST_N_BASIC], int *zero_div)
{
    double sum[ST_N_BASIC] = {0};
    for (int j = 0; j < l; j++) {
        double m[ST_N_BASIC];
        st_label_metrics(counts + 4 * j, m, zero_div);
        for (int k = 0; k < ST_N_BASIC; k++) sum[k] += m[k];
    }
    for (int k = 0; k < ST_N_BASIC; k++) out[k] = l > 0 ? sum[k] / l : 0.0;
}

void st_micro_metrics(const int64_t *counts, int l, double out[ST_N_BASIC], int *zero_div)
{
    int64_t pooled[4] = {0, 0, 0, 0};
    for (int j = 0; j < l; j++)
        for (int k = 0; k < 4; k++) pooled[k] += counts[4 * j + k];
    st_label_metrics(pooled, out, zero_div);
}

static void example_metrics(const float *scores, const uint8_t *truth, int64_t n, int l,
                            const double *thr, double thr1, double out[ST_N_EXAMPLE],
                            int64_t *empty)
{
    double subset = 0, wrong = 0, jac = 0, prec = 0, rec = 0, f1 = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t ny = 0, nz = 0, both = 0, diff = 0;
        for (int j = 0; j < l; j++) {
            int z = (double)scores[i * l + j] >= THR(j);
            int y = truth[i * l + j] != 0;
            ny += y;
            nz += z;
            both += y && z;
            diff += y != z;
        }
        subset += diff == 0;
        wrong += (double)diff;
        if (ny == 0 || nz == 0) {
            if (empty) (*empty)++;
            if (ny == 0 && nz == 0) { /* nothing true, nothing predicted: a perfect answer */
                jac += 1.0;
                prec += 1.0;
                rec += 1.0;
                f1 += 1.0;
            }
            continue; /* one set empty: the intersection is empty, every ratio is 0 */
        }
        jac += (double)both / (double)(ny + nz - both);
        prec += (double)both / (double)nz;
        rec += (double)both / (double)ny;
        f1 += 2.0 * (double)both / (double)(ny + nz);
    }
    double dn = n > 0 ? (double)n : 1.0;
    out[ST_EX_SUBSET_ACC] = subset / dn;
    out[ST_EX_HAMMING] = wrong / (dn * (l > 0 ? l : 1));
    out[ST_EX_ACC] = jac / dn;
    out[ST_EX_PREC] = prec / dn;
    out[ST_EX_REC] = rec / dn;
    out[ST_EX_F1] = f1 / dn;
}

void st_example_metrics(const float *scores, const uint8_t *truth, int64_t n, int l, double thr,
                        double out[ST_N_EXAMPLE], int64_t *empty)
{
    example_metrics(scores, truth, n, l, NULL, thr, out, empty);
}

void st_example_metrics_at(const float *scores, const uint8_t *truth, int64_t n, int l,
                           const double *thr, double out[ST_N_EXAMPLE], int64_t *empty)
{
    example_metrics(scores, truth, n, l, thr, 0.0, out, empty);
}
