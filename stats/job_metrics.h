/* stats/job_metrics.h: the fixed, named metrics vector of one test fold, stored as
 * /jobs/NNNN/metrics with its names as the dataset's `names` attribute (docs/design.md
 * sections 7-8).
 *
 * Layout for l labels (st_job_metrics_count(l) = 19 + 6 l values):
 *   [0, 5)            macro_accuracy macro_precision macro_sensitivity macro_specificity macro_f1
 *   [5, 10)           micro_accuracy ... micro_f1
 *   [10, 10 + 5l)     <label>_accuracy ... <label>_f1, label by label
 *                     macro, micro and per label: 0 where a denominator is 0, counted
 *                     (scikit-learn's zero_division=0, docs/statistics.md section 1)
 *   [10+5l, 16+5l)    subset_accuracy hamming_loss example_accuracy example_precision
 *                     example_recall example_f1
 *   [16+5l, 16+6l)    auc_<label>, label by label; NaN when the fold holds no positive or no
 *                     negative sample of that label (the AUC is undefined, not 0 or 1/2)
 *   [16+6l, 19+6l)    zero_division    per-label and micro values set to 0 by a zero denominator
 *                     empty_examples   samples with an empty true or predicted label set
 *                     auc_undefined    labels whose AUC is NaN
 * Macro F1 is the mean of the per-label F1 values.  The counts are stored as doubles (exact). */
#ifndef SC_STATS_JOB_METRICS_H
#define SC_STATS_JOB_METRICS_H

#include <stdint.h>

#include "stats/metrics.h"

/* The five macro metrics, the first block of the vector, in the order ST_ACC .. ST_F1
 * (stats/metrics.h) that the vector, per_fold.csv, summary.csv and every table and figure use:
 * st_macro_names are the metrics' names ("macro_accuracy" ... "macro_f1"), st_macro_titles
 * their titles in tables and figures ("accuracy" ... "F1"). */
extern const char *const st_macro_names[ST_N_BASIC];
extern const char *const st_macro_titles[ST_N_BASIC];

/* Offsets of each block in the vector for l labels. */
typedef struct {
    int macro, micro, label, example, auc, counts, total;
} st_job_layout;

st_job_layout st_job_metrics_layout(int l);
int st_job_metrics_count(int l);

/* names[st_job_metrics_count(l)] as allocated strings (free with st_job_metric_names_free), or
 * NULL with the error set when a label name is empty or the names would not be unique (e.g. a
 * label called "macro" or "micro"). */
char **st_job_metric_names(const char *const *label_names, int l);
void st_job_metric_names_free(char **names, int l);

/* The vector for scores [n][l] (sigmoid outputs) against truth [n][l] (0/1) at threshold thr.
 * Fails (error set) on n < 1, l < 1, a non-finite score or a truth value other than 0 and 1. */
int st_job_metrics(const float *scores, const uint8_t *truth, int64_t n, int l, double thr,
                   double *out);
/* The same with a threshold per label, thr [l] (train.validation's, stats/threshold.h). */
int st_job_metrics_at(const float *scores, const uint8_t *truth, int64_t n, int l,
                      const double *thr, double *out);

#endif
