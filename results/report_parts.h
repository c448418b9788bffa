/* results/report_parts.h: the parts of `spectcv report` (results/report*.c), which share one
 * read-only context: the results file, its summary and the outputs of its done jobs. */
#ifndef SC_RESULTS_REPORT_PARTS_H
#define SC_RESULTS_REPORT_PARTS_H

#include "results/report_doc.h"
#include "results/results_read.h"
#include "results/summary.h"
#include "results/summary_data.h"
#include "stats/reference.h"

typedef struct {
    const sc_results_file *rf;
    const sc_summary *s;
    const sc_cv_data *d;
    const char *dir;          /* the report folder */
    const char *results_name; /* basename of the results file (never its full path: the same
                                 file must give the same bytes wherever it lies) */
    int has_ref;              /* ref holds the trivial predictors' macro metrics on the truths */
    double ref[ST_REF_N][ST_N_BASIC];
    const sc_gan_result *gan; /* [rf->n_gan]: the done GAN jobs' outputs (job = -1: not done) */
} rp_ctx;

/* A figure: figures/NAME.gp (+ data), rendered to NAME.svg and NAME.png. */
typedef struct {
    char name[96];
    char caption[512];
} rp_fig;

/* Figure helpers (report_fig.c): register a figure; begin its script (provenance, the cells'
 * names and colours, the loop over SVG and PNG, a canvas of w x h); end it and save NAME.gp and
 * NAME.dat; a number for a data file (" NaN" for NaN). */
rp_fig *rp_new_fig(rp_fig **figs, int *n, const char *name, const char *caption);
void rp_script_begin(const rp_ctx *c, rp_buf *o, const rp_fig *f, int w, int h);
int rp_script_end_save(const rp_ctx *c, const rp_fig *f, rp_buf *d, rp_buf *o);
void rp_data_num(rp_buf *o, double v);

/* CSV fields: a string (quoted when it holds a comma, quote or newline); a double in the
 * shortest form that reads back to the same value (NaN: an empty field). */
void rp_csv_str(rp_buf *o, const char *s);
void rp_csv_double(rp_buf *o, double v);
/* summary.csv, per_fold.csv, predictions.csv and one CSV per /summary table. */
int rp_write_csv(const rp_ctx *c);
/* figures/: data files and gnuplot scripts; the list of figures (caller frees). */
int rp_write_figures(const rp_ctx *c, rp_fig **figs, int *n);
/* Run gnuplot on every script in figures/ (the working directory).  Returns 1 when every
 * figure was rendered, 0 when not (note says why), -1 on an error of ours. */
int rp_render_figures(const rp_ctx *c, const char *gnuplot, const rp_fig *figs, int n,
                      char *note, size_t note_size);
/* The GAN section (report_gan.c): its figures (loss curves, histograms: gnuplot; sample grids:
 * PNG files written here), and its text and tables.  Nothing when the sweep has no GAN job. */
int rp_gan_figures(const rp_ctx *c, rp_fig **figs, int *n);
void rp_section_gan(const rp_ctx *c, const rp_fig *figs, int n_figs, rp_doc *doc);

/* The whole document (summary.md, index.html and tables.tex render it). */
void rp_build_doc(const rp_ctx *c, const rp_fig *figs, int n_figs, int rendered, rp_doc *doc);

/* The sections of the document (results/report_tables.c). */
void rp_section_summary(const rp_ctx *c, rp_doc *doc);
void rp_section_pooled(const rp_ctx *c, rp_doc *doc);
void rp_section_labels(const rp_ctx *c, rp_doc *doc);
void rp_section_folds(const rp_ctx *c, rp_doc *doc);
void rp_section_comparisons(const rp_ctx *c, rp_doc *doc);

/* 1 when the done jobs predict at their own thresholds (train.validation), not the file's. */
int rp_own_thresholds(const rp_ctx *c);

/* Shared formatting: a number with 4 decimals, or an em dash for NaN; "mean [lo, hi]". */
void rp_num(char *out, size_t n, double v);
void rp_interval(char *out, size_t n, double mean, double lo, double hi);
/* A p-value: 4 decimals, or "<0.0001"-style scientific notation when smaller. */
void rp_pvalue(char *out, size_t n, double p);
/* "augmentation × architecture" of cell c. */
void rp_cell_name(const sc_summary *s, int c, char *out, size_t n);
/* The cells that name job j of a table: job, repeat, fold, augmentation, architecture, status. */
void rp_job_cells(rp_table *t, int j, const sc_job_row *r);
/* "95% Nadeau-Bengio corrected resampled t interval" (Bouckaert-Frank with repeats). */
void rp_interval_name(const rp_ctx *c, char *out, size_t n);

#endif
