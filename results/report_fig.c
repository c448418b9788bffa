/* results/report_fig.c: the figures of a report, as gnuplot scripts and their data files in
 * DIR/figures, rendered to SVG and PNG by gnuplot when it is on the PATH.
 *
 * Every script is self-contained and readable: `cd DIR/figures && gnuplot NAME.gp` writes
 * NAME.svg and NAME.png.  Scripts start with `reset session` so that a user's ~/.gnuplot cannot
 * change them, and hold no date: the same results file gives the same bytes.
 *
 * Figures pool every done job of a cell (all repeats: each scan once per repeat); the tables'
 * pooled statistics are per repeat (docs/report.md). */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "results/report_parts.h"
#include "stats/auc.h"
#include "stats/job_metrics.h"
#include "stats/metrics.h"
#include "util/error.h"
#include "util/sys.h"

extern char **environ;

/* Colour-blind-safe qualitative palette (Okabe & Ito), then greys. */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                                      "#56B4E9", "#F0E442", "#000000", "#777777", "#BBBBBB"};
#define N_PALETTE (int)(sizeof palette / sizeof palette[0])

static void gp_quote(rp_buf *o, const char *s)
{
    rp_puts(o, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') rp_puts(o, "\\");
        rp_putn(o, s, 1);
    }
    rp_puts(o, "\"");
}

/* The header of cell `cell`'s block in a data file (gnuplot's `index`: blocks apart by two
 * blank lines); the cell's name into cn. */
static void data_block(rp_buf *d, const sc_summary *s, int cell, const char *columns, char *cn,
                       size_t n)
{
    rp_cell_name(s, cell, cn, n);
    rp_printf(d, "%s# %s: %s\n", cell ? "\n\n" : "", cn, columns);
}

/* The beginning of every script: provenance, cell names and colours, and the loop over the
 * two output formats; the script's body follows, then script_end_save closes the loop. */
void rp_script_begin(const rp_ctx *c, rp_buf *o, const rp_fig *f, int w, int h)
{
    const sc_summary *s = c->s;
    rp_printf(o, "# %s.gp: %s\n", f->name, f->caption);
    rp_printf(o, "# Written by `spectcv report` from %s.  Render: cd figures && gnuplot %s.gp\n"
                 "# (writes %s.svg and %s.png; needs the svg and pngcairo terminals).\n",
              c->results_name, f->name, f->name, f->name);
    rp_puts(o, "reset session\nset encoding utf8\nset datafile missing \"NaN\"\n");
    rp_printf(o, "NC = %d\narray augs[NC]\narray archs[NC]\narray colors[NC]\n", s->n_cells);
    for (int k = 0; k < s->n_cells; k++) {
        rp_printf(o, "augs[%d] = ", k + 1);
        gp_quote(o, s->cell_aug[k]);
        rp_printf(o, "; archs[%d] = ", k + 1);
        gp_quote(o, s->cell_arch[k]);
        rp_printf(o, "; colors[%d] = \"%s\"\n", k + 1, palette[k % N_PALETTE]);
    }
    rp_puts(o, "array cells[NC]\ndo for [c=1:NC] { cells[c] = augs[c].\" \xc3\x97 \".archs[c] }\n");
    rp_puts(o, "do for [fmt in \"svg png\"] {\n");
    rp_printf(o, "  if (fmt eq \"svg\") {\n"
                 "    set terminal svg size %d,%d font \"sans,12\" noenhanced background "
                 "rgb \"white\"\n"
                 "  } else {\n"
                 "    set terminal pngcairo size %d,%d font \"sans,10\" noenhanced background "
                 "rgb \"white\"\n"
                 "  }\n",
              w, h, w, h);
    rp_printf(o, "  set output \"%s.\".fmt\n", f->name);
}

static int save_fig(const rp_ctx *c, const char *name, const char *ext, const rp_buf *o)
{
    char dir[4096], file[160];
    snprintf(dir, sizeof dir, "%s/figures", c->dir);
    snprintf(file, sizeof file, "%s.%s", name, ext);
    return rp_buf_save(o, dir, file);
}

