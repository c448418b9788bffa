/* results/results.h: the results file of DESIGN.md section 7 (parallel HDF5).
 *
 * Created collectively before the first job, with every object pre-allocated (early
 * allocation, contiguous, fill values that mark "not written": NaN for floats, -1 for counts),
 * then flushed: from then on workers only write raw data, independently, into objects that all
 * ranks hold open.  No metadata changes after creation, so a killed run leaves a readable file
 * whose /jobs/table says which jobs finished.
 *
 *   root attributes  version, blas_core, experiment, experiment_hash, dataset_path, dataset_hash,
 *                    label_names, threshold, seed, ...
 *   /dataset/labels          uint8 [N][L]  the labels used (truth), so that reports need
 *   /dataset/patient         int64 [N]     nothing but this file
 *   /folds/assignment        int16 [R][N]
 *   /jobs/table              compound [J] (sc_job_row)
 *   /jobs/NNNN/test_index    int32 [n]
 *   /jobs/NNNN/scores        float32 [n][L]
 *   /jobs/NNNN/counts        int64 [L][4]  TP FP FN TN
 *   /jobs/NNNN/metrics       float64 [M], attribute names
 *   /jobs/NNNN/history       float32 [epochs] (mean training loss per epoch)
 *   /summary/...             written once at the end by rank 0 (results/summary.h) */
#ifndef SC_RESULTS_RESULTS_H
#define SC_RESULTS_RESULTS_H

#include <mpi.h>
#include <stdint.h>

#define SC_ROW_NAME 32
#define SC_ROW_MSG 256

typedef enum {
    SC_JOB_PENDING = 0,
    SC_JOB_RUNNING = 1,
    SC_JOB_DONE = 2,
    SC_JOB_FAILED = 3
} sc_job_status;

const char *sc_job_status_name(int status);

/* One row of /jobs/table. */
typedef struct {
    int32_t id;
    int16_t repeat, fold;
    char augmentation[SC_ROW_NAME];
    char architecture[SC_ROW_NAME];
    uint64_t seed;
    int8_t status; /* sc_job_status */
    int32_t rank;  /* rank that ran it (-1 if none) */
    double seconds;
    int64_t n_train, n_test;
    char message[SC_ROW_MSG];
} sc_job_row;

/* Everything the file holds that is known before the first job. */
typedef struct {
    const char *version;
    const char *blas_core; /* OpenBLAS kernels of the workers (NULL: not written) */
    const char *experiment_text;
    uint64_t experiment_hash;
    const char *experiment_path;
    const char *dataset_path;
    uint64_t dataset_hash;
    uint64_t seed;
    int l;
    const char *const *label_names;
    double threshold, confidence;
    int repeats, k;
    int64_t n;
    const uint8_t *truth;      /* [n][l] */
    const int64_t *patient;    /* [n] */
    const int16_t *assignment; /* [repeats][n] */
    int n_jobs;
    const sc_job_row *rows;    /* initial rows (pending) */
    int epochs;
    int n_metrics;
    const char *const *metric_names;
} sc_results_layout;

typedef struct sc_results sc_results;

/* Collective over comm: create the file (truncating), every object, and flush. */
int sc_results_create(MPI_Comm comm, const char *path, const sc_results_layout *lay,
                      sc_results **out);

/* Independent: overwrite row `row->id` of /jobs/table. */
int sc_results_write_row(sc_results *res, const sc_job_row *row);

/* Independent: the outputs of job `job` (sizes as in the layout; the test index was written at
 * creation).  Any pointer may be NULL to skip that dataset. */
int sc_results_write_job(sc_results *res, int job, const float *scores, const int64_t *counts,
                         const double *metrics, const float *history);

/* Collective: close everything.  Frees res. */
int sc_results_close(sc_results *res);

/* The HDF5 compound type of sc_job_row (caller closes it). */
int64_t sc_results_row_type(void);

#endif
