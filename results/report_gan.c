/* results/report_gan.c: the report's GAN section (docs/gan.md explains how to read it).
 *
 * For the done GAN jobs: a grid of real and synthetic scans per fold (PNG, written here with
 * data/preview.h), the loss curves and the intensity histograms (gnuplot), a table of the jobs,
 * the quality figures with their real-data reference (the same figure between two halves of the
 * real training scans), and train-on-synthetic / test-on-real beside the other cells. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/preview.h"
#include "results/report_parts.h"
#include "util/error.h"

/* "{metastasis, arthritis}" ("{}" for the empty set) for label set row y. */
static void set_name(const sc_results_file *rf, const uint8_t *y, char *out, size_t n)
{
    size_t k = (size_t)snprintf(out, n, "{");
    int first = 1;
    for (int j = 0; j < rf->l && k < n; j++)
        if (y[j]) {
            k += (size_t)snprintf(out + k, n - k, "%s%s", first ? "" : ", ", rf->label_names[j]);
            first = 0;
        }
    if (k < n) snprintf(out + k, n - k, "}");
}

/* The same in the previews' alphabet: "METASTASIS+ARTHRITIS", "NONE". */
static void set_title(const sc_results_file *rf, const uint8_t *y, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (int j = 0; j < rf->l && k + 1 < n; j++)
        if (y[j]) k += (size_t)snprintf(out + k, n - k, "%s%s", k ? "+" : "", rf->label_names[j]);
    if (!k) snprintf(out, n, "NO LABEL");
}

static int n_done(const rp_ctx *c)
{
    int n = 0;
    for (int g = 0; g < c->rf->n_gan; g++) n += c->gan[g].job >= 0;
    return n;
}

/* figures/gan_grid_rR_fF.png: per label set, the real examples then as many samples. */
static int grid(const rp_ctx *c, const sc_gan_result *g, const sc_job_row *row, char *name,
                size_t nn)
{
    const sc_results_file *rf = c->rf;
    const size_t per = (size_t)g->v * g->h * g->w;
    int cols = 0;
    for (int s = 0; s < g->n_sets; s++) {
        int k = 0;
        for (int e = 0; e < g->n_examples; e++)
            k += !memcmp(g->example_labels + (size_t)e * rf->l, g->label_sets + (size_t)s * rf->l,
                         (size_t)rf->l);
        if (k > cols) cols = k;
    }
    const int64_t per_set = g->n_synth / g->n_sets;
    if (cols > per_set) cols = (int)per_set;
    if (cols < 1) cols = 1;
    int rc = -1;
    const float **cells = sc_xcalloc((size_t)g->n_sets * 2 * (size_t)cols, sizeof *cells);
    float *synth = sc_xmalloc(sizeof(float) * per * (size_t)g->n_sets * (size_t)(cols ? cols : 1));
    char **titles = sc_xcalloc((size_t)g->n_sets, sizeof *titles);
    for (int s = 0; s < g->n_sets; s++) {
        const uint8_t *y = g->label_sets + (size_t)s * rf->l;
        int k = 0;
        for (int e = 0; e < g->n_examples && k < cols; e++)
            if (!memcmp(g->example_labels + (size_t)e * rf->l, y, (size_t)rf->l))
                cells[(size_t)s * 2 * cols + k++] = g->examples + (size_t)e * per;
        float *dst = synth + (size_t)s * cols * per;
        if (sc_results_read_gan_samples_range(rf, g, s * per_set, cols, dst)) goto fail;
        for (int q = 0; q < cols; q++) cells[(size_t)s * 2 * cols + cols + q] = dst + q * per;
        titles[s] = sc_xmalloc(256);
        set_title(rf, y, titles[s], 256);
    }
    snprintf(name, nn, "gan_grid_r%d_f%d", row->repeat, row->fold);
    char path[4300], title[128];
    snprintf(path, sizeof path, "%s/figures/%s.png", c->dir, name);
    snprintf(title, sizeof title, "REPEAT %d FOLD %d", row->repeat, row->fold);
    const char *heads[2] = {"REAL", "SYNTHETIC"};
    rc = sc_preview_grid(path, cells, g->n_sets, 2 * cols, g->h, g->w,
                         (const char *const *)titles, heads, cols, title);
fail:
    for (int s = 0; s < g->n_sets; s++) free(titles[s]);
    free(titles);
    free(synth);
    free(cells);
    return rc;
}

