/* jobs/scheduler.h: the MPI master/worker loop.
 *
 * Rank 0 is the master: it hands the next job of `order` (costliest first) to whichever
 * worker asks, marks it running in the results file, and logs completions.  It waits by
 * polling with short sleeps, so it does not take a core from the workers.  Workers run jobs
 * and write their own outputs.  With one rank, rank 0 runs every job itself, in the same
 * order.  Nothing here depends on which rank runs which job: results are the same for any
 * number of ranks. */
#ifndef SC_JOBS_SCHEDULER_H
#define SC_JOBS_SCHEDULER_H

#include <mpi.h>

#include "results/results.h"

/* Worker side: run job `job` and fill `row`; return -1 only if the sweep cannot go on. */
typedef int (*sc_exec_fn)(void *ctx, int job, sc_job_row *row);
/* Master side: a job finished (row as the worker reported it). */
typedef void (*sc_done_fn)(void *ctx, const sc_job_row *row, int n_done, int n_total);

typedef struct {
    const int *order; /* dispatch order, n entries */
    int n;
    const sc_job_row *rows; /* initial rows, indexed by job id (for the "running" mark) */
    sc_results *res;
    sc_exec_fn exec;
    void *exec_ctx;
    sc_done_fn done;
    void *done_ctx;
} sc_schedule_cfg;

/* Collective over comm.  Returns 0 when every job ran (done or failed), -1 if the sweep had
 * to stop (an I/O error on the results file); every rank returns the same value. */
int sc_schedule(MPI_Comm comm, const sc_schedule_cfg *cfg);

#endif
