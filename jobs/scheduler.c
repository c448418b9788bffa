/* jobs/scheduler.c: see scheduler.h. */
#include "jobs/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs/dag.h"
#include "util/agree.h"
#include "util/error.h"
#include "util/stop.h"

/* TAG_ABORT: the master tells a busy worker that the sweep is stopping (a signal reached some
 * rank); the worker's job stops at its next step (sc_schedule_stopping). */
enum { TAG_READY = 1, TAG_JOB = 2, TAG_STOP = 3, TAG_ABORT = 4 };

/* What a worker sends when it asks for work: the outcome of its previous job (job = -1 on the
 * first request).  Fixed size, so one MPI_BYTE message. */
typedef struct {
    int32_t job;
    int32_t fatal;    /* the worker could not write the results file */
    int32_t stopping; /* the worker was asked to stop (sc_stop_requested), 0 if not */
    sc_job_row row;
} ready_msg;

/* What the master sends with a job: the output hash of the job it depends on. */
typedef struct {
    int32_t job;
    uint64_t dep_hash;
} job_msg;

/* The communicator of a worker's loop, for sc_schedule_stopping (MPI_COMM_NULL elsewhere). */
static MPI_Comm worker_comm = MPI_COMM_NULL;

int sc_schedule_stopping(void)
{
    if (sc_stop_requested()) return 1;
    if (worker_comm == MPI_COMM_NULL) return 0;
    int flag = 0;
    if (MPI_Iprobe(0, TAG_ABORT, worker_comm, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS) return 0;
    if (flag) {
        /* received or not, the job stops: a failed receive leaves the message for the worker
         * loop, which discards aborts */
        (void)MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_ABORT, worker_comm, MPI_STATUS_IGNORE);
        sc_stop_request(SC_STOP_BY_MASTER);
    }
    return flag;
}

/* The master's wait between polls: from 100 us, doubled while idle, up to 1 ms; reset on
 * activity.  A blocking receive would take a core (Open MPI polls); the cap is the latency a
 * finished worker may wait for its next job.  Measured (`spectcv bench --scheduler`, 200
 * heavy-tailed jobs of mean 0.2 s on 7 workers, BENCHMARKS.md): a 20 ms cap made the sweep
 * 1.17x its lower bound, 2 ms 1.02x, 1 ms 1.012x, 0.5 ms 1.008x; the waiting master then uses
 * 0.2%, 1.1%, 1.4-1.8% and 3.3% of a core. */
static void nap(int *us)
{
    struct timespec ts = {0, (long)*us * 1000L};
    nanosleep(&ts, NULL);
    if (*us < 1000) *us *= 2;
}

static int mark_running(const sc_schedule_cfg *cfg, int job, int rank)
{
    sc_job_row row = cfg->rows[job];
    row.status = SC_JOB_RUNNING;
    row.rank = rank;
    return cfg->res ? sc_results_write_row(cfg->res, &row) : 0;
}

static uint64_t dep_hash(const sc_schedule_cfg *cfg, const sc_dag *d, int job)
{
    return cfg->depends && cfg->depends[job] >= 0 ? sc_dag_hash(d, cfg->depends[job]) : 0;
}

/* Jobs that can no longer run (what they wait for failed): a failed row each, written here,
 * counted as done. */
static int write_cancelled(const sc_schedule_cfg *cfg, const int *cancelled, int nc,
                           int *n_done, int n_total)
{
    for (int i = 0; i < nc; i++) {
        sc_job_row c = cfg->rows[cancelled[i]];
        const sc_job_row *why = &cfg->rows[c.depends];
        c.status = SC_JOB_FAILED;
        c.rank = -1;
        c.seconds = 0;
        snprintf(c.message, sizeof c.message, "not run: job %04d (%s %s, repeat %d, fold %d), "
                 "which it needs, failed", why->id, why->kind == SC_JOB_GAN ? "GAN" : "job",
                 why->architecture, why->repeat, why->fold);
        if (cfg->res && sc_results_write_row(cfg->res, &c)) return -1;
        (*n_done)++;
        if (cfg->done) cfg->done(cfg->done_ctx, &c, *n_done, n_total);
    }
    return 0;
}

/* Job `job` finished with row `row`: record it in the graph and cancel what can no longer run.
 * *n_done counts finished jobs. */