static int fig_loss(const rp_ctx *c, rp_fig **figs, int *nf)
{
    rp_fig *f = rp_new_fig(figs, nf, "gan_loss", "GAN training per epoch, one colour per GAN job "
                           "(repeat, fold, in the order of the table above): "
                           "the discriminator's and the generator's losses (left), and the "
                           "discriminator's mean output on real and on synthetic scans (right)");
    rp_buf d = {0}, o = {0};
    int epochs = 1, blocks = 0;
    for (int k = 0; k < c->rf->n_gan; k++) {
        const sc_gan_result *g = &c->gan[k];
        if (g->job < 0) continue;
        const sc_job_row *r = &c->rf->gan_rows[k];
        rp_printf(&d, "%s# job %04d, repeat %d, fold %d: epoch, D loss, G loss, D(real), "
                  "D(fake)\n", blocks ? "\n\n" : "", g->job, r->repeat, r->fold);
        for (int e = 0; e < g->epochs; e++) {
            rp_printf(&d, "%d", e + 1);
            rp_data_num(&d, g->loss_d[e]);
            rp_data_num(&d, g->loss_g[e]);
            rp_data_num(&d, g->d_real[e]);
            rp_data_num(&d, g->d_fake[e]);
            rp_puts(&d, "\n");
        }
        if (g->epochs > epochs) epochs = g->epochs;
        blocks++;
    }
    rp_script_begin(c, &o, f, 900, 340);
    rp_printf(&o, "  NB = %d\n  set multiplot layout 1,2\n  set xrange [1:%d]\n"
                  "  set grid lc rgb \"#dddddd\"\n  set xlabel \"epoch\"\n  set key top right\n"
                  "  set title \"losses (solid: D, dashed: G)\"\n  set yrange [0:*]\n"
                  "  plot for [b=0:NB-1] \"gan_loss.dat\" index b using 1:2 with lines "
                  "lw 1.5 lc b %% 8 + 1 notitle, \\\n"
                  "       for [b=0:NB-1] \"gan_loss.dat\" index b using 1:3 with lines dt 2 "
                  "lw 1.5 lc b %% 8 + 1 notitle\n"
                  "  set title \"D's output (solid: real, dashed: synthetic)\"\n"
                  "  set yrange [0:1]\n"
                  "  plot for [b=0:NB-1] \"gan_loss.dat\" index b using 1:4 with lines "
                  "lw 1.5 lc b %% 8 + 1 notitle, \\\n"
                  "       for [b=0:NB-1] \"gan_loss.dat\" index b using 1:5 with lines dt 2 "
                  "lw 1.5 lc b %% 8 + 1 notitle\n"
                  "  unset multiplot\n",
              blocks, epochs > 1 ? epochs : 2);
    return rp_script_end_save(c, f, &d, &o);
}

/* Histograms of the GAN's intensities, real against synthetic, each the mean over the folds. */
static int fig_hist(const rp_ctx *c, rp_fig **figs, int *nf)
{
    const sc_gan_result *g0 = NULL;
    for (int k = 0; k < c->rf->n_gan && !g0; k++)
        if (c->gan[k].job >= 0) g0 = &c->gan[k];
    rp_fig *f = rp_new_fig(figs, nf, "gan_hist", "Pixel intensities of the real training scans "
                           "(solid) and of the samples (dashed) in the GAN's intensity space "
                           "(2 sqrt(x / m) - 1; docs/gan.md), one panel per view, mean over the "
                           "folds; log scale");
    rp_buf d = {0}, o = {0};
    const int v = g0->v, bins = g0->bins;
    for (int view = 0; view < v; view++) {
        rp_printf(&d, "%s# view %d: bin centre, real share, synthetic share\n",
                  view ? "\n\n" : "", view);
        for (int b = 0; b < bins; b++) {
            double real = 0, syn = 0;
            int n = 0;
            for (int k = 0; k < c->rf->n_gan; k++) {
                const sc_gan_result *g = &c->gan[k];
                if (g->job < 0 || g->v != v || g->bins != bins) continue;
                real += g->hist_real[(size_t)view * bins + b];
                syn += g->hist_synth[(size_t)view * bins + b];
                n++;
            }
            rp_printf(&d, "%.6g", -1.0 + (2.0 * b + 1.0) / bins);
            rp_data_num(&d, real / n > 0 ? real / n : NAN);
            rp_data_num(&d, syn / n > 0 ? syn / n : NAN);
            rp_puts(&d, "\n");
        }
    }
    rp_script_begin(c, &o, f, 420 * v, 320);
    rp_printf(&o, "  set multiplot layout 1,%d\n  set xrange [-1:1]\n  set logscale y\n"
                  "  set grid lc rgb \"#dddddd\"\n  set xlabel \"intensity (GAN space)\"\n"
                  "  set ylabel \"share of pixels\"\n"
                  "  do for [view=0:%d] {\n"
                  "    set title sprintf(\"view %%d\", view + 1)\n"
                  "    plot \"gan_hist.dat\" index view using 1:2 with steps lw 1.5 "
                  "lc rgb colors[1] title \"real\", \\\n"
                  "         \"gan_hist.dat\" index view using 1:3 with steps dt 2 lw 1.5 "
                  "lc rgb \"#D55E00\" title \"synthetic\"\n"
                  "  }\n  unset multiplot\n",
              v, v - 1);
    return rp_script_end_save(c, f, &d, &o);
}