/* The end of every figure: close the script's loop (see script_begin), save NAME.dat (data)
 * and NAME.gp (script), release both buffers. */
int rp_script_end_save(const rp_ctx *c, const rp_fig *f, rp_buf *d, rp_buf *o)
{
    rp_puts(o, "  unset output\n}\n");
    int rc = save_fig(c, f->name, "dat", d) || save_fig(c, f->name, "gp", o) ? -1 : 0;
    rp_buf_free(d);
    rp_buf_free(o);
    return rc;
}

rp_fig *rp_new_fig(rp_fig **figs, int *n, const char *name, const char *caption)
{
    *figs = sc_xrealloc(*figs, (size_t)(*n + 1) * sizeof **figs);
    rp_fig *f = &(*figs)[(*n)++];
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->caption, sizeof f->caption, "%s", caption);
    return f;
}

/* A per-label figure, named KIND_J_LABEL: J from 1, the label in [A-Za-z0-9_-] (other bytes as
 * '_', at most 63 of them). */
static rp_fig *new_label_fig(rp_fig **figs, int *n, const char *kind, int j, const char *label,
                             const char *caption)
{
    char part[64], name[96];
    size_t i = 0;
    for (; label[i] && i + 1 < sizeof part; i++) {
        char ch = label[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '-' || ch == '_';
        part[i] = ok ? ch : '_';
    }
    part[i] = '\0';
    snprintf(name, sizeof name, "%s_%d_%s", kind, j + 1, part);
    return rp_new_fig(figs, n, name, caption);
}

void rp_data_num(rp_buf *o, double v)
{
    if (isfinite(v)) rp_printf(o, " %.6g", v);
    else rp_puts(o, " NaN");
}

/* " mean lo hi" of (cell, metric) in /summary/table; with one fold (no interval) lo = hi =
 * mean: a bar or point without whisker. */
static void data_mean_interval(rp_buf *o, const sc_summary *s, int cell, const char *metric)
{
    const sc_summary_row *r = sc_summary_find(s, cell, metric);
    double mean = r ? r->mean : NAN, lo = r ? r->lo : NAN, hi = r ? r->hi : NAN;
    if (isfinite(mean) && !isfinite(lo)) lo = hi = mean;
    rp_data_num(o, mean);
    rp_data_num(o, lo);
    rp_data_num(o, hi);
}

static const char *interval_name(const sc_results_file *rf)
{
    return rf->repeats > 1 ? "Bouckaert-Frank corrected" : "Nadeau-Bengio corrected";
}

/* Bars of the five macro metrics per cell, whiskers: the corrected interval; black markers:
 * what the trivial predictors (stats/reference.h) score on the same scans, so that a bar can
 * be read against "everything positive", "majority class" and "random at prevalence". */
static int fig_metrics(const rp_ctx *c, rp_fig **figs, int *nf)
{
    const sc_summary *s = c->s;
    char cap[512];
    snprintf(cap, sizeof cap, "Macro-averaged metrics per cell: mean over folds, whiskers: the "
             "%g%% %s interval (none with fewer than two folds); black markers: trivial "
             "predictors on the same scans", 100 * s->level, interval_name(c->rf));
    rp_fig *f = rp_new_fig(figs, nf, "metrics", cap);
    /* gnuplot point types of the trivial predictors: filled triangle, square, circle */
    static const int ref_pt[ST_REF_N] = {9, 5, 7};
    rp_buf d = {0}, o = {0};
    rp_puts(&d, "# metric, then per cell (in the order of the script's cells): mean lo hi, then the "
                "trivial predictors:");
    for (int r = 0; r < ST_REF_N; r++) rp_printf(&d, " %s", st_ref_names[r]);
    rp_puts(&d, "\n");
    for (int k = 0; k < ST_N_BASIC; k++) { /* st_macro_titles follow ST_ACC..ST_F1 */
        rp_puts(&d, st_macro_titles[k]);
        for (int cell = 0; cell < s->n_cells; cell++)
            data_mean_interval(&d, s, cell, st_macro_names[k]);
        for (int r = 0; r < ST_REF_N; r++) rp_data_num(&d, c->has_ref ? c->ref[r][k] : NAN);
        rp_puts(&d, "\n");
    }
    rp_script_begin(c, &o, f, 960, 540);
    rp_printf(&o, "NR = %d\narray refs[NR]\narray refpt[NR]\n", ST_REF_N);
    for (int r = 0; r < ST_REF_N; r++) {
        rp_printf(&o, "refs[%d] = ", r + 1);
        gp_quote(&o, st_ref_names[r]);
        rp_printf(&o, "; refpt[%d] = %d\n", r + 1, ref_pt[r]);
    }
    rp_printf(&o, "  set title \"Macro-averaged metrics (mean over folds, %g%% %s interval)\"\n"
                  "  set style data histogram\n"
                  "  set style histogram errorbars gap 1.5 lw 1.2\n"
                  "  set style fill solid 0.85 border rgb \"#333333\"\n"
                  "  set boxwidth 0.9 relative\n"
                  "  set yrange [0:1.05]\n  set ytics 0.1\n"
                  "  set grid ytics lc rgb \"#dddddd\"\n"
                  "  set xtics nomirror scale 0\n"
                  "  set key outside below center horizontal\n"
                  "  set ylabel \"value\"\n"
                  "  plot for [c=1:NC] \"metrics.dat\" using (column(3*c-1)):(column(3*c)):"
                  "(column(3*c+1)):xtic(1) title cells[c] lc rgb colors[c], \\\n"
                  "       for [r=1:NR] \"metrics.dat\" using ($0+0.46):(column(3*NC+1+r)) with points "
                  "pt refpt[r] ps 1.1 lc rgb \"black\" title refs[r]\n",
              100 * s->level, interval_name(c->rf));
    return rp_script_end_save(c, f, &d, &o);
}

/* Per-fold points of macro F1 and accuracy per cell, with the mean and its interval. */
static int fig_per_fold(const rp_ctx *c, rp_fig **figs, int *nf)
{
    const sc_results_file *rf = c->rf;
    const sc_summary *s = c->s;
    rp_fig *f = rp_new_fig(figs, nf, "per_fold",
                        "Per-fold macro F1 and accuracy (points: one test fold each; black: "
                        "mean over folds with the corrected interval)");
    int mi[2] = {sc_results_metric_index(rf, "macro_f1"),
                 sc_results_metric_index(rf, "macro_accuracy")};
    rp_buf d = {0}, m = {0}, o = {0};
    rp_puts(&d, "# x (cell, spread by repeat and fold), cell, repeat, fold, macro_f1, "
                "macro_accuracy, colour\n");
    int slots = rf->k * rf->repeats;
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        if (!c->d->metrics[j] || c->d->cell[j] < 0) continue;
        double x = c->d->cell[j] + 1 - 0.3 + 0.45 * (r->repeat * rf->k + r->fold + 0.5) / slots;
        rp_printf(&d, "%.4f %d %d %d", x, c->d->cell[j] + 1, r->repeat, r->fold);
        for (int k = 0; k < 2; k++) rp_data_num(&d, mi[k] >= 0 ? c->d->metrics[j][mi[k]] : NAN);
        rp_printf(&d, " %ld\n", strtol(palette[c->d->cell[j] % N_PALETTE] + 1, NULL, 16));
    }
    rp_puts(&m, "# x, then macro_f1 mean lo hi, macro_accuracy mean lo hi\n");
    for (int cell = 0; cell < s->n_cells; cell++) {
        rp_printf(&m, "%.2f", cell + 1 + 0.3);
        data_mean_interval(&m, s, cell, "macro_f1");
        data_mean_interval(&m, s, cell, "macro_accuracy");
        rp_puts(&m, "\n");
    }
    rp_script_begin(c, &o, f, 1000, 520);
    rp_printf(&o, "  set multiplot layout 1,2 title \"Per-fold values (points) and mean over "
                  "folds with the %g%% %s interval (black)\"\n", 100 * s->level,
              interval_name(rf));
    rp_puts(&o, ""
                "  set xrange [0.5:NC+0.5]\n  set yrange [0:1.05]\n  set ytics 0.1\n"
                "  set grid ytics lc rgb \"#dddddd\"\n"
                "  set xtics () nomirror scale 0\n"
                "  do for [c=1:NC] { set xtics add (augs[c].\"\\n\".archs[c] c) }\n"
                "  unset key\n  set bmargin 4\n"
                "  do for [k=1:2] {\n"
                "    set title (k == 1 ? \"macro F1\" : \"macro accuracy\")\n"
                "    plot \"per_fold.dat\" using 1:(column(4+k)):7 with points pt 7 ps 0.8 "
                "lc rgb variable notitle, \\\n"
                "         \"per_fold_means.dat\" using 1:(column(3*k-1)):(column(3*k)):"
                "(column(3*k+1)) with yerrorbars pt 5 ps 1 lc rgb \"black\" notitle\n"
                "  }\n"
                "  unset multiplot\n");
    int rc = save_fig(c, "per_fold_means", "dat", &m);
    rp_buf_free(&m);
    return rp_script_end_save(c, f, &d, &o) || rc ? -1 : 0;
}

