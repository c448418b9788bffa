/* stats/job_metrics.c: the per-job metrics vector and its names (layout in job_metrics.h). */
#include "stats/job_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/auc.h"
#include "stats/metrics.h"
#include "util/error.h"

const char *const st_macro_names[ST_N_BASIC] = {"macro_accuracy", "macro_precision",
                                                "macro_sensitivity", "macro_specificity",
                                                "macro_f1"};
const char *const st_macro_titles[ST_N_BASIC] = {"accuracy", "precision", "sensitivity",
                                                 "specificity", "F1"};

enum { N_COUNTS = 3 }; /* zero_division, empty_examples, auc_undefined */

st_job_layout st_job_metrics_layout(int l)
{
    st_job_layout y;
    y.macro = 0;
    y.micro = y.macro + ST_N_BASIC;
    y.label = y.micro + ST_N_BASIC;
    y.example = y.label + ST_N_BASIC * l;
    y.auc = y.example + ST_N_EXAMPLE;
    y.counts = y.auc + l;
    y.total = y.counts + N_COUNTS;
    return y;
}

int st_job_metrics_count(int l) { return st_job_metrics_layout(l).total; }

void st_job_metric_names_free(char **names, int l)
{
    if (!names) return;
    int total = st_job_metrics_count(l);
    for (int k = 0; k < total; k++) free(names[k]);
    free(names);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = sc_xmalloc(n);
    snprintf(s, n, "%s_%s", a, b);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **st_job_metric_names(const char *const *label_names, int l)
{
    char **names = NULL, **sorted = NULL;
    SC_CHECK(l >= 1, "metric names: needs at least one label");
    for (int j = 0; j < l; j++)
        SC_CHECK(label_names[j] && label_names[j][0], "metric names: label %d has an empty name",
                 j + 1);
    st_job_layout y = st_job_metrics_layout(l);
    names = sc_xcalloc((size_t)y.total, sizeof *names);
    for (int k = 0; k < ST_N_BASIC; k++) {
        names[y.macro + k] = join("macro", st_basic_names[k]);
        names[y.micro + k] = join("micro", st_basic_names[k]);
        for (int j = 0; j < l; j++)
            names[y.label + ST_N_BASIC * j + k] = join(label_names[j], st_basic_names[k]);
    }
    for (int k = 0; k < ST_N_EXAMPLE; k++) names[y.example + k] = sc_xstrdup(st_example_names[k]);
    for (int j = 0; j < l; j++) names[y.auc + j] = join("auc", label_names[j]);
    names[y.counts + 0] = sc_xstrdup("zero_division");
    names[y.counts + 1] = sc_xstrdup("empty_examples");
    names[y.counts + 2] = sc_xstrdup("auc_undefined");

    /* A label named "macro", "micro", "example" or a duplicate label would make two columns
     * share a name; the results file must stay unambiguous. */
    sorted = sc_xmalloc(sizeof *sorted * (size_t)y.total);
    memcpy(sorted, names, sizeof *sorted * (size_t)y.total);
    qsort(sorted, (size_t)y.total, sizeof *sorted, cmp_str);
    for (int k = 1; k < y.total; k++)
        SC_CHECK(strcmp(sorted[k - 1], sorted[k]) != 0,
                 "metric names: label names give the metric name '%s' twice (rename the label)",
                 sorted[k]);
    free(sorted);
    return names;
fail:
    free(sorted);
    if (names) st_job_metric_names_free(names, l);
    return NULL;
}

/* thr [l], or thr1 for every label when thr is NULL. */
static int job_metrics(const float *scores, const uint8_t *truth, int64_t n, int l,
                       const double *thr, double thr1, double *out)
{
    int rc = -1;
    int64_t *counts = NULL;
    double *column = NULL;
    uint8_t *pos = NULL;
    SC_CHECK(n >= 1 && l >= 1, "job metrics: needs samples and labels (n=%lld, l=%d)",
             (long long)n, l);
    for (int j = 0; j < l; j++)
        SC_CHECK(isfinite(thr ? thr[j] : thr1), "job metrics: threshold of label %d is not "
                 "finite", j);
    for (int64_t i = 0; i < n * l; i++) {
        SC_CHECK(isfinite(scores[i]), "job metrics: score of sample %lld, label %lld is not finite",
                 (long long)(i / l), (long long)(i % l));
        SC_CHECK(truth[i] <= 1, "job metrics: truth of sample %lld, label %lld is %d, not 0 or 1",
                 (long long)(i / l), (long long)(i % l), truth[i]);
    }
    st_job_layout y = st_job_metrics_layout(l);
    counts = sc_xmalloc(sizeof *counts * (size_t)(4 * l));
    if (thr) st_counts_from_scores_at(scores, truth, n, l, thr, counts);
    else st_counts_from_scores(scores, truth, n, l, thr1, counts);

    int zero_div = 0;
    st_macro_metrics(counts, l, out + y.macro, &zero_div); /* counts each label's zero divisions */
    st_micro_metrics(counts, l, out + y.micro, &zero_div);
    /* per label: the values the macro block averaged, their zero divisions counted there */
    for (int j = 0; j < l; j++)
        st_label_metrics(counts + 4 * j, out + y.label + ST_N_BASIC * j, NULL);

    int64_t empty = 0;
    if (thr) st_example_metrics_at(scores, truth, n, l, thr, out + y.example, &empty);
    else st_example_metrics(scores, truth, n, l, thr1, out + y.example, &empty);

    int auc_undefined = 0;
    column = sc_xmalloc(sizeof *column * (size_t)n);
    pos = sc_xmalloc((size_t)n);
    for (int j = 0; j < l; j++) {
        int64_t npos = counts[4 * j + ST_TP] + counts[4 * j + ST_FN];
        if (npos == 0 || npos == n) {
            out[y.auc + j] = NAN;
            auc_undefined++;
            continue;
        }
        for (int64_t i = 0; i < n; i++) {
            column[i] = scores[i * l + j];
            pos[i] = truth[i * l + j];
        }
        SC_TRY(st_auc(column, pos, n, &out[y.auc + j]));
    }
    out[y.counts + 0] = zero_div;
    out[y.counts + 1] = (double)empty;
    out[y.counts + 2] = auc_undefined;
    rc = 0;
fail:
    free(counts);
    free(column);
    free(pos);
    return rc;
}

int st_job_metrics(const float *scores, const uint8_t *truth, int64_t n, int l, double thr,
                   double *out)
{
    return job_metrics(scores, truth, n, l, NULL, thr, out);
}

int st_job_metrics_at(const float *scores, const uint8_t *truth, int64_t n, int l,
                      const double *thr, double *out)
{
    return job_metrics(scores, truth, n, l, thr, 0.0, out);
}