/* The grids are drawn for scans of two views (the previews' layout). */
static int has_grid(const sc_gan_result *g) { return g->job >= 0 && g->v == 2; }

int rp_gan_figures(const rp_ctx *c, rp_fig **figs, int *n)
{
    if (!c->rf->n_gan || !n_done(c)) return 0;
    SC_TRY(fig_loss(c, figs, n));
    SC_TRY(fig_hist(c, figs, n));
    for (int k = 0; k < c->rf->n_gan; k++) {
        char name[96];
        if (has_grid(&c->gan[k])) SC_TRY(grid(c, &c->gan[k], &c->rf->gan_rows[k], name, sizeof name));
    }
    return 0;
fail:
    return -1;
}

/* The cell (augmentation, architecture), -1 if absent. */
static int cell_of(const sc_summary *s, const char *aug, const char *arch)
{
    for (int k = 0; k < s->n_cells; k++)
        if (!strcmp(s->cell_aug[k], aug) && !strcmp(s->cell_arch[k], arch)) return k;
    return -1;
}

/* Train on synthetic, test on real: every architecture's synthetic cell beside its original and
 * GAN-augmented cells (macro F1 with its interval; pooled AUC per label, repeat 0). */
static void tstr_table(const rp_ctx *c, rp_doc *doc)
{
    const sc_summary *s = c->s;
    const sc_results_file *rf = c->rf;
    int any = 0;
    for (int k = 0; k < s->n_cells; k++) any |= !strcmp(s->cell_aug[k], "synthetic");
    if (!any) {
        rp_para(doc, "Train on synthetic, test on real: not measured in this sweep (add "
                "`\"synthetic\"` to `augmentations`: a classifier trained on the samples alone, "
                "tested on the real test fold).");
        return;
    }
    rp_para(doc, "Train on synthetic, test on real: each architecture trained on the GAN's "
            "samples alone (`synthetic`) and tested on the real test fold, beside the same "
            "architecture trained on the real scans (`original`) and on both. A synthetic score "
            "near the real one means the samples carry the labels' signal; near the trivial "
            "predictors (first table of this report), that they do not.");
    const int ncol = 3 + rf->l;
    const char **head = sc_xmalloc(sizeof *head * (size_t)ncol);
    char (*auc_head)[80] = sc_xmalloc(sizeof *auc_head * (size_t)rf->l);
    head[0] = "architecture";
    head[1] = "trained on";
    head[2] = "macro F1";
    for (int j = 0; j < rf->l; j++) {
        snprintf(auc_head[j], sizeof auc_head[j], "AUC %s", rf->label_names[j]);
        head[3 + j] = auc_head[j];
    }
    char align[32];
    memset(align, 'r', sizeof align);
    align[0] = align[1] = 'l';
    align[ncol < 31 ? ncol : 31] = '\0';
    rp_table *t = rp_table_new(ncol, head, align);
    int clipped = 0;
    for (int k = 0; k < s->n_cells; k++) {
        if (strcmp(s->cell_aug[k], "synthetic")) continue;
        const char *arch = s->cell_arch[k];
        for (int a = 0; a < s->n_cells; a++) {
            if (strcmp(s->cell_arch[a], arch)) continue;
            const char *aug = s->cell_aug[a];
            if (strcmp(aug, "synthetic") && strcmp(aug, "original") && !strstr(aug, "gan"))
                continue;
            char v[96];
            const sc_summary_row *r = sc_summary_find(s, cell_of(s, aug, arch), "macro_f1");
            rp_cell(t, "%s", arch);
            rp_cell(t, "%s", aug);
            if (r) clipped |= sc_interval_text(v, sizeof v, r->mean, r->lo, r->hi,
                                              "\xe2\x80\x94", 1);
            else snprintf(v, sizeof v, "\xe2\x80\x94");
            rp_cell(t, "%s", v);
            for (int j = 0; j < rf->l; j++) {
                double auc = NAN;
                for (int i = 0; i < s->n_auc; i++)
                    if (s->auc[i].cell == a && s->auc[i].repeat == 0 &&
                        !strcmp(s->auc[i].label, rf->label_names[j]))
                        auc = s->auc[i].auc;
                rp_num(v, sizeof v, auc);
                rp_cell(t, "%s", v);
            }
        }
    }
    rp_add_table(doc, t, "Train on synthetic, test on real (macro F1 over the folds with its "
                 "interval; pooled AUC of repeat 0)", "tab:tstr");
    if (clipped) rp_para(doc, "%s.", SC_CLIP_LEGEND);
    free(head);
    free(auc_head);
}

