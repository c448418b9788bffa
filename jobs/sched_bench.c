/* jobs/sched_bench.c: see sched_bench.h. */
#include "jobs/sched_bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "jobs/scheduler.h"
#include "util/agree.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/sys.h"

static const double *sort_times;

static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru)) return NAN;
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static int cmp_longest(const void *a, const void *b)
{
    const double x = sort_times[*(const int *)a], y = sort_times[*(const int *)b];
    if (x != y) return x > y ? -1 : 1;
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

static int exec_sleep(void *ctx, int job, uint64_t dep_hash, sc_job_row *row)
{
    (void)dep_hash;
    const double t = ((const double *)ctx)[job];
    memset(row, 0, sizeof *row);
    row->id = job;
    row->status = SC_JOB_DONE;
    if (t > 0) {
        struct timespec ts = {(time_t)t, (long)((t - floor(t)) * 1e9)};
        while (nanosleep(&ts, &ts) != 0) {
        }
    }
    row->seconds = t;
    return 0;
}

/* The longest-first list schedule's makespan with w machines (no dispatch cost). */
static double lpt_makespan(const double *t, const int *order, int n, int w)
{
    double *load = calloc((size_t)w, sizeof *load), worst = 0;
    if (!load) return NAN;
    for (int i = 0; i < n; i++) {
        int k = 0;
        for (int m = 1; m < w; m++)
            if (load[m] < load[k]) k = m;
        load[k] += t[order[i]];
    }
    for (int m = 0; m < w; m++) worst = load[m] > worst ? load[m] : worst;
    free(load);
    return worst;
}

int sc_sched_bench(MPI_Comm comm, const sc_sched_bench_cfg *cfg, sc_sched_bench_result *out)
{
    int rank, size, rc = -1;
    double *t = NULL;
    int *order = NULL;
    sc_job_row *rows = NULL;
    memset(out, 0, sizeof *out);
    SC_TRY(sc_comm_rank_size(comm, &rank, &size));
    SC_CHECK(size >= 2, "bench --scheduler: needs at least 2 ranks (a master and a worker); run "
             "it under mpirun");
    SC_CHECK(cfg->n_jobs >= 1, "bench --scheduler: no jobs");
    const int n = cfg->n_jobs, w = size - 1;
    t = sc_xmalloc(sizeof *t * (size_t)n);
    order = sc_xmalloc(sizeof *order * (size_t)n);
    rows = sc_xcalloc((size_t)n, sizeof *rows);
    sc_rng r;
    sc_rng_seed(&r, cfg->seed);
    /* log-normal with the given mean: exp(mu + sigma z), mu = log(mean) - sigma^2 / 2 */
    const double mu = cfg->mean > 0 ? log(cfg->mean) - 0.5 * cfg->sigma * cfg->sigma : 0;
    for (int i = 0; i < n; i++) {
        t[i] = cfg->times ? cfg->times[i]
               : cfg->mean > 0 ? exp(mu + cfg->sigma * sc_rng_normal(&r))
                               : 0.0;
        order[i] = i;
        rows[i].id = i;
        rows[i].depends = -1;
    }
    sort_times = t;
    qsort(order, (size_t)n, sizeof *order, cmp_longest);
    sort_times = NULL;

    out->workers = w;
    double *rr = sc_xcalloc((size_t)w, sizeof *rr);
    for (int i = 0; i < n; i++) {
        out->total += t[i];
        out->longest = t[i] > out->longest ? t[i] : out->longest;
        rr[i % w] += t[i];
    }
    for (int m = 0; m < w; m++) out->round_robin = rr[m] > out->round_robin ? rr[m] : out->round_robin;
    free(rr);
    out->bound = fmax(out->longest, out->total / w);
    out->lpt = lpt_makespan(t, order, n, w);

    sc_schedule_cfg sc = {.order = order, .n = n, .rows = rows, .exec = exec_sleep, .exec_ctx = t};
    SC_MPI(MPI_Barrier(comm));
    const double t0 = sc_now(), c0 = cpu_seconds();
    SC_TRY(sc_schedule(comm, &sc) != 0);
    out->makespan = sc_now() - t0;
    out->master_cpu = cpu_seconds() - c0;
    out->jobs_per_s = out->makespan > 0 ? n / out->makespan : 0;
    rc = 0;
fail:
    free(t);
    free(order);
    free(rows);
    return rc;
}
