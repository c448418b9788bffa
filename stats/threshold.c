/* stats/threshold.c: see threshold.h.  One sort per label, then a sweep over the sorted scores:
 * the counts at each midpoint follow from the counts at the previous one. */
#include "stats/threshold.h"

#include <math.h>
#include <stdlib.h>

#include "util/error.h"

typedef struct {
    float s;
    uint8_t pos;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    const float x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x < y) - (x > y);
}

static double f1_of(int64_t tp, int64_t fp, int64_t fn)
{
    const double den = 2.0 * (double)tp + (double)fp + (double)fn;
    return den > 0 ? 2.0 * (double)tp / den : 0.0;
}

/* Is (f1, t) a better choice than (best_f1, best_t)? */
static int better(double f1, double t, double best_f1, double best_t)
{
    if (f1 != best_f1) return f1 > best_f1;
    const double d = fabs(t - 0.5), bd = fabs(best_t - 0.5);
    if (d != bd) return d < bd;
    return t < best_t;
}

void st_best_threshold(const float *scores, const uint8_t *truth, int64_t n, int l, int j,
                       double *thr, double *f1)
{
    scored *v = sc_xmalloc(sizeof *v * (size_t)(n ? n : 1));
    int64_t npos = 0, tp = 0, fp = 0;
    for (int64_t i = 0; i < n; i++) {
        v[i].s = scores[i * l + j];
        v[i].pos = truth[i * l + j] != 0;
        npos += v[i].pos;
        if ((double)v[i].s >= 0.5) {
            tp += v[i].pos;
            fp += !v[i].pos;
        }
    }
    double best_t = 0.5, best_f1 = f1_of(tp, fp, npos - tp);
    qsort(v, (size_t)n, sizeof *v, by_score_desc);
    /* Walking down the sorted scores: after the group of equal scores ending at i, the samples
     * [0, i] are positive at every threshold in (v[i+1].s, v[i].s]: the midpoint is one. */
    tp = fp = 0;
    for (int64_t i = 0; i < n; i++) {
        tp += v[i].pos;
        fp += !v[i].pos;
        if (i + 1 == n || v[i + 1].s == v[i].s) continue;
        const double t = 0.5 * ((double)v[i].s + (double)v[i + 1].s);
        const double f = f1_of(tp, fp, npos - tp);
        if (better(f, t, best_f1, best_t)) best_f1 = f, best_t = t;
    }
    free(v);
    *thr = best_t;
    if (f1) *f1 = best_f1;
}

void st_best_thresholds(const float *scores, const uint8_t *truth, int64_t n, int l, double *thr,
                        double *f1)
{
    for (int j = 0; j < l; j++)
        st_best_threshold(scores, truth, n, l, j, thr + j, f1 ? f1 + j : NULL);
}
