/* jobs/scheduler.c: see scheduler.h. */
#include "jobs/scheduler.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/error.h"

enum { TAG_READY = 1, TAG_JOB = 2, TAG_STOP = 3 };

/* What a worker sends when it asks for work: the outcome of its previous job (job = -1 on the
 * first request).  Fixed size, so one MPI_BYTE message. */
typedef struct {
    int32_t job;
    int32_t fatal; /* the worker could not write the results file */
    sc_job_row row;
} ready_msg;

static void nap(int *us)
{
    struct timespec ts = {0, (long)*us * 1000L};
    nanosleep(&ts, NULL);
    if (*us < 20000) *us *= 2; /* back off to 20 ms while idle; reset on activity */
}

static int mark_running(const sc_schedule_cfg *cfg, int job, int rank)
{
    sc_job_row row = cfg->rows[job];
    row.status = SC_JOB_RUNNING;
    row.rank = rank;
    return sc_results_write_row(cfg->res, &row);
}

static int run_serial(const sc_schedule_cfg *cfg)
{
    for (int i = 0; i < cfg->n; i++) {
        int job = cfg->order[i];
        sc_job_row row;
        if (mark_running(cfg, job, 0)) return -1;
        if (cfg->exec(cfg->exec_ctx, job, &row)) return -1;
        if (cfg->done) cfg->done(cfg->done_ctx, &row, i + 1, cfg->n);
    }
    return 0;
}

static int run_master(MPI_Comm comm, int size, const sc_schedule_cfg *cfg)
{
    int next = 0, n_done = 0, active = size - 1, failed = 0, us = 100;
    char failure[SC_ERR_MAX] = "";
    while (active > 0) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_READY, comm, &flag, &st);
        if (!flag) {
            nap(&us);
            continue;
        }
        us = 100;
        ready_msg msg;
        MPI_Recv(&msg, sizeof msg, MPI_BYTE, st.MPI_SOURCE, TAG_READY, comm, MPI_STATUS_IGNORE);
        if (msg.fatal && !failed) {
            failed = 1;
            snprintf(failure, sizeof failure, "rank %d: %s", st.MPI_SOURCE, msg.row.message);
        }
        if (msg.job >= 0 && !msg.fatal) {
            n_done++;
            if (cfg->done) cfg->done(cfg->done_ctx, &msg.row, n_done, cfg->n);
        }
        if (!failed && next < cfg->n) {
            int job = cfg->order[next++];
            if (mark_running(cfg, job, st.MPI_SOURCE)) {
                failed = 1;
                snprintf(failure, sizeof failure, "%s", sc_err_msg());
            } else {
                MPI_Send(&job, 1, MPI_INT, st.MPI_SOURCE, TAG_JOB, comm);
                continue;
            }
        }
        MPI_Send(NULL, 0, MPI_INT, st.MPI_SOURCE, TAG_STOP, comm);
        active--;
    }
    if (failed) sc_err_set(NULL, 0, "the sweep stopped: %s", failure);
    return failed ? -1 : 0;
}

static int run_worker(MPI_Comm comm, const sc_schedule_cfg *cfg)
{
    ready_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.job = -1;
    for (;;) {
        MPI_Send(&msg, sizeof msg, MPI_BYTE, 0, TAG_READY, comm);
        MPI_Status st;
        int job;
        MPI_Recv(&job, 1, MPI_INT, 0, MPI_ANY_TAG, comm, &st);
        if (st.MPI_TAG == TAG_STOP) return 0;
        memset(&msg, 0, sizeof msg);
        msg.job = job;
        if (cfg->exec(cfg->exec_ctx, job, &msg.row)) {
            msg.fatal = 1;
            snprintf(msg.row.message, sizeof msg.row.message, "%s", sc_err_msg());
        }
    }
}

int sc_schedule(MPI_Comm comm, const sc_schedule_cfg *cfg)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int rc;
    if (size == 1) rc = run_serial(cfg);
    else if (rank == 0) rc = run_master(comm, size, cfg);
    else rc = run_worker(comm, cfg);
    /* Everyone learns whether the sweep completed, and the master's message. */
    int worst = rc;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MIN, comm);
    if (worst != 0 && rc == 0) sc_err_set(NULL, 0, "the sweep stopped on another rank");
    return worst;
}
