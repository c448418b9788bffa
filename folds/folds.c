/* folds/folds.c: see folds.h.
 *
 * Two stages, both deterministic from (seed, repeat) and identical on every rank.
 *
 * 1. Powerset stage (folds.stratify = true or "powerset"; false: every patient in one stratum).
 *    Greedy StratifiedGroupKFold: strata (patient label sets) are visited rarest first; within
 *    a stratum the patients are shuffled (seed, repeat), then ordered largest first (stable),
 *    and each goes to the fold holding the fewest patients of that stratum so far, ties broken
 *    by the fewest scans, then the lowest index.  This balances every stratum to within one
 *    patient per fold and the fold sizes to within about one patient's scans.
 *
 * 2. Iterative stage, for the patients of the label sets with fewer patients than folds
 *    (folds.stratify = true; a label set of 3 patients in 5 folds cannot be balanced as a set,
 *    but each of its labels still can be), or for every patient (folds.stratify =
 *    "iterative").  Iterative stratification (Sechidis, Tsoumakas, Vlahavas 2011, "On the
 *    stratification of multi-label data"; iterstrat's IterativeStratification), with the
 *    patient as the unit: a patient weighs its scans and carries, per label, its scans
 *    positive for it.  The desire of fold f for label j is total_j / k - (positive scans of j
 *    already in f), for scans overall total / k - (scans in f), over the whole data set, so
 *    that what the powerset stage put in the folds counts (kept as k times these, integers).
 *    While a patient with a positive label is left: take the label with the fewest patients
 *    left positive for it (lowest index on ties); give each of those patients, in id order,
 *    to the fold that desires that label most, ties broken by the fold that desires the most
 *    scans, then uniformly by a second RNG stream of (seed, repeat); update the desires.
 *    Patients without any positive label go, in id order, to the fold that desires the most
 *    scans (the same RNG for ties).  With no rare label set this stage does nothing, so the
 *    folds of such data sets are those of the powerset stage alone. */
#include "folds/folds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds_internal.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/seeds.h"

typedef sc_fold_group group;

