/* results/summary.c: see summary.h. */
#include "results/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/bootstrap.h"
#include "stats/intervals.h"
#include "stats/job_metrics.h"
#include "stats/reference.h"
#include "results/summary_data.h"
#include "util/error.h"


static int find_cell(const sc_summary *s, const sc_job_row *r)
{
    for (int c = 0; c < s->n_cells; c++)
        if (!strcmp(s->cell_arch[c], r->architecture) && !strcmp(s->cell_aug[c], r->augmentation))
            return c;
    return -1;
}

int sc_summary_cell_of(const sc_summary *s, const sc_job_row *r) { return find_cell(s, r); }

void sc_summary_cell_names(const sc_summary *s, int c, char arch[SC_ROW_NAME],
                           char aug[SC_ROW_NAME])
{
    snprintf(arch, SC_ROW_NAME, "%s", s->cell_arch[c]);
    snprintf(aug, SC_ROW_NAME, "%s", s->cell_aug[c]);
}

/* /summary/table: across-fold statistics of every per-job metric. */
static int compute_table(const sc_results_file *rf, sc_summary *s)
{
    double *vals = NULL, *all = NULL;
    for (int j = 0; j < rf->n_jobs; j++) {
        if (find_cell(s, &rf->rows[j]) >= 0) continue;
        SC_CHECK(s->n_cells < 64, "%s: more than 64 (architecture, augmentation) cells", rf->path);
        snprintf(s->cell_arch[s->n_cells], SC_ROW_NAME, "%s", rf->rows[j].architecture);
        snprintf(s->cell_aug[s->n_cells], SC_ROW_NAME, "%s", rf->rows[j].augmentation);
        s->n_cells++;
    }
    s->n_metrics = rf->n_metrics;
    s->rows = sc_xcalloc((size_t)s->n_cells * (size_t)s->n_metrics, sizeof *s->rows);
    /* all[j][m]: metrics of every done job (NaN for the others). */
    all = sc_xmalloc((size_t)rf->n_jobs * (size_t)rf->n_metrics * sizeof *all);
    for (int j = 0; j < rf->n_jobs; j++) {
        double *m = all + (size_t)j * rf->n_metrics;
        if (rf->rows[j].status == SC_JOB_DONE) {
            SC_TRY(sc_results_read_job(rf, j, NULL, NULL, NULL, m, NULL));
        } else {
            for (int k = 0; k < rf->n_metrics; k++) m[k] = NAN;
        }
    }
    vals = sc_xmalloc((size_t)rf->n_jobs * sizeof *vals);
    for (int c = 0; c < s->n_cells; c++) {
        int n_jobs = 0, n_done = 0, n_failed = 0;
        double sum_test = 0, sum_train = 0;
        for (int j = 0; j < rf->n_jobs; j++) {
            const sc_job_row *r = &rf->rows[j];
            if (strcmp(s->cell_arch[c], r->architecture) || strcmp(s->cell_aug[c], r->augmentation))
                continue;
            n_jobs++;
            n_done += r->status == SC_JOB_DONE;
            n_failed += r->status == SC_JOB_FAILED;
            sum_test += (double)r->n_test;
            sum_train += (double)r->n_train;
        }
        /* n_test / n_train of one split, in original scans (augmented copies are not
         * independent samples). */
        double ratio = sum_train > 0 ? sum_test / sum_train : 0;
        for (int k = 0; k < rf->n_metrics; k++) {
            sc_summary_row *row = &s->rows[(size_t)c * s->n_metrics + k];
            sc_summary_cell_names(s, c, row->architecture, row->augmentation);
            snprintf(row->metric, SC_METRIC_NAME, "%s", rf->metric_names[k]);
            row->n_jobs = n_jobs;
            row->n_done = n_done;
            row->n_failed = n_failed;
            row->level = rf->confidence;
            row->test_train_ratio = ratio;
            int J = 0;
            for (int j = 0; j < rf->n_jobs; j++) {
                const sc_job_row *r = &rf->rows[j];
                double v = all[(size_t)j * rf->n_metrics + k];
                if (!strcmp(s->cell_arch[c], r->architecture) &&
                    !strcmp(s->cell_aug[c], r->augmentation) && isfinite(v))
                    vals[J++] = v;
            }
            row->n = J;
            row->mean = row->sd = row->naive_lo = row->naive_hi = row->lo = row->hi = NAN;
            /* The trailing entries of a job vector are counts (zero divisions, undefined
             * AUCs): their mean says how often it happens; an interval would mean nothing. */
            int is_count = k >= st_job_metrics_layout(rf->l).counts;
            if (J >= 1) {
                double sum = 0;
                for (int i = 0; i < J; i++) sum += vals[i];
                row->mean = sum / J;
            }
            if (J >= 2 && !is_count) {
                st_interval naive, corr;
                SC_TRY(st_interval_naive(vals, J, rf->confidence, &naive));
                row->mean = naive.mean;
                row->sd = naive.sd;
                row->naive_lo = naive.lo;
                row->naive_hi = naive.hi;
                if (ratio > 0) {
                    SC_TRY(st_interval_corrected(vals, J, ratio, rf->confidence, &corr));
                    row->lo = corr.lo;
                    row->hi = corr.hi;
                }
            }
        }
    }
    free(vals);
    free(all);
    return 0;
fail:
    free(vals);
    free(all);
    return -1;
}

