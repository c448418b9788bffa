/* folds/folds_quality.c: how evenly a repeat's folds hold the patients, the scans and each
 * label's positive scans (folds.h states the figures).  Pure counting; the run prints it once
 * at the start (sc_folds_quality_print) so that a badly spread rare label shows before hours
 * of training. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds.h"
#include "util/error.h"

typedef struct {
    int64_t id;
    int16_t fold;
} id_fold;

static int cmp_id_fold(const void *a, const void *b)
{
    const id_fold *x = a, *y = b;
    if (x->id != y->id) return (x->id > y->id) - (x->id < y->id);
    return (x->fold > y->fold) - (x->fold < y->fold);
}

int sc_folds_quality(const int16_t *assign_r, int64_t n, int l, const uint8_t *labels,
                     const int64_t *patient, int k, sc_fold_quality *q)
{
    id_fold *pf = NULL;
    memset(q, 0, sizeof *q);
    SC_CHECK(k >= 1 && k <= 1000 && l >= 1 && l <= SC_FOLDS_MAX_LABELS && n >= 0,
             "fold quality: expected 1 to 1000 folds and 1 to %d labels, got %d and %d",
             SC_FOLDS_MAX_LABELS, k, l);
    q->k = k;
    q->ncol = 2 + l;
    q->count = sc_xmalloc((size_t)k * (size_t)q->ncol * sizeof *q->count);
    memset(q->count, 0, (size_t)k * (size_t)q->ncol * sizeof *q->count);
    pf = sc_xmalloc((size_t)(n > 0 ? n : 1) * sizeof *pf);
    for (int64_t i = 0; i < n; i++) {
        int f = assign_r[i];
        SC_CHECK(f >= 0 && f < k, "fold quality: scan %lld is in fold %d, not one of 0 to %d",
                 (long long)i, f, k - 1);
        int64_t *c = q->count + (int64_t)f * q->ncol;
        c[1]++;
        for (int j = 0; j < l; j++) c[2 + j] += labels[i * l + j] != 0;
        pf[i] = (id_fold){patient[i], (int16_t)f};
    }
    /* patients: distinct (id, fold) pairs per fold, distinct ids in all */
    qsort(pf, (size_t)n, sizeof *pf, cmp_id_fold);
    for (int64_t i = 0; i < n; i++) {
        if (i > 0 && pf[i].id == pf[i - 1].id && pf[i].fold == pf[i - 1].fold) continue;
        q->count[(int64_t)pf[i].fold * q->ncol]++;
        q->total[0] += i == 0 || pf[i].id != pf[i - 1].id;
    }
    for (int f = 0; f < k; f++)
        for (int c = 1; c < q->ncol; c++) q->total[c] += q->count[(int64_t)f * q->ncol + c];
    for (int c = 0; c < q->ncol; c++) {
        double ideal = (double)q->total[c] / k;
        for (int f = 0; f < k; f++) {
            double d = fabs((double)q->count[(int64_t)f * q->ncol + c] - ideal);
            double rel = ideal > 0 ? d / ideal : 0;
            if (f == 0 || rel > q->dev_rel[c] || (rel == q->dev_rel[c] && d > q->dev_abs[c])) {
                q->dev_rel[c] = rel;
                q->dev_abs[c] = d;
                q->dev_fold[c] = f;
            }
        }
    }
    free(pf);
    return 0;
fail:
    free(pf);
    sc_folds_quality_free(q);
    return -1;
}

void sc_folds_quality_free(sc_fold_quality *q)
{
    free(q->count);
    q->count = NULL;
}

static const char *col_name(int c, const char *const *names, char *buf, size_t n)
{
    if (c == 0) return "patients";
    if (c == 1) return "scans";
    if (names) return names[c - 2];
    snprintf(buf, n, "label %d", c - 2);
    return buf;
}

int sc_folds_quality_print(FILE *out, const int16_t *assign, int repeats, int64_t n, int l,
                           const uint8_t *labels, const int64_t *patient, int k,
                           const char *const *label_names)
{
    sc_fold_quality q0, q;
    char buf[32];
    if (sc_folds_quality(assign, n, l, labels, patient, k, &q0)) return -1;
    int w[SC_FQ_COLS]; /* column widths: the name's, at least 8 */
    for (int c = 0; c < q0.ncol; c++) {
        size_t len = strlen(col_name(c, label_names, buf, sizeof buf));
        w[c] = len > 8 ? (int)len : 8;
    }
    fprintf(out, "fold quality, repeat 0 (test fold counts; ideal = total / k; dev = the "
            "largest |count - ideal| over the folds, relative to the ideal):\n  %-5s", "fold");
    for (int c = 0; c < q0.ncol; c++)
        fprintf(out, " %*s", w[c], col_name(c, label_names, buf, sizeof buf));
    /* compact for many folds: the first 10 lines; ideal and dev still cover every fold */
    const int shown = k > 20 ? 10 : k;
    for (int f = 0; f < shown; f++) {
        fprintf(out, "\n  %-5d", f);
        for (int c = 0; c < q0.ncol; c++)
            fprintf(out, " %*lld", w[c], (long long)q0.count[(int64_t)f * q0.ncol + c]);
    }
    if (shown < k) fprintf(out, "\n  ... %d more folds", k - shown);
    fprintf(out, "\n  %-5s", "ideal");
    for (int c = 0; c < q0.ncol; c++) fprintf(out, " %*.1f", w[c], (double)q0.total[c] / k);
    fprintf(out, "\n  %-5s", "dev");
    for (int c = 0; c < q0.ncol; c++) fprintf(out, " %*.1f%%", w[c] - 1, 100 * q0.dev_rel[c]);
    fprintf(out, "\n");
    if (repeats > 1) {
        /* the worst repeat of each column */
        double worst[SC_FQ_COLS], worst_abs[SC_FQ_COLS];
        int at[SC_FQ_COLS];
        for (int c = 0; c < q0.ncol; c++) {
            worst[c] = q0.dev_rel[c];
            worst_abs[c] = q0.dev_abs[c];
            at[c] = 0;
        }
        for (int r = 1; r < repeats; r++) {
            if (sc_folds_quality(assign + (int64_t)r * n, n, l, labels, patient, k, &q)) {
                sc_folds_quality_free(&q0);
                return -1;
            }
            for (int c = 0; c < q.ncol; c++)
                if (q.dev_rel[c] > worst[c]) {
                    worst[c] = q.dev_rel[c];
                    worst_abs[c] = q.dev_abs[c];
                    at[c] = r;
                }
            sc_folds_quality_free(&q);
        }
        fprintf(out, "largest dev over the %d repeats:", repeats);
        for (int c = 0; c < q0.ncol; c++)
            fprintf(out, "%s %s %.1f%% (%.1f, repeat %d)", c ? "," : "",
                    col_name(c, label_names, buf, sizeof buf), 100 * worst[c], worst_abs[c], at[c]);
        fprintf(out, "\n");
    }
    sc_folds_quality_free(&q0);
    return 0;
}
