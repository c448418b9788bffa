/* pipeline/run_plan.h: what `run` prints about its sweep: the plan at start, the dry run (jobs,
 * dependencies, estimated times, wall time and memory: jobs/cost_model.h), and a progress line
 * per finished job with the elapsed time and an ETA. */
#ifndef SC_PIPELINE_RUN_PLAN_H
#define SC_PIPELINE_RUN_PLAN_H

#include <stdint.h>

#include "data/dataset.h"
#include "jobs/cost_model.h"
#include "jobs/experiment.h"
#include "jobs/grid.h"
#include "results/results.h"

/* The experiment, data, folds, jobs and ranks, as the sweep starts. */
void sc_plan_print(const sc_experiment *e, const sc_dataset *ds, const int *lab, int l,
                   const uint8_t *truth, const int16_t *assign, int n_jobs, int size,
                   int threads, int capped);

/* --dry-run: the plan for `ranks` ranks of which `per_node` share a node, `threads` each:
 * every job in dispatch order with its dependency and estimated time, the total work, the
 * estimated wall time, the memory per rank and per node.  Calibrates m first: from
 * calibrate_path (an earlier results file) if given, then by timing a step of what is left.
 * v, l: views and labels of the data.  0, or -1 with a message. */
typedef struct {
    int ranks, per_node, threads;
    const char *calibrate_path;
    int64_t base_bytes; /* a rank's peak RSS before it built anything */
} sc_dry_cfg;
int sc_plan_dry_run(const sc_experiment *e, const sc_dataset *ds, int l, const sc_job *jobs,
                    const int *order, int n_jobs, const sc_dry_cfg *c);

/* The progress lines: one per finished job with done/total, the elapsed time and an ETA from
 * the cost model, calibrated by the jobs finished so far; the master flushes each line. */
typedef struct {
    int quiet, workers;
    const sc_experiment *e;
    const sc_job *jobs;
    int n_jobs;
    int8_t *left;       /* per job: 1 while it is still to finish in this run */
    double t0;          /* when the sweep started (sc_now) */
    sc_cost_model model;
} sc_progress;
/* todo: per job, whether this run runs it (NULL: all). */
void sc_progress_init(sc_progress *p, const sc_experiment *e, const sc_job *jobs, int n_jobs,
                      const int8_t *todo, int workers, int quiet);
void sc_progress_free(sc_progress *p);
/* The scheduler's sc_done_fn (ctx: sc_progress). */
void sc_progress_done(void *ctx, const sc_job_row *row, int n_done, int n_total);

/* "12 s", "3.4 min", "2.1 h", "3.2 days" */
void sc_fmt_duration(double s, char *buf, size_t n);

#endif
