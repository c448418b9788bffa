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

typedef struct {
    int k;            /* folds, >= 2 */
    int repeats;      /* >= 1: independent reshuffles */
    int stratify;     /* 1: balance patient label sets across folds */
    int by_patient;   /* 1: keep each patient's scans in one fold; 0: every scan is its own group */
} sc_fold_cfg;

/* assign[r * n + i] = fold of scan i in repeat r.  Errors (k < 2, more folds than patients, a
 * label set with fewer patients than folds when stratifying) name the field and suggest a fix.
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

#endif
