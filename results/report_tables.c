/* results/report_tables.c: the statistical sections of the report document: the paper-style
 * summary with the best (worst) line, pooled predictions, comparisons, per-label and per-fold
 * tables.  Every number comes from the summary (results/summary.h) or the job outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/report_parts.h"
#include "stats/bootstrap.h"
#include "stats/job_metrics.h"
#include "stats/metrics.h"
#include "stats/reference.h"
#include "util/error.h"

#define DAGGER "\xe2\x80\xa0"
#define DDAGGER "\xe2\x80\xa1"
#define DASH "\xe2\x80\x94"
#define CLIP_NOTE " " SC_CLIP_MARK " : bound clipped to [0, 1]." /* captions; legend: paragraph */

/* Interval cell of metric `name` of cell c, from the across-fold summary, its bounds clipped to
 * [0, 1] and marked (sc_interval_text).  Returns 1 if a bound was clipped. */
static int summary_cell(const rp_ctx *c, rp_table *t, int cell, const char *name)
{
    const sc_summary_row *r = sc_summary_find(c->s, cell, name);
    char v[96];
    int clipped = 0;
    if (r) clipped = sc_interval_text(v, sizeof v, r->mean, r->lo, r->hi, DASH, 1);
    else snprintf(v, sizeof v, DASH);
    rp_cell(t, "%s", v);
    return clipped;
}

/* "done/all" folds, with a dagger when some are missing. */
static void folds_cell(rp_table *t, int done, int all)
{
    rp_cell(t, "%d/%d%s", done, all, done < all ? DAGGER : "");
}

static void best_worst(const rp_ctx *c, rp_doc *doc)
{
    const char *const *names = st_macro_names, *const *titles = st_macro_titles;
    int best[ST_N_BASIC], worst[ST_N_BASIC], any = 0;
    for (int k = 0; k < ST_N_BASIC; k++) {
        best[k] = worst[k] = -1;
        for (int cell = 0; cell < c->s->n_cells; cell++) {
            const sc_summary_row *r = sc_summary_find(c->s, cell, names[k]);
            if (!r || !isfinite(r->mean)) continue;
            if (best[k] < 0 || r->mean > sc_summary_find(c->s, best[k], names[k])->mean)
                best[k] = cell;
            if (worst[k] < 0 || r->mean < sc_summary_find(c->s, worst[k], names[k])->mean)
                worst[k] = cell;
            any = 1;
        }
    }
    if (!any) return;
    rp_buf line = {0};
    rp_puts(&line, "Best (worst) cell means:");
    for (int k = 0; k < ST_N_BASIC; k++) {
        if (best[k] < 0) continue;
        rp_printf(&line, "%s %s %.4f (%.4f)", k ? "," : "", titles[k],
                  sc_summary_find(c->s, best[k], names[k])->mean,
                  sc_summary_find(c->s, worst[k], names[k])->mean);
    }
    rp_para(doc, "%s.", line.p);
    rp_buf_free(&line);
    static const char *const head[] = {"Metric", "Best", "Cell", "Worst", "Cell"};
    rp_table *t = rp_table_new(5, head, "lrlrl");
    for (int k = 0; k < ST_N_BASIC; k++) {
        if (best[k] < 0) continue;
        char b[128], w[128];
        rp_cell_name(c->s, best[k], b, sizeof b);
        rp_cell_name(c->s, worst[k], w, sizeof w);
        rp_cell(t, "%s", titles[k]);
        rp_cell(t, "%.4f", sc_summary_find(c->s, best[k], names[k])->mean);
        rp_cell(t, "%s", b);
        rp_cell(t, "%.4f", sc_summary_find(c->s, worst[k], names[k])->mean);
        rp_cell(t, "%s", w);
    }
    rp_add_table(doc, t, NULL, NULL);
}

