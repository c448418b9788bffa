/* jobs/cost_model.h: the sweep's jobs in seconds and bytes, for `run --dry-run` and the ETA of
 * the progress lines.
 *
 * A job's cost (jobs/grid.h) counts its training multiply-adds; what one unit takes in seconds
 * depends on the machine, the architecture (how well its layers use the CPU) and the threads.
 * So the model holds seconds per unit for each architecture and for the GAN jobs, calibrated
 * either by timing a training step of each here (nn/bench.h, augment/gan_bench.h: the
 * experiment's input, batch and threads), or from the jobs an earlier results file finished, or
 * from the jobs this run has finished so far (the ETA). */
#ifndef SC_JOBS_COST_MODEL_H
#define SC_JOBS_COST_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/experiment.h"
#include "jobs/grid.h"
#include "results/results.h"

/* kinds: 0 .. n_arch - 1 the classifier jobs of each architecture, n_arch the GAN jobs */
#define SC_COST_KINDS (SC_MAX_ARCHS + 1)

typedef struct {
    int n_arch;
    double s_per_cost[SC_COST_KINDS]; /* 0: not calibrated */
    double done_s[SC_COST_KINDS], done_cost[SC_COST_KINDS]; /* what calibrated it from jobs */
    int done_jobs[SC_COST_KINDS];
    char source[SC_COST_KINDS][16]; /* "bench", "file", "run" */
    /* memory (bench calibration): a worker's bytes for a job of each kind (networks' arenas,
     * batch buffers, the GAN's samples) and a rank's own before any job (set by the caller) */
    size_t job_bytes[SC_COST_KINDS];
    size_t base_bytes;
} sc_cost_model;

/* Kind of a job (index into the arrays above). */
int sc_cost_kind(const sc_experiment *e, const sc_job *j);

/* Calibrate the kinds of jobs that `path` (an earlier results file of this experiment, or of
 * one with the same architectures and input size: jobs matched by kind, augmentation,
 * architecture, repeat and fold; epochs scaled) finished.  The GAN jobs only when it is this
 * experiment (same hash).  0, or -1 with a message naming the file. */
int sc_cost_calibrate_file(sc_cost_model *m, const char *path, const sc_experiment *e,
                           const sc_job *jobs, int n_jobs);

/* Time three training steps (their median, after one warm-up) of each architecture, and of the GAN, that the
 * model has no figure for; v views, l labels, `threads` per worker.  Also the memory. */
int sc_cost_calibrate_bench(sc_cost_model *m, const sc_experiment *e, int v, int l, int threads,
                            const sc_job *jobs, int n_jobs);

/* A job finished in `seconds` (the progress lines calibrate as the sweep goes). */
void sc_cost_add_done(sc_cost_model *m, const sc_experiment *e, const sc_job *j, double seconds);

/* Seconds of a job by the model; NAN if its kind is not calibrated. */
double sc_cost_seconds(const sc_cost_model *m, const sc_experiment *e, const sc_job *j);

/* The wall time of running the jobs with todo[id] != 0 (NULL: all) on `workers` workers in
 * dispatch order, a job's dependency first (a list schedule with the model's times): the
 * scheduler's own rule, so the estimate of the sweep's makespan. */
double sc_cost_makespan(const sc_cost_model *m, const sc_experiment *e, const sc_job *jobs,
                        const int *order, int n_jobs, const int8_t *todo, int workers);

#endif
