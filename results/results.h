/* results/results.h: the results file of docs/design.md section 7 (parallel HDF5).
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
 *   with train.validation (jobs/validation.h; absent: off, and readers must treat it so):
 *   /jobs/NNNN/val_index     int32 [v]     the validation scans held out of the training part
 *                                          (attribute patients: how many patients they are)
 *   /jobs/NNNN/val_loss      float32 [epochs]  validation loss per epoch (NaN: not run)
 *   /jobs/NNNN/val_f1        float32 [epochs]  validation macro F1 at the threshold
 *   /jobs/NNNN/thresholds    float64 [L]   per-label thresholds chosen on the validation scores;
 *                                          counts and metrics are at these, not at `threshold`
 *   /jobs/NNNN/selection     int32 [3]     best_epoch (from 0: the network tested), epochs_run,
 *                                          stopped_early (attribute names); -1 until written
 *   /jobs/NNNN/...           of a GAN job: see sc_gan_outputs below
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

/* What a job does: train and test a classifier, or train a GAN and make its samples. */
typedef enum { SC_JOB_CLASSIFIER = 0, SC_JOB_GAN = 1 } sc_job_kind;
const char *sc_job_kind_name(int kind);

/* One row of /jobs/table.  Classifier jobs come first (ids 0 to J - 1), then the GAN jobs. */
typedef struct {
    int32_t id;
    int16_t repeat, fold;
    int8_t kind; /* sc_job_kind */
    char augmentation[SC_ROW_NAME];  /* GAN jobs: "-" */
    char architecture[SC_ROW_NAME];  /* GAN jobs: "generator+discriminator" */
    int32_t depends; /* the job this one waits for (its GAN job), -1 if none */
    uint64_t seed;
    int8_t status; /* sc_job_status */
    int32_t rank;  /* rank that ran it (-1 if none) */
    double seconds;
    int64_t n_train, n_test; /* real scans of the training and test parts */
    int64_t n_synth;         /* GAN samples made (GAN job) or trained on (classifier job) */
    uint64_t output_hash;    /* hash of the job's scores (classifier) or samples (GAN), 0 if none */
    char message[SC_ROW_MSG];
} sc_job_row;

/* The GAN jobs' common sizes and texts (when the sweep has GAN jobs). */
typedef struct {
    int v, h, w;         /* sample size: views, the GAN's resolution */
    int epochs;          /* GAN epochs: length of the loss histories */
    int bins;            /* intensity histogram bins */
    int64_t n_state;     /* generator state floats (nn_state_size) */
    const char *state_layout;            /* nn_state_layout of the generator */
    const char *g_arch_text, *g_arch_json; /* generator: file text, resolved architecture */
    const char *d_arch_text, *d_arch_json; /* discriminator */
} sc_gan_layout;

/* One rank of a run, for /provenance/run_K/ranks. */
typedef struct {
    int32_t rank;
    int8_t worker;   /* 1: trains; 0: rank 0 of several, which only dispatches */
    int32_t threads; /* nn threads of a worker */
    char host[64];
    char blas_core[32]; /* OpenBLAS kernels it runs */
} sc_rank_info;

/* What ran a sweep (or one of its resumptions): /provenance/run_K. */
typedef struct {
    const char *command;      /* the command line */
    const char *started;      /* UTC, ISO 8601 */
    const char *mpi_version;  /* MPI_Get_library_version */
    const char *hdf5_version; /* H5get_libversion */
    int n_ranks;
    const sc_rank_info *ranks; /* [n_ranks] */
} sc_run_info;

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
    /* GAN jobs (rows of kind SC_JOB_GAN, ids after the classifier jobs'): per GAN job in id
     * order, the label sets of its training part and the real scans kept as examples. */
    sc_gan_layout gan;
    const int *gan_sets, *gan_examples;
    /* The architectures, GAN networks included: names, files' texts, and a hash of each resolved
     * architecture (its JSON: the layers after variants), which --resume compares. */
    int n_archs;
    const char *const *arch_names;
    const char *const *arch_texts;
    const uint64_t *arch_hashes;
    const sc_run_info *run; /* may be NULL: no /provenance/run_K */
    /* train.validation: per job (classifier jobs' entries), the validation scans and patients
     * held out of its training part; val_count NULL: off, no validation datasets. */
    const int64_t *val_count, *val_patients; /* [n_jobs] */
    const int32_t *const *val_index;         /* [n_jobs][val_count[j]] */
} sc_results_layout;

