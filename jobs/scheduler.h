/* jobs/scheduler.h: the MPI master/worker loop over a graph of jobs.
 *
 * Rank 0 is the master: whenever a worker asks, it hands out the ready job that comes first in
 * `order` (jobs/dag.h: a job is ready when the job it depends on is done), marks it running in
 * the results file, and logs completions.  A worker that asks while no job is ready but some
 * still wait for running ones is held until one becomes ready; workers are only released when
 * nothing is left to hand out.  A job whose dependency failed is not run: the master writes its
 * row as failed, with a message naming the job it waited for.  The master waits by polling with
 * short sleeps, so it does not take a core from the workers.  With one rank, rank 0 runs every
 * job itself by the same rules, in the same order.  Nothing here depends on which rank runs
 * which job: results are the same for any number of ranks. */
#ifndef SC_JOBS_SCHEDULER_H
#define SC_JOBS_SCHEDULER_H

#include <mpi.h>
#include <stdint.h>

#include "results/results.h"

/* Worker side: run job `job` and fill `row`; dep_hash is the output hash of the job it depends
 * on (0 if none), which the job checks against what it reads.  Return -1 only if the sweep cannot
 * go on. */
typedef int (*sc_exec_fn)(void *ctx, int job, uint64_t dep_hash, sc_job_row *row);
/* Master side: a job finished (row as the worker reported it, or as the master wrote it for a
 * cancelled job); n_total counts the jobs of this run (a resumed sweep's still to run). */
typedef void (*sc_done_fn)(void *ctx, const sc_job_row *row, int n_done, int n_total);

typedef struct {
    const int *order;   /* dispatch order, n entries */
    int n;
    const int *depends; /* per job id: the job it waits for, or -1 (NULL: no dependencies) */
    /* A resumed sweep: per job id, SC_DAG_DONE / SC_DAG_FAILED for the jobs not to run again,
     * SC_DAG_TO_RUN for the others (NULL: run every job), and the done ones' output hashes. */
    const int8_t *finished;
    const uint64_t *hashes;
    const sc_job_row *rows; /* initial rows, indexed by job id (for "running" and cancellations) */
    sc_results *res;        /* NULL: no rows written (the scheduler benchmark, sched_bench.h) */
    sc_exec_fn exec;
    void *exec_ctx;
    sc_done_fn done;
    void *done_ctx;
} sc_schedule_cfg;

/* Collective over comm.  Returns 0 when every job ran (done or failed), 1 when the sweep was
 * stopped (a signal reached a rank: util/stop.h; the master hands out no more jobs, the running
 * ones stop at their next step and their rows say so), -1 if the sweep could not go on (an I/O
 * error on the results file); every rank returns the same value. */
int sc_schedule(MPI_Comm comm, const sc_schedule_cfg *cfg);

/* From a job's training loop on a worker: 1 if the sweep is stopping (a signal on this rank, or
 * the master's word, polled without blocking).  0 outside sc_schedule. */
int sc_schedule_stopping(void);

#endif
