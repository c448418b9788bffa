/* results/compare.c: see compare.h.  The checks that make files comparable, the cells and the
 * paired tests; results/compare_print.c prints and writes them. */
#include "results/compare.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stats/compare.h"
#include "stats/job_metrics.h"
#include "util/error.h"
#include "util/hash.h"

static const char *const default_metrics[] = {"macro_f1", "macro_accuracy"};

int sc_compare_parse_cell(const char *spec, char aug[SC_ROW_NAME], char arch[SC_ROW_NAME])
{
    const char *slash = strchr(spec, '/');
    SC_CHECK(slash && slash > spec && slash[1], "--baseline: expected AUGMENTATION/ARCHITECTURE "
             "(e.g. original/dspic), got '%s'", spec);
    size_t la = (size_t)(slash - spec), lm = strlen(slash + 1);
    SC_CHECK(la < SC_ROW_NAME && lm < SC_ROW_NAME, "--baseline: '%s': names are shorter than %d "
             "characters", spec, SC_ROW_NAME);
    memcpy(aug, spec, la);
    aug[la] = '\0';
    memcpy(arch, slash + 1, lm + 1);
    return 0;
fail:
    return -1;
}

int sc_compare_pair_folds(const sc_job_row *ref_rows, const double *ref_vals, int ref_n,
                          const int *ref_in_cell, const sc_job_row *oth_rows,
                          const double *oth_vals, int oth_n, const int *oth_in_cell,
                          double *diff, double *sum_test, double *sum_train)
{
    int n = 0;
    *sum_test = *sum_train = 0;
    for (int i = 0; i < ref_n; i++) {
        const sc_job_row *a = &ref_rows[i];
        if (!ref_in_cell[i] || a->status != SC_JOB_DONE || !isfinite(ref_vals[i])) continue;
        for (int j = 0; j < oth_n; j++) {
            const sc_job_row *b = &oth_rows[j];
            if (!oth_in_cell[j] || b->repeat != a->repeat || b->fold != a->fold) continue;
            if (b->status == SC_JOB_DONE && isfinite(oth_vals[j])) {
                diff[n++] = oth_vals[j] - ref_vals[i];
                *sum_test += (double)a->n_test;
                *sum_train += (double)a->n_train;
            }
            break; /* one job per (cell, repeat, fold) */
        }
    }
    return n;
}

/* Everything that must be equal between the reference r and file f for their folds to pair. */
static int check_same_design(const sc_results_file *r, const sc_results_file *f)
{
    SC_CHECK(!strcmp(f->dataset_hash, r->dataset_hash), "%s: data set hash %s differs from %s's "
             "%s (another data set, or one changed since: compare needs the same scans)",
             f->path, f->dataset_hash, r->path, r->dataset_hash);
    SC_CHECK(f->n == r->n, "%s: %lld scans, %s has %lld (the same data set with another "
             "selection?)", f->path, (long long)f->n, r->path, (long long)r->n);
    int same_labels = f->l == r->l;
    for (int k = 0; same_labels && k < r->l; k++)
        same_labels = !strcmp(f->label_names[k], r->label_names[k]);
    SC_CHECK(same_labels, "%s: labels (%d, first '%s') differ from %s's (%d, first '%s'): "
             "data.labels must be the same", f->path, f->l, f->label_names[0], r->path, r->l,
             r->label_names[0]);
    SC_CHECK(!memcmp(f->truth, r->truth, (size_t)r->n * (size_t)r->l), "%s: /dataset/labels "
             "differ from %s's", f->path, r->path);
    SC_CHECK(f->repeats == r->repeats && f->k == r->k, "%s: folds differ from %s's: %d folds x "
             "%d repeats against %d x %d (folds.k, folds.repeats)", f->path, r->path, f->k,
             f->repeats, r->k, r->repeats);
    size_t na = (size_t)r->repeats * (size_t)r->n;
    uint64_t hf = sc_hash(f->assignment, na * sizeof *f->assignment);
    uint64_t hr = sc_hash(r->assignment, na * sizeof *r->assignment);
    if (hf != hr || memcmp(f->assignment, r->assignment, na * sizeof *r->assignment)) {
        size_t moved = 0, first = 0;
        for (size_t i = na; i-- > 0;)
            if (f->assignment[i] != r->assignment[i]) {
                moved++;
                first = i;
            }
        char xf[17], xr[17];
        sc_hash_hex(hf, xf);
        sc_hash_hex(hr, xr);
        SC_CHECK(0, "%s: fold assignment hash %s differs from %s's %s (%zu of %zu scans in "
                 "another fold, the first: repeat %zu, scan %zu; another seed, folds.stratify or "
                 "folds.group?): paired tests need the same folds", f->path, xf, r->path, xr,
                 moved, na, first / (size_t)r->n, first % (size_t)r->n);
    }
    return 0;
fail:
    return -1;
}

