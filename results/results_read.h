/* results/results_read.h: read a results file back (serial HDF5), for the summary, `info` and
 * `report`.  Works on a finished, running or killed sweep: jobs that are not done are reported
 * by their status and their outputs are not read. */
#ifndef SC_RESULTS_RESULTS_READ_H
#define SC_RESULTS_RESULTS_READ_H

#include <stdint.h>
#include <stdio.h>

#include "data/dataset.h"
#include "results/results.h"

typedef struct {
    char *path;
    char version[64];
    char blas_core[64];      /* OpenBLAS kernels of the workers; "" if not recorded */
    char *experiment;        /* full text of the experiment file */
    char experiment_hash[64];
    char experiment_path[4096];
    char dataset_path[4096];
    char dataset_hash[64];
    int l;
    char label_names[SC_DS_MAX_LABELS][SC_DS_NAME_MAX];
    double threshold, confidence;
    uint64_t seed;
    int repeats, k, epochs;
    int64_t n;
    int16_t *assignment; /* [repeats][n] */
    uint8_t *truth;      /* [n][l] */
    int64_t *patient;    /* [n] */
    int n_jobs;          /* classifier jobs: ids 0 to n_jobs - 1 */
    sc_job_row *rows;    /* all rows: the classifier jobs', then the GAN jobs' */
    int n_gan;           /* GAN jobs: ids n_jobs to n_jobs + n_gan - 1 */
    sc_job_row *gan_rows; /* = rows + n_jobs */
    int n_metrics;
    char **metric_names;
    int64_t h5_file;
} sc_results_file;

/* Open and validate; errors name the file and the object. */
int sc_results_open(const char *path, sc_results_file *rf);
void sc_results_free(sc_results_file *rf);

/* Outputs of one job (any pointer may be NULL).  Sizes: test_index and scores by
 * rows[job].n_test (scores x l), counts l x 4, metrics n_metrics, history epochs. */
int sc_results_read_job(const sc_results_file *rf, int job, int32_t *test_index, float *scores,
                        int64_t *counts, double *metrics, float *history);

/* The train.validation outputs of a classifier job (results.h). */
typedef struct {
    int64_t n_val, patients; /* validation scans, patients */
    int32_t *val_index;      /* [n_val] */
    float *loss, *f1;        /* [epochs] */
    double thresholds[16];   /* [l] */
    int32_t selection[3];    /* best_epoch (from 0), epochs_run, stopped_early; -1: not written */
} sc_val_result;
/* 0: read; 1: the job has no validation datasets (a sweep without train.validation, or a file
 * from before it: "off"); -1 on an error. */
int sc_results_read_val(const sc_results_file *rf, int job, sc_val_result *v);
void sc_val_result_free(sc_val_result *v);
/* `info`'s table of the jobs' validation (size, best epoch of those run, thresholds); nothing
 * for a sweep without train.validation. */
int sc_results_print_val(FILE *out, const sc_results_file *rf);

/* The outputs of a GAN job (results.h, sc_gan_outputs), but its samples and generator. */
typedef struct {
    int job;                  /* its id */
    int v, h, w;              /* views and the GAN's resolution */
    int n_sets, n_examples, epochs, bins;
    int64_t n_train, n_synth;
    uint8_t *label_sets;      /* [n_sets][l] */
    float *examples;          /* [n_examples][v][h][w] */
    uint8_t *example_labels;  /* [n_examples][l] */
    float *intensity_max;     /* [v] */
    float *loss_d, *loss_g, *d_real, *d_fake, *d_wrong; /* [epochs] */
    float *hist_real, *hist_synth;            /* [v][bins] */
    double *hist_w1;                          /* [v][2] */
    float *mean_real, *mean_synth;            /* [n_sets][v][h][w] */
    double *mean_rmse;                        /* [n_sets][2] */
} sc_gan_result;

/* GAN job number gan (0 to n_gan - 1; id n_jobs + gan).  Unwritten values read as their fill
 * (NaN; 255 for labels) for a job that is not done. */
int sc_results_read_gan(const sc_results_file *rf, int gan, sc_gan_result *g);
void sc_gan_result_free(sc_gan_result *g);
/* Samples [first, first + count) of a GAN job into out [count][v][h][w]. */
int sc_results_read_gan_samples_range(const sc_results_file *rf, const sc_gan_result *g,
                                      int64_t first, int64_t count, float *out);

/* Index of a metric by name, -1 if absent. */
int sc_results_metric_index(const sc_results_file *rf, const char *name);

/* What ran the sweep, from /provenance (docs/formats.md): each run and resumption's command,
 * start, MPI and HDF5 versions, and its ranks' hosts, kernels and threads, the workers whose
 * kernels differ from the first worker's marked.  Nothing for files without it. */
int sc_results_print_provenance(FILE *out, const char *path, int64_t file);

#endif
