/* jobs/validation.h: train.validation, model selection that never looks at the test fold
 * (docs/config.md, "Validation patients").
 *
 * The split.  Each training part (repeat r, fold f) holds out a fraction of its PATIENTS (all
 * their scans; each scan its own group with folds.group = "none"), stratified like the folds by
 * the patient's label set: per label set, round-down of the fraction of its patients, then the
 * remainders go to the label sets with the largest remainders (ties: the smaller set code) until
 * round(fraction x patients) are held out (at least 1, and at least 1 patient left to train on).
 * Which patients of a set: the first of its patients (sorted by id) after a Fisher-Yates shuffle
 * seeded with mix(seed, r, f, TAG, 0), one stream over the sets in code order.  It depends on
 * (seed, r, f) only: every job of a fold (each augmentation, each architecture) holds out the
 * same patients, so their comparisons stay paired.  GAN jobs ignore it (docs/config.md says why).
 *
 * The selection.  After every epoch a job scores its validation scans in eval mode: the mean
 * loss (the training loss, with its positive weights) and the macro F1 at report.threshold.  The
 * best epoch is the one with the lowest loss (train.select = "loss") or the highest macro F1
 * ("f1"), the earliest among equals; a non-finite loss is never the best.  With train.patience
 * = N > 0 the training stops once N epochs in a row have not improved on the best.  The job then
 * takes the best epoch's network back, chooses each label's threshold on its validation scores
 * (stats/threshold.h), and only then scores the test fold, at those thresholds. */
#ifndef SC_JOBS_VALIDATION_H
#define SC_JOBS_VALIDATION_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/experiment.h"
#include "jobs/grid.h"
#include "nn/nn.h"

/* ---- the split (pure) ---- */

/* The validation scans of training part f of one repeat (assign_r [n]): val [n] receives them in
 * increasing order; returns their count, *n_groups the patients held out (NULL: not wanted), or
 * -1 with an error when the training part has fewer than 2 patients.  patient NULL: every scan
 * is its own patient. */
int64_t sc_val_split(const int16_t *assign_r, int64_t n, int f, const uint8_t *truth, int l,
                     const int64_t *patient, double fraction, uint64_t seed, int32_t *val,
                     int64_t *n_groups);

/* The seed of the split of (repeat, fold) from the experiment's seed. */
uint64_t sc_val_seed(uint64_t base, int repeat, int fold);

/* Every training part's split, index [r * k + f]. */
typedef struct {
    int parts;           /* repeats x k */
    int64_t *count;      /* [parts] validation scans */
    int64_t *patients;   /* [parts] validation patients */
    int32_t **index;     /* [parts][count] scans, increasing */
    /* the same per job (sc_val_splits_by_job; a GAN job's: none), as the results layout
     * takes them (results.h: val_count, val_patients, val_index) */
    int64_t *job_count, *job_patients;
    const int32_t **job_index;
} sc_val_splits;

/* All splits of e (e->validation > 0).  Errors name the experiment file and the part. */
int sc_val_splits_make(const sc_experiment *e, const int16_t *assign, int64_t n,
                       const uint8_t *truth, int l, const int64_t *patient, sc_val_splits *vs);
void sc_val_splits_free(sc_val_splits *vs);
void sc_val_splits_by_job(sc_val_splits *vs, const sc_job *jobs, int n_jobs, int k);

/* Remove the scans of val [n_val] (increasing) from train [n_train] (increasing), in place;
 * returns the new count. */
int64_t sc_val_remove(int64_t *train, int64_t n_train, const int32_t *val, int64_t n_val);

/* ---- the selection (pure) ---- */

enum { SC_VAL_IMPROVED = 1, SC_VAL_STOP = 2 };

typedef struct {
    sc_select_mode select;
    int patience;      /* 0: never stop early */
    int best;          /* the best epoch so far, -1 before the first */
    double best_value; /* its loss, or its F1 */
    int since;         /* epochs since the best */
} sc_val_select;

void sc_val_select_init(sc_val_select *s, sc_select_mode select, int patience);
/* Epoch `epoch`'s validation loss and macro F1: SC_VAL_IMPROVED when it is the best so far,
 * SC_VAL_STOP when the patience has run out with it. */
int sc_val_select_step(sc_val_select *s, int epoch, double loss, double f1);

/* ---- a job's validation (jobs/train_job.c) ---- */

typedef struct {
    /* the validation scans */
    const float *images;     /* [*][per] */
    size_t per;
    const uint8_t *truth;    /* [*][l] */
    int l;
    const int32_t *index;
    int64_t n;
    const float *pos_weight; /* the training loss's, or NULL */
    double threshold;        /* report.threshold, for the per-epoch F1 */
    int batch;
    /* state: what a checkpoint holds (jobs/checkpoint.h) */
    sc_val_select sel;
    int epochs;
    float *loss, *f1;        /* [epochs], NaN for epochs not run */
    float *best_state;       /* [n_state]: the best epoch's network (nn_state_get) */
    size_t n_state;
    int stopped;             /* stopped early */
    /* scratch */
    float *x, *y, *scores;   /* [batch][per], [batch][l], [n][l] */
} sc_val_run;

void sc_val_run_init(sc_val_run *v, const nn_net *net, int epochs);
void sc_val_run_free(sc_val_run *v);
/* Score the validation scans with net in eval mode: v->scores, the mean loss and macro F1. */
int sc_val_score(sc_val_run *v, nn_net *net, double *loss, double *f1);
/* After epoch `epoch`: score, record, keep the network if it is the best.  0 goes on, 1 stops
 * (patience), -1 on an error (a non-finite validation score). */
int sc_val_epoch(sc_val_run *v, nn_net *net, int epoch);
/* At the end: the best epoch's network back into net, its validation scores, and the
 * thresholds thr [l] chosen on them. */
int sc_val_finish(sc_val_run *v, nn_net *net, double *thr);
/* Epochs trained: one past the last with a validation loss recorded. */
int sc_val_epochs_run(const sc_val_run *v);

#endif