/* Jobs not done: refused unless partial, then noted. */
static int check_complete(const sc_results_file *f, int partial, char *notes, size_t size)
{
    int cnt[4] = {0};
    for (int j = 0; j < f->n_jobs; j++) cnt[f->rows[j].status]++;
    int missing = f->n_jobs - cnt[SC_JOB_DONE];
    if (!missing) return 0;
    char what[128];
    snprintf(what, sizeof what, "%d of %d jobs not done (%d failed, %d running, %d pending)",
             missing, f->n_jobs, cnt[SC_JOB_FAILED], cnt[SC_JOB_RUNNING], cnt[SC_JOB_PENDING]);
    SC_CHECK(partial, "%s: %s: finish it (spectcv run --resume) or compare its done folds with "
             "--partial", f->path, what);
    size_t at = strlen(notes);
    snprintf(notes + at, size - at, "note: %s: %s; its cells cover the done folds only\n",
             f->path, what);
    return 0;
fail:
    return -1;
}

/* A metric named on the command line: its exact name, or macro_NAME; in every file; not one
 * of the counts at the end of the job vector. */
static int resolve_metric(const sc_comparison *c, const char *name, char out[SC_METRIC_NAME])
{
    char macro[SC_METRIC_NAME + 8];
    snprintf(macro, sizeof macro, "macro_%s", name);
    const sc_results_file *r = &c->rf[0];
    const char *use = sc_results_metric_index(r, name) >= 0    ? name
                      : sc_results_metric_index(r, macro) >= 0 ? macro
                                                               : NULL;
    SC_CHECK(use, "--metric %s: %s has no per-job metric named %s or %s (see the metrics "
             "columns of a report's per_fold.csv)", name, r->path, name, macro);
    SC_CHECK(strlen(use) < SC_METRIC_NAME, "--metric %s: name too long", name);
    SC_CHECK(sc_results_metric_index(r, use) < st_job_metrics_layout(r->l).counts,
             "--metric %s: a count of undefined values, not a per-fold metric", name);
    for (int f = 1; f < c->n_files; f++)
        SC_CHECK(sc_results_metric_index(&c->rf[f], use) >= 0, "%s: no per-job metric named %s "
                 "(written by another version?)", c->rf[f].path, use);
    snprintf(out, SC_METRIC_NAME, "%s", use);
    return 0;
fail:
    return -1;
}

/* vals[j]: metric mi of job j of file f (NaN unless done). */
static int job_values(const sc_results_file *f, int mi, double *vals, double *buf)
{
    for (int j = 0; j < f->n_jobs; j++) {
        vals[j] = NAN;
        if (f->rows[j].status != SC_JOB_DONE) continue;
        SC_TRY(sc_results_read_job(f, j, NULL, NULL, NULL, buf, NULL));
        vals[j] = buf[mi];
    }
    return 0;
fail:
    return -1;
}

static void in_cell(const sc_results_file *f, const sc_summary *s, int c, int *flag)
{
    for (int j = 0; j < f->n_jobs; j++) flag[j] = sc_summary_cell_of(s, &f->rows[j]) == c;
}

