/* jobs/cost_model.c: see cost_model.h. */
#include "jobs/cost_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment/gan_bench.h"
#include "nn/bench.h"
#include "results/results_read.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/sys.h"

/* A job's cost (jobs/grid.c) is its training multiply-adds, passes x MACs x samples; the benches
 * count a step's GFLOP as 2 flops per multiply-add x 1e-9 of the same passes x MACs x batch.  So
 * one benchmarked GFLOP is 1 / (2 x 1e-9) = 5e8 units of cost, and a step's seconds over its
 * cost are step_s / (gflop x COST_PER_GFLOP). */
#define COST_PER_GFLOP 5e8

int sc_cost_kind(const sc_experiment *e, const sc_job *j)
{
    return j->kind == SC_JOB_GAN ? e->n_arch : j->arch;
}

static void set_rate(sc_cost_model *m, int k, const char *source)
{
    if (m->done_cost[k] > 0) m->s_per_cost[k] = m->done_s[k] / m->done_cost[k];
    snprintf(m->source[k], sizeof m->source[k], "%s", source);
}

void sc_cost_add_done(sc_cost_model *m, const sc_experiment *e, const sc_job *j, double seconds)
{
    const int k = sc_cost_kind(e, j);
    if (!(seconds > 0) || !(j->cost > 0)) return;
    m->done_s[k] += seconds;
    m->done_cost[k] += j->cost;
    m->done_jobs[k]++;
    set_rate(m, k, "run");
}

double sc_cost_seconds(const sc_cost_model *m, const sc_experiment *e, const sc_job *j)
{
    const double r = m->s_per_cost[sc_cost_kind(e, j)];
    return r > 0 ? r * j->cost : NAN;
}

int sc_cost_calibrate_file(sc_cost_model *m, const char *path, const sc_experiment *e,
                           const sc_job *jobs, int n_jobs)
{
    sc_results_file rf;
    if (sc_results_open(path, &rf)) {
        sc_err_prefix("--calibrate");
        return -1;
    }
    char hex[17];
    sc_hash_hex(e->hash, hex);
    const int same = !strcmp(hex, rf.experiment_hash);
    int used = 0;
    m->n_arch = e->n_arch;
    for (int r = 0; r < rf.n_jobs + rf.n_gan; r++) {
        const sc_job_row *row = &rf.rows[r];
        if (row->status != SC_JOB_DONE || !(row->seconds > 0)) continue;
        for (int i = 0; i < n_jobs; i++) {
            const sc_job *j = &jobs[i];
            if (j->kind != row->kind || j->repeat != row->repeat || j->fold != row->fold) continue;
            double scale = 1.0;
            if (j->kind == SC_JOB_GAN) {
                if (!same) continue; /* its epochs and sizes are in that experiment's text */
            } else {
                if (strcmp(e->aug[j->aug].name, row->augmentation) ||
                    strcmp(e->arch[j->arch].name, row->architecture))
                    continue;
                scale = (double)rf.epochs / e->epochs; /* that run's epochs */
            }
            const int k = sc_cost_kind(e, j);
            m->done_s[k] += row->seconds;
            m->done_cost[k] += j->cost * scale;
            m->done_jobs[k]++;
            used++;
            break;
        }
    }
    for (int k = 0; k <= e->n_arch; k++)
        if (m->done_jobs[k] > 0) set_rate(m, k, "file");
    sc_results_free(&rf);
    if (used == 0) {
        sc_err_set(NULL, 0, "%s: --calibrate: no finished job there matches a job of this sweep "
                   "(same augmentation, architecture, repeat and fold)", path);
        return -1;
    }
    return 0;
}