/* 4 decimals, never "-0.0000". */
static void fix4(char *out, size_t n, double v)
{
    snprintf(out, n, "%.4f", v);
    if (!strcmp(out, "-0.0000")) snprintf(out, n, "0.0000");
}

int sc_interval_text(char *out, size_t n, double mean, double lo, double hi, const char *none,
                     int clip)
{
    char m[32], a[32], b[32];
    if (isnan(mean)) {
        snprintf(out, n, "%s", none);
        return 0;
    }
    fix4(m, sizeof m, mean);
    if (isnan(lo) || isnan(hi)) {
        snprintf(out, n, "%s", m);
        return 0;
    }
    const int moved = clip ? st_clip_unit(&lo, &hi) : 0;
    fix4(a, sizeof a, lo);
    fix4(b, sizeof b, hi);
    snprintf(out, n, "%s [%s%s, %s%s]", m, a, moved & ST_CLIPPED_LO ? SC_CLIP_MARK : "", b,
             moved & ST_CLIPPED_HI ? SC_CLIP_MARK : "");
    return moved != 0;
}

int sc_summary_bootstrap_check(int resamples)
{
    SC_CHECK(resamples == 0 ||
                 (resamples >= ST_BCA_MIN_RESAMPLES && resamples <= SC_SUMMARY_BOOTSTRAP_MAX),
             "expected 0 (no bootstrap) or %d to %d resamples, got %d (a BCa interval needs at "
             "least %d resamples to have a spread; %d is the default)", ST_BCA_MIN_RESAMPLES,
             SC_SUMMARY_BOOTSTRAP_MAX, resamples, ST_BCA_MIN_RESAMPLES,
             SC_SUMMARY_BOOTSTRAP_DEFAULT);
    return 0;
fail:
    return -1;
}

int sc_summary_compute_opts(const sc_results_file *rf, const sc_summary_options *opt,
                            sc_summary *s)
{
    sc_cv_data d = {0};
    memset(s, 0, sizeof *s);
    s->level = rf->confidence;
    s->threshold = rf->threshold;
    if (sc_summary_bootstrap_check(opt->bootstrap)) {
        sc_err_prefix("bootstrap");
        goto fail;
    }
    SC_TRY(compute_table(rf, s));
    if (opt->table_only) return 0;
    SC_TRY(sc_cv_load(rf, s->n_cells, (const char(*)[SC_ROW_NAME])s->cell_arch,
                      (const char(*)[SC_ROW_NAME])s->cell_aug, &d));
    SC_TRY(sc_summary_pooled(rf, &d, s));
    s->bootstrap = opt->bootstrap;
    if (s->bootstrap > 0) SC_TRY(sc_summary_bootstrap(rf, &d, s));
    SC_TRY(sc_summary_compare(rf, &d, s));
    sc_cv_free(&d);
    return 0;
fail:
    sc_cv_free(&d);
    sc_summary_free(s);
    return -1;
}

int sc_summary_compute(const sc_results_file *rf, sc_summary *s)
{
    const sc_summary_options opt = {.bootstrap = SC_SUMMARY_BOOTSTRAP_DEFAULT};
    return sc_summary_compute_opts(rf, &opt, s);
}

void sc_summary_free(sc_summary *s)
{
    free(s->rows);
    free(s->pooled);
    free(s->auc);
    free(s->boot);
    free(s->ttest);
    free(s->mcnemar);
    memset(s, 0, sizeof *s);
}

