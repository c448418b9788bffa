/* results/summary.h: the across-fold summary of a results file: for every cell (architecture x
 * augmentation) and every per-job metric, the number of folds, mean, sd, the naive t interval
 * and the corrected resampled t interval (Nadeau-Bengio; Bouckaert-Frank with repeats), at the
 * file's confidence level.  Computed from the results file alone, written to /summary/table,
 * printed by `run` and used by `report`; beside it, pooled out-of-fold proportions (Wilson,
 * Clopper-Pearson), AUCs (DeLong), BCa bootstrap intervals over patients, and paired
 * comparisons of every two cells (corrected t-test, McNemar, Holm).  docs/report.md has the
 * layout of /summary and the definitions. */
#ifndef SC_RESULTS_SUMMARY_H
#define SC_RESULTS_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "results/results_read.h"
#include "stats/compare.h"

#define SC_METRIC_NAME 48
#define SC_LABEL_NAME 64 /* label names are shorter than 64 (docs/formats.md) */

/* One row of /summary/table. */
typedef struct {
    char architecture[SC_ROW_NAME];
    char augmentation[SC_ROW_NAME];
    char metric[SC_METRIC_NAME];
    int32_t n;  /* folds with a finite value */
    int32_t n_jobs, n_done, n_failed;
    double mean, sd;
    double naive_lo, naive_hi;
    double lo, hi; /* corrected resampled t interval (the default) */
    double level;
    double test_train_ratio;
} sc_summary_row;

/* Pooled out-of-fold proportions (/summary/pooled): one row per (cell, repeat, label, metric).
 * The counts of the done jobs of ONE repeat are summed, so that every scan counts at most once
 * (pooling repeats would count each scan R times and make the intervals too narrow).
 * label is a label name, "micro" (all labels pooled) or "set" (metric subset_accuracy: the whole
 * label set right).  metric: accuracy, precision, sensitivity, specificity, subset_accuracy.
 * n = 0 (e.g. no predicted positive): value and intervals are NaN. */
typedef struct {
    char architecture[SC_ROW_NAME];
    char augmentation[SC_ROW_NAME];
    int32_t cell, repeat;
    int32_t n_folds, n_folds_done; /* folds of the repeat, and the done ones pooled */
    char label[SC_LABEL_NAME];
    char metric[SC_METRIC_NAME];
    int64_t x, n;
    double value;
    double wilson_lo, wilson_hi;
    double cp_lo, cp_hi; /* Clopper-Pearson */
    double level;
} sc_pooled_row;

/* AUC of the pooled out-of-fold scores of one repeat, with DeLong's interval (/summary/auc).
 * NaN when the label has fewer than two positives or two negatives. */
typedef struct {
    char architecture[SC_ROW_NAME];
    char augmentation[SC_ROW_NAME];
    int32_t cell, repeat;
    char label[SC_LABEL_NAME];
    int64_t n_pos, n_neg;
    double auc, var, lo, hi, level;
} sc_auc_row;

/* BCa bootstrap over patients of a pooled macro metric of one repeat (/summary/bootstrap). */
typedef struct {
    char architecture[SC_ROW_NAME];
    char augmentation[SC_ROW_NAME];
    int32_t cell, repeat;
    char metric[SC_METRIC_NAME]; /* macro_f1, macro_accuracy */
    int64_t n_samples, n_patients;
    double estimate, lo, hi;
    double z0, accel;
    int32_t degenerate; /* ST_BCA_* flags (stats/bootstrap.h); -1: not computed (no sample) */
    int32_t resamples;
    uint64_t seed;
    double level;
} sc_boot_row;

/* One corrected resampled paired t-test on per-fold differences, as a row of report's
 * /summary/comparisons/ttest and a test of `compare` (results/compare.h) both hold it, filled by
 * sc_paired_ttest.  Not computed (n < 2, or no training scans): every number of res, p_holm and
 * test_train_ratio NaN, df = max(n - 1, 0), degenerate 1. */
typedef struct {
    int32_t n;           /* paired folds with a finite difference */
    st_ttest_result res; /* mean and sd of the differences, corrected interval lo..hi, t, df, p;
                          * degenerate: sd of the differences is 0 */
    double p_holm;       /* Holm over the test's family (sc_holm_rows), NaN where p is */
    double test_train_ratio, level;
} sc_paired_ttest;

