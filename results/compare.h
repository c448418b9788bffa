/* results/compare.h: several results files side by side (`spectcv compare`, docs/report.md).
 *
 * The files must hold the same experiment design where it matters for a comparison: the same
 * data set (dataset_hash, the scans and their labels) and the same folds (repeats, k and the
 * whole /folds/assignment, compared by hash and then scan by scan).  Their experiments and
 * architectures may differ: that is the point (an ablation read against the baseline run).
 *
 * The first file is the reference.  For every chosen per-job metric, each file's cells get their
 * mean and corrected resampled t interval over folds (/summary/table's numbers, from the file
 * alone); then every cell of another file is tested against the reference's cell of the same
 * (augmentation, architecture), and, when a baseline cell of the reference is named, against that
 * baseline too: the corrected resampled paired t-test (stats/compare.h, the test `report` runs
 * between the cells of one file) on the per-fold differences other - reference over the
 * (repeat, fold) pairs where both jobs are done, with Holm's adjustment over the tests of each
 * metric; and for the same pairs of cells, McNemar's test on the pooled out-of-fold predictions
 * of each repeat (the whole label set right, at the reference's threshold), with Holm over the
 * tests of each repeat. */
#ifndef SC_RESULTS_COMPARE_H
#define SC_RESULTS_COMPARE_H

#include <stdio.h>

#include "results/results_read.h"
#include "results/summary.h"

#define SC_CMP_MAX_FILES 64
#define SC_CMP_MAX_METRICS 32

typedef struct {
    int n_paths;
    const char *const *paths;     /* [n_paths], the first is the reference */
    int n_metrics;                /* 0: macro_f1 and macro_accuracy */
    const char *const *metrics;   /* names, or NAME for macro_NAME (f1, accuracy, ...) */
    const char *baseline;         /* "AUGMENTATION/ARCHITECTURE" of the reference, or NULL */
    int partial;                  /* compare files with jobs not done, on their done folds */
} sc_compare_options;

/* One cell of one file for one metric (its /summary/table row). */
typedef struct {
    int file, cell, metric;
    sc_summary_row row;
} sc_cmp_cell;

/* One paired test: a cell of file `file` against a cell of the reference (file 0). */
typedef struct {
    int file, cell;     /* the other cell */
    int ref_cell;       /* the reference's cell */
    int metric;
    int baseline;       /* 1: against the named baseline; 0: the same (augmentation, arch) */
    sc_paired_ttest tt; /* of the differences other - reference (report's test, summary.h) */
} sc_cmp_test;

/* One McNemar test: the same pair of cells, the pooled predictions of one repeat's paired folds
 * (b = #(reference right, other wrong), c = #(reference wrong, other right)). */
typedef struct {
    int file, cell, ref_cell, baseline, repeat;
    sc_paired_mcnemar mc; /* b: reference right, other wrong */
} sc_cmp_mcnemar;

typedef struct {
    int n_files;
    sc_results_file *rf;             /* [n_files] */
    sc_summary *s;                   /* [n_files]: /summary/table of each file */
    int n_metrics;
    char metrics[SC_CMP_MAX_METRICS][SC_METRIC_NAME];
    int baseline_cell;               /* reference cell named by --baseline, -1 if none */
    int n_cells;
    sc_cmp_cell *cells;              /* by metric, then file, then cell */
    int n_tests;
    sc_cmp_test *tests;              /* by metric, then file, then cell */
    int n_mcnemar;
    sc_cmp_mcnemar *mcnemar;         /* by repeat, then the pairs of the tests of one metric */
    char notes[1024];                /* incomplete files, differing thresholds (may be "") */
} sc_comparison;

/* Open every file, refuse them unless they are comparable (errors name the file and what
 * differs), compute the cells and the tests.  On failure, cmp is left empty. */
int sc_compare_build(const sc_compare_options *opt, sc_comparison *cmp);
void sc_compare_free(sc_comparison *cmp);

/* The McNemar tests of the pairs of cells of the first metric's tests (compare_mcnemar.c). */
int sc_compare_mcnemar(sc_comparison *cmp);

/* The table of the comparison (stdout's). */
void sc_compare_print(FILE *out, const sc_comparison *cmp);
/* The CSV: one row per (metric, file, cell), kind "cell", then one per test, kind "test", then
 * one per McNemar test, kind "mcnemar". */
int sc_compare_write_csv(const sc_comparison *cmp, const char *path);

/* Pure parts, tested on their own. */
/* Split "AUGMENTATION/ARCHITECTURE" at the first '/' (augmentation names have none; an
 * architecture named by path may).  -1 with an error when either part is empty or too long. */
int sc_compare_parse_cell(const char *spec, char aug[SC_ROW_NAME], char arch[SC_ROW_NAME]);
/* The per-fold differences other - reference of one metric: for each done job of the reference
 * cell (in job order), the done job of the other cell at the same (repeat, fold), both values
 * finite.  ref_vals/other_vals: the metric of every job (NaN when not done).  Writes diff[] and
 * the sums of n_test and n_train of the reference's paired jobs; returns the number of pairs. */
int sc_compare_pair_folds(const sc_job_row *ref_rows, const double *ref_vals, int ref_n,
                          const int *ref_in_cell, const sc_job_row *oth_rows,
                          const double *oth_vals, int oth_n, const int *oth_in_cell,
                          double *diff, double *sum_test, double *sum_train);

#endif