/* Order of scores, descending (ties: by position, so the order is fixed). */
static int cmp_desc(const void *a, const void *b, void *key)
{
    const float *s = key;
    int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
    if (s[i] != s[j]) return s[i] > s[j] ? -1 : 1;
    return (i > j) - (i < j);
}

/* ROC points of label j over the pool into d (one block), AUC into *auc (NaN if undefined). */
static void roc_block(const sc_pool *p, int l, int j, rp_buf *d, double *auc)
{
    int64_t pos = 0, neg = 0, *ord = sc_xmalloc((size_t)(p->m + 1) * sizeof *ord);
    float *col = sc_xmalloc((size_t)(p->m + 1) * sizeof *col);
    double *dcol = sc_xmalloc((size_t)(p->m + 1) * sizeof *dcol);
    uint8_t *y = sc_xmalloc((size_t)(p->m + 1));
    for (int64_t i = 0; i < p->m; i++) {
        ord[i] = i;
        col[i] = p->scores[i * l + j];
        dcol[i] = col[i];
        y[i] = p->truth[i * l + j] != 0;
        pos += y[i];
    }
    neg = p->m - pos;
    *auc = NAN;
    if (pos == 0 || neg == 0) {
        rp_puts(d, "NaN NaN\n");
    } else {
        qsort_r(ord, (size_t)p->m, sizeof *ord, cmp_desc, col);
        int64_t tp = 0, fp = 0;
        rp_puts(d, "0 0\n");
        for (int64_t i = 0; i < p->m; i++) {
            tp += y[ord[i]];
            fp += !y[ord[i]];
            /* one point per distinct threshold */
            if (i + 1 == p->m || col[ord[i + 1]] != col[ord[i]])
                rp_printf(d, "%.6g %.6g\n", (double)fp / (double)neg, (double)tp / (double)pos);
        }
        if (st_auc(dcol, y, p->m, auc)) *auc = NAN;
    }
    free(ord);
    free(col);
    free(dcol);
    free(y);
}