/* The test of cell oc of file f against reference cell rc, on metric m. */
static int one_test(sc_comparison *c, int m, int f, int oc, int rc, int baseline,
                    double *const *vals, int **flags, double *diff)
{
    const sc_results_file *r = &c->rf[0], *o = &c->rf[f];
    sc_cmp_test *t = &c->tests[c->n_tests++];
    memset(t, 0, sizeof *t);
    t->file = f;
    t->cell = oc;
    t->ref_cell = rc;
    t->metric = m;
    t->baseline = baseline;
    in_cell(r, &c->s[0], rc, flags[0]);
    in_cell(o, &c->s[f], oc, flags[1]);
    double st, sr;
    int n = sc_compare_pair_folds(r->rows, vals[0], r->n_jobs, flags[0], o->rows, vals[f],
                                  o->n_jobs, flags[1], diff, &st, &sr);
    if (sc_paired_ttest_run(diff, n, st, sr, r->confidence, &t->tt)) {
        sc_err_prefix("%s %s/%s against %s %s/%s", o->path, c->s[f].cell_aug[oc],
                      c->s[f].cell_arch[oc], r->path, c->s[0].cell_aug[rc],
                      c->s[0].cell_arch[rc]);
        return -1;
    }
    return 0;
}

static int compute_tests(sc_comparison *c)
{
    int max_jobs = 0, max_metrics = 0, cap = 0;
    for (int f = 0; f < c->n_files; f++) {
        if (c->rf[f].n_jobs > max_jobs) max_jobs = c->rf[f].n_jobs;
        if (c->rf[f].n_metrics > max_metrics) max_metrics = c->rf[f].n_metrics;
        if (f > 0) cap += 2 * c->s[f].n_cells;
    }
    double *vals[SC_CMP_MAX_FILES] = {0};
    int *flags[2] = {sc_xmalloc((size_t)max_jobs * sizeof(int)),
                     sc_xmalloc((size_t)max_jobs * sizeof(int))};
    double *diff = sc_xmalloc((size_t)max_jobs * sizeof *diff);
    double *buf = sc_xmalloc((size_t)max_metrics * sizeof *buf);
    int rc = -1;
    c->tests = sc_xcalloc((size_t)(c->n_metrics * cap + 1), sizeof *c->tests);
    for (int f = 0; f < c->n_files; f++)
        vals[f] = sc_xmalloc((size_t)c->rf[f].n_jobs * sizeof *vals[f]);
    for (int m = 0; m < c->n_metrics; m++) {
        for (int f = 0; f < c->n_files; f++)
            SC_TRY(job_values(&c->rf[f], sc_results_metric_index(&c->rf[f], c->metrics[m]),
                              vals[f], buf));
        int first = c->n_tests;
        for (int f = 1; f < c->n_files; f++)
            for (int oc = 0; oc < c->s[f].n_cells; oc++) {
                sc_job_row key = {0};
                snprintf(key.architecture, SC_ROW_NAME, "%s", c->s[f].cell_arch[oc]);
                snprintf(key.augmentation, SC_ROW_NAME, "%s", c->s[f].cell_aug[oc]);
                int same = sc_summary_cell_of(&c->s[0], &key);
                if (same >= 0) SC_TRY(one_test(c, m, f, oc, same, 0, vals, flags, diff));
                if (c->baseline_cell >= 0 && same != c->baseline_cell)
                    SC_TRY(one_test(c, m, f, oc, c->baseline_cell, 1, vals, flags, diff));
            }
        SC_TRY(sc_holm_rows(c->tests + first, sizeof *c->tests, offsetof(sc_cmp_test, tt.res.p),
                            offsetof(sc_cmp_test, tt.p_holm), c->n_tests - first));
    }
    rc = 0;
fail:
    for (int f = 0; f < c->n_files; f++) free(vals[f]);
    free(flags[0]);
    free(flags[1]);
    free(diff);
    free(buf);
    return rc;
}

