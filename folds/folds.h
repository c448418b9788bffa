/* folds/folds.h: patient-grouped, label-stratified, repeated k-fold assignment.
 *
 * All scans of a patient go to the same fold (a patient's follow-up scans in the training set
 * would leak).  Stratification is on the patient's label set (the OR of its scans' labels, a
 * label powerset: with 3 labels at most 8 strata), so that every fold sees every disease pattern
 * in about the same proportion: StratifiedGroupKFold semantics, deterministic from the seed.
 * The assignment is computed once, by every rank identically, and stored in the results file. */
#ifndef SC_FOLDS_FOLDS_H
#define SC_FOLDS_FOLDS_H

#include <stdint.h>

/* At most this many labels: SC_DS_MAX_LABELS of data/dataset.h, which folds/ may not include
 * (scripts/check-layering); jobs/experiment.c asserts that the two agree. */
#define SC_FOLDS_MAX_LABELS 16
#include <stdio.h>

/* folds.stratify: how patients are balanced across folds. */
enum {
    SC_STRATIFY_NONE = 0,      /* false: fold sizes only */
    SC_STRATIFY_AUTO = 1,      /* true: label powerset; the label sets with fewer patients than
                                * folds by iterative stratification */
    SC_STRATIFY_POWERSET = 2,  /* "powerset": label powerset only, a rare label set is an error */
    SC_STRATIFY_ITERATIVE = 3, /* "iterative": iterative stratification of every patient */
};

typedef struct {
    int k;            /* folds, >= 2 */
    int repeats;      /* >= 1: independent reshuffles */
    int stratify;     /* SC_STRATIFY_* */
    int by_patient;   /* 1: keep each patient's scans in one fold; 0: every scan is its own group */
} sc_fold_cfg;

/* assign[r * n + i] = fold of scan i in repeat r.  Errors (k < 2, more folds than patients, a
 * label set with fewer patients than folds under SC_STRATIFY_POWERSET) name the field and
 * suggest a fix.
 * label_names may be NULL (then labels are numbered in messages). */
int sc_folds_assign(int64_t n, int l, const uint8_t *labels, const int64_t *patient,
                    const char *const *label_names, const sc_fold_cfg *cfg, uint64_t seed,
                    int16_t *assign);

/* Number of scans of repeat r in fold f (test size) and elsewhere (training size). */
void sc_folds_sizes(const int16_t *assign_r, int64_t n, int f, int64_t *n_test, int64_t *n_train);

/* Indices of the test scans (fold == f) or training scans (fold != f) of one repeat, in
 * increasing order; returns the count.  out must hold n entries. */
int64_t sc_folds_indices(const int16_t *assign_r, int64_t n, int f, int test, int64_t *out);

/* 0 if every scan of idx [m] is outside test fold f of this repeat; -1 with an error naming
 * the first that is not (or is no scan).  Whatever learns from a fold's training part (a
 * classifier, a GAN) checks its scans with this before it reads them. */
int sc_folds_check_train(const int16_t *assign_r, int64_t n, int f, const int64_t *idx, int64_t m);

/* The label sets with fewer patients (scans when not grouping) than k: their number, and the
 * patients they hold in *patients.  Under SC_STRATIFY_AUTO these patients are the ones assigned
 * by iterative stratification. */
int64_t sc_folds_rare_sets(int64_t n, int l, const uint8_t *labels, const int64_t *patient,
                           int k, int by_patient, int64_t *patients);

/* Fold quality of one repeat.  Columns: 0 patients, 1 scans, 2 + j the scans positive for
 * label j.  The ideal count of a column in a fold is total / k; the deviation of a fold is
 * |count - total / k|, absolute (in patients or scans) and relative to total / k (0 when the
 * total is 0). */
#define SC_FQ_COLS (2 + 16)
typedef struct {
    int k, ncol;                /* ncol = 2 + labels */
    int64_t *count;             /* [k][ncol]: the test fold's counts */
    int64_t total[SC_FQ_COLS];  /* over the data set (patients: distinct ids) */
    double dev_abs[SC_FQ_COLS]; /* largest deviation over the folds, absolute */
    double dev_rel[SC_FQ_COLS]; /* ... relative to total / k */
    int dev_fold[SC_FQ_COLS];   /* the fold with the largest relative (then absolute) one */
} sc_fold_quality;

/* Fills q (free with sc_folds_quality_free) from one repeat's assignment.  A patient is
 * counted in every fold that holds one of its scans (only ungrouped folds split patients). */
int sc_folds_quality(const int16_t *assign_r, int64_t n, int l, const uint8_t *labels,
                     const int64_t *patient, int k, sc_fold_quality *q);
void sc_folds_quality_free(sc_fold_quality *q);

/* Prints repeat 0's table (a line per fold, the first 10 only when k > 20; the ideal and the
 * largest relative deviation per column over every fold) and, for more repeats, the largest deviation of each column over all of them. */
int sc_folds_quality_print(FILE *out, const int16_t *assign, int repeats, int64_t n, int l,
                           const uint8_t *labels, const int64_t *patient, int k,
                           const char *const *label_names);

#endif
