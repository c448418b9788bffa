/* stats/metrics.h: metrics from confusion counts and from thresholded scores (docs/design.md
 * section 8; formulas and the zero-division rule in docs/statistics.md).
 * Pure functions: no nn, no HDF5, no MPI. */
#ifndef SC_STATS_METRICS_H
#define SC_STATS_METRICS_H

#include <stdint.h>

/* Index of each count in a label's [4] row, as stored in /jobs/NNNN/counts. */
enum { ST_TP = 0, ST_FP = 1, ST_FN = 2, ST_TN = 3 };

/* The five per-label metrics, in the paper's order. */
enum { ST_ACC = 0, ST_PREC, ST_SENS, ST_SPEC, ST_F1, ST_N_BASIC };
extern const char *const st_basic_names[ST_N_BASIC]; /* accuracy precision sensitivity ... */

/* The example-based (per-sample, then averaged) metrics of Zhang & Zhou (2014). */
enum {
    ST_EX_SUBSET_ACC = 0, /* fraction of samples whose predicted label set equals the true one */
    ST_EX_HAMMING,        /* fraction of wrong (sample, label) cells: a loss, lower is better */
    ST_EX_ACC,            /* mean |Y & Z| / |Y | Z| (Jaccard) */
    ST_EX_PREC,           /* mean |Y & Z| / |Z| */
    ST_EX_REC,            /* mean |Y & Z| / |Y| */
    ST_EX_F1,             /* mean 2|Y & Z| / (|Y| + |Z|) */
    ST_N_EXAMPLE
};
extern const char *const st_example_names[ST_N_EXAMPLE]; /* subset_accuracy hamming_loss ... */

/* A sample is predicted positive for a label when score >= thr (a NaN score is negative; callers
 * that can see NaN scores reject them first, as st_job_metrics does).  Truth: nonzero = positive. */

/* counts [l][4] from scores [n][l] and truth [n][l] at threshold thr (score >= thr is positive). */
void st_counts_from_scores(const float *scores, const uint8_t *truth, int64_t n, int l, double thr,
                           int64_t *counts);

/* The same with a threshold per label, thr [l] (train.validation's, stats/threshold.h). */
void st_counts_from_scores_at(const float *scores, const uint8_t *truth, int64_t n, int l,
                              const double *thr, int64_t *counts);

/* Add one sample (score_row [l], truth_row [l]) to counts [l][4] (which are not cleared). */
void st_counts_add_sample(const float *score_row, const uint8_t *truth_row, int l, double thr,
                          int64_t *counts);

/* The five metrics of one label from its counts; a zero denominator gives 0 and increments
 * *zero_div once per metric concerned (may be NULL). */
void st_label_metrics(const int64_t *c4, double out[ST_N_BASIC], int *zero_div);

/* Macro average (mean over labels of each metric: the paper's table).  Macro F1 is the mean of the
 * per-label F1 values, not the harmonic mean of macro precision and macro sensitivity.
 * *zero_div (may be NULL) grows by the number of (label, metric) values set to 0. */
void st_macro_metrics(const int64_t *counts, int l, double out[ST_N_BASIC], int *zero_div);

/* Micro average: the five formulas applied to the counts summed over labels. */
void st_micro_metrics(const int64_t *counts, int l, double out[ST_N_BASIC], int *zero_div);

/* Example-based metrics of scores [n][l] against truth [n][l] at thr.  A sample whose true and
 * predicted sets are both empty is a perfect prediction and scores 1 in every ratio; a sample
 * with exactly one of them empty scores 0 in the ratio whose denominator vanishes (precision when
 * nothing is predicted, recall when nothing is true) as in every other ratio.  *empty (may be
 * NULL) grows by the number of samples with an empty true or predicted set, so a report can say
 * how many ratios were defined by this rule.  n >= 1, l >= 1. */
void st_example_metrics(const float *scores, const uint8_t *truth, int64_t n, int l, double thr,
                        double out[ST_N_EXAMPLE], int64_t *empty);
/* The same with a threshold per label, thr [l]. */
void st_example_metrics_at(const float *scores, const uint8_t *truth, int64_t n, int l,
                           const double *thr, double out[ST_N_EXAMPLE], int64_t *empty);

#endif