static int finish(const sc_schedule_cfg *cfg, sc_dag *d, const sc_job_row *row, int *cancelled,
                  int *n_done, int n_total)
{
    if (row->status == SC_JOB_PENDING) { /* stopped inside: it runs again when resumed */
        if (cfg->done) cfg->done(cfg->done_ctx, row, *n_done, n_total);
        return 0;
    }
    (*n_done)++;
    if (cfg->done) cfg->done(cfg->done_ctx, row, *n_done, n_total);
    int nc = sc_dag_finish(d, row->id, row->status == SC_JOB_DONE, row->output_hash, cancelled);
    return write_cancelled(cfg, cancelled, nc, n_done, n_total);
}

static int run_serial(const sc_schedule_cfg *cfg, sc_dag *d, int *cancelled, int n_done,
                      int n_total)
{
    for (int job; !sc_stop_requested() && (job = sc_dag_next(d)) >= 0;) {
        sc_job_row row;
        if (mark_running(cfg, job, 0)) return -1;
        if (cfg->exec(cfg->exec_ctx, job, dep_hash(cfg, d, job), &row)) return -1;
        if (finish(cfg, d, &row, cancelled, &n_done, n_total)) return -1;
    }
    return 0;
}

/* The sweep is stopping: tell every busy worker (a 0-byte message; its job stops at its next
 * step), once. */
static int abort_busy(MPI_Comm comm, int size, const int *busy)
{
    for (int w = 1; w < size; w++)
        if (busy[w]) SC_MPI(MPI_Send(NULL, 0, MPI_BYTE, w, TAG_ABORT, comm));
    return 0;
fail:
    return -1;
}

static int run_master(MPI_Comm comm, int size, const sc_schedule_cfg *cfg, sc_dag *d,
                      int *cancelled, int n_done, int n_total)
{
    int active = size - 1, failed = 0, us = 100, n_parked = 0, stopping = 0, rc = -1;
    int aborted = 0; /* the busy workers were told to stop their jobs */
    int *parked = sc_xmalloc(sizeof(int) * (size_t)size);
    int *busy = sc_xcalloc((size_t)size, sizeof(int));
    char failure[SC_ERR_MAX] = "";
    while (active > 0) {
        if (!stopping && sc_stop_requested()) stopping = sc_stop_requested();
        /* stopping or failed: the running jobs stop at their next step (their rows stay
         * pending, so --resume runs them), rather than run on for hours for nothing */
        if ((stopping || failed) && !aborted) {
            aborted = 1;
            SC_TRY(abort_busy(comm, size, busy));
        }
        int flag = 0;
        MPI_Status st;
        SC_MPI(MPI_Iprobe(MPI_ANY_SOURCE, TAG_READY, comm, &flag, &st));
        if (!flag) {
            nap(&us);
            continue;
        }
        us = 100;
        ready_msg msg;
        SC_MPI(MPI_Recv(&msg, sizeof msg, MPI_BYTE, st.MPI_SOURCE, TAG_READY, comm,
                        MPI_STATUS_IGNORE));
        busy[st.MPI_SOURCE] = 0;
        if (msg.stopping && !stopping) { /* a signal reached that worker: stop everyone */
            stopping = msg.stopping;
            sc_stop_request(msg.stopping);
        }
        if (msg.fatal && !failed) {
            failed = 1;
            snprintf(failure, sizeof failure, "rank %d: %s", st.MPI_SOURCE, msg.row.message);
        }
        if (msg.job >= 0 && !msg.fatal && !failed &&
            finish(cfg, d, &msg.row, cancelled, &n_done, n_total)) {
            failed = 1;
            snprintf(failure, sizeof failure, "%s", sc_err_msg());
        }
        parked[n_parked++] = st.MPI_SOURCE;
        /* Hand ready jobs to the waiting workers; release them when nothing is left. */
        while (n_parked > 0) {
            int job = failed || stopping ? -1 : sc_dag_next(d);
            if (job < 0 && !failed && !stopping && sc_dag_undispatched(d) > 0) {
                if (n_parked < active) break; /* the rest wait for running jobs */
                failed = 1; /* cannot happen: every worker idle and jobs left that none can run */
                snprintf(failure, sizeof failure, "no job can run: %d wait for jobs that never "
                         "ran (a bug)", sc_dag_undispatched(d));
            }
            const int w = parked[--n_parked];
            if (job >= 0 && mark_running(cfg, job, w)) {
                failed = 1;
                snprintf(failure, sizeof failure, "%s", sc_err_msg());
                job = -1;
            }
            if (job >= 0) {
                job_msg jm;
                memset(&jm, 0, sizeof jm); /* no uninitialized padding on the wire */
                jm.job = job;
                jm.dep_hash = dep_hash(cfg, d, job);
                SC_MPI(MPI_Send(&jm, sizeof jm, MPI_BYTE, w, TAG_JOB, comm));
                busy[w] = 1;
            } else {
                SC_MPI(MPI_Send(NULL, 0, MPI_BYTE, w, TAG_STOP, comm));
                active--;
            }
        }
    }
    rc = 0;
    if (failed) {
        sc_err_set(NULL, 0, "the sweep stopped: %s", failure);
        rc = -1;
    }
fail:
    free(parked);
    free(busy);
    return rc;
}