void rp_section_summary(const rp_ctx *c, rp_doc *doc)
{
    const sc_summary *s = c->s;
    char iv[128], cap[512];
    rp_interval_name(c, iv, sizeof iv);
    rp_heading(doc, 1, "Summary");
    static const char *const head[] = {"Augmentation", "Architecture", "Folds", "Accuracy",
                                       "Precision", "Sensitivity", "Specificity", "F1"};
    rp_table *t = rp_table_new(8, head, "llrrrrrr");
    const char *const *names = st_macro_names;
    int clipped = 0;
    for (int cell = 0; cell < s->n_cells; cell++) {
        const sc_summary_row *r0 = sc_summary_find(s, cell, names[0]);
        rp_cell(t, "%s", s->cell_aug[cell]);
        rp_cell(t, "%s", s->cell_arch[cell]);
        folds_cell(t, r0 ? r0->n : 0, r0 ? r0->n_jobs : 0);
        for (int k = 0; k < ST_N_BASIC; k++) clipped |= summary_cell(c, t, cell, names[k]);
    }
    snprintf(cap, sizeof cap, "Macro-averaged metrics per cell (augmentation \xc3\x97 "
             "architecture): mean over test folds [%s].%s", iv, clipped ? CLIP_NOTE : "");
    rp_add_table(doc, t, cap, "tab:spectcv-summary");
    rp_para(doc, "Macro averages over the %d labels (macro F1 is the mean of the per-label F1 "
            "values). Each entry: mean over the done test folds [%s]. Folds: done/all; a cell "
            "with one fold has no interval; " DASH " : no done fold; " DAGGER " : folds missing "
            "(failed or unfinished jobs).%s%s Formulas: docs/statistics.md.", c->rf->l, iv,
            clipped ? " " : "", clipped ? SC_CLIP_LEGEND "." : "");
    best_worst(c, doc);
    if (c->has_ref) {
        rp_buf line = {0};
        rp_puts(&line, "For reference, trivial predictors on these scans score (macro F1, macro "
                       "accuracy):");
        for (int k = 0; k < ST_REF_N; k++)
            rp_printf(&line, "%s %s %.4f, %.4f", k ? ";" : "", st_ref_names[k], c->ref[k][ST_F1],
                      c->ref[k][ST_ACC]);
        rp_para(doc, "%s (random: expected values; docs/statistics.md).", line.p);
        rp_buf_free(&line);
    }
}

static const char *bca_mark(const sc_boot_row *b)
{
    return b && b->degenerate > 0 ? DDAGGER : "";
}