static void jobs_table(const rp_ctx *c, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    static const char *const head[] = {"job", "repeat", "fold", "status", "seconds",
                                       "training scans", "samples", "D loss", "G loss",
                                       "D(real)", "D(fake)"};
    rp_table *t = rp_table_new(11, head, "lrrlrrrrrrr");
    for (int k = 0; k < rf->n_gan; k++) {
        const sc_job_row *r = &rf->gan_rows[k];
        const sc_gan_result *g = &c->gan[k];
        char v[4][32];
        for (int q = 0; q < 4; q++) snprintf(v[q], sizeof v[q], "\xe2\x80\x94");
        if (g->job >= 0 && g->epochs > 0) {
            const int e = g->epochs - 1;
            rp_num(v[0], sizeof v[0], g->loss_d[e]);
            rp_num(v[1], sizeof v[1], g->loss_g[e]);
            rp_num(v[2], sizeof v[2], g->d_real[e]);
            rp_num(v[3], sizeof v[3], g->d_fake[e]);
        }
        rp_cell(t, "%04d", r->id);
        rp_cell(t, "%d", r->repeat);
        rp_cell(t, "%d", r->fold);
        rp_cell(t, "%s%s%s", sc_job_status_name(r->status), r->status == SC_JOB_FAILED ? ": " : "",
                r->status == SC_JOB_FAILED ? r->message : "");
        rp_cell(t, "%.1f", r->seconds);
        rp_cell(t, "%lld", (long long)r->n_train);
        rp_cell(t, "%lld", (long long)r->n_synth);
        for (int q = 0; q < 4; q++) rp_cell(t, "%s", v[q]);
    }
    rp_add_table(doc, t, NULL, NULL);
}

/* Mean and range over the done GAN jobs of x(g) (NaN-free values only). */
static void stat_cell(rp_table *t, const double *x, int n)
{
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i])) sum += x[i], m++, lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
    if (!m) rp_cell(t, "\xe2\x80\x94");
    else if (m == 1) rp_cell(t, "%.4f", sum);
    else rp_cell(t, "%.4f (%.4f to %.4f)", sum / m, lo, hi);
}

