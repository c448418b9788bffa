/* jobs/train_job.h: run one training job on a worker: train on the job's training folds (with
 * its augmentation), score its test fold, compute the metrics, write everything to the results
 * file.  A failure inside the job (NaN loss, bad architecture, I/O) becomes a failed row with
 * its message; the sweep goes on. */
#ifndef SC_JOBS_TRAIN_JOB_H
#define SC_JOBS_TRAIN_JOB_H

#include <stdint.h>

#include "jobs/experiment.h"
#include "jobs/grid.h"
#include "results/results.h"

/* What every job on a worker shares. */
typedef struct {
    const sc_experiment *e;
    int64_t n;                 /* scans */
    int v;                     /* views (input channels) */
    int l;                     /* labels used (outputs) */
    const float *images;       /* [n][v][in_h][in_w], preprocessed */
    const uint8_t *truth;      /* [n][l], the labels used */
    const int16_t *assignment; /* [repeats][n] */
    const sc_job *jobs;
    sc_results *res;
    int rank;
    int threads; /* OpenBLAS threads for this rank */
} sc_job_ctx;

/* Run job `job_id`; fill row (status done or failed, seconds, message) and write the outputs
 * and the row to the results file.  Returns 0 when the job ran (even if it failed: the row
 * says so), -1 only when the results file could not be written (the sweep cannot go on). */
int sc_train_job(sc_job_ctx *ctx, int job_id, sc_job_row *row);

#endif