void rp_section_pooled(const rp_ctx *c, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    const sc_summary *s = c->s;
    int R = rf->repeats;
    rp_heading(doc, 1, "Pooled out-of-fold predictions");
    if (s->boot)
        rp_para(doc, "For each cell and repeat, the predictions of its done test folds pooled "
                "(every scan once). Subset accuracy (the whole label set right) with its Wilson "
                "interval; macro F1 and macro accuracy of the pooled predictions with BCa "
                "bootstrap intervals over patients (%d resamples, seeded from the file's seed), "
                "which account for several scans of one patient. " DDAGGER " : the BCa "
                "correction could not be applied as is (see bootstrap.csv, flags in "
                "docs/statistics.md section 8).", s->bootstrap);
    else
        rp_para(doc, "For each cell and repeat, the predictions of its done test folds pooled "
                "(every scan once). Subset accuracy with its Wilson interval; the bootstrap "
                "was disabled.");
    const char *head[] = {"Augmentation", "Architecture", "Repeat", "Folds", "Scans",
                          "Subset accuracy [Wilson]", "Macro F1 [BCa]", "Macro accuracy [BCa]"};
    /* without repeats, the Repeat column is left out */
    const char *head1[] = {head[0], head[1], head[3], head[4], head[5], head[6], head[7]};
    rp_table *t = R > 1 ? rp_table_new(8, head, "llrrrrrr") : rp_table_new(7, head1, "llrrrrr");
    for (int cell = 0; cell < s->n_cells; cell++)
        for (int r = 0; r < R; r++) {
            const sc_pooled_row *p = sc_summary_find_pooled(s, cell, r, "set", "subset_accuracy");
            char v[96];
            rp_cell(t, "%s", s->cell_aug[cell]);
            rp_cell(t, "%s", s->cell_arch[cell]);
            if (R > 1) rp_cell(t, "%d", r);
            folds_cell(t, p ? p->n_folds_done : 0, p ? p->n_folds : 0);
            rp_cell(t, "%lld", p ? (long long)p->n : 0LL);
            rp_interval(v, sizeof v, p ? p->value : NAN, p ? p->wilson_lo : NAN,
                        p ? p->wilson_hi : NAN);
            rp_cell(t, "%s", v);
            for (int m = 0; m < 2; m++) {
                const sc_boot_row *b = NULL;
                for (int i = 0; i < s->n_boot; i++)
                    if (s->boot[i].cell == cell && s->boot[i].repeat == r &&
                        !strcmp(s->boot[i].metric, m ? "macro_accuracy" : "macro_f1"))
                        b = &s->boot[i];
                rp_interval(v, sizeof v, b ? b->estimate : NAN, b ? b->lo : NAN,
                            b ? b->hi : NAN);
                rp_cell(t, "%s%s", v, bca_mark(b));
            }
        }
    char cap[256];
    snprintf(cap, sizeof cap, "Pooled out-of-fold predictions per cell: subset accuracy "
             "[%g%% Wilson], macro F1 and macro accuracy [%g%% BCa bootstrap over patients].",
             100 * s->level, 100 * s->level);
    rp_add_table(doc, t, cap, "tab:spectcv-pooled");

    rp_para(doc, "AUC of the pooled scores per label, with DeLong's %g%% interval (" DASH
            " : fewer than two positive or two negative scans).", 100 * s->level);
    int nc = 2 + (R > 1) + rf->l;
    const char **ah = sc_xmalloc((size_t)nc * sizeof *ah);
    char *align = sc_xcalloc((size_t)nc + 1, 1);
    int k = 0;
    ah[k++] = "Augmentation";
    ah[k++] = "Architecture";
    if (R > 1) ah[k++] = "Repeat";
    for (int j = 0; j < rf->l; j++) ah[k++] = rf->label_names[j];
    for (int i = 0; i < nc; i++) align[i] = i < 2 ? 'l' : 'r';
    rp_table *a = rp_table_new(nc, ah, align);
    for (int i = 0; i < s->n_auc; i++) {
        const sc_auc_row *x = &s->auc[i];
        int j = i % rf->l; /* rows are (cell, repeat, label) */
        if (j == 0) {
            rp_cell(a, "%s", x->augmentation);
            rp_cell(a, "%s", x->architecture);
            if (R > 1) rp_cell(a, "%d", x->repeat);
        }
        char v[96];
        rp_interval(v, sizeof v, x->auc, x->lo, x->hi);
        rp_cell(a, "%s", v);
    }
    rp_add_table(doc, a, NULL, NULL);
    free(ah);
    free(align);
}

static void fmt_t(char *out, size_t n, double t)
{
    if (isinf(t)) snprintf(out, n, "%s\xe2\x88\x9e", t < 0 ? "\xe2\x88\x92" : "");
    else if (isnan(t)) snprintf(out, n, DASH);
    else snprintf(out, n, "%.3f", fabs(t) < 0.0005 ? 0.0 : t);
}