/* The test of the n differences diff[], with sum_test / sum_train (the n_test and n_train of the
 * paired jobs) as its test/train ratio, at level.  -1 only when the t-test itself fails (the
 * caller prefixes the cells it compared). */
int sc_paired_ttest_run(const double *diff, int n, double sum_test, double sum_train,
                        double level, sc_paired_ttest *out);

/* Holm's adjustment over one family of n rows of `size` bytes: the double at p_off of each row
 * where it is not NaN; the adjusted values go to the double at adj_off (the other rows keep
 * theirs). */
int sc_holm_rows(void *rows, size_t size, size_t p_off, size_t adj_off, int n);

/* One McNemar test on the pooled paired predictions of two cells, as a row of report's
 * /summary/comparisons/mcnemar and a McNemar test of `compare` both hold it, filled by
 * sc_paired_mcnemar_run.  n = 0 (nothing to compare): b = c = 0, every p and chi2 NaN. */
typedef struct {
    int64_t n;             /* paired samples */
    st_mcnemar_result res; /* b, c, chi2, p_chi2, p_exact; exact_recommended: b + c < 25 */
    double p;              /* res.p_exact when exact_recommended, else res.p_chi2 */
    double p_holm;         /* Holm over the test's family (sc_holm_rows), NaN where p is */
} sc_paired_mcnemar;

/* The test of n paired samples: decisions a and b [n][l] (0/1) against truth [n][l]; label >= 0
 * that label right, -1 the whole label set (st_mcnemar_counts).  -1 only when the test itself
 * fails (the caller prefixes the cells it compared). */
int sc_paired_mcnemar_run(const float *a, const float *b, const uint8_t *truth, int64_t n, int l,
                          int label, sc_paired_mcnemar *out);

/* Corrected resampled paired t-test of cell a against cell b on the per-fold values of one
 * macro metric, over the (repeat, fold) pairs where both jobs are done
 * (/summary/comparisons/ttest).  p_holm: Holm over all pairs of cells for this metric. */
typedef struct {
    char a_architecture[SC_ROW_NAME], a_augmentation[SC_ROW_NAME];
    char b_architecture[SC_ROW_NAME], b_augmentation[SC_ROW_NAME];
    int32_t cell_a, cell_b;
    char metric[SC_METRIC_NAME];
    sc_paired_ttest tt; /* of the differences a - b */
} sc_ttest_row;

/* McNemar's test of cell a against cell b on the pooled out-of-fold predictions of one repeat,
 * over the folds where both jobs are done (/summary/comparisons/mcnemar).  label: a label name
 * (that label right) or "set" (the whole label set right).  b = #(a right, b wrong),
 * c = #(a wrong, b right).  p is the exact p when b + c < 25 (exact = 1), else the chi-square
 * p with continuity correction.  p_holm: Holm over all pairs of cells for this (repeat, label). */
typedef struct {
    char a_architecture[SC_ROW_NAME], a_augmentation[SC_ROW_NAME];
    char b_architecture[SC_ROW_NAME], b_augmentation[SC_ROW_NAME];
    int32_t cell_a, cell_b, repeat;
    char label[SC_LABEL_NAME];
    sc_paired_mcnemar mc; /* b: a right, b wrong */
} sc_mcnemar_row;

/* What to compute beyond /summary/table. */
typedef struct {
    int bootstrap; /* resamples B of the BCa intervals; 0 = no bootstrap */
    int table_only; /* only /summary/table (what `info` prints) */
} sc_summary_options;

/* The mark of a bound clipped to [0, 1] in the human-facing tables (summary.md, index.html,
 * tables.tex, run's and info's table, compare's): a section sign, distinct from the report's
 * dagger (folds missing) and double dagger (BCa fallback).  The CSVs and /summary keep the
 * unclipped bounds (docs/statistics.md section 6). */
#define SC_CLIP_MARK "\xc2\xa7"
#define SC_CLIP_LEGEND                                                                           \
    SC_CLIP_MARK " : bound clipped to [0, 1] (the metric is a proportion; the t interval "        \
                 "reaches past it with few or dispersed folds, and its own bound is kept in "     \
                 "/summary/table and summary.csv)"

/* "mean [lo, hi]" with 4 decimals for readers: `none` for a NaN mean, the mean alone without an
 * interval (NaN bounds).  With `clip` (intervals of proportions), bounds clipped to [0, 1]
 * (st_clip_unit), each clipped one followed by SC_CLIP_MARK.  Returns 1 if a bound was
 * clipped, else 0. */
