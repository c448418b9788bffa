/* stats/intervals.h: confidence intervals for a metric measured on J cross-validation test sets,
 * and for a proportion pooled over all out-of-fold predictions.  docs/statistics.md has the
 * formulas, sources and the reasons for the defaults.  `level` is the confidence level in (0, 1),
 * e.g. 0.95. */
#ifndef SC_STATS_INTERVALS_H
#define SC_STATS_INTERVALS_H

#include <stdint.h>

/* A t interval mean -/+ t_{(1+level)/2, df} * se around the mean of J per-fold values. */
typedef struct {
    int n;          /* J, the number of values */
    int df;         /* J - 1 */
    double mean;
    double sd;      /* sample standard deviation, 1/(J-1) normalisation: fold dispersion */
    double se;      /* standard error the interval uses */
    double lo, hi;
    double level;
} st_interval;

/* Naive interval, se = sd / sqrt(J).  Treats the J test sets as independent, which they are not
 * (the training sets overlap): too narrow.  Reported beside the corrected one for comparison. */
int st_interval_naive(const double *x, int J, double level, st_interval *out);

/* Corrected resampled t interval, se = sd * sqrt(1/J + n_test/n_train), df = J - 1.
 * One k-fold run (J = k): Nadeau & Bengio (2003).  r repeats of k-fold: pass all J = k*r values
 * (Bouckaert & Frank 2004).  test_train_ratio = n_test / n_train of one split, e.g. the mean test
 * size over the mean training size (1/(k-1) for equal folds), counted in original samples
 * (augmented copies are not independent samples).  The default interval of the project. */
int st_interval_corrected(const double *x, int J, double test_train_ratio, double level,
                          st_interval *out);

/* Which bounds st_clip_unit moved (bit flags). */
enum { ST_CLIPPED_LO = 1, ST_CLIPPED_HI = 2 };

/* An interval of a proportion as shown to readers: lo and hi moved into [0, 1].  A t interval
 * across folds is symmetric around the mean and can reach past 0 or 1 (few or dispersed folds);
 * the metric cannot.  The unclipped bounds stay in the results file and the CSVs.  NaN bounds
 * stay NaN.  Returns the ST_CLIPPED_* bits of the bounds that were moved (0: none). */
int st_clip_unit(double *lo, double *hi);

/* Wilson score interval for x successes out of n (Wilson 1927).  0 <= x <= n, n >= 1. */
int st_wilson(int64_t x, int64_t n, double level, double *lo, double *hi);

/* Clopper-Pearson ("exact") interval: Beta quantiles; lower = 0 when x = 0, upper = 1 when
 * x = n.  Coverage at least `level`, conservative. */
int st_clopper_pearson(int64_t x, int64_t n, double level, double *lo, double *hi);

#endif