void rp_section_comparisons(const rp_ctx *c, rp_doc *doc)
{
    const sc_summary *s = c->s;
    int R = c->rf->repeats;
    rp_heading(doc, 1, "Comparisons");
    if (s->n_cells < 2) {
        rp_para(doc, "A single cell: nothing to compare.");
        return;
    }
    char iv[128];
    rp_interval_name(c, iv, sizeof iv);
    rp_para(doc, "Every two cells A and B on the same test folds (the folds where both jobs are "
            "done). Corrected resampled paired t-test on the per-fold differences A \xe2\x88\x92 "
            "B of macro F1 and macro accuracy, with the %s of the mean difference. Holm's "
            "adjustment over the %d pairs, separately for each metric.",
            iv, s->n_cells * (s->n_cells - 1) / 2);
    static const char *const th[] = {"A", "B", "Metric", "Folds", "A \xe2\x88\x92 B [interval]",
                                     "t", "p", "p (Holm)"};
    rp_table *t = rp_table_new(8, th, "lllrrrrr");
    for (int i = 0; i < s->n_ttest; i++) {
        const sc_ttest_row *x = &s->ttest[i];
        char a[128], b[128], v[96], tv[32], p[32], ph[32];
        rp_cell_name(s, x->cell_a, a, sizeof a);
        rp_cell_name(s, x->cell_b, b, sizeof b);
        rp_interval(v, sizeof v, x->tt.res.mean, x->tt.res.lo, x->tt.res.hi);
        fmt_t(tv, sizeof tv, x->tt.res.t);
        rp_pvalue(p, sizeof p, x->tt.res.p);
        rp_pvalue(ph, sizeof ph, x->tt.p_holm);
        rp_cell(t, "%s", a);
        rp_cell(t, "%s", b);
        rp_cell(t, "%s", x->metric);
        rp_cell(t, "%d", x->tt.n);
        rp_cell(t, "%s", v);
        rp_cell(t, "%s", tv);
        rp_cell(t, "%s", p);
        rp_cell(t, "%s", ph);
    }
    char cap[256];
    snprintf(cap, sizeof cap, "Paired comparisons of the cells: corrected resampled t-test on "
             "per-fold differences; p-values raw and Holm-adjusted over the pairs.");
    rp_add_table(doc, t, cap, "tab:spectcv-ttest");
    rp_para(doc, "McNemar's test on the pooled out-of-fold predictions of one repeat: b = scans "
            "A gets right and B wrong, c = the reverse; \"set\" counts a scan right when its "
            "whole label set is right. Exact binomial p when b + c < 25, otherwise "
            "\xcf\x87\xc2\xb2 with continuity correction. Holm over the pairs, separately for "
            "each repeat and label. McNemar ignores the patient clustering and the training "
            "variability: prefer the t-test for claims about the methods.");
    const char *mh[] = {"A", "B", "Repeat", "Label", "Scans", "b", "c", "Test", "p", "p (Holm)"};
    const char *mh1[] = {mh[0], mh[1], mh[3], mh[4], mh[5], mh[6], mh[7], mh[8], mh[9]};
    rp_table *m = R > 1 ? rp_table_new(10, mh, "llrlrrrlrr") : rp_table_new(9, mh1, "lllrrrlrr");
    for (int i = 0; i < s->n_mcnemar; i++) {
        const sc_mcnemar_row *x = &s->mcnemar[i];
        char a[128], b[128], p[32], ph[32];
        rp_cell_name(s, x->cell_a, a, sizeof a);
        rp_cell_name(s, x->cell_b, b, sizeof b);
        rp_pvalue(p, sizeof p, x->mc.p);
        rp_pvalue(ph, sizeof ph, x->mc.p_holm);
        rp_cell(m, "%s", a);
        rp_cell(m, "%s", b);
        if (R > 1) rp_cell(m, "%d", x->repeat);
        rp_cell(m, "%s", x->label);
        rp_cell(m, "%lld", (long long)x->mc.n);
        rp_cell(m, "%lld", (long long)x->mc.res.b);
        rp_cell(m, "%lld", (long long)x->mc.res.c);
        rp_cell(m, "%s", x->mc.n == 0                   ? DASH
                         : x->mc.res.exact_recommended ? "exact"
                                                       : "\xcf\x87\xc2\xb2");
        rp_cell(m, "%s", p);
        rp_cell(m, "%s", ph);
    }
    rp_add_table(doc, m, NULL, NULL);
}

