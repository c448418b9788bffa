/* stats/threshold.h: per-label decision thresholds chosen on held-out scores (train.validation,
 * docs/config.md).  Pure functions: no nn, no HDF5, no MPI.
 *
 * For one label, the candidates are 0.5 and the midpoints between consecutive distinct scores
 * (sorted); a sample is positive when its score >= the threshold (as everywhere in stats/).  The
 * chosen candidate maximizes F1 = 2TP / (2TP + FP + FN) (0 when the denominator is 0); among
 * equal F1 values the one closest to 0.5 wins, and of two equally close the lower (so the choice
 * is a function of the scores and the truth alone, whatever their order). */
#ifndef SC_STATS_THRESHOLD_H
#define SC_STATS_THRESHOLD_H

#include <stdint.h>

/* The threshold of label j of scores [n][l] against truth [n][l] (nonzero = positive): *thr, and
 * the F1 it gives in *f1 (may be NULL).  n may be 0 (then 0.5, F1 0).  Scores must be finite. */
void st_best_threshold(const float *scores, const uint8_t *truth, int64_t n, int l, int j,
                       double *thr, double *f1);

/* The same for every label: thr [l], f1 [l] (may be NULL). */
void st_best_thresholds(const float *scores, const uint8_t *truth, int64_t n, int l, double *thr,
                        double *f1);

#endif
