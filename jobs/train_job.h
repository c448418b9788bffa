/* jobs/train_job.h: run one job on a worker.  A classifier job trains on the training folds of
 * its (repeat, fold) as its augmentation says (the real scans, their geometric copies, the
 * samples of the fold's GAN job), scores its test fold, computes the metrics and writes
 * everything to the results file.  A GAN job (jobs/gan_job.c) trains the fold's GAN and writes
 * its samples.  A failure inside a job (NaN loss, bad architecture, unreadable samples) becomes
 * a failed row with its message; the sweep goes on. */
#ifndef SC_JOBS_TRAIN_JOB_H
#define SC_JOBS_TRAIN_JOB_H

#include <stdint.h>

#include "jobs/experiment.h"
#include "jobs/grid.h"
#include "jobs/validation.h"
#include "results/results.h"

/* What every job on a worker shares. */
typedef struct {
    const sc_experiment *e;
    int64_t n;                 /* scans */
    int v;                     /* views (input channels) */
    int l;                     /* labels used (outputs) */
    const float *images;       /* [n][v][in_h][in_w], preprocessed */
    const float *count_scale;  /* [n][v]: counts per unit of intensity (data/preprocess.h) */
    const int *view_mirrored;  /* [v]: views stored mirrored (data/dataset.h) */
    const uint8_t *truth;      /* [n][l], the labels used */
    const int16_t *assignment; /* [repeats][n] */
    const sc_job *jobs;
    sc_results *res;
    int rank;
    int threads;  /* nn threads for this rank */
    int gan_h, gan_w; /* the GAN's resolution (when the sweep has GAN jobs) */
    int verbose;  /* print per-epoch losses */
    const char *results_path; /* the results file (its checkpoint folder is beside it) */
    double ckpt_every;        /* seconds between a job's checkpoints; 0: none (jobs/checkpoint.h) */
    const sc_val_splits *val; /* train.validation's held-out scans per part; NULL: off */
} sc_job_ctx;

/* Run job `job_id` (either kind); fill row (status done or failed, seconds, message) and write
 * the outputs and the row to the results file.  dep_hash: the output hash of the GAN job it
 * depends on (jobs/scheduler.h).  A job stopped inside its training (the sweep is stopping)
 * writes a checkpoint (with ckpt_every > 0) and a row still pending, whose message says where it
 * stopped; it continues from the checkpoint when the sweep is resumed.  Returns 0 when the job
 * ran (even if it failed or stopped: the row says so), -1 only when the results file could not
 * be written (the sweep cannot go on). */
int sc_run_job(sc_job_ctx *ctx, int job_id, uint64_t dep_hash, sc_job_row *row);

/* The row of a job stopped in epoch `epoch` (from 0) after `step` steps of it: pending, with a
 * message saying where, what stopped it and whether a checkpoint holds its state. */
void sc_job_stopped_row(sc_job_row *row, double seconds, int epoch, int epochs, int step,
                        int saved);

/* The two kinds. */
int sc_train_job(sc_job_ctx *ctx, int job_id, uint64_t dep_hash, sc_job_row *row);
int sc_gan_job(sc_job_ctx *ctx, int job_id, sc_job_row *row);

#endif
