/* jobs/grid.c: see grid.h. */
#include "jobs/grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/rng.h"

void sc_experiment_free(sc_experiment *e)
{
    free(e->text);
    e->text = NULL;
}

static uint64_t name_hash(const char *s) { return sc_hash(s, strlen(s)); }

int sc_grid_make(const sc_experiment *e, const int16_t *assign, int64_t n, sc_job **jobs,
                 int *n_jobs)
{
    int64_t total = (int64_t)e->folds.repeats * e->folds.k * e->n_aug * e->n_arch;
    if (total > 1000000) {
        sc_err_set(NULL, 0, "%s: the sweep has %lld jobs; at most 1000000 are supported", e->path,
                   (long long)total);
        return -1;
    }
    sc_job *J = sc_xcalloc((size_t)total, sizeof *J);
    int id = 0;
    for (int r = 0; r < e->folds.repeats; r++)
        for (int f = 0; f < e->folds.k; f++) {
            int64_t nt, ntr;
            sc_folds_sizes(assign + (int64_t)r * n, n, f, &nt, &ntr);
            for (int a = 0; a < e->n_aug; a++)
                for (int m = 0; m < e->n_arch; m++) {
                    sc_job *j = &J[id];
                    j->id = id++;
                    j->repeat = r;
                    j->fold = f;
                    j->aug = a;
                    j->arch = m;
                    j->seed = sc_seed4(e->seed, (uint64_t)r, (uint64_t)f,
                                       name_hash(e->aug[a].name), name_hash(e->arch[m].name));
                    j->init_seed = sc_seed4(e->seed, (uint64_t)r, (uint64_t)f, 0x1417,
                                            name_hash(e->arch[m].name));
                    j->n_train = ntr;
                    j->n_test = nt;
                }
        }
    *jobs = J;
    *n_jobs = (int)total;
    return 0;
}

int sc_grid_costs(const sc_experiment *e, int in_c, int n_out, sc_job *jobs, int n_jobs)
{
    double macs[SC_MAX_ARCHS];
    for (int m = 0; m < e->n_arch; m++) {
        nn_shape shape = {in_c, e->in_h, e->in_w, n_out, 1};
        nn_net *net = nn_net_build(e->arch[m].path, &shape);
        if (!net) return -1;
        macs[m] = nn_net_forward_macs(net);
        nn_net_free(net);
    }
    for (int i = 0; i < n_jobs; i++) {
        sc_job *j = &jobs[i];
        double copies = e->aug[j->aug].kind == SC_AUG_GEOMETRIC ? 1.0 + e->geometric.copies : 1.0;
        j->cost = 3.0 * macs[j->arch] * (double)j->n_train * copies * e->epochs;
    }
    return 0;
}

static const sc_job *order_jobs;

static int cmp_cost(const void *a, const void *b)
{
    const sc_job *x = &order_jobs[*(const int *)a], *y = &order_jobs[*(const int *)b];
    if (x->cost != y->cost) return x->cost > y->cost ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

void sc_grid_order(const sc_job *jobs, int n_jobs, int *order)
{
    for (int i = 0; i < n_jobs; i++) order[i] = i;
    order_jobs = jobs;
    qsort(order, (size_t)n_jobs, sizeof *order, cmp_cost);
    order_jobs = NULL;
}

void sc_grid_row(const sc_experiment *e, const sc_job *job, sc_job_row *row)
{
    memset(row, 0, sizeof *row);
    row->id = job->id;
    row->repeat = (int16_t)job->repeat;
    row->fold = (int16_t)job->fold;
    snprintf(row->augmentation, sizeof row->augmentation, "%s", e->aug[job->aug].name);
    snprintf(row->architecture, sizeof row->architecture, "%s", e->arch[job->arch].name);
    row->seed = job->seed;
    row->status = SC_JOB_PENDING;
    row->rank = -1;
    row->n_train = job->n_train;
    row->n_test = job->n_test;
}
