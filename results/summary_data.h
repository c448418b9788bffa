/* results/summary_data.h: the outputs of every done job of a results file, in memory, and the
 * pooling of out-of-fold predictions over a set of jobs.  Shared by the summary (pooled
 * proportions, bootstrap, McNemar) and the report (predictions, ROC curves, loss curves).
 *
 * Jobs that are not done (pending, running, failed) have no outputs here: their pointers are
 * NULL.  The outputs of a done job are validated on load (test indices in range, scores finite,
 * counts non-negative), since a report must not silently build on a damaged file. */
#ifndef SC_RESULTS_SUMMARY_DATA_H
#define SC_RESULTS_SUMMARY_DATA_H

#include <stdint.h>

#include "results/results_read.h"

typedef struct sc_cv_data {
    int n_jobs, l, epochs, n_metrics;
    int *cell;          /* [n_jobs] cell of each job (index into sc_summary's cells) */
    int32_t **index;    /* [n_jobs] test indices (n_test) of done jobs, else NULL */
    float **scores;     /* [n_jobs] [n_test][l] */
    int64_t **counts;   /* [n_jobs] [l][4] TP FP FN TN */
    double **metrics;   /* [n_jobs] [n_metrics] */
    float **history;    /* [n_jobs] [epochs] */
    double **thresholds; /* [n_jobs] [l]: a done job's own thresholds (train.validation), or
                          * NULL: the file's threshold */
} sc_cv_data;

/* Load every done job; cell[j] = cell_of(job j) from the given names (n_cells of them). */
int sc_cv_load(const sc_results_file *rf, int n_cells, const char (*cell_arch)[SC_ROW_NAME],
               const char (*cell_aug)[SC_ROW_NAME], sc_cv_data *d);
void sc_cv_free(sc_cv_data *d);

/* The pooled out-of-fold predictions of a list of done jobs, in the order given and, within a
 * job, in test-index order: for two cells, pooling the jobs of the same (repeat, fold) list
 * gives aligned samples. */
typedef struct {
    int64_t m;
    int32_t *sample;  /* [m] scan index */
    int32_t *job;     /* [m] job it comes from */
    float *scores;    /* [m][l] */
    /* [m][l]: 1 where the job predicts the label (score >= its threshold: its own with
     * train.validation, else the file's), else 0; what the thresholded pooled statistics
     * (subset accuracy, bootstrap, McNemar) count, at 0.5 */
    float *decision;
    uint8_t *truth;   /* [m][l] */
    int64_t *patient; /* [m] */
} sc_pool;

void sc_pool_jobs(const sc_results_file *rf, const sc_cv_data *d, const int *jobs, int n,
                  sc_pool *p);
void sc_pool_free(sc_pool *p);

/* The done jobs of cell c (repeat r, or every repeat when r < 0), by (repeat, fold); returns
 * their number, jobs[] sized n_jobs. */
int sc_cv_cell_jobs(const sc_results_file *rf, const sc_cv_data *d, int c, int r, int *jobs);

/* The done job of cell c at (repeat, fold), or -1. */
int sc_cv_job_at(const sc_results_file *rf, const sc_cv_data *d, int c, int repeat, int fold);

#endif
