/* folds/folds_iterative.c: the iterative stage of the fold assignment (folds.c's top comment
 * states the algorithm; folds_internal.h the interface).
 *
 * Desires are kept multiplied by k so that they are exact integers: k * (total / k - count)
 * = total - k * count.  Exact ties then really are ties, the same on every machine. */
#include <stdlib.h>

#include "folds/folds.h"
#include "folds/folds_internal.h"
#include "util/error.h"

/* The fold to take a patient: the largest desire for label lab (lab < 0: none), then the
 * largest desire for scans, then a uniform draw among the folds still tied (only drawn when
 * there is a tie, so that a run without ties uses no random numbers). */
static int pick_fold(int l, int k, int lab, int64_t total_scans, const int64_t *total_pos,
                     const int64_t *fold_scans, const int64_t *fold_pos, int *tied, sc_rng *rng)
{
    int nt = 0;
    int64_t best_lab = 0, best_scans = 0;
    for (int f = 0; f < k; f++) {
        int64_t dl = lab < 0 ? 0 : total_pos[lab] - (int64_t)k * fold_pos[(int64_t)f * l + lab];
        int64_t ds = total_scans - (int64_t)k * fold_scans[f];
        if (nt == 0 || dl > best_lab || (dl == best_lab && ds > best_scans)) {
            nt = 0;
            best_lab = dl;
            best_scans = ds;
        }
        if (dl == best_lab && ds == best_scans) tied[nt++] = f;
    }
    return nt == 1 ? tied[0] : tied[sc_rng_below(rng, (uint64_t)nt)];
}

static void put(sc_fold_group *p, int f, int l, int64_t *fold_scans, int64_t *fold_pos)
{
    p->fold = (int16_t)f;
    fold_scans[f] += p->scans;
    for (int j = 0; j < l; j++) fold_pos[(int64_t)f * l + j] += p->pos[j];
}

void sc_folds_iterative(sc_fold_group *g, int64_t m, int l, int k, int64_t total_scans,
                        const int64_t *total_pos, int64_t *fold_scans, int64_t *fold_pos,
                        sc_rng *rng)
{
    int *tied = sc_xmalloc((size_t)k * sizeof *tied);
    int64_t left[SC_FOLDS_MAX_LABELS] = {0}; /* patients left with label j */
    for (int64_t i = 0; i < m; i++)
        for (int j = 0; j < l; j++) left[j] += g[i].pos[j] > 0;
    for (;;) {
        int lab = -1;
        for (int j = 0; j < l; j++)
            if (left[j] > 0 && (lab < 0 || left[j] < left[lab])) lab = j;
        if (lab < 0) break;
        for (int64_t i = 0; i < m; i++) {
            sc_fold_group *p = &g[i];
            if (p->fold >= 0 || p->pos[lab] == 0) continue;
            int f = pick_fold(l, k, lab, total_scans, total_pos, fold_scans, fold_pos, tied, rng);
            put(p, f, l, fold_scans, fold_pos);
            for (int j = 0; j < l; j++) left[j] -= p->pos[j] > 0;
        }
    }
    for (int64_t i = 0; i < m; i++) /* no positive label: sizes only */
        if (g[i].fold < 0)
            put(&g[i], pick_fold(l, k, -1, total_scans, total_pos, fold_scans, fold_pos, tied,
                                 rng), l, fold_scans, fold_pos);
    free(tied);
}
