/* stats/bootstrap.h: BCa bootstrap confidence interval over clusters (patients).
 *
 * The statistic is computed on pooled out-of-fold predictions.  A patient may have several scans
 * that are not independent, so the resampling unit is the patient: a bootstrap sample draws G
 * patients with replacement out of the G present and takes all their samples.  The acceleration
 * comes from the jackknife over patients (leave one patient out).  Interval: Efron (1987), as in
 * scipy.stats.bootstrap(method='BCa') (_bca_interval); docs/statistics.md has the formulas. */
#ifndef SC_STATS_BOOTSTRAP_H
#define SC_STATS_BOOTSTRAP_H

#include <stdint.h>

#include "stats/metrics.h"

/* The statistic on one (re)sample: idx[0..m) are sample indices into the caller's data, with
 * repeats when a patient was drawn more than once.  Returns 0 and sets *value, or -1 with the
 * error slot set (the bootstrap then fails with that message). */
typedef int (*st_statistic_fn)(const int64_t *idx, int64_t m, void *ctx, double *value);

/* The fewest resamples a BCa interval can be built from (st_bca_cluster refuses fewer). */
#define ST_BCA_MIN_RESAMPLES 2

/* Why the BCa formula could not be applied as is (bit flags in st_bca_result.degenerate). */
enum {
    /* All bootstrap values are equal: no spread to build an interval from.  lo = hi = that
     * value (scipy returns NaN here). */
    ST_BCA_CONSTANT = 1,
    /* The estimate lies at or outside the bootstrap range (no bootstrap value below it, or
     * none at or above it), so the bias correction z0 is infinite.  lo, hi fall back to the
     * percentile interval. */
    ST_BCA_BIAS_INFINITE = 2,
    /* All jackknife values are equal (or there is a single patient), so the acceleration is
     * 0/0; it is taken as 0 (a bias-corrected percentile interval). */
    ST_BCA_ACCEL_UNDEFINED = 4,
    /* 1 - a (z0 + z) <= 0 for a bound: the BCa map is no longer monotone (only with the estimate
     * at the edge of the bootstrap distribution and a high level, since |a| < 1/6).  lo, hi fall
     * back to the percentile interval. */
    ST_BCA_UNSTABLE = 8,
};

typedef struct {
    double estimate; /* the statistic on the full data */
    double lo, hi;   /* the interval (see degenerate) */
    double z0;       /* bias correction Phi^-1((#{theta*_b < estimate} + #{<=}) / 2B) */
    double accel;    /* acceleration from the jackknife over patients */
    double alpha_lo, alpha_hi; /* the adjusted percentile levels used for lo, hi */
    int degenerate;  /* 0, or an OR of the ST_BCA_* flags */
    int64_t n_clusters;
    int n_resamples;
} st_bca_result;

/* BCa interval at confidence `level` in (0, 1) for stat over n samples grouped by cluster[n]
 * (patient ids, any int64 values), with B >= 2 resamples (use 2000 or more) drawn by GSL's
 * mt19937 seeded from `seed` (folded to 32 bits: mt19937 takes a 32-bit seed).  The same seed
 * gives the same interval.  Cost: B + G + 1 statistic evaluations. */
int st_bca_clusters(int64_t n, const int64_t *cluster, st_statistic_fn stat, void *ctx, int B,
                    double level, uint64_t seed, st_bca_result *out);

/* A ready statistic for st_bca_clusters: one metric of the pooled predictions of the selected
 * samples at a threshold.  `which` selects it:
 *   ST_POOLED_MACRO + k  macro average of basic metric k (ST_ACC .. ST_F1; macro F1 = mean of
 *                        per-label F1)
 *   ST_POOLED_MICRO + k  micro average of basic metric k
 *   ST_POOLED_LABEL + ST_N_BASIC * j + k   basic metric k of label j */
enum { ST_POOLED_MACRO = 0, ST_POOLED_MICRO = ST_N_BASIC, ST_POOLED_LABEL = 2 * ST_N_BASIC };
typedef struct {
    const float *scores;  /* [n][l] */
    const uint8_t *truth; /* [n][l] */
    int l;
    double thr;
    int which;
} st_pooled_metric;
int st_stat_pooled_metric(const int64_t *idx, int64_t m, void *ctx, double *value);

#endif