const sc_summary_row *sc_summary_find(const sc_summary *s, int cell, const char *metric)
{
    for (int k = 0; k < s->n_metrics; k++) {
        const sc_summary_row *r = &s->rows[(size_t)cell * s->n_metrics + k];
        if (!strcmp(r->metric, metric)) return r;
    }
    return NULL;
}

const sc_pooled_row *sc_summary_find_pooled(const sc_summary *s, int cell, int repeat,
                                            const char *label, const char *metric)
{
    for (int i = 0; i < s->n_pooled; i++) {
        const sc_pooled_row *p = &s->pooled[i];
        if (p->cell == cell && p->repeat == repeat && !strcmp(p->label, label) &&
            !strcmp(p->metric, metric))
            return p;
    }
    return NULL;
}

void sc_summary_print_jobs(FILE *out, const sc_results_file *rf)
{
    int idx[ST_N_BASIC];
    for (int k = 0; k < ST_N_BASIC; k++) idx[k] = sc_results_metric_index(rf, st_macro_names[k]);
    double *m = sc_xmalloc((size_t)rf->n_metrics * sizeof *m);
    fprintf(out, "%-5s %3s %4s  %-12s %-12s %-7s %7s  %8s %9s %11s %11s %6s\n", "job", "rep",
            "fold", "augmentation", "architecture", "status", "seconds", "accuracy", "precision",
            "sensitivity", "specificity", "F1");
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        fprintf(out, "%05d %3d %4d  %-12s %-12s %-7s %7.1f", j, r->repeat, r->fold,
                r->augmentation, r->architecture, sc_job_status_name(r->status), r->seconds);
        if (r->status == SC_JOB_DONE && !sc_results_read_job(rf, j, NULL, NULL, NULL, m, NULL)) {
            const int w[ST_N_BASIC] = {8, 9, 11, 11, 6};
            for (int k = 0; k < ST_N_BASIC; k++)
                fprintf(out, " %*.4f", w[k] + 1, idx[k] >= 0 ? m[idx[k]] : NAN);
        } else if (r->status == SC_JOB_FAILED) {
            fprintf(out, "  %s", r->message);
        }
        fputc('\n', out);
    }
    free(m);
}

void sc_summary_print(FILE *out, const sc_results_file *rf, const sc_summary *s)
{
    fprintf(out, "\nmacro-averaged over labels; mean over folds [%g%% %s interval]\n",
            100 * rf->confidence,
            rf->repeats > 1 ? "Bouckaert-Frank corrected" : "Nadeau-Bengio corrected");
    fprintf(out, "%-12s %-12s %5s", "augmentation", "architecture", "folds");
    for (int k = 0; k < ST_N_BASIC; k++) fprintf(out, "  %-23s", st_macro_titles[k]);
    fputc('\n', out);
    int clipped = 0;
    for (int c = 0; c < s->n_cells; c++) {
        const sc_summary_row *r0 = sc_summary_find(s, c, st_macro_names[0]);
        fprintf(out, "%-12s %-12s %2d/%-2d", s->cell_aug[c], s->cell_arch[c], r0 ? r0->n : 0,
                r0 ? r0->n_jobs : 0);
        for (int k = 0; k < ST_N_BASIC; k++) {
            const sc_summary_row *r = sc_summary_find(s, c, st_macro_names[k]);
            if (!r || r->n == 0)
                fprintf(out, "  %-23s", "-");
            else if (r->n == 1)
                fprintf(out, "  %-23.4f", r->mean);
            else {
                char iv[96];
                clipped |= sc_interval_text(iv, sizeof iv, r->mean, r->lo, r->hi, "-", 1);
                fprintf(out, "  %s", iv);
            }
        }
        fputc('\n', out);
    }
    if (clipped) fprintf(out, "%s\n", SC_CLIP_LEGEND);
    double ref[ST_REF_N][ST_N_BASIC];
    if (st_reference_macro(rf->truth, rf->n, rf->l, ref) == 0) {
        fprintf(out, "reference predictors on these scans (macro F1, macro accuracy):");
        for (int k = 0; k < ST_REF_N; k++)
            fprintf(out, "%s %s %.4f, %.4f", k ? ";" : "", st_ref_names[k], ref[k][ST_F1],
                    ref[k][ST_ACC]);
        fputc('\n', out);
    }
}
