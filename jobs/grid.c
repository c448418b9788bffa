/* jobs/grid.c: see grid.h. */
#include "jobs/grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment/gan_bench.h"
#include "augment/gan_data.h"
#include "folds/folds.h"
#include "nn/bench.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/rng.h"
#include "util/seeds.h"

/* A job's cost: training multiply-adds in forward-pass equivalents (nn/bench.h,
 * augment/gan_bench.h). */
#define GAN_D_PASSES(mismatch) ((mismatch) ? AUG_GAN_D_PASSES_MISMATCH : AUG_GAN_D_PASSES)

static uint64_t name_hash(const char *s) { return sc_hash(s, strlen(s)); }

int64_t sc_grid_samples_per_set(const sc_experiment *e, const sc_job *g)
{
    if (e->gan.samples_per_set > 0) return e->gan.samples_per_set;
    return g->n_sets > 0 ? (g->n_train + g->n_sets - 1) / g->n_sets : 0;
}

/* The GAN job of (r, f): its label sets, samples and examples. */
static void gan_job(const sc_experiment *e, const int16_t *assign_r, int64_t n,
                    const uint8_t *truth, int l, sc_job *j)
{
    int64_t *idx = sc_xmalloc(sizeof *idx * (size_t)(n ? n : 1));
    uint8_t *sets = sc_xmalloc((size_t)(n ? n : 1) * (size_t)l);
    int64_t *count = sc_xmalloc(sizeof *count * (size_t)(n ? n : 1));
    int64_t m = sc_folds_indices(assign_r, n, j->fold, 0, idx);
    j->n_sets = aug_label_sets(truth, l, idx, m, sets, count);
    j->n_synth = sc_grid_samples_per_set(e, j) * j->n_sets;
    j->n_examples = 0;
    for (int s = 0; s < j->n_sets; s++)
        j->n_examples += (int)(count[s] < e->gan.examples ? count[s] : e->gan.examples);
    free(idx);
    free(sets);
    free(count);
}

int sc_grid_make(const sc_experiment *e, const int16_t *assign, int64_t n, const uint8_t *truth,
                 int l, sc_job **jobs, int *n_jobs)
{
    const int64_t folds = (int64_t)e->folds.repeats * e->folds.k;
    int64_t cells = 0;
    for (int a = 0; a < e->n_aug; a++)
        for (int m = 0; m < e->n_arch; m++) cells += !(e->excluded[a] >> m & 1u);
    const int64_t n_cls = folds * cells, total = n_cls + (e->uses_gan ? folds : 0);
    if (total > 1000000) {
        sc_err_set(NULL, 0, "%s: the sweep has %lld jobs; at most 1000000 are supported", e->path,
                   (long long)total);
        return -1;
    }
    sc_job *J = sc_xcalloc((size_t)total, sizeof *J);
    char gname[2 * SC_NAME_MAX + 8];
    snprintf(gname, sizeof gname, "%s+%s", e->gan.g_name, e->gan.d_name);
    int id = 0;
    for (int r = 0; r < e->folds.repeats; r++)
        for (int f = 0; f < e->folds.k; f++) {
            int64_t nt, ntr;
            sc_folds_sizes(assign + (int64_t)r * n, n, f, &nt, &ntr);
            for (int a = 0; a < e->n_aug; a++)
                for (int m = 0; m < e->n_arch; m++) {
                    if (e->excluded[a] >> m & 1u) continue;
                    sc_job *j = &J[id];
                    j->id = id++;
                    j->repeat = r, j->fold = f, j->aug = a, j->arch = m;
                    j->kind = SC_JOB_CLASSIFIER;
                    j->depends = e->aug[a].gan ? (int)(n_cls + (int64_t)r * e->folds.k + f) : -1;
                    j->seed = sc_seed4(e->seed, (uint64_t)r, (uint64_t)f,
                                       name_hash(e->aug[a].name), name_hash(e->arch[m].name));
                    j->init_seed = sc_seed4(e->seed, (uint64_t)r, (uint64_t)f, SC_SEED_JOB_INIT,
                                            name_hash(e->arch[m].name));
                    j->n_train = ntr;
                    j->n_test = nt;
                }
            if (!e->uses_gan) continue;
            sc_job *g = &J[n_cls + (int64_t)r * e->folds.k + f];
            g->id = (int)(n_cls + (int64_t)r * e->folds.k + f);
            g->repeat = r, g->fold = f, g->aug = -1, g->arch = -1;
            g->kind = SC_JOB_GAN;
            g->depends = -1;
            g->seed = sc_seed4(e->seed, (uint64_t)r, (uint64_t)f, name_hash("gan"),
                               name_hash(gname));
            g->init_seed = g->seed;
            g->n_train = ntr;
            g->n_test = nt;
            gan_job(e, assign + (int64_t)r * n, n, truth, l, g);
        }
    for (int64_t i = 0; i < n_cls; i++)
        if (J[i].depends >= 0) J[i].n_synth = J[J[i].depends].n_synth;
    *jobs = J;
    *n_jobs = (int)total;
    return 0;
}