static int fig_roc(const rp_ctx *c, int j, rp_fig **figs, int *nf)
{
    const sc_results_file *rf = c->rf;
    const sc_summary *s = c->s;
    char cap[512];
    snprintf(cap, sizeof cap, "ROC curves of %s: pooled out-of-fold scores of every done job "
             "of each cell (AUC of the curve in the legend)", rf->label_names[j]);
    rp_fig *f = new_label_fig(figs, nf, "roc", j, rf->label_names[j], cap);
    int *jobs = sc_xmalloc((size_t)rf->n_jobs * sizeof *jobs);
    rp_buf d = {0}, o = {0}, titles = {0};
    for (int cell = 0; cell < s->n_cells; cell++) {
        sc_pool p;
        sc_pool_jobs(rf, c->d, jobs, sc_cv_cell_jobs(rf, c->d, cell, -1, jobs), &p);
        char cn[128];
        data_block(&d, s, cell, "false positive rate, true positive rate", cn, sizeof cn);
        double auc;
        roc_block(&p, rf->l, j, &d, &auc);
        char t[192];
        if (isfinite(auc)) snprintf(t, sizeof t, "%s (AUC %.3f)", cn, auc);
        else snprintf(t, sizeof t, "%s (no curve: %s)", cn, p.m ? "one class only" : "no done job");
        rp_printf(&titles, "  titles[%d] = ", cell + 1);
        gp_quote(&titles, t);
        rp_puts(&titles, "\n");
        sc_pool_free(&p);
    }
    free(jobs);
    rp_script_begin(c, &o, f, 640, 600);
    rp_printf(&o, "  array titles[NC]\n%s", titles.p);
    rp_buf_free(&titles);
    rp_puts(&o, "  set title ");
    gp_quote(&o, rf->label_names[j]);
    rp_printf(&o, "\n  set size ratio -1\n  set xrange [-0.01:1.01]\n  set yrange [-0.01:1.01]\n"
                  "  set xtics 0.2\n  set ytics 0.2\n  set grid lc rgb \"#dddddd\"\n"
                  "  set xlabel \"1 - specificity (false positive rate)\"\n"
                  "  set ylabel \"sensitivity (true positive rate)\"\n"
                  "  set key bottom right\n"
                  "  plot for [c=1:NC] \"%s.dat\" index (c-1) using 1:2 with lines lw 2 "
                  "lc rgb colors[c] title titles[c], \\\n"
                  "       x with lines dt 2 lc rgb \"#999999\" notitle\n",
              f->name);
    return rp_script_end_save(c, f, &d, &o);
}