/* Folds of cell c whose metric k of label j had a zero denominator (the value set to 0, counted:
 * docs/statistics.md section 1), from the stored counts. */
static int zero_folds(const rp_ctx *c, int cell, int j, int k)
{
    int n = 0;
    for (int jb = 0; jb < c->rf->n_jobs; jb++) {
        const int64_t *q = c->d->counts[jb];
        if (c->d->cell[jb] != cell || !q) continue;
        q += 4 * j;
        int64_t den = k == ST_PREC   ? q[ST_TP] + q[ST_FP]
                      : k == ST_SENS ? q[ST_TP] + q[ST_FN]
                      : k == ST_SPEC ? q[ST_TN] + q[ST_FP]
                      : k == ST_F1   ? 2 * q[ST_TP] + q[ST_FP] + q[ST_FN]
                                     : q[0] + q[1] + q[2] + q[3];
        n += den == 0;
    }
    return n;
}

static void label_section(const rp_ctx *c, int j, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    const sc_summary *s = c->s;
    const char *label = rf->label_names[j];
    char iv[128], name[SC_METRIC_NAME + 80], cap[512];
    rp_interval_name(c, iv, sizeof iv);
    rp_heading(doc, 2, "%s", label);
    static const char *const head[] = {"Augmentation", "Architecture", "Accuracy", "Precision",
                                       "Sensitivity", "Specificity", "F1", "AUC"};
    rp_table *t = rp_table_new(8, head, "llrrrrrr");
    rp_buf zero = {0}, auc_note = {0};
    int clipped = 0;
    for (int cell = 0; cell < s->n_cells; cell++) {
        rp_cell(t, "%s", s->cell_aug[cell]);
        rp_cell(t, "%s", s->cell_arch[cell]);
        for (int k = 0; k < ST_N_BASIC; k++) {
            snprintf(name, sizeof name, "%s_%s", label, st_basic_names[k]);
            clipped |= summary_cell(c, t, cell, name);
            int z = zero_folds(c, cell, j, k);
            const sc_summary_row *r = sc_summary_find(s, cell, name);
            if (z) {
                char cn[128];
                rp_cell_name(s, cell, cn, sizeof cn);
                rp_printf(&zero, "%s%s of %s in %d of %d folds", zero.n ? "; " : "",
                          st_basic_names[k], cn, z, r ? r->n : 0);
            }
        }
        snprintf(name, sizeof name, "auc_%s", label);
        clipped |= summary_cell(c, t, cell, name);
        const sc_summary_row *ra = sc_summary_find(s, cell, name);
        const sc_summary_row *r0 = sc_summary_find(s, cell, "macro_accuracy");
        if (ra && r0 && ra->n < r0->n) {
            char cn[128];
            rp_cell_name(s, cell, cn, sizeof cn);
            rp_printf(&auc_note, "%s%s: %d of %d folds", auc_note.n ? "; " : "", cn, ra->n,
                      r0->n);
        }
    }
    snprintf(cap, sizeof cap, "Metrics of %s per cell: mean over test folds [%s].%s", label, iv,
             clipped ? CLIP_NOTE : "");
    char lab[128];
    snprintf(lab, sizeof lab, "tab:spectcv-label-%d", j + 1);
    rp_add_table(doc, t, cap, lab);
    rp_para(doc, "Mean over the done test folds [%s].%s%s", iv, clipped ? " " : "",
            clipped ? SC_CLIP_LEGEND "." : "");
    if (zero.n)
        rp_para(doc, "Zero denominators (the fold's value set to 0 and included in the mean: "
                "precision when no scan of the fold is predicted %s, sensitivity when none has "
                "it, specificity when all have it, F1 when neither; docs/statistics.md section "
                "1): %s.", label, zero.p);
    if (auc_note.n)
        rp_para(doc, "AUC undefined in some folds (no positive or no negative scan of %s; those "
                "folds are left out of the AUC mean): defined in %s.", label, auc_note.p);
    rp_buf_free(&zero);
    rp_buf_free(&auc_note);

    int R = rf->repeats;
    const char *ph[] = {"Augmentation", "Architecture", "Repeat", "Metric", "x / n", "Estimate",
                        "Wilson", "Clopper\xe2\x80\x93Pearson"};
    const char *ph1[] = {ph[0], ph[1], ph[3], ph[4], ph[5], ph[6], ph[7]};
    rp_table *p = R > 1 ? rp_table_new(8, ph, "llrlrrrr") : rp_table_new(7, ph1, "lllrrrr");
    for (int i = 0; i < s->n_pooled; i++) {
        const sc_pooled_row *x = &s->pooled[i];
        if (strcmp(x->label, label)) continue;
        char v[32], w[80], cp[80];
        rp_num(v, sizeof v, x->value);
        if (isnan(x->wilson_lo)) snprintf(w, sizeof w, DASH);
        else snprintf(w, sizeof w, "[%.4f, %.4f]", x->wilson_lo, x->wilson_hi);
        if (isnan(x->cp_lo)) snprintf(cp, sizeof cp, DASH);
        else snprintf(cp, sizeof cp, "[%.4f, %.4f]", x->cp_lo, x->cp_hi);
        rp_cell(p, "%s", x->augmentation);
        rp_cell(p, "%s", x->architecture);
        if (R > 1) rp_cell(p, "%d", x->repeat);
        rp_cell(p, "%s", x->metric);
        rp_cell(p, "%lld / %lld", (long long)x->x, (long long)x->n);
        rp_cell(p, "%s", v);
        rp_cell(p, "%s", w);
        rp_cell(p, "%s", cp);
    }
    rp_para(doc, "Pooled out-of-fold counts of %s (the done folds of one repeat): x successes "
            "out of n cases, with %g%% Wilson and Clopper\xe2\x80\x93Pearson intervals.", label,
            100 * s->level);
    rp_add_table(doc, p, NULL, NULL);
}

