/* results/report.h: `spectcv report`: build, from a results file alone, a folder with the
 * paper-style tables and the statistics of the sweep:
 *
 *   summary.md      the report in Markdown (tables, comparisons, failed or missing jobs,
 *                   provenance, the experiment)
 *   index.html      the same, self-contained (figures embedded), for a browser
 *   tables.tex      the main tables for LaTeX (booktabs)
 *   summary.csv, per_fold.csv, predictions.csv, pooled.csv, auc.csv, bootstrap.csv,
 *   ttest.csv, mcnemar.csv
 *   figures/        gnuplot scripts and data, rendered to SVG and PNG when gnuplot is found
 *
 * The same results file gives the same bytes (no date, no path of the report folder).  A sweep
 * still running or interrupted is reported with what is missing marked.  docs/report.md. */
#ifndef SC_RESULTS_REPORT_H
#define SC_RESULTS_REPORT_H

#include <stddef.h>

typedef struct {
    int bootstrap;       /* BCa resamples (0: no bootstrap) */
    int render;          /* 1: render the figures when gnuplot is found; 0: scripts only */
    const char *gnuplot; /* the gnuplot program (a name on PATH, or a path); NULL: "gnuplot" */
} sc_report_options;

/* bootstrap 2000, render on, gnuplot from PATH. */
void sc_report_options_default(sc_report_options *o);

typedef struct {
    int figures_rendered; /* 1 if every figure was rendered to SVG and PNG */
    char note[1024];      /* why not, when not (for the command to print) */
} sc_report_result;

/* The default folder of a results file: its basename without ".h5", then "_report", in the
 * working directory (results/run1.h5 -> run1_report). */
int sc_report_default_dir(const char *results_path, char *out, size_t n);

/* Build the report of results_path in dir (created if needed; files in it are replaced).
 * Errors (missing file, not HDF5, not a results file, a damaged job, an unwritable folder)
 * return -1 with a message naming the file. */
int sc_report_build(const char *results_path, const char *dir, const sc_report_options *opt,
                    sc_report_result *res);

#endif
