/* jobs/sched_bench.h: the scheduler's own figures (`spectcv bench --scheduler`): how many jobs
 * per second the master hands out, and how close a sweep's makespan comes to the lower bound
 * max(longest job, total work / workers).  The jobs are the real scheduler's (jobs/scheduler.h,
 * longest first as sc_grid_order sorts them), the work is a sleep of each job's time, so the
 * figures measure dispatch and ordering alone, on as many oversubscribed ranks as wanted. */
#ifndef SC_JOBS_SCHED_BENCH_H
#define SC_JOBS_SCHED_BENCH_H

#include <mpi.h>
#include <stdint.h>

typedef struct {
    int n_jobs;
    double mean;         /* seconds; the jobs' mean time */
    double sigma;        /* log-normal shape: 0 all equal, 1 heavy-tailed (max/mean ~ 8 at 200) */
    uint64_t seed;
    const double *times; /* optional: n_jobs times in seconds (e.g. a dry run's), instead */
} sc_sched_bench_cfg;

typedef struct {
    int workers;
    double makespan;       /* measured on the master, from the first dispatch to the last job */
    double bound;          /* max(longest, total / workers) */
    double longest, total; /* of the jobs' times */
    double lpt;            /* longest-first greedy list schedule, computed (no dispatch cost) */
    double round_robin;    /* static: job i on worker i mod W in id order, as job arrays do */
    double jobs_per_s;     /* n_jobs / makespan (meaningful with trivial jobs, mean 0) */
    double master_cpu;     /* the master's CPU seconds (user + system) during the sweep */
} sc_sched_bench_result;

/* Collective over comm (at least 2 ranks: a master and a worker).  Every rank draws the same
 * times from the seed.  The result is valid on rank 0. */
int sc_sched_bench(MPI_Comm comm, const sc_sched_bench_cfg *cfg, sc_sched_bench_result *out);

#endif