int sc_compare_build(const sc_compare_options *opt, sc_comparison *c)
{
    memset(c, 0, sizeof *c);
    c->baseline_cell = -1;
    SC_CHECK(opt->n_paths >= 2, "compare needs at least two results files (got %d)",
             opt->n_paths);
    SC_CHECK(opt->n_paths <= SC_CMP_MAX_FILES, "compare takes at most %d results files",
             SC_CMP_MAX_FILES);
    SC_CHECK(opt->n_metrics <= SC_CMP_MAX_METRICS, "at most %d --metric options",
             SC_CMP_MAX_METRICS);
    c->rf = sc_xcalloc((size_t)opt->n_paths, sizeof *c->rf);
    c->s = sc_xcalloc((size_t)opt->n_paths, sizeof *c->s);
    for (int f = 0; f < opt->n_paths; f++) {
        for (int g = 0; g < f; g++)
            SC_CHECK(strcmp(opt->paths[f], opt->paths[g]), "%s: named twice", opt->paths[f]);
        SC_TRY(sc_results_open(opt->paths[f], &c->rf[f]));
        c->n_files = f + 1;
    }
    const sc_results_file *r = &c->rf[0];
    for (int f = 1; f < c->n_files; f++) SC_TRY(check_same_design(r, &c->rf[f]));
    for (int f = 0; f < c->n_files; f++)
        SC_TRY(check_complete(&c->rf[f], opt->partial, c->notes, sizeof c->notes));
    for (int f = 1; f < c->n_files; f++) {
        size_t at = strlen(c->notes);
        if (c->rf[f].threshold != r->threshold)
            snprintf(c->notes + at, sizeof c->notes - at, "note: %s: threshold %g, %s's %g: "
                     "thresholded metrics differ by that too\n", c->rf[f].path,
                     c->rf[f].threshold, r->path, r->threshold);
    }
    const sc_summary_options so = {.table_only = 1};
    for (int f = 0; f < c->n_files; f++) SC_TRY(sc_summary_compute_opts(&c->rf[f], &so, &c->s[f]));
    if (opt->baseline) {
        sc_job_row key = {0};
        SC_TRY(sc_compare_parse_cell(opt->baseline, key.augmentation, key.architecture));
        c->baseline_cell = sc_summary_cell_of(&c->s[0], &key);
        if (c->baseline_cell < 0) {
            char list[512] = "";
            for (int k = 0; k < c->s[0].n_cells; k++) {
                size_t at = strlen(list);
                snprintf(list + at, sizeof list - at, "%s%s/%s", k ? ", " : "",
                         c->s[0].cell_aug[k], c->s[0].cell_arch[k]);
            }
            SC_CHECK(0, "--baseline %s: %s has no such cell (its cells: %s)", opt->baseline,
                     r->path, list);
        }
    }
    c->n_metrics = opt->n_metrics ? opt->n_metrics : 2;
    for (int m = 0; m < c->n_metrics; m++) {
        SC_TRY(resolve_metric(c, opt->n_metrics ? opt->metrics[m] : default_metrics[m],
                              c->metrics[m]));
        for (int k = 0; k < m; k++)
            SC_CHECK(strcmp(c->metrics[k], c->metrics[m]), "--metric %s: named twice",
                     c->metrics[m]);
    }
    int total = 0;
    for (int f = 0; f < c->n_files; f++) total += c->s[f].n_cells;
    c->cells = sc_xcalloc((size_t)(c->n_metrics * total), sizeof *c->cells);
    for (int m = 0; m < c->n_metrics; m++)
        for (int f = 0; f < c->n_files; f++)
            for (int k = 0; k < c->s[f].n_cells; k++) {
                const sc_summary_row *row = sc_summary_find(&c->s[f], k, c->metrics[m]);
                SC_CHECK(row, "%s: no summary of %s", c->rf[f].path, c->metrics[m]);
                sc_cmp_cell *cell = &c->cells[c->n_cells++];
                cell->file = f;
                cell->cell = k;
                cell->metric = m;
                cell->row = *row;
            }
    SC_TRY(compute_tests(c));
    SC_TRY(sc_compare_mcnemar(c));
    return 0;
fail:
    sc_compare_free(c);
    return -1;
}

void sc_compare_free(sc_comparison *c)
{
    for (int f = 0; f < c->n_files; f++) {
        sc_summary_free(&c->s[f]);
        sc_results_free(&c->rf[f]);
    }
    free(c->rf);
    free(c->s);
    free(c->cells);
    free(c->tests);
    free(c->mcnemar);
    memset(c, 0, sizeof *c);
    c->baseline_cell = -1;
}
