/* stats/reference.h: what trivial predictors score on a set of truths, to read a classifier's
 * metrics against (a macro F1 of 0.5 is no achievement when "everything positive" gets 0.5).
 * Pure functions of the label prevalences. */
#ifndef SC_STATS_REFERENCE_H
#define SC_STATS_REFERENCE_H

#include <stdint.h>

#include "stats/metrics.h"

typedef enum {
    ST_REF_ALL_POSITIVE = 0, /* every label predicted present */
    ST_REF_MAJORITY,         /* each label's majority class (all negative for a rare label) */
    ST_REF_RANDOM,           /* positive with probability = prevalence, independently: expected
                                counts n p^2, n p (1-p), n p (1-p), n (1-p)^2 */
    ST_REF_N
} st_ref_kind;

extern const char *const st_ref_names[ST_REF_N];

/* Macro-averaged five metrics (ST_ACC..ST_F1) of each reference predictor on truth [n][l],
 * with the zero-division rule of st_label_metrics (0). out[kind][metric]. */
int st_reference_macro(const uint8_t *truth, int64_t n, int l, double out[ST_REF_N][ST_N_BASIC]);

#endif