void rp_section_labels(const rp_ctx *c, rp_doc *doc)
{
    rp_heading(doc, 1, "Per label");
    for (int j = 0; j < c->rf->l; j++) label_section(c, j, doc);
}

void rp_section_folds(const rp_ctx *c, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    rp_heading(doc, 1, "Per fold");
    rp_para(doc, "Every job: one test fold of one cell. Macro averages over the labels; "
            "subset accuracy: scans whose whole label set is right. All metrics of every job "
            "are in per_fold.csv.");
    static const char *const head[] = {"Job",         "Repeat",      "Fold",     "Augmentation",
                                       "Architecture", "Status",     "Test scans", "Accuracy",
                                       "Precision",   "Sensitivity", "Specificity", "F1",
                                       "Subset accuracy", "Seconds"};
    rp_table *t = rp_table_new(14, head, "rrrlllrrrrrrrr");
    int idx[ST_N_BASIC + 1]; /* the five macro metrics, then subset accuracy */
    for (int k = 0; k < ST_N_BASIC; k++) idx[k] = sc_results_metric_index(rf, st_macro_names[k]);
    idx[ST_N_BASIC] = sc_results_metric_index(rf, "subset_accuracy");
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        rp_job_cells(t, j, r);
        rp_cell(t, "%lld", (long long)r->n_test);
        for (int k = 0; k < ST_N_BASIC + 1; k++) {
            char v[32];
            rp_num(v, sizeof v, c->d->metrics[j] && idx[k] >= 0 ? c->d->metrics[j][idx[k]] : NAN);
            rp_cell(t, "%s", v);
        }
        if (r->status == SC_JOB_DONE || r->status == SC_JOB_FAILED)
            rp_cell(t, "%.1f", r->seconds);
        else
            rp_cell(t, DASH);
    }
    rp_add_table(doc, t, NULL, NULL);
}