int sc_interval_text(char *out, size_t n, double mean, double lo, double hi, const char *none,
                     int clip);

#define SC_SUMMARY_BOOTSTRAP_DEFAULT 2000
#define SC_SUMMARY_BOOTSTRAP_MAX 1000000

/* The one rule for the number of BCa resamples B (report.bootstrap, `report --bootstrap`, the
 * summary itself): 0 (no bootstrap) or ST_BCA_MIN_RESAMPLES to SC_SUMMARY_BOOTSTRAP_MAX, since a
 * single resample has no spread to build an interval from.  Returns 0, or -1 with a message that
 * the caller prefixes with where B came from.  Checked before anything runs. */
int sc_summary_bootstrap_check(int resamples);

typedef struct {
    int n_cells;
    char cell_arch[64][SC_ROW_NAME], cell_aug[64][SC_ROW_NAME];
    int n_metrics;
    sc_summary_row *rows; /* [n_cells][n_metrics] */
    double level, threshold;
    int bootstrap;        /* B used (0: none) */
    int n_pooled, n_auc, n_boot, n_ttest, n_mcnemar;
    sc_pooled_row *pooled;
    sc_auc_row *auc;
    sc_boot_row *boot;
    sc_ttest_row *ttest;
    sc_mcnemar_row *mcnemar;
} sc_summary;

/* Everything: the table, pooled proportions, AUCs, bootstrap (B = 2000) and comparisons. */
int sc_summary_compute(const sc_results_file *rf, sc_summary *s);
int sc_summary_compute_opts(const sc_results_file *rf, const sc_summary_options *opt,
                            sc_summary *s);
void sc_summary_free(sc_summary *s);
/* Replace /summary in the (closed) results file with s: /summary/table and, when computed,
 * /summary/pooled, /summary/auc, /summary/bootstrap, /summary/comparisons/{ttest,mcnemar}. */
int sc_summary_write(const char *path, const sc_summary *s);
/* The row of (cell, metric name), or NULL. */
const sc_summary_row *sc_summary_find(const sc_summary *s, int cell, const char *metric);
/* The pooled row of (cell, repeat, label, metric), or NULL. */
const sc_pooled_row *sc_summary_find_pooled(const sc_summary *s, int cell, int repeat,
                                            const char *label, const char *metric);
/* Copy the names of cell c into a row's architecture and augmentation fields. */
void sc_summary_cell_names(const sc_summary *s, int c, char arch[SC_ROW_NAME],
                           char aug[SC_ROW_NAME]);
/* Cell index of a job row, -1 if none. */
int sc_summary_cell_of(const sc_summary *s, const sc_job_row *r);

/* The tables of /summary, described field by field: the HDF5 compound types and the report's
 * CSV files are both built from these descriptions, so they cannot drift apart. */
typedef enum { SC_F_STR, SC_F_I32, SC_F_I64, SC_F_U64, SC_F_F64 } sc_field_kind;
typedef struct {
    const char *name;
    size_t offset;
    sc_field_kind kind;
    size_t size; /* of a string field */
} sc_field;
typedef struct {
    const char *path;        /* e.g. "/summary/pooled" */
    const char *description; /* stored as the dataset's `description` attribute */
    const sc_field *fields;
    int n_fields;
    size_t row_size;
} sc_table_desc;
enum { SC_T_TABLE, SC_T_POOLED, SC_T_AUC, SC_T_BOOT, SC_T_TTEST, SC_T_MCNEMAR, SC_N_TABLES };
extern const sc_table_desc sc_summary_tables[SC_N_TABLES];
/* Rows and row count of table t of s (rows NULL when it was not computed). */
const void *sc_summary_table_rows(const sc_summary *s, int t, int *n);

/* Text tables: one line per job with its macro metrics, then the paper-style cell table. */
void sc_summary_print_jobs(FILE *out, const sc_results_file *rf);
void sc_summary_print(FILE *out, const sc_results_file *rf, const sc_summary *s);

/* Internal steps of sc_summary_compute (results/summary_pooled.c, summary_compare.c), on the
 * loaded outputs of the done jobs. */
struct sc_cv_data;
int sc_summary_pooled(const sc_results_file *rf, const struct sc_cv_data *d, sc_summary *s);
int sc_summary_bootstrap(const sc_results_file *rf, const struct sc_cv_data *d, sc_summary *s);
int sc_summary_compare(const sc_results_file *rf, const struct sc_cv_data *d, sc_summary *s);

#endif