/* Panels: up to three per row. */
static void layout(int n, int *rows, int *cols)
{
    *cols = n < 3 ? (n < 1 ? 1 : n) : 3;
    *rows = (n + *cols - 1) / *cols;
    if (*rows < 1) *rows = 1;
}

/* Training loss per epoch of every done job, one panel per cell. */
static int fig_loss(const rp_ctx *c, rp_fig **figs, int *nf)
{
    const sc_results_file *rf = c->rf;
    const sc_summary *s = c->s;
    rp_fig *f = rp_new_fig(figs, nf, "loss", "Training loss per epoch: one line per done job "
                        "(repeat, fold), one panel per cell");
    rp_buf d = {0}, o = {0};
    double ymax = 0;
    for (int cell = 0; cell < s->n_cells; cell++) {
        char cn[128];
        data_block(&d, s, cell, "epoch, mean training loss (one block per job)", cn, sizeof cn);
        int any = 0;
        for (int j = 0; j < rf->n_jobs; j++) {
            if (c->d->cell[j] != cell || !c->d->history[j]) continue;
            rp_printf(&d, "%s# job %04d, repeat %d, fold %d\n", any ? "\n" : "", j,
                      rf->rows[j].repeat, rf->rows[j].fold);
            for (int e = 0; e < rf->epochs; e++) {
                double v = c->d->history[j][e];
                rp_printf(&d, "%d", e + 1);
                rp_data_num(&d, v);
                rp_puts(&d, "\n");
                if (isfinite(v) && v > ymax) ymax = v;
            }
            any = 1;
        }
        if (!any) rp_puts(&d, "NaN NaN\n");
    }
    int rows, cols;
    layout(s->n_cells, &rows, &cols);
    rp_script_begin(c, &o, f, 400 * cols, 300 * rows + 40);
    rp_printf(&o, "  set multiplot layout %d,%d title \"Training loss\"\n"
                  "  set xrange [1:%d]\n  set yrange [0:%.3g]\n%s"
                  "  set grid lc rgb \"#dddddd\"\n"
                  "  set xlabel \"epoch\"\n  set ylabel \"loss\"\n"
                  "  do for [c=1:NC] {\n"
                  "    set title cells[c]\n"
                  "    plot \"loss.dat\" index (c-1) using 1:2 with linespoints pt 7 ps 0.4 "
                  "lc rgb colors[c] notitle\n"
                  "  }\n"
                  "  unset multiplot\n",
              rows, cols, rf->epochs > 1 ? rf->epochs : 2, ymax > 0 ? 1.05 * ymax : 1.0,
              rf->epochs <= 12 ? "  set xtics 1\n" : "");
    return rp_script_end_save(c, f, &d, &o);
}

