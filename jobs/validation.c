/* jobs/validation.c: see validation.h. */
#include "jobs/validation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/seeds.h"

uint64_t sc_val_seed(uint64_t base, int repeat, int fold)
{
    return sc_seed4(base, (uint64_t)repeat, (uint64_t)fold, SC_SEED_VALIDATION, 0);
}

/* A patient of a training part: its id, its label set (OR of its scans' labels), and whether it
 * is held out. */
typedef struct {
    int64_t id;
    uint32_t set;
    int held;
} group;

static int by_set_then_id(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->set != y->set) return x->set < y->set ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int by_id(const void *a, const void *b)
{
    const group *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* The groups of the training scans tr [m], sorted by label set, then id; returns their count. */
static int64_t groups_of(const int64_t *tr, int64_t m, const uint8_t *truth, int l,
                         const int64_t *patient, group *g)
{
    for (int64_t i = 0; i < m; i++) {
        g[i].id = patient ? patient[tr[i]] : tr[i];
        g[i].set = 0;
        g[i].held = 0;
        for (int j = 0; j < l; j++) g[i].set |= (uint32_t)(truth[tr[i] * l + j] != 0) << j;
    }
    qsort(g, (size_t)m, sizeof *g, by_id);
    int64_t k = 0;
    for (int64_t i = 0; i < m; i++) { /* merge a patient's scans */
        if (k > 0 && g[k - 1].id == g[i].id) g[k - 1].set |= g[i].set;
        else g[k++] = g[i];
    }
    qsort(g, (size_t)k, sizeof *g, by_set_then_id);
    return k;
}

int64_t sc_val_split(const int16_t *assign_r, int64_t n, int f, const uint8_t *truth, int l,
                     const int64_t *patient, double fraction, uint64_t seed, int32_t *val,
                     int64_t *n_groups)
{
    int64_t *tr = sc_xmalloc(sizeof *tr * (size_t)(n ? n : 1));
    group *g = sc_xmalloc(sizeof *g * (size_t)(n ? n : 1));
    int64_t rc = -1;
    const int64_t m = sc_folds_indices(assign_r, n, f, 0, tr);
    const int64_t P = groups_of(tr, m, truth, l, patient, g);
    SC_CHECK(P >= 2, "train.validation: the training part of fold %d has %lld patient%s; holding "
             "some out needs at least 2 (more patients, or fewer folds)", f, (long long)P,
             P == 1 ? "" : "s");
    int64_t want = llround(fraction * (double)P);
    if (want < 1) want = 1;
    if (want > P - 1) want = P - 1;
    /* the label sets: [first, end) of g each; a quota and a remainder each */
    int64_t n_sets = 0, got = 0;
    int64_t *first = sc_xmalloc(sizeof *first * (size_t)(P + 1));
    int64_t *quota = sc_xmalloc(sizeof *quota * (size_t)P);
    double *rem = sc_xmalloc(sizeof *rem * (size_t)P);
    for (int64_t i = 0; i < P; i++)
        if (i == 0 || g[i].set != g[i - 1].set) first[n_sets++] = i;
    first[n_sets] = P;
    for (int64_t s = 0; s < n_sets; s++) {
        const double share = fraction * (double)(first[s + 1] - first[s]);
        quota[s] = (int64_t)floor(share);
        rem[s] = share - (double)quota[s];
        got += quota[s];
    }
    while (got < want) { /* largest remainder first; ties: the smaller set code */
        int64_t best = -1;
        for (int64_t s = 0; s < n_sets; s++)
            if (quota[s] < first[s + 1] - first[s] && (best < 0 || rem[s] > rem[best])) best = s;
        quota[best]++;
        rem[best] = -1.0; /* one extra per set before any set gets a second */
        got++;
    }
    sc_rng r;
    sc_rng_seed(&r, seed);
    for (int64_t s = 0; s < n_sets; s++) {
        group *a = g + first[s];
        const int64_t c = first[s + 1] - first[s];
        for (int64_t i = c - 1; i > 0; i--) {
            const int64_t j = (int64_t)sc_rng_below(&r, (uint64_t)i + 1);
            group t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        for (int64_t i = 0; i < quota[s]; i++) a[i].held = 1;
    }
    free(first);
    free(quota);
    free(rem);
    qsort(g, (size_t)P, sizeof *g, by_id); /* to look patients up */
    rc = 0;
    for (int64_t i = 0; i < m; i++) {
        const group key = {patient ? patient[tr[i]] : tr[i], 0, 0};
        const group *p = bsearch(&key, g, (size_t)P, sizeof *g, by_id);
        if (p->held) val[rc++] = (int32_t)tr[i];
    }
    if (n_groups) *n_groups = got;
fail:
    free(tr);
    free(g);
    return rc;
}

int sc_val_splits_make(const sc_experiment *e, const int16_t *assign, int64_t n,
                       const uint8_t *truth, int l, const int64_t *patient, sc_val_splits *vs)
{
    const int k = e->folds.k;
    memset(vs, 0, sizeof *vs);
    vs->parts = e->folds.repeats * k;
    vs->count = sc_xcalloc((size_t)vs->parts, sizeof *vs->count);
    vs->patients = sc_xcalloc((size_t)vs->parts, sizeof *vs->patients);
    vs->index = sc_xcalloc((size_t)vs->parts, sizeof *vs->index);
    SC_CHECK(n < INT32_MAX, "train.validation: %lld scans; at most %d are supported",
             (long long)n, INT32_MAX - 1);
    for (int p = 0; p < vs->parts; p++) {
        const int r = p / k, f = p % k;
        vs->index[p] = sc_xmalloc(sizeof(int32_t) * (size_t)(n ? n : 1));
        vs->count[p] = sc_val_split(assign + (int64_t)r * n, n, f, truth, l,
                                    e->folds.by_patient ? patient : NULL, e->validation,
                                    sc_val_seed(e->seed, r, f), vs->index[p], &vs->patients[p]);
        if (vs->count[p] < 0) {
            sc_err_prefix("%s: repeat %d", e->path, r);
            goto fail;
        }
    }
    return 0;
fail:
    sc_val_splits_free(vs);
    return -1;
}

void sc_val_splits_free(sc_val_splits *vs)
{
    for (int p = 0; vs->index && p < vs->parts; p++) free(vs->index[p]);
    free(vs->index);
    free(vs->job_count);
    free(vs->job_patients);
    free(vs->job_index);
    free(vs->count);
    free(vs->patients);
    memset(vs, 0, sizeof *vs);
}

void sc_val_splits_by_job(sc_val_splits *vs, const sc_job *jobs, int n_jobs, int k)
{
    static const int32_t none[1] = {0};
    vs->job_count = sc_xcalloc((size_t)n_jobs + 1, sizeof *vs->job_count);
    vs->job_patients = sc_xcalloc((size_t)n_jobs + 1, sizeof *vs->job_patients);
    vs->job_index = sc_xcalloc((size_t)n_jobs + 1, sizeof *vs->job_index);
    for (int j = 0; j < n_jobs; j++) {
        const int p = jobs[j].repeat * k + jobs[j].fold;
        const int cls = jobs[j].kind == SC_JOB_CLASSIFIER;
        vs->job_count[j] = cls ? vs->count[p] : 0;
        vs->job_patients[j] = cls ? vs->patients[p] : 0;
        vs->job_index[j] = cls ? vs->index[p] : none;
    }
}

int64_t sc_val_remove(int64_t *train, int64_t n_train, const int32_t *val, int64_t n_val)
{
    int64_t k = 0, v = 0;
    for (int64_t i = 0; i < n_train; i++) {
        while (v < n_val && val[v] < train[i]) v++;
        if (v < n_val && val[v] == train[i]) continue;
        train[k++] = train[i];
    }
    return k;
}

void sc_val_select_init(sc_val_select *s, sc_select_mode select, int patience)
{
    s->select = select;
    s->patience = patience;
    s->best = -1;
    s->best_value = NAN;
    s->since = 0;
}

int sc_val_select_step(sc_val_select *s, int epoch, double loss, double f1)
{
    const double v = s->select == SC_SELECT_F1 ? f1 : loss;
    int improved = 0;
    if (isfinite(v))
        improved = s->best < 0 || (s->select == SC_SELECT_F1 ? v > s->best_value
                                                              : v < s->best_value);
    if (improved) {
        s->best = epoch;
        s->best_value = v;
        s->since = 0;
    } else {
        s->since++;
    }
    return (improved ? SC_VAL_IMPROVED : 0) |
           (s->patience > 0 && s->since >= s->patience ? SC_VAL_STOP : 0);
}
