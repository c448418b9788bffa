/* stats/metrics.h: metrics from confusion counts and scores (DESIGN.md section 8).
 * Pure functions: no nn, no HDF5, no MPI. */
#ifndef SC_STATS_METRICS_H
#define SC_STATS_METRICS_H

#include <stdint.h>

/* Index of each count in a label's [4] row, as stored in /jobs/NNNN/counts. */
enum { ST_TP = 0, ST_FP = 1, ST_FN = 2, ST_TN = 3 };

/* The five per-label metrics, in the paper's order. */
enum { ST_ACC = 0, ST_PREC, ST_SENS, ST_SPEC, ST_F1, ST_N_BASIC };
extern const char *const st_basic_names[ST_N_BASIC]; /* accuracy precision sensitivity ... */

/* counts [l][4] from scores [n][l] and truth [n][l] at threshold thr (score >= thr is positive). */
void st_counts_from_scores(const float *scores, const uint8_t *truth, int64_t n, int l, double thr,
                           int64_t *counts);

/* The five metrics of one label from its counts; a zero denominator gives 0 and increments
 * *zero_div (may be NULL). */
void st_label_metrics(const int64_t *c4, double out[ST_N_BASIC], int *zero_div);

/* Macro average (mean over labels of each metric: the paper's table). */
void st_macro_metrics(const int64_t *counts, int l, double out[ST_N_BASIC], int *zero_div);

#endif
