/* stats/compare.h: paired comparisons of two cells (architecture x augmentation) evaluated on the
 * same folds, and Holm's adjustment for many comparisons.  docs/statistics.md has the formulas. */
#ifndef SC_STATS_COMPARE_H
#define SC_STATS_COMPARE_H

#include <stdint.h>

/* Corrected resampled t-test (Nadeau & Bengio 2003; Bouckaert & Frank 2004 for repeats) of
 * mean(d) = 0 for the J per-fold differences d_j = metric(A, fold j) - metric(B, fold j):
 *     t = mean(d) / (sd(d) sqrt(1/J + n_test/n_train)),  df = J - 1,  p = 2 Q_t(|t|; df). */
typedef struct {
    double mean, sd;  /* of the differences, sd with 1/(J-1) */
    double t;
    int df;
    double p;         /* two-sided */
    double lo, hi;    /* corrected interval for the mean difference at `level` */
    int degenerate;   /* sd = 0: t = 0, p = 1 when mean = 0; t = +-inf, p = 0 otherwise */
} st_ttest_result;

int st_ttest_corrected(const double *d, int J, double test_train_ratio, double level,
                       st_ttest_result *out);

/* McNemar's test on pooled out-of-fold predictions of A and B on the same samples:
 * b = #(A right, B wrong), c = #(A wrong, B right).
 *   chi2 = max(0, |b - c| - 1)^2 / (b + c) with 1 df (Edwards' continuity correction);
 *   exact p = min(1, 2 * BinomCDF(min(b, c); b + c, 1/2)), always computed and recommended
 *   when b + c < 25.  b + c = 0 (the classifiers never disagree): chi2 = 0, both p = 1. */
typedef struct {
    int64_t b, c;
    double chi2, p_chi2;
    double p_exact;
    int exact_recommended; /* b + c < 25 */
} st_mcnemar_result;

int st_mcnemar(int64_t b, int64_t c, st_mcnemar_result *out);

/* b and c from the scores of A and B [n][l] on the same samples with truth [n][l] at thr.
 * label >= 0: "right" means that label is right; label = -1: the whole label set is right
 * (subset accuracy).  Scores must be finite. */
int st_mcnemar_counts(const float *scores_a, const float *scores_b, const uint8_t *truth,
                      int64_t n, int l, double thr, int label, int64_t *b, int64_t *c);

/* Holm's step-down adjustment of m p-values (Holm 1979): with p sorted ascending,
 * adj_(i) = max_{k <= i} min(1, (m - k + 1) p_(k)); returned in the input order.  Adjusted values
 * are monotone in p and at most 1.  Reject H_i at family-wise level alpha iff adj_i <= alpha. */
int st_holm(const double *p, int m, double *adjusted);

#endif