typedef struct sc_results sc_results;

/* Collective over comm: create the file (truncating), every object, and flush. */
int sc_results_create(MPI_Comm comm, const char *path, const sc_results_layout *lay,
                      sc_results **out);
/* Collective, for --resume: open an existing file read-write, refuse it (error naming what
 * differs) unless it was made by the same experiment, data set and architectures for the same
 * folds and sizes, open every object of the layout, read /jobs/table into rows [n_jobs], and add
 * this run's /provenance/run_K. */
int sc_results_reopen(MPI_Comm comm, const char *path, const sc_results_layout *lay,
                      sc_results **out, sc_job_row *rows);

/* Independent: overwrite row `row->id` of /jobs/table. */
int sc_results_write_row(sc_results *res, const sc_job_row *row);

/* Independent: the outputs of job `job` (sizes as in the layout; the test index was written at
 * creation).  Any pointer may be NULL to skip that dataset. */
int sc_results_write_job(sc_results *res, int job, const float *scores, const int64_t *counts,
                         const double *metrics, const float *history);

/* Independent: the validation outputs of classifier job `job` (a sweep with train.validation). */
typedef struct {
    const float *loss, *f1;   /* [epochs] */
    const double *thresholds; /* [l] */
    const int32_t *selection; /* [3] best_epoch, epochs_run, stopped_early; NULL: not written
                               * (a failed job keeps only its curves) */
} sc_val_outputs;
int sc_results_write_val(sc_results *res, int job, const sc_val_outputs *o);

/* The outputs of a GAN job, in /jobs/NNNN (S label sets, n_synth samples, E examples, V views
 * of H x W: the GAN's resolution; docs/formats.md and docs/gan.md):
 *   train_index     int32 [n_train]    the scans it trained on (never one of the fold's test scans)
 *   label_sets      uint8 [S][L]       the label sets of its training part, in order
 *   samples         float32 [n_synth][V][H][W]  what it made, in normalized intensities
 *   sample_labels   uint8 [n_synth][L]
 *   examples        float32 [E][V][H][W] real training scans (up to gan.examples per set)
 *   example_labels  uint8 [E][L]
 *   intensity_max   float32 [V]        m of the intensity mapping (augment/gan_data.h)
 *   loss_d, loss_g, d_real, d_fake, d_wrong  float32 [epochs]  per-epoch means (d_wrong: D on
 *                                      real scans with wrong labels; NaN without gan.mismatch)
 *   generator       float32 [P]        the generator's state (attributes layout, arch_text,
 *                                      arch_json: nn/weights.h)
 *   hist_real, hist_synth  float32 [V][bins]  intensity histograms in [-1, 1]
 *   hist_w1         float64 [V][2]     Wasserstein-1: samples vs real, real half vs half
 *   mean_real, mean_synth  float32 [S][V][H][W]  mean scan per label set
 *   mean_rmse       float64 [S][2]     RMSE of the means: samples vs real, half vs half
 * Any pointer may be NULL to leave that dataset unwritten (fill values: NaN, 255 for labels,
 * -1 for indices). */
typedef struct {
    const int32_t *train_index;
    const uint8_t *label_sets;
    const float *samples;
    const uint8_t *sample_labels;
    const float *examples;
    const uint8_t *example_labels;
    const float *intensity_max;
    const float *loss_d, *loss_g, *d_real, *d_fake, *d_wrong;
    const float *generator;
    const float *hist_real, *hist_synth;
    const double *hist_w1;
    const float *mean_real, *mean_synth;
    const double *mean_rmse;
} sc_gan_outputs;

/* Independent: the outputs of GAN job `job`. */
int sc_results_write_gan(sc_results *res, int job, const sc_gan_outputs *o);
/* Independent, while the sweep runs: the samples [n_synth][V][H][W] and their labels
 * [n_synth][L] of GAN job `job` (for the classifier jobs that train on them). */
int sc_results_read_gan_samples(sc_results *res, int job, float *samples, uint8_t *labels);

/* Collective: close everything.  Frees res. */
int sc_results_close(sc_results *res);

/* The HDF5 compound type of sc_job_row (caller closes it). */
int64_t sc_results_row_type(void);

#endif
