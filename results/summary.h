/* results/summary.h: the across-fold summary of a results file: for every cell (architecture x
 * augmentation) and every per-job metric, the number of folds, mean, sd, the naive t interval
 * and the corrected resampled t interval (Nadeau-Bengio; Bouckaert-Frank with repeats), at the
 * file's confidence level.  Computed from the results file alone, written to /summary/table,
 * printed by `run` and used by `report`. */
#ifndef SC_RESULTS_SUMMARY_H
#define SC_RESULTS_SUMMARY_H

#include <stdio.h>

#include "results/results_read.h"

#define SC_METRIC_NAME 48

/* One row of /summary/table. */
typedef struct {
    char architecture[SC_ROW_NAME];
    char augmentation[SC_ROW_NAME];
    char metric[SC_METRIC_NAME];
    int32_t n;  /* folds with a finite value */
    int32_t n_jobs, n_done, n_failed;
    double mean, sd;
    double naive_lo, naive_hi;
    double lo, hi; /* corrected resampled t interval (the default) */
    double level;
    double test_train_ratio;
} sc_summary_row;

typedef struct {
    int n_cells;
    char cell_arch[64][SC_ROW_NAME], cell_aug[64][SC_ROW_NAME];
    int n_metrics;
    sc_summary_row *rows; /* [n_cells][n_metrics] */
} sc_summary;

int sc_summary_compute(const sc_results_file *rf, sc_summary *s);
void sc_summary_free(sc_summary *s);
/* Replace /summary in the (closed) results file with s. */
int sc_summary_write(const char *path, const sc_summary *s);
/* The row of (cell, metric name), or NULL. */
const sc_summary_row *sc_summary_find(const sc_summary *s, int cell, const char *metric);

/* Text tables: one line per job with its macro metrics, then the paper-style cell table. */
void sc_summary_print_jobs(FILE *out, const sc_results_file *rf);
void sc_summary_print(FILE *out, const sc_results_file *rf, const sc_summary *s);

#endif
