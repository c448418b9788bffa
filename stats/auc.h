/* stats/auc.h: area under the ROC curve with DeLong's variance, and DeLong's test for two
 * correlated AUCs measured on the same samples.
 *
 * AUC = P(score of a positive > score of a negative) + P(equal) / 2, i.e. the Mann-Whitney
 * statistic over all (positive, negative) pairs.  Variance: DeLong, DeLong & Clarke-Pearson,
 * Biometrics 44 (1988) 837-845, computed with the O(n log n) midrank algorithm of Sun & Xu,
 * IEEE Signal Processing Letters 21 (2014) 1389-1393.  Truth: nonzero = positive. */
#ifndef SC_STATS_AUC_H
#define SC_STATS_AUC_H

#include <stdint.h>

typedef struct {
    double auc;
    double var;    /* DeLong variance S10/m + S01/n */
    double lo, hi; /* auc -/+ z_{(1+level)/2} sqrt(var), clipped to [0, 1] (as pROC's ci.auc) */
    int64_t n_pos, n_neg;
} st_auc_result;

/* AUC of n scores.  Fails (error set) when a score is not finite or the samples hold no positive
 * or no negative (the AUC is then undefined). */
int st_auc(const double *score, const uint8_t *truth, int64_t n, double *auc);

/* AUC, DeLong variance and Wald interval at confidence `level` in (0, 1).  Needs at least two
 * positives and two negatives (the variance divides by m - 1 and n - 1). */
int st_auc_delong(const double *score, const uint8_t *truth, int64_t n, double level,
                  st_auc_result *r);

typedef struct {
    double auc1, auc2;
    double var1, var2, cov; /* DeLong covariance matrix of (auc1, auc2) */
    double z;               /* (auc1 - auc2) / sqrt(var1 + var2 - 2 cov) */
    double p;               /* two-sided, 2 Q(|z|) */
    int degenerate;         /* var(auc1 - auc2) = 0: z = 0 and p = 1 when auc1 = auc2, otherwise
                               z = +-inf and p = 0; no NaN is returned */
} st_delong_result;

/* DeLong's test that two score vectors s1, s2 on the same n samples have the same AUC. */
int st_delong_test(const double *s1, const double *s2, const uint8_t *truth, int64_t n,
                   st_delong_result *r);

#endif