static int run_worker(MPI_Comm comm, const sc_schedule_cfg *cfg)
{
    ready_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.job = -1;
    if (sc_fault_step("schedule")) { /* test-only: a worker that cannot work (its first word) */
        msg.fatal = 1;
        snprintf(msg.row.message, sizeof msg.row.message, "%s", sc_err_msg());
    }
    worker_comm = comm;
    for (;;) {
        msg.stopping = sc_stop_requested();
        SC_MPI(MPI_Send(&msg, sizeof msg, MPI_BYTE, 0, TAG_READY, comm));
        MPI_Status st;
        job_msg jm;
        do { /* an abort that crossed our request is only the news we already sent */
            SC_MPI(MPI_Recv(&jm, sizeof jm, MPI_BYTE, 0, MPI_ANY_TAG, comm, &st));
            if (st.MPI_TAG == TAG_ABORT) sc_stop_request(SC_STOP_BY_MASTER);
        } while (st.MPI_TAG == TAG_ABORT);
        if (st.MPI_TAG == TAG_STOP) break;
        memset(&msg, 0, sizeof msg);
        msg.job = jm.job;
        if (cfg->exec(cfg->exec_ctx, jm.job, jm.dep_hash, &msg.row)) {
            msg.fatal = 1;
            snprintf(msg.row.message, sizeof msg.row.message, "%s", sc_err_msg());
        }
    }
    worker_comm = MPI_COMM_NULL;
    return 0;
fail:
    worker_comm = MPI_COMM_NULL;
    return -1;
}

int sc_schedule(MPI_Comm comm, const sc_schedule_cfg *cfg)
{
    int rank, size;
    if (sc_comm_rank_size(comm, &rank, &size)) return -1;
    int rc = 0, n_done = 0, n_total = 0;
    sc_dag d;
    int *cancelled = NULL;
    if (size == 1 || rank == 0) {
        cancelled = sc_xmalloc(sizeof(int) * (size_t)(cfg->n ? cfg->n : 1));
        int nc = 0;
        rc = sc_dag_init(&d, cfg->n, cfg->order, cfg->depends, cfg->finished, cfg->hashes,
                         cancelled, &nc);
        if (rc == 0) {
            n_total = sc_dag_undispatched(&d) + nc;
            rc = write_cancelled(cfg, cancelled, nc, &n_done, n_total);
            if (rc) sc_dag_free(&d);
        }
    }
    if (rc == 0) {
        if (size == 1) rc = run_serial(cfg, &d, cancelled, n_done, n_total);
        else if (rank == 0) rc = run_master(comm, size, cfg, &d, cancelled, n_done, n_total);
        else rc = run_worker(comm, cfg);
        if (size == 1 || rank == 0) sc_dag_free(&d);
    } else if (size > 1) { /* the master could not start: release the workers it will not serve */
        for (int w = 1; w < size; w++) {
            ready_msg msg;
            if (MPI_Recv(&msg, sizeof msg, MPI_BYTE, w, TAG_READY, comm, MPI_STATUS_IGNORE) ||
                MPI_Send(NULL, 0, MPI_BYTE, w, TAG_STOP, comm))
                break; /* the error is the master's own, already set */
        }
    }
    free(cancelled);
    /* Everyone learns whether the sweep completed (and the master's message), and whether it
     * was stopped. */
    if (sc_agree(comm, rc)) return -1;
    int stop = sc_stop_requested() != 0, any_stop = stop;
    if (MPI_Allreduce(&stop, &any_stop, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) {
        sc_err_set(__FILE__, __LINE__, "MPI_Allreduce failed at the end of the sweep");
        return -1;
    }
    return any_stop ? 1 : 0;
}