/* The GAN must make scans no larger than the classifier's input, of the same aspect ratio (its
 * samples are resized to the input; a GAN trained on enlarged scans would learn nothing more). */
static int check_gan(const sc_experiment *e, int in_c, int n_out, double *g_macs, double *d_macs)
{
    aug_gan *g = aug_gan_build(e->gan.g_path, e->gan.d_path, in_c, n_out, e->gan.train.z, 2);
    if (!g) return -1;
    int h, w;
    aug_gan_dims(g, &h, &w);
    aug_gan_macs(g, g_macs, d_macs);
    aug_gan_free(g);
    SC_CHECK(h <= e->in_h && w <= e->in_w, "%s: gan.generator '%s' makes %d x %d scans, larger "
             "than the classifier's input %d x %d (data.size): the GAN would learn from enlarged "
             "scans; use a smaller generator (docs/gan.md)", e->path, e->gan.g_name, h, w,
             e->in_h, e->in_w);
    SC_CHECK((int64_t)h * e->in_w == (int64_t)w * e->in_h, "%s: gan.generator '%s' makes %d x %d "
             "scans, the classifier's input is %d x %d (data.size): the aspect ratios differ, so "
             "its samples would be distorted; change the generator's first kernel (docs/gan.md)",
             e->path, e->gan.g_name, h, w, e->in_h, e->in_w);
    return 0;
fail:
    return -1;
}

int sc_grid_costs(const sc_experiment *e, int in_c, int n_out, sc_job *jobs, int n_jobs)
{
    double macs[SC_MAX_ARCHS], g_macs = 0, d_macs = 0;
    for (int m = 0; m < e->n_arch; m++) {
        nn_shape shape = {in_c, e->in_h, e->in_w, n_out, 1};
        nn_net *net = nn_net_build(e->arch[m].path, &shape);
        if (!net) return -1;
        macs[m] = nn_net_forward_macs(net);
        nn_net_free(net);
    }
    if (e->uses_gan && check_gan(e, in_c, n_out, &g_macs, &d_macs)) return -1;
    for (int i = 0; i < n_jobs; i++) {
        sc_job *j = &jobs[i];
        if (j->kind == SC_JOB_GAN) {
            j->cost = (AUG_GAN_G_PASSES * g_macs + GAN_D_PASSES(e->gan.train.mismatch) * d_macs) *
                      (double)j->n_train * e->gan.train.epochs;
        } else {
            const sc_aug *a = &e->aug[j->aug];
            double samples = a->real ? (double)j->n_train * (1.0 + a->geometric * e->geometric.copies)
                                     : 0.0;
            if (a->gan) samples += (double)j->n_synth;
            j->cost = NN_TRAIN_PASSES * macs[j->arch] * samples * e->epochs;
        }
        j->priority = j->cost;
    }
    /* Dependencies are one level deep (classifier jobs on GAN jobs), ids after their jobs'. */
    for (int i = 0; i < n_jobs; i++) {
        const sc_job *j = &jobs[i];
        if (j->depends < 0) continue;
        sc_job *d = &jobs[j->depends];
        if (d->cost + j->priority > d->priority) d->priority = d->cost + j->priority;
    }
    return 0;
}

static const sc_job *order_jobs;

static int cmp_priority(const void *a, const void *b)
{
    const sc_job *x = &order_jobs[*(const int *)a], *y = &order_jobs[*(const int *)b];
    if (x->priority != y->priority) return x->priority > y->priority ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

void sc_grid_order(const sc_job *jobs, int n_jobs, int *order)
{
    for (int i = 0; i < n_jobs; i++) order[i] = i;
    order_jobs = jobs;
    qsort(order, (size_t)n_jobs, sizeof *order, cmp_priority);
    order_jobs = NULL;
}

void sc_grid_row(const sc_experiment *e, const sc_job *job, sc_job_row *row)
{
    memset(row, 0, sizeof *row);
    row->id = job->id;
    row->repeat = (int16_t)job->repeat;
    row->fold = (int16_t)job->fold;
    row->kind = (int8_t)job->kind;
    row->depends = job->depends;
    if (job->kind == SC_JOB_GAN) {
        char both[2 * SC_NAME_MAX + 2];
        snprintf(both, sizeof both, "%s+%s", e->gan.g_name, e->gan.d_name);
        snprintf(row->augmentation, sizeof row->augmentation, "-");
        snprintf(row->architecture, sizeof row->architecture, "%.*s", SC_ROW_NAME - 1, both);
    } else {
        snprintf(row->augmentation, sizeof row->augmentation, "%s", e->aug[job->aug].name);
        snprintf(row->architecture, sizeof row->architecture, "%s", e->arch[job->arch].name);
    }
    row->seed = job->seed;
    row->status = SC_JOB_PENDING;
    row->rank = -1;
    row->n_train = job->n_train;
    row->n_test = job->n_test;
    row->n_synth = job->n_synth;
}
