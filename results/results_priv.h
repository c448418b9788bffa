/* results/results_priv.h: the open results file shared by the writers of results_write.c
 * (classifier jobs, the table) and results_gan.c (GAN jobs).  Not for other modules. */
#ifndef SC_RESULTS_RESULTS_PRIV_H
#define SC_RESULTS_RESULTS_PRIV_H

#include <hdf5.h>

#include "results/results.h"

enum {
    D_SCORES, D_COUNTS, D_METRICS, D_HISTORY, D_TEST_INDEX,
    D_VAL_INDEX, D_VAL_LOSS, D_VAL_F1, D_THRESHOLDS, D_SELECTION, /* train.validation */
    N_JOB_DSETS
};

/* The datasets of a GAN job, in the order of results_gan.c's table. */
enum {
    G_TRAIN_INDEX, G_LABEL_SETS, G_SAMPLES, G_SAMPLE_LABELS, G_EXAMPLES, G_EXAMPLE_LABELS,
    G_INTENSITY_MAX, G_LOSS_D, G_LOSS_G, G_D_REAL, G_D_FAKE, G_D_WRONG, G_GENERATOR, G_HIST_REAL,
    G_HIST_SYNTH, G_HIST_W1, G_MEAN_REAL, G_MEAN_SYNTH, G_MEAN_RMSE, N_GAN_DSETS
};

struct sc_results {
    MPI_Comm comm;
    int rank;
    int reopen;     /* 1: opened again by --resume (objects opened and checked, not made) */
    char *path;
    hid_t file, table, row_type;
    int n_jobs, l, epochs, n_metrics;
    int validation; /* train.validation's datasets exist */
    int n_cls;      /* classifier jobs: ids [0, n_cls); GAN jobs after them */
    int64_t *n_test;
    hid_t (*dsets)[N_JOB_DSETS]; /* classifier jobs */
    hid_t (*gdsets)[N_GAN_DSETS]; /* GAN jobs, by id - n_cls */
    sc_gan_layout gan;            /* sizes (pointers not kept) */
    int *gan_sets, *gan_examples;
    int64_t *gan_train, *gan_synth;
};

/* Collective: a contiguous, early-allocated dataset with a fill value (may be NULL). */
hid_t sc_results_make_dset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                           const void *fill);
/* Collective: create (a new file) or open and check the dimensions of (a reopened one) a
 * dataset; a group likewise.  -1 with an error naming the file and the object. */
hid_t sc_results_dset(const sc_results *r, hid_t loc, const char *name, hid_t type, int rank,
                      const hsize_t *dims, const void *fill);
hid_t sc_results_group(const sc_results *r, hid_t loc, const char *name);
/* Write a whole dataset (independent transfer). */
int sc_results_write_all(hid_t d, hid_t memtype, const void *buf, const char *what);

/* Collective (results_val.c): the train.validation datasets of classifier job j in group g;
 * val_index written by rank 0 when created. */
int sc_results_open_val(sc_results *r, const sc_results_layout *lay, hid_t g, int j);

/* Provenance (results_prov.c), collective: the architectures' names, hashes and texts as root
 * attributes (a new file) or compared with the file's (--resume); this run's description as a
 * new group /provenance/run_K. */
int sc_results_write_archs(sc_results *r, const sc_results_layout *lay);
int sc_results_verify_archs(sc_results *r, const sc_results_layout *lay);
int sc_results_write_run(sc_results *r, const sc_results_layout *lay);

/* Collective, from sc_results_create: the objects of GAN job `job` (group g already created). */
int sc_results_create_gan(sc_results *r, hid_t g, int job, const sc_job_row *row);
void sc_results_close_gan(sc_results *r);

#endif
