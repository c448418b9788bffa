/* results/report_content.c: the report document: introduction, the sections of
 * report_tables.c, failed and missing jobs, figures, files, provenance and the experiment. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/report_parts.h"
#include "util/error.h"
#include "util/version.h"

/* 4 decimals; a value that rounds to zero prints as 0.0000, never -0.0000. */
int rp_own_thresholds(const rp_ctx *c)
{
    for (int j = 0; j < c->d->n_jobs; j++)
        if (c->d->thresholds && c->d->thresholds[j]) return 1;
    return 0;
}

static void fix4(char *out, size_t n, double v)
{
    snprintf(out, n, "%.4f", v);
    if (!strcmp(out, "-0.0000")) snprintf(out, n, "0.0000");
}

void rp_num(char *out, size_t n, double v)
{
    if (isnan(v)) snprintf(out, n, "\xe2\x80\x94"); /* em dash: no value */
    else fix4(out, n, v);
}

void rp_interval(char *out, size_t n, double mean, double lo, double hi)
{
    sc_interval_text(out, n, mean, lo, hi, "\xe2\x80\x94", 0);
}

void rp_pvalue(char *out, size_t n, double p)
{
    if (isnan(p)) snprintf(out, n, "\xe2\x80\x94");
    else if (p < 0.0001) snprintf(out, n, "%.1e", p);
    else snprintf(out, n, "%.4f", p);
}

void rp_cell_name(const sc_summary *s, int c, char *out, size_t n)
{
    snprintf(out, n, "%s \xc3\x97 %s", s->cell_aug[c], s->cell_arch[c]);
}

void rp_job_cells(rp_table *t, int j, const sc_job_row *r)
{
    rp_cell(t, "%04d", j);
    rp_cell(t, "%d", r->repeat);
    rp_cell(t, "%d", r->fold);
    rp_cell(t, "%s", r->augmentation);
    rp_cell(t, "%s", r->architecture);
    rp_cell(t, "%s", sc_job_status_name(r->status));
}

void rp_interval_name(const rp_ctx *c, char *out, size_t n)
{
    snprintf(out, n, "%g%% %s corrected resampled t interval", 100 * c->s->level,
             c->rf->repeats > 1 ? "Bouckaert\xe2\x80\x93" "Frank" : "Nadeau\xe2\x80\x93" "Bengio");
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t count_patients(const sc_results_file *rf)
{
    int64_t *ids = sc_xmalloc((size_t)rf->n * sizeof *ids), g = 0;
    memcpy(ids, rf->patient, (size_t)rf->n * sizeof *ids);
    qsort(ids, (size_t)rf->n, sizeof *ids, cmp_i64);
    for (int64_t i = 0; i < rf->n; i++) g += i == 0 || ids[i] != ids[i - 1];
    free(ids);
    return g;
}

static void labels_list(const sc_results_file *rf, char *out, size_t n)
{
    out[0] = '\0';
    for (int j = 0; j < rf->l; j++) {
        size_t at = strlen(out);
        snprintf(out + at, n - at, "%s%s", j ? ", " : "", rf->label_names[j]);
    }
}

static void intro(const rp_ctx *c, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    int count[4] = {0};
    for (int j = 0; j < rf->n_jobs; j++) count[rf->rows[j].status]++;
    char labels[SC_DS_MAX_LABELS * (SC_DS_NAME_MAX + 2)]; /* the names, ", " between */
    labels_list(rf, labels, sizeof labels);
    char rule[256];
    if (rp_own_thresholds(c))
        snprintf(rule, sizeof rule, "each job predicts a label when its score is \xe2\x89\xa5 "
                 "the job's own threshold for it, chosen on validation patients held out of its "
                 "training part (validation.csv)");
    else
        snprintf(rule, sizeof rule, "a score \xe2\x89\xa5 %g is a positive prediction",
                 rf->threshold);
    rp_para(doc, "Results file `%s`, written by spectcv %s. Data set `%s` (hash `%s`): %lld scans "
            "of %lld patients, labels %s. %d-fold cross-validation%s; %s; every interval is at "
            "the %g%% level.",
            c->results_name, rf->version, rf->dataset_path, rf->dataset_hash, (long long)rf->n,
            (long long)count_patients(rf), labels, rf->k, rf->repeats > 1 ? "" : " (one repeat)",
            rule, 100 * rf->confidence);
    if (rf->repeats > 1)
        rp_para(doc, "Repeated %d times (%d test folds per cell).", rf->repeats,
                rf->repeats * rf->k);
    rp_para(doc, "Jobs: %d \xe2\x80\x94 %d done, %d failed, %d running, %d pending.", rf->n_jobs,
            count[SC_JOB_DONE], count[SC_JOB_FAILED], count[SC_JOB_RUNNING],
            count[SC_JOB_PENDING]);
    if (count[SC_JOB_DONE] < rf->n_jobs)
        rp_para(doc, "Incomplete sweep: %d of %d jobs have no results (see Failed and missing "
                "jobs). Every number below uses the done jobs only; cells marked \xe2\x80\xa0 "
                "miss folds, and \xe2\x80\x94 marks a value that cannot be computed.",
                rf->n_jobs - count[SC_JOB_DONE], rf->n_jobs);
}

static void section_jobs(const rp_ctx *c, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    rp_heading(doc, 1, "Failed and missing jobs");
    int missing = 0;
    for (int j = 0; j < rf->n_jobs; j++) missing += rf->rows[j].status != SC_JOB_DONE;
    if (!missing) {
        rp_para(doc, "All %d jobs are done.", rf->n_jobs);
        return;
    }
    static const char *const head[] = {"Job",          "Repeat", "Fold",   "Augmentation",
                                       "Architecture", "Status", "Message"};
    rp_table *t = rp_table_new(7, head, "rrrllll");
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        if (r->status == SC_JOB_DONE) continue;
        rp_job_cells(t, j, r);
        if (r->status == SC_JOB_FAILED)
            rp_cell(t, "%s", r->message[0] ? r->message : "(no message)");
        else
            rp_cell(t, "not finished: no outputs in the file (rerun with `spectcv run "
                       "--resume`)");
    }
    rp_add_table(doc, t, NULL, NULL);
}