/* Confusion matrix of label j per cell (counts of every done job). */
static int fig_confusion(const rp_ctx *c, int j, rp_fig **figs, int *nf)
{
    const sc_results_file *rf = c->rf;
    const sc_summary *s = c->s;
    char cap[512];
    char at[64];
    if (rp_own_thresholds(c)) snprintf(at, sizeof at, "at each job's own threshold");
    else snprintf(at, sizeof at, "at threshold %g", rf->threshold);
    snprintf(cap, sizeof cap, "Confusion matrices of %s %s: counts of every done job of each "
             "cell; shade and percentage: share of the true class", rf->label_names[j], at);
    rp_fig *f = new_label_fig(figs, nf, "confusion", j, rf->label_names[j], cap);
    rp_buf d = {0}, o = {0};
    for (int cell = 0; cell < s->n_cells; cell++) {
        int64_t k[4] = {0};
        for (int jb = 0; jb < rf->n_jobs; jb++)
            if (c->d->cell[jb] == cell && c->d->counts[jb])
                for (int q = 0; q < 4; q++) k[q] += c->d->counts[jb][4 * j + q];
        char cn[128];
        data_block(&d, s, cell, "predicted (0 negative, 1 positive), true, share of the true "
                   "class, count, name", cn, sizeof cn);
        double pos = (double)(k[ST_TP] + k[ST_FN]), neg = (double)(k[ST_FP] + k[ST_TN]);
        rp_printf(&d, "0 1 %.6g %lld FN\n1 1 %.6g %lld TP\n", pos > 0 ? k[ST_FN] / pos : 0,
                  (long long)k[ST_FN], pos > 0 ? k[ST_TP] / pos : 0, (long long)k[ST_TP]);
        rp_printf(&d, "0 0 %.6g %lld TN\n1 0 %.6g %lld FP\n", neg > 0 ? k[ST_TN] / neg : 0,
                  (long long)k[ST_TN], neg > 0 ? k[ST_FP] / neg : 0, (long long)k[ST_FP]);
    }
    int rows, cols;
    layout(s->n_cells, &rows, &cols);
    rp_script_begin(c, &o, f, 330 * cols, 320 * rows + 40);
    rp_puts(&o, "  set multiplot layout ");
    rp_printf(&o, "%d,%d title ", rows, cols);
    gp_quote(&o, rf->label_names[j]);
    rp_printf(&o, "\n  set palette defined (0 \"#ffffff\", 1 \"#5b8fc7\")\n"
                  "  set cbrange [0:1]\n  unset colorbox\n"
                  "  set size ratio -1\n"
                  "  set xrange [-0.5:1.5]\n  set yrange [-0.5:1.5]\n"
                  "  set xtics (\"negative\" 0, \"positive\" 1) scale 0\n"
                  "  set ytics (\"negative\" 0, \"positive\" 1) scale 0 rotate by 90 center\n"
                  "  set xlabel \"predicted\"\n  set ylabel \"true\"\n"
                  "  do for [c=1:NC] {\n"
                  "    set title cells[c]\n"
                  "    plot \"%s.dat\" index (c-1) using 1:2:3 with image notitle, \\\n"
                  "         \"\" index (c-1) using 1:2:(sprintf(\"%%s %%d\\n%%.1f%%%%\", "
                  "strcol(5), column(4), 100*column(3))) with labels notitle\n"
                  "  }\n"
                  "  unset multiplot\n",
              f->name);
    return rp_script_end_save(c, f, &d, &o);
}

