/* folds/folds_internal.h: the patient groups shared by the powerset stage (folds.c), the
 * iterative stage (folds_iterative.c) and the quality figures (folds_quality.c). */
#ifndef SC_FOLDS_INTERNAL_H
#define SC_FOLDS_INTERNAL_H

#include <stdint.h>

#include "util/rng.h"

typedef struct {
    int64_t id;      /* patient id (or scan index when not grouping) */
    uint32_t key;    /* label set: bit j = label j present in any scan */
    int64_t scans;   /* number of scans */
    int32_t pos[16]; /* scans positive for label j */
    int16_t fold;
} sc_fold_group;

/* Groups (patients) sorted by id, with their label set, scan and positive counts; *n_groups of
 * them.  Labels are 0/1 per scan, l <= 16. */
sc_fold_group *sc_fold_groups(int64_t n, int l, const uint8_t *labels, const int64_t *patient,
                              int by_patient, int64_t *n_groups);

/* Iterative stratification (folds.c's top comment) of g[0..m), which have fold -1, into k
 * folds.  fold_scans[k] and fold_pos[k][l] hold what the folds already have (the powerset
 * stage's) and are updated; total_scans and total_pos[l] are the data set's.  rng breaks the
 * remaining ties. */
void sc_folds_iterative(sc_fold_group *g, int64_t m, int l, int k, int64_t total_scans,
                        const int64_t *total_pos, int64_t *fold_scans, int64_t *fold_pos,
                        sc_rng *rng);

#endif