static void quality_tables(const rp_ctx *c, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    const int n = rf->n_gan;
    double *a = sc_xmalloc(sizeof(double) * (size_t)n), *b = sc_xmalloc(sizeof(double) * (size_t)n);
    const sc_gan_result *g0 = NULL;
    for (int k = 0; k < n && !g0; k++)
        if (c->gan[k].job >= 0) g0 = &c->gan[k];
    rp_para(doc, "How close the samples are to the real scans, over the done GAN jobs (mean, and "
            "range over the folds). Each figure has its reference: the same figure between two "
            "halves of the real training scans (even and odd places in the training list), the "
            "agreement that real data reaches. Samples as close to the real scans as one half of "
            "them is to the other would score the reference.");
    static const char *const h1[] = {"view", "W\xe2\x82\x81 samples vs real",
                                     "W\xe2\x82\x81 real half vs half"};
    rp_table *t = rp_table_new(3, h1, "lrr");
    for (int v = 0; v < g0->v; v++) {
        for (int k = 0; k < n; k++) {
            const sc_gan_result *g = &c->gan[k];
            a[k] = g->job >= 0 && v < g->v ? g->hist_w1[v * 2] : NAN;
            b[k] = g->job >= 0 && v < g->v ? g->hist_w1[v * 2 + 1] : NAN;
        }
        rp_cell(t, "%d", v + 1);
        stat_cell(t, a, n);
        stat_cell(t, b, n);
    }
    rp_add_table(doc, t, NULL, NULL);
    rp_para(doc, "W\xe2\x82\x81: the Wasserstein-1 distance between the pixel intensity "
            "histograms, in the GAN's intensity units (its range [-1, 1] is 2 wide). Below: the "
            "root mean square difference between the mean scan of a label set made by the GAN "
            "and the mean of the real scans of that set, in normalized intensities (the "
            "classifier's), per label set.");
    static const char *const h2[] = {"label set", "folds", "RMSE samples vs real",
                                     "RMSE real half vs half"};
    t = rp_table_new(4, h2, "lrrr");
    for (int s = 0; s < g0->n_sets; s++) { /* the sets of the first job; others by name */
        const uint8_t *y = g0->label_sets + (size_t)s * rf->l;
        int m = 0;
        for (int k = 0; k < n; k++) {
            const sc_gan_result *g = &c->gan[k];
            a[k] = b[k] = NAN;
            if (g->job < 0) continue;
            for (int q = 0; q < g->n_sets; q++)
                if (!memcmp(g->label_sets + (size_t)q * rf->l, y, (size_t)rf->l)) {
                    a[k] = g->mean_rmse[q * 2];
                    b[k] = g->mean_rmse[q * 2 + 1];
                    m++;
                }
        }
        char name[256];
        set_name(rf, y, name, sizeof name);
        rp_cell(t, "%s", name);
        rp_cell(t, "%d", m);
        stat_cell(t, a, n);
        stat_cell(t, b, n);
    }
    rp_add_table(doc, t, NULL, NULL);
    free(a);
    free(b);
}

void rp_section_gan(const rp_ctx *c, const rp_fig *figs, int n_figs, rp_doc *doc)
{
    const sc_results_file *rf = c->rf;
    if (!rf->n_gan) return;
    rp_heading(doc, 1, "GAN augmentation");
    const int done = n_done(c);
    const sc_gan_result *g0 = NULL;
    for (int k = 0; k < rf->n_gan && !g0; k++)
        if (c->gan[k].job >= 0) g0 = &c->gan[k];
    rp_para(doc, "Each fold's training part trained its own conditional DCGAN (a generator and a "
            "discriminator, both architecture files; `%s`), on the training scans only: the "
            "fold's test scans never reach it (each GAN job stores the scans it trained on; "
            "`train_index`). %d of %d GAN jobs are done.", rf->gan_rows[0].architecture, done,
            rf->n_gan);
    if (g0)
        rp_para(doc, "The GANs work at %d \xc3\x97 %d pixels per view, trained for %d epochs, "
                "and made %lld samples per label set of their training part (the first job: "
                "%lld samples, %d label sets); the classifiers get them resized to their input. "
                "Read docs/gan.md for what the figures below mean and what the dSPIC paper did "
                "and did not specify.", g0->h, g0->w, g0->epochs,
                (long long)(g0->n_synth / g0->n_sets), (long long)g0->n_synth, g0->n_sets);
    jobs_table(c, doc);
    if (!done) {
        rp_para(doc, "No GAN job is done: no samples to show.");
        return;
    }
    quality_tables(c, doc);
    tstr_table(c, doc);
    for (int i = 0; i < n_figs; i++)
        if (!strncmp(figs[i].name, "gan_", 4)) rp_figure(doc, figs[i].name, figs[i].caption);
    for (int k = 0; k < rf->n_gan; k++) {
        if (!has_grid(&c->gan[k]) || rf->gan_rows[k].repeat > 0) continue; /* repeat 0 here */
        char name[96], cap[256];
        snprintf(name, sizeof name, "gan_grid_r%d_f%d", rf->gan_rows[k].repeat,
                 rf->gan_rows[k].fold);
        snprintf(cap, sizeof cap, "Repeat %d, fold %d: real training scans (left) and samples "
                 "(right) of each label set, at the GAN's resolution, each scan windowed as "
                 "`spectcv synth --preview` does", rf->gan_rows[k].repeat, rf->gan_rows[k].fold);
        rp_image(doc, name, cap);
    }
    if (rf->repeats > 1)
        rp_para(doc, "The grids of the other repeats are in `figures/gan_grid_r*_f*.png`.");
}