static int cmp_group_key_id(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_group_id(const void *a, const void *b)
{
    const group *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void describe_key(uint32_t key, int l, const char *const *names, char *buf, size_t n)
{
    size_t off = 0;
    off += (size_t)snprintf(buf + off, n - off, "{");
    int first = 1;
    for (int j = 0; j < l && off < n; j++)
        if (key & (1u << j)) {
            if (names)
                off += (size_t)snprintf(buf + off, n - off, "%s%s", first ? "" : ", ", names[j]);
            else
                off += (size_t)snprintf(buf + off, n - off, "%slabel %d", first ? "" : ", ", j);
            first = 0;
        }
    if (off < n) snprintf(buf + off, n - off, "}");
}

group *sc_fold_groups(int64_t n, int l, const uint8_t *labels, const int64_t *patient,
                      int by_patient, int64_t *n_groups)
{
    group *g = sc_xmalloc((size_t)(n > 0 ? n : 1) * sizeof *g);
    for (int64_t i = 0; i < n; i++) {
        g[i] = (group){.id = by_patient ? patient[i] : i, .scans = 1, .fold = -1};
        for (int j = 0; j < l; j++)
            if (labels[i * l + j]) {
                g[i].key |= 1u << j;
                g[i].pos[j] = 1;
            }
    }
    qsort(g, (size_t)n, sizeof *g, cmp_group_id);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (m > 0 && g[m - 1].id == g[i].id) {
            g[m - 1].key |= g[i].key;
            g[m - 1].scans++;
            for (int j = 0; j < l; j++) g[m - 1].pos[j] += g[i].pos[j];
        } else {
            g[m++] = g[i];
        }
    }
    *n_groups = m;
    return g;
}

static int64_t find_group(const group *g, int64_t m, int64_t id)
{
    int64_t lo = 0, hi = m - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (g[mid].id == id) return mid;
        if (g[mid].id < id) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

int sc_folds_assign(int64_t n, int l, const uint8_t *labels, const int64_t *patient,
                    const char *const *label_names, const sc_fold_cfg *cfg, uint64_t seed,
                    int16_t *assign)
{
    group *g = NULL, *byid = NULL, *rare = NULL;
    int64_t *fold_scans = NULL, *fold_stratum = NULL, *fold_pos = NULL;
    int64_t m = 0;
    int rc = -1;
    SC_CHECK(cfg->k >= 2 && cfg->k <= 1000, "folds.k: expected 2 to 1000 folds, got %d", cfg->k);
    SC_CHECK(cfg->repeats >= 1 && cfg->repeats <= 1000,
             "folds.repeats: expected 1 to 1000, got %d", cfg->repeats);
    SC_CHECK(l >= 1 && l <= SC_FOLDS_MAX_LABELS, "folds: expected 1 to %d labels, got %d",
             SC_FOLDS_MAX_LABELS, l);
    SC_CHECK(cfg->stratify >= SC_STRATIFY_NONE && cfg->stratify <= SC_STRATIFY_ITERATIVE,
             "folds.stratify: unknown mode %d", cfg->stratify);
    g = sc_fold_groups(n, l, labels, patient, cfg->by_patient, &m);
    SC_CHECK(m >= cfg->k, "folds.k = %d is larger than the number of %s (%lld)", cfg->k,
             cfg->by_patient ? "patients" : "scans", (long long)m);
    byid = sc_xmalloc((size_t)m * sizeof *byid);
    memcpy(byid, g, (size_t)m * sizeof *g);
    /* g[0..mc): the powerset stage's groups, sorted by (key, id); g[mc..m): the iterative
     * stage's, sorted by id. */
    int64_t mc = m;
    if (cfg->stratify == SC_STRATIFY_ITERATIVE) {
        mc = 0;
    } else if (cfg->stratify != SC_STRATIFY_NONE) {
        qsort(g, (size_t)m, sizeof *g, cmp_group_key_id);
        rare = sc_xmalloc((size_t)m * sizeof *rare);
        int64_t nrare = 0;
        mc = 0;
        for (int64_t s = 0; s < m;) {
            int64_t e = s;
            while (e < m && g[e].key == g[s].key) e++;
            if (e - s < cfg->k && cfg->stratify == SC_STRATIFY_POWERSET) {
                char desc[512];
                describe_key(g[s].key, l, label_names, desc, sizeof desc);
                SC_FAIL("folds: the label set %s has only %lld %s, fewer than folds.k = %d; "
                        "lower folds.k, or set folds.stratify = true (its patients are then "
                        "spread by iterative stratification) or false",
                        desc, (long long)(e - s), cfg->by_patient ? "patients" : "scans", cfg->k);
            }
            if (e - s >= cfg->k) { /* kept: moved down over the rare ones (mc <= s) */
                for (int64_t i = s; i < e; i++) g[mc++] = g[i];
            } else {
                for (int64_t i = s; i < e; i++) rare[nrare++] = g[i];
            }
            s = e;
        }
        memcpy(g + mc, rare, (size_t)nrare * sizeof *g);
        qsort(g + mc, (size_t)nrare, sizeof *g, cmp_group_id);
    } else {
        for (int64_t i = 0; i < m; i++) g[i].key = 0;
    }
    fold_scans = sc_xmalloc((size_t)cfg->k * sizeof *fold_scans);
    fold_stratum = sc_xmalloc((size_t)cfg->k * sizeof *fold_stratum);
    fold_pos = sc_xmalloc((size_t)cfg->k * (size_t)l * sizeof *fold_pos);
    int64_t total_pos[SC_FOLDS_MAX_LABELS] = {0};
    for (int64_t i = 0; i < m; i++)
        for (int j = 0; j < l; j++) total_pos[j] += g[i].pos[j];

    for (int r = 0; r < cfg->repeats; r++) {
        sc_rng rng;
        sc_rng_seed(&rng, sc_seed4(seed, SC_SEED_FOLDS, (uint64_t)r, 0, 0));
        memset(fold_scans, 0, (size_t)cfg->k * sizeof *fold_scans);
        memset(fold_pos, 0, (size_t)cfg->k * (size_t)l * sizeof *fold_pos);
        /* Strata in g[0..mc) are contiguous runs of equal key; order them by size, rarest
         * first. */
        int64_t nstrata = 0;
        int64_t *sb = sc_xmalloc((size_t)(mc + 1) * sizeof *sb);
        for (int64_t s = 0; s < mc;) {
            int64_t e = s;
            while (e < mc && g[e].key == g[s].key) e++;
            sb[nstrata++] = s;
            s = e;
        }
        sb[nstrata] = mc;
        int *order = sc_xmalloc((size_t)nstrata * sizeof *order);
        for (int i = 0; i < nstrata; i++) order[i] = i;
        for (int i = 1; i < nstrata; i++) /* insertion sort by size, then key: stable order */
            for (int j = i; j > 0; j--) {
                int64_t a = sb[order[j] + 1] - sb[order[j]], b = sb[order[j - 1] + 1] - sb[order[j - 1]];
                if (a >= b) break;
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (int si = 0; si < nstrata; si++) {
            int64_t s = sb[order[si]], e = sb[order[si] + 1], cnt = e - s;
            int *perm = sc_xmalloc((size_t)cnt * sizeof *perm);
            for (int64_t i = 0; i < cnt; i++) perm[i] = (int)i;
            sc_rng_shuffle_int(&rng, perm, (int)cnt);
            /* Largest patients first (stable on the shuffled order), so that the small ones
             * even out the fold sizes at the end. */
            for (int64_t i = 1; i < cnt; i++)
                for (int64_t j = i; j > 0 && g[s + perm[j]].scans > g[s + perm[j - 1]].scans; j--) {
                    int t = perm[j];
                    perm[j] = perm[j - 1];
                    perm[j - 1] = t;
                }
            memset(fold_stratum, 0, (size_t)cfg->k * sizeof *fold_stratum);
            for (int64_t i = 0; i < cnt; i++) {
                group *p = &g[s + perm[i]];
                int best = 0;
                for (int f = 1; f < cfg->k; f++) {
                    if (fold_stratum[f] < fold_stratum[best] ||
                        (fold_stratum[f] == fold_stratum[best] && fold_scans[f] < fold_scans[best]))
                        best = f;
                }
                p->fold = (int16_t)best;
                fold_stratum[best]++;
                fold_scans[best] += p->scans;
                for (int j = 0; j < l; j++) fold_pos[(int64_t)best * l + j] += p->pos[j];
            }
            free(perm);
        }
        free(order);
        free(sb);
        if (mc < m) {
            sc_rng rng_it; /* a stream of its own: the powerset stage's draws stay as they were */
            sc_rng_seed(&rng_it, sc_seed4(seed, SC_SEED_FOLDS, (uint64_t)r, 1, 0));
            for (int64_t i = mc; i < m; i++) g[i].fold = -1;
            sc_folds_iterative(g + mc, m - mc, l, cfg->k, n, total_pos, fold_scans, fold_pos,
                               &rng_it);
        }
        /* Back from groups to scans. */
        for (int64_t i = 0; i < m; i++) byid[find_group(byid, m, g[i].id)].fold = g[i].fold;
        for (int64_t i = 0; i < n; i++) {
            int64_t gi = find_group(byid, m, cfg->by_patient ? patient[i] : i);
            assign[(int64_t)r * n + i] = byid[gi].fold;
        }
    }
    rc = 0;
fail:
    free(g);
    free(byid);
    free(rare);
    free(fold_scans);
    free(fold_stratum);
    free(fold_pos);
    return rc;
}

void sc_folds_sizes(const int16_t *assign_r, int64_t n, int f, int64_t *n_test, int64_t *n_train)
{
    int64_t t = 0;
    for (int64_t i = 0; i < n; i++) t += assign_r[i] == f;
    *n_test = t;
    *n_train = n - t;
}

int64_t sc_folds_indices(const int16_t *assign_r, int64_t n, int f, int test, int64_t *out)
{
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++)
        if ((assign_r[i] == f) == (test != 0)) out[c++] = i;
    return c;
}

int sc_folds_check_train(const int16_t *assign_r, int64_t n, int f, const int64_t *idx, int64_t m)
{
    for (int64_t i = 0; i < m; i++) {
        SC_CHECK(idx[i] >= 0 && idx[i] < n, "training scan %lld: no such scan (%lld scans)",
                 (long long)idx[i], (long long)n);
        SC_CHECK(assign_r[idx[i]] != f, "scan %lld is in test fold %d: it may not be used for "
                 "training in that fold", (long long)idx[i], f);
    }
    return 0;
fail:
    return -1;
}

int64_t sc_folds_rare_sets(int64_t n, int l, const uint8_t *labels, const int64_t *patient,
                           int k, int by_patient, int64_t *patients)
{
    int64_t m = 0, sets = 0;
    *patients = 0;
    if (l < 1 || l > SC_FOLDS_MAX_LABELS) return 0;
    group *g = sc_fold_groups(n, l, labels, patient, by_patient, &m);
    qsort(g, (size_t)m, sizeof *g, cmp_group_key_id);
    for (int64_t s = 0; s < m;) {
        int64_t e = s;
        while (e < m && g[e].key == g[s].key) e++;
        if (e - s < k) {
            sets++;
            *patients += e - s;
        }
        s = e;
    }
    free(g);
    return sets;
}