static void section_figures(const rp_ctx *c, const rp_fig *figs, int n, int rendered,
                            rp_doc *doc)
{
    rp_heading(doc, 1, "Figures");
    if (!rendered)
        rp_para(doc, "The figures are not rendered (gnuplot was not found or not run). Their "
                "gnuplot scripts and data are in `figures/`; render them with `cd figures && "
                "for f in *.gp; do gnuplot \"$f\"; done`.");
    (void)c;
    for (int i = 0; i < n; i++) /* the GAN's are in its section */
        if (strncmp(figs[i].name, "gan_", 4)) rp_figure(doc, figs[i].name, figs[i].caption);
}

static void section_files(const rp_ctx *c, rp_doc *doc)
{
    static const struct {
        const char *file, *what;
    } files[] = {
        {"summary.csv", "across-fold statistics of every per-job metric per cell (as "
                        "`/summary/table`)"},
        {"per_fold.csv", "every job: coordinates, status, timing and all its metrics"},
        {"predictions.csv", "every out-of-fold score: job, repeat, fold, augmentation, "
                            "architecture, sample, patient, label, score, truth"},
        {"pooled.csv", "pooled proportions with Wilson and Clopper\xe2\x80\x93Pearson intervals"},
        {"auc.csv", "pooled AUC with DeLong's interval"},
        {"bootstrap.csv", "BCa bootstrap intervals over patients"},
        {"ttest.csv", "corrected resampled paired t-tests"},
        {"mcnemar.csv", "McNemar tests"},
        {"tables.tex", "the main tables for LaTeX (booktabs)"},
        {"figures/", "gnuplot scripts (`*.gp`), their data (`*.dat`) and renderings"},
    };
    rp_heading(doc, 1, "Files");
    static const char *const head[] = {"File", "Content"};
    rp_table *t = rp_table_new(2, head, "ll");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (!strcmp(files[i].file, "bootstrap.csv") && !c->s->boot) continue;
        rp_cell(t, "[%s](%s)", files[i].file, files[i].file);
        rp_cell(t, "%s", files[i].what);
    }
    rp_add_table(doc, t, NULL, NULL);
}

static void section_provenance(const rp_ctx *c, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    rp_heading(doc, 1, "Provenance");
    static const char *const head[] = {"Item", "Value"};
    rp_table *t = rp_table_new(2, head, "ll");
    char labels[SC_DS_MAX_LABELS * (SC_DS_NAME_MAX + 2)]; /* the names, ", " between */
    labels_list(rf, labels, sizeof labels);
#define ROW(k, ...)                                                                                \
    do {                                                                                           \
        rp_cell(t, k);                                                                             \
        rp_cell(t, __VA_ARGS__);                                                                   \
    } while (0)
    ROW("results file", "`%s`", c->results_name);
    ROW("written by", "spectcv %s", rf->version);
    ROW("report by", "spectcv %s", SPECTCV_VERSION);
    ROW("experiment", "`%s`", rf->experiment_path);
    ROW("experiment hash", "`%s`", rf->experiment_hash);
    ROW("data set", "`%s`", rf->dataset_path);
    ROW("data set hash", "`%s`", rf->dataset_hash);
    ROW("labels", "%s", labels);
    ROW("folds \xc3\x97 repeats", "%d \xc3\x97 %d", rf->k, rf->repeats);
    ROW("seed", "%llu", (unsigned long long)rf->seed);
    ROW("threshold", "%g", rf->threshold);
    ROW("confidence level", "%g", rf->confidence);
    ROW("epochs", "%d", rf->epochs);
    if (c->s->boot) ROW("bootstrap resamples", "%d", c->s->bootstrap);
    else ROW("bootstrap resamples", "none (disabled)");
#undef ROW
    rp_add_table(doc, t, NULL, NULL);
    rp_code(doc, "Experiment file (full text, as stored in the results file)", rf->experiment);
}

void rp_build_doc(const rp_ctx *c, const rp_fig *figs, int n_figs, int rendered, rp_doc *doc)
{
    char title[512];
    snprintf(title, sizeof title, "spectcv report: %s", c->results_name);
    rp_doc_init(doc, title);
    doc->figures_rendered = rendered;
    intro(c, doc);
    rp_section_summary(c, doc);
    rp_section_pooled(c, doc);
    rp_section_comparisons(c, doc);
    rp_section_labels(c, doc);
    rp_section_folds(c, doc);
    rp_section_gan(c, figs, n_figs, doc);
    section_jobs(c, doc);
    section_figures(c, figs, n_figs, rendered, doc);
    section_files(c, doc);
    section_provenance(c, doc);
}
