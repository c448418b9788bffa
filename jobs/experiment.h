/* jobs/experiment.h: the experiment, a validated sweep as plain data, and its free function
 * (jobs/experiment.c).  jobs/ runs it; every field here has been checked already, so jobs trust it.
 *
 * Its other half is the LOADER, pipeline/experiment.{h,c} (sc_experiment_load): it reads the
 * libconfig experiment file (docs/config.md), checks every key and fills this struct
 * (docs/design.md section 5).  It lives in pipeline/ because jobs/ knows no config files
 * (scripts/check-layering: pipeline may use jobs, not the reverse).  A new setting: its field
 * here, its key and check there. */
#ifndef SC_JOBS_EXPERIMENT_H
#define SC_JOBS_EXPERIMENT_H

#include <stdint.h>

#include "augment/gan.h"
#include "augment/geometric.h"
#include "data/dataset.h"
#include "data/preprocess.h"
#include "folds/folds.h"
#include "nn/nn.h"

#define SC_MAX_ARCHS 16
#define SC_MAX_AUGS 8
#define SC_NAME_MAX 64
#define SC_PATH_MAX 4096

typedef enum { SC_POSW_NONE = 0, SC_POSW_BALANCED } sc_posw_mode;
/* train.select: what picks the best epoch on the validation patients (jobs/validation.h). */
typedef enum { SC_SELECT_LOSS = 0, SC_SELECT_F1 } sc_select_mode;

/* What a classifier job trains on (docs/config.md, "augmentations"): "original" (the real
 * training scans), "geometric" (+ transformed copies), "gan" (+ the samples of the fold's GAN),
 * combinations joined by '+' ("geometric+gan"), and "synthetic" (the GAN's samples alone:
 * train on synthetic, test on real). */
typedef struct {
    char name[SC_NAME_MAX];
    int real;      /* the real training scans (0 only for "synthetic") */
    int geometric; /* their geometric copies */
    int gan;       /* the GAN's samples */
} sc_aug;

/* The GAN of the `gan` and `synthetic` augmentations (docs/gan.md). */
typedef struct {
    char g_name[SC_NAME_MAX], d_name[SC_NAME_MAX]; /* architecture names */
    char g_path[SC_PATH_MAX], d_path[SC_PATH_MAX]; /* resolved files */
    aug_gan_cfg train;
    int samples_per_set; /* synthetic scans per label set; 0 = enough to double the training part */
    int examples;        /* real and synthetic scans per label set kept for the report's grids */
} sc_gan_cfg;

/* Training settings that may differ between architectures (train_by_arch). */
typedef struct {
    int batch;
    nn_optim_cfg optim;
    sc_posw_mode pos_weight;
    int patience;         /* train.patience: epochs without improvement before stopping; 0 never */
    sc_select_mode select; /* train.select */
} sc_train_cfg;

typedef struct {
    char name[SC_NAME_MAX];
    char path[SC_PATH_MAX]; /* resolved architecture file */
    sc_train_cfg train;     /* `train`, with this architecture's train_by_arch overrides */
} sc_arch;

typedef struct {
    char path[SC_PATH_MAX]; /* the experiment file */
    char *text;             /* its full text (stored in the results file) */
    uint64_t hash;          /* hash of the text */
    char name[SC_NAME_MAX]; /* experiment name */

    /* data */
    char data_path[SC_PATH_MAX];
    int in_h, in_w; /* input size the scans are resized to */
    sc_norm norm;
    int n_labels_used;              /* 0 = all labels of the data set */
    char labels_used[SC_DS_MAX_LABELS][SC_NAME_MAX];
    int n_views_used;               /* 0 = every view of the data set */
    char views_used[16][SC_NAME_MAX];

    uint64_t seed;
    sc_fold_cfg folds;

    int n_aug;
    sc_aug aug[SC_MAX_AUGS];
    /* `exclude`: excluded[a] has bit m set when the cell (augmentation a, architecture m) is not
     * part of the sweep */
    uint32_t excluded[SC_MAX_AUGS];
    aug_geo_cfg geometric;
    int uses_gan;  /* some augmentation needs the GAN: one GAN job per (repeat, fold) */
    sc_gan_cfg gan;

    int n_arch;
    sc_arch arch[SC_MAX_ARCHS];

    /* training: epochs and threads are the same for every job (history lengths, cores) */
    int epochs, threads;
    /* train.validation: fraction of each training part's patients held out for model
     * selection (best epoch, thresholds); 0 = off.  Global: every job of a (repeat, fold)
     * holds out the same patients, so that its cells stay paired (jobs/validation.h). */
    double validation;
    sc_train_cfg train; /* the `train` group; each arch[m].train starts from it */

    /* report */
    double threshold, confidence;
    int bootstrap; /* BCa resamples for /summary/bootstrap; 0 = none */
} sc_experiment;

/* Frees what sc_experiment_load allocated (the text); the struct may be loaded again. */
void sc_experiment_free(sc_experiment *e);

#endif
