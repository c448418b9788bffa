/* jobs/grid.h: the job grid (repeat x fold x augmentation x architecture, and a GAN job per
 * (repeat, fold) when an augmentation needs the GAN), its dependencies, seeds and costs.
 *
 * Job ids enumerate the classifier jobs first: repeat, then fold, then augmentation, then
 * architecture (the last varies fastest; cells the experiment excludes are skipped); then the
 * GAN jobs, repeat then fold.  A classifier
 * job whose augmentation uses the GAN ("gan", "geometric+gan", "synthetic") depends on the GAN
 * job of its (repeat, fold): it runs after it, on its samples.  Seeds are pure functions of the
 * job's coordinates — by name, not by list position, so adding an architecture to an experiment
 * does not change the other jobs:
 *   seed      = mix(base, repeat, fold, hash(augmentation), hash(architecture))
 *               batch order, dropout masks, augmentation draws
 *   init_seed = mix(base, repeat, fold, hash(architecture))
 *               initial weights: shared by the augmentations of one (repeat, fold, arch), so
 *               that comparisons between augmentations are paired from the same start
 *   GAN seed  = mix(base, repeat, fold, hash("gan"), hash(generator "+" discriminator))
 *               its initial weights, batch order, noise and samples. */
#ifndef SC_JOBS_GRID_H
#define SC_JOBS_GRID_H

#include <stdint.h>

#include "jobs/experiment.h"
#include "results/results.h"

typedef struct {
    int id, repeat, fold;
    int kind;            /* sc_job_kind (results.h) */
    int aug, arch;       /* classifier jobs; -1 for GAN jobs */
    int depends;         /* the GAN job this job waits for, or -1 */
    uint64_t seed, init_seed;
    int64_t n_train, n_test; /* real scans of the fold's training and test parts */
    int64_t n_synth;     /* GAN samples: made (GAN job) or trained on (classifier job) */
    int n_sets;          /* GAN job: label sets of its training part */
    int n_examples;      /* GAN job: real scans (and as many samples) kept for the report */
    double cost;         /* relative cost estimate (training multiply-adds) */
    double priority;     /* cost plus the costliest job waiting for this one */
} sc_job;

/* Build the grid for e, with fold sizes from assign [repeats][n] and label rows truth [n][l]
 * (the label sets of each training part size its GAN's samples).  Costs are left 0 (see
 * sc_grid_costs). */
int sc_grid_make(const sc_experiment *e, const int16_t *assign, int64_t n, const uint8_t *truth,
                 int l, sc_job **jobs, int *n_jobs);

/* Synthetic scans per label set of a GAN job: the experiment's samples_per_set, or enough to
 * double the training part (n_train / n_sets, rounded up). */
int64_t sc_grid_samples_per_set(const sc_experiment *e, const sc_job *gan_job);

/* Estimate each job's cost and priority: forward multiply-adds of its architecture at the input
 * size x training samples x epochs x the passes of a step (see grid.c); in_c = views, n_out =
 * labels.  Builds every network once, so it also checks that each architecture and the GAN fit
 * the data (errors name the file). */
int sc_grid_costs(const sc_experiment *e, int in_c, int n_out, sc_job *jobs, int n_jobs);

/* Dispatch preference: highest priority first, ties by id (so that the sweep's tail is short
 * and a GAN job runs before the jobs that wait for it). */
void sc_grid_order(const sc_job *jobs, int n_jobs, int *order);

/* The initial (pending) results row of a job. */
void sc_grid_row(const sc_experiment *e, const sc_job *job, sc_job_row *row);

#endif
