/* results/compare_print.c: the table and the CSV of a comparison (results/compare.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "results/compare.h"
#include "results/report_parts.h"
#include "util/error.h"
#include "util/sys.h"

static void pvalue(char *out, size_t n, double p)
{
    if (isnan(p)) snprintf(out, n, "-");
    else if (p < 0.0001) snprintf(out, n, "%.1e", p);
    else snprintf(out, n, "%.4f", p);
}

static void cell_name(const sc_comparison *c, int f, int k, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", c->s[f].cell_aug[k], c->s[f].cell_arch[k]);
}

static int max_int(int a, int b) { return a > b ? a : b; }

void sc_compare_print(FILE *out, const sc_comparison *c)
{
    const sc_results_file *r = &c->rf[0];
    int wf = 4, wc = 4;
    char name[2 * SC_ROW_NAME + 2], name2[2 * SC_ROW_NAME + 2];
    for (int f = 0; f < c->n_files; f++) {
        wf = max_int(wf, (int)strlen(c->rf[f].path));
        for (int k = 0; k < c->s[f].n_cells; k++) {
            cell_name(c, f, k, name, sizeof name);
            wc = max_int(wc, (int)strlen(name));
        }
    }
    fprintf(out, "reference %s (%s): data set %s, %lld scans, %d folds x %d repeat%s\n", r->path,
            r->experiment_path, r->dataset_hash, (long long)r->n, r->k, r->repeats,
            r->repeats > 1 ? "s" : "");
    for (int f = 1; f < c->n_files; f++)
        fprintf(out, "against   %s (%s): the same data set and folds\n", c->rf[f].path,
                c->rf[f].experiment_path);
    fputs(c->notes, out);
    const char *method = r->repeats > 1 ? "Bouckaert-Frank" : "Nadeau-Bengio";
    for (int m = 0; m < c->n_metrics; m++) {
        int clipped = 0;
        fprintf(out, "\n%s: mean over folds [%g%% %s corrected resampled t interval]\n",
                c->metrics[m], 100 * r->confidence, method);
        fprintf(out, "  %-*s  %-*s  %5s  %s\n", wf, "file", wc, "cell", "folds", "mean [lo, hi]");
        for (int i = 0; i < c->n_cells; i++) {
            const sc_cmp_cell *x = &c->cells[i];
            if (x->metric != m) continue;
            char iv[128], folds[24];
            cell_name(c, x->file, x->cell, name, sizeof name);
            clipped |= sc_interval_text(iv, sizeof iv, x->row.mean, x->row.lo, x->row.hi, "-",
                                        1);
            snprintf(folds, sizeof folds, "%d/%d", x->row.n, x->row.n_jobs);
            fprintf(out, "  %-*s  %-*s  %5s  %s%s\n", wf, c->rf[x->file].path, wc, name, folds,
                    iv, x->cell == c->baseline_cell && x->file == 0 ? "  (baseline)" : "");
        }
        if (clipped) fprintf(out, "  %s\n", SC_CLIP_LEGEND);
        int n = 0;
        for (int i = 0; i < c->n_tests; i++) n += c->tests[i].metric == m;
        if (!n) continue;
        fprintf(out, "  paired: other - reference over the common folds, corrected resampled "
                "t-test (p_holm: Holm over these %d)\n", n);
        fprintf(out, "  %-*s  %-*s  %-*s  %5s  %-32s %8s %8s %8s\n", wf, "file", wc, "cell", wc,
                "reference cell", "folds", "difference [lo, hi]", "t", "p", "p_holm");
        for (int i = 0; i < c->n_tests; i++) {
            const sc_cmp_test *t = &c->tests[i];
            if (t->metric != m) continue;
            char iv[128], tv[32], p[32], ph[32];
            cell_name(c, t->file, t->cell, name, sizeof name);
            cell_name(c, 0, t->ref_cell, name2, sizeof name2);
            sc_interval_text(iv, sizeof iv, t->tt.res.mean, t->tt.res.lo, t->tt.res.hi, "-", 0);
            if (isnan(t->tt.res.t)) snprintf(tv, sizeof tv, "-");
            else snprintf(tv, sizeof tv, "%.3f", t->tt.res.t);
            pvalue(p, sizeof p, t->tt.res.p);
            pvalue(ph, sizeof ph, t->tt.p_holm);
            fprintf(out, "  %-*s  %-*s  %-*s  %5d  %-32s %8s %8s %8s\n", wf, c->rf[t->file].path,
                    wc, name, wc, name2, t->tt.n, iv, tv, p, ph);
        }
    }
    if (c->n_mcnemar > 0) {
        fprintf(out, "\nMcNemar: the whole label set right at each job's thresholds (its own with "
                "train.validation, else its file's report.threshold), pooled out-of-fold "
                "predictions of the folds of one repeat done in both (b: reference right, other "
                "wrong; c: the reverse; p exact when b + c < 25; p_holm: Holm over the tests of "
                "each repeat)\n");
        fprintf(out, "  %-*s  %-*s  %-*s  %6s  %6s  %6s  %6s %8s %8s\n", wf, "file", wc, "cell",
                wc, "reference cell", "repeat", "scans", "b", "c", "p", "p_holm");
        for (int i = 0; i < c->n_mcnemar; i++) {
            const sc_cmp_mcnemar *m = &c->mcnemar[i];
            char p[32], ph[32];
            cell_name(c, m->file, m->cell, name, sizeof name);
            cell_name(c, 0, m->ref_cell, name2, sizeof name2);
            pvalue(p, sizeof p, m->mc.p);
            pvalue(ph, sizeof ph, m->mc.p_holm);
            fprintf(out, "  %-*s  %-*s  %-*s  %6d  %6lld  %6lld  %6lld %8s %8s\n", wf,
                    c->rf[m->file].path, wc, name, wc, name2, m->repeat, (long long)m->mc.n,
                    (long long)m->mc.res.b, (long long)m->mc.res.c, p, ph);
        }
    }
    if (c->n_tests == 0)
        fprintf(out, "\nno paired test: no cell of another file has the (augmentation, "
                     "architecture) of a cell of %s; name the reference's cell to test "
                     "against with --baseline AUGMENTATION/ARCHITECTURE\n", r->path);
}

static void csv_row_start(rp_buf *o, const sc_comparison *c, const char *kind, int m, int f,
                          int k)
{
    rp_printf(o, "%s,", kind);
    rp_csv_str(o, c->metrics[m]);
    rp_puts(o, ",");
    rp_csv_str(o, c->rf[f].path);
    rp_puts(o, ",");
    rp_csv_str(o, c->s[f].cell_aug[k]);
    rp_puts(o, ",");
    rp_csv_str(o, c->s[f].cell_arch[k]);
}

static void csv_doubles(rp_buf *o, const double *v, int n)
{
    for (int i = 0; i < n; i++) {
        rp_puts(o, ",");
        rp_csv_double(o, v[i]);
    }
}

int sc_compare_write_csv(const sc_comparison *c, const char *path)
{
    rp_buf o = {0};
    /* cell rows fill n .. level; test rows n, ref_*, match .. p_holm (and level, ratio) */
    rp_puts(&o, "kind,metric,file,augmentation,architecture,n,n_jobs,mean,sd,lo,hi,level,"
                "ref_file,ref_augmentation,ref_architecture,match,df,mean_diff,sd_diff,diff_lo,"
                "diff_hi,t,p,p_holm,test_train_ratio,repeat,b,c,chi2,p_chi2,p_exact,exact\n");
    for (int i = 0; i < c->n_cells; i++) {
        const sc_cmp_cell *x = &c->cells[i];
        csv_row_start(&o, c, "cell", x->metric, x->file, x->cell);
        rp_printf(&o, ",%d,%d", x->row.n, x->row.n_jobs);
        const double v[] = {x->row.mean, x->row.sd, x->row.lo, x->row.hi, x->row.level};
        csv_doubles(&o, v, 5);
        rp_puts(&o, ",,,,,,,,,,,,,,,,,,,,\n");
    }
    for (int i = 0; i < c->n_tests; i++) {
        const sc_cmp_test *t = &c->tests[i];
        csv_row_start(&o, c, "test", t->metric, t->file, t->cell);
        rp_printf(&o, ",%d,,,,,,", t->tt.n);
        rp_csv_double(&o, t->tt.level);
        rp_puts(&o, ",");
        rp_csv_str(&o, c->rf[0].path);
        rp_puts(&o, ",");
        rp_csv_str(&o, c->s[0].cell_aug[t->ref_cell]);
        rp_puts(&o, ",");
        rp_csv_str(&o, c->s[0].cell_arch[t->ref_cell]);
        rp_printf(&o, ",%s,%d", t->baseline ? "baseline" : "same cell", t->tt.res.df);
        const st_ttest_result *r = &t->tt.res;
        const double v[] = {r->mean, r->sd, r->lo, r->hi, r->t, r->p, t->tt.p_holm,
                            t->tt.test_train_ratio};
        csv_doubles(&o, v, 8);
        rp_puts(&o, ",,,,,,,\n");
    }
    for (int i = 0; i < c->n_mcnemar; i++) {
        const sc_cmp_mcnemar *m = &c->mcnemar[i];
        rp_puts(&o, "mcnemar,set,");
        rp_csv_str(&o, c->rf[m->file].path);
        rp_puts(&o, ",");
        rp_csv_str(&o, c->s[m->file].cell_aug[m->cell]);
        rp_puts(&o, ",");
        rp_csv_str(&o, c->s[m->file].cell_arch[m->cell]);
        rp_printf(&o, ",%lld,,,,,,,", (long long)m->mc.n);
        rp_csv_str(&o, c->rf[0].path);
        rp_puts(&o, ",");
        rp_csv_str(&o, c->s[0].cell_aug[m->ref_cell]);
        rp_puts(&o, ",");
        rp_csv_str(&o, c->s[0].cell_arch[m->ref_cell]);
        rp_printf(&o, ",%s,,,,,,", m->baseline ? "baseline" : "same cell"); /* df .. t empty */
        const st_mcnemar_result *r = &m->mc.res;
        const double v[] = {m->mc.p, m->mc.p_holm};
        csv_doubles(&o, v, 2);
        rp_printf(&o, ",,%d,%lld,%lld", m->repeat, (long long)r->b, (long long)r->c);
        const double w[] = {r->chi2, r->p_chi2, r->p_exact};
        csv_doubles(&o, w, 3);
        rp_printf(&o, ",%d\n", r->exact_recommended);
    }
    int rc = sc_write_file_atomic(path, o.p ? o.p : "", o.n);
    rp_buf_free(&o);
    return rc;
}