int sc_cost_calibrate_bench(sc_cost_model *m, const sc_experiment *e, int v, int l, int threads,
                            const sc_job *jobs, int n_jobs)
{
    m->n_arch = e->n_arch;
    const size_t per = (size_t)v * (size_t)e->in_h * (size_t)e->in_w * sizeof(float);
    for (int a = 0; a < e->n_arch; a++) {
        int used = 0;
        for (int i = 0; i < n_jobs; i++) used |= jobs[i].kind == SC_JOB_CLASSIFIER && jobs[i].arch == a;
        if (!used) continue;
        const int batch = e->arch[a].train.batch;
        nn_shape shape = {v, e->in_h, e->in_w, l, batch};
        nn_bench_cfg c = {.threads = threads, .steps = 3, .warmup = 1, .no_peak = 1};
        nn_bench_result r;
        if (nn_bench_run(e->arch[a].path, &shape, &c, &r)) {
            sc_err_prefix("timing architecture '%s'", e->arch[a].name);
            return -1;
        }
        free(r.profile);
        /* the batch, its augmented copy, the scores of a test batch */
        m->job_bytes[a] = r.arena_total + 2 * (size_t)batch * per;
        if (m->done_jobs[a] > 0) continue; /* calibrated by jobs that ran */
        m->s_per_cost[a] = r.step_s / (r.train_gflop * COST_PER_GFLOP);
        snprintf(m->source[a], sizeof m->source[a], "bench");
    }
    if (!e->uses_gan) return 0;
    const int k = e->n_arch;
    aug_gan_bench_cfg gc = {e->gan.g_path, e->gan.d_path, v, l, e->gan.train.z,
                            e->gan.train.batch, threads, 3, 1};
    aug_gan_bench_result gr;
    if (aug_gan_bench(&gc, &gr)) {
        sc_err_prefix("timing the GAN");
        return -1;
    }
    /* both networks with gradients and Adam's two moments, a batch of each, and the samples */
    int64_t synth = 0;
    for (int i = 0; i < n_jobs; i++)
        if (jobs[i].kind == SC_JOB_GAN && jobs[i].n_synth > synth) synth = jobs[i].n_synth;
    const size_t gper = (size_t)v * (size_t)gr.h * (size_t)gr.w * sizeof(float);
    m->job_bytes[k] = 16 * (gr.g_params + gr.d_params) + 8 * (size_t)e->gan.train.batch * gper +
                      (size_t)synth * gper;
    /* a classifier job of the gan augmentations holds its GAN's samples too */
    for (int a = 0; a < e->n_arch; a++) m->job_bytes[a] += (size_t)synth * gper;
    if (m->done_jobs[k] > 0) return 0;
    /* the bench's step has no mismatch batch: its extra discriminator passes are in the grid's
     * cost of the job already */
    m->s_per_cost[k] = gr.step_s / (gr.gflop * COST_PER_GFLOP);
    snprintf(m->source[k], sizeof m->source[k], "bench");
    return 0;
}

double sc_cost_makespan(const sc_cost_model *m, const sc_experiment *e, const sc_job *jobs,
                        const int *order, int n_jobs, const int8_t *todo, int workers)
{
    if (workers < 1) workers = 1;
    double *free_at = calloc((size_t)workers, sizeof *free_at);
    double *end = malloc(sizeof *end * (size_t)(n_jobs ? n_jobs : 1));
    int8_t *placed = calloc((size_t)(n_jobs ? n_jobs : 1), 1);
    double makespan = 0;
    if (!free_at || !end || !placed) {
        makespan = NAN;
        goto done;
    }
    /* dependencies first: a job is placed when what it waits for is placed (the scheduler
     * dispatches in order among the ready jobs; one level of dependencies, GAN -> classifier) */
    for (int i = 0; i < n_jobs; i++) end[i] = 0;
    for (int left = 1; left;) {
        left = 0;
        for (int o = 0; o < n_jobs; o++) {
            const int id = order[o];
            if (placed[id] || (todo && !todo[id])) continue;
            const int dep = jobs[id].depends;
            if (dep >= 0 && !placed[dep] && (!todo || todo[dep])) {
                left = 1;
                continue;
            }
            int w = 0;
            for (int k = 1; k < workers; k++)
                if (free_at[k] < free_at[w]) w = k;
            double start = free_at[w];
            if (dep >= 0 && placed[dep] && end[dep] > start) start = end[dep];
            const double t = sc_cost_seconds(m, e, &jobs[id]);
            end[id] = start + (isnan(t) ? 0 : t);
            free_at[w] = end[id];
            placed[id] = 1;
            if (end[id] > makespan) makespan = end[id];
            if (isnan(t)) makespan = NAN;
        }
    }
done:
    free(free_at);
    free(end);
    free(placed);
    return makespan;
}