int rp_write_figures(const rp_ctx *c, rp_fig **figs, int *n)
{
    char dir[4096];
    *figs = NULL;
    *n = 0;
    snprintf(dir, sizeof dir, "%s/figures", c->dir);
    SC_TRY(sc_mkdir_p(dir));
    SC_TRY(fig_metrics(c, figs, n));
    SC_TRY(fig_per_fold(c, figs, n));
    for (int j = 0; j < c->rf->l; j++) SC_TRY(fig_roc(c, j, figs, n));
    for (int j = 0; j < c->rf->l; j++) SC_TRY(fig_confusion(c, j, figs, n));
    SC_TRY(fig_loss(c, figs, n));
    return 0;
fail:
    free(*figs);
    *figs = NULL;
    *n = 0;
    return -1;
}

/* The program to run: a path, or a name found on PATH (NULL if not found). */
static int find_program(const char *prog, char *out, size_t n)
{
    if (strchr(prog, '/')) {
        snprintf(out, n, "%s", prog);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        snprintf(out, n, "%.*s/%s", (int)len, len ? path : ".", prog);
        if (access(out, X_OK) == 0) return 1;
        path = end ? end + 1 : NULL;
    }
    return 0;
}

/* Run prog on script in dir; its output (warnings, errors) into log. */
static int run_gnuplot(const char *prog, const char *dir, const char *script, rp_buf *log,
                       int *status)
{
    int fd[2];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    SC_CHECK(pipe(fd) == 0, "pipe failed: %s", strerror(errno));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
    posix_spawn_file_actions_addclose(&fa, fd[1]);
    posix_spawn_file_actions_addchdir_np(&fa, dir);
    char *argv[] = {(char *)prog, (char *)script, NULL};
    int e = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    if (e != 0) {
        close(fd[0]);
        SC_FAIL("%s: cannot run: %s", prog, strerror(e));
    }
    char buf[4096];
    ssize_t got;
    while ((got = read(fd[0], buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0) rp_putn(log, buf, (size_t)got);
    close(fd[0]);
    while (waitpid(pid, status, 0) < 0)
        SC_CHECK(errno == EINTR, "waitpid failed: %s", strerror(errno));
    return 0;
fail:
    return -1;
}

int rp_render_figures(const rp_ctx *c, const char *gnuplot, const rp_fig *figs, int n,
                      char *note, size_t note_size)
{
    char prog[4096], dir[4096];
    if (!find_program(gnuplot ? gnuplot : "gnuplot", prog, sizeof prog)) {
        snprintf(note, note_size, "figures not rendered: %s not found (the scripts are in "
                 "%s/figures)", gnuplot ? gnuplot : "gnuplot", c->dir);
        return 0;
    }
    snprintf(dir, sizeof dir, "%s/figures", c->dir);
    for (int i = 0; i < n; i++) {
        char script[128];
        rp_buf log = {0};
        int status = 0;
        snprintf(script, sizeof script, "%s.gp", figs[i].name);
        if (run_gnuplot(prog, dir, script, &log, &status)) {
            rp_buf_free(&log);
            return -1;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            /* first line of gnuplot's complaint */
            const char *msg = log.p ? log.p : "";
            while (*msg == '\n') msg++;
            snprintf(note, note_size, "figures not rendered: %s %s failed: %.*s", prog, script,
                     (int)strcspn(msg, "\n"), msg);
            rp_buf_free(&log);
            return 0;
        }
        rp_buf_free(&log);
    }
    note[0] = '\0';
    return 1;
}
