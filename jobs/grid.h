/* jobs/grid.h: the job grid (repeat x fold x augmentation x architecture), seeds and costs.
 *
 * Job ids enumerate repeat, then fold, then augmentation, then architecture (the last varies
 * fastest).  Seeds are pure functions of the job's coordinates — by name, not by list
 * position, so adding an architecture to an experiment does not change the other jobs:
 *   seed      = mix(base, repeat, fold, hash(augmentation), hash(architecture))
 *               batch order, dropout masks, augmentation draws
 *   init_seed = mix(base, repeat, fold, hash(architecture))
 *               initial weights: shared by the augmentations of one (repeat, fold, arch), so
 *               that comparisons between augmentations are paired from the same start. */
#ifndef SC_JOBS_GRID_H
#define SC_JOBS_GRID_H

#include <stdint.h>

#include "jobs/experiment.h"
#include "results/results.h"

typedef struct {
    int id, repeat, fold, aug, arch;
    uint64_t seed, init_seed;
    int64_t n_train, n_test; /* scans */
    double cost;             /* relative cost estimate (training MACs) */
} sc_job;

/* Build the grid for e, with fold sizes from assign [repeats][n].  Costs are left 0 (see
 * sc_grid_costs). */
int sc_grid_make(const sc_experiment *e, const int16_t *assign, int64_t n, sc_job **jobs,
                 int *n_jobs);

/* Estimate each job's cost: forward MACs of its architecture at the input size x training
 * samples (with augmentation copies) x epochs x 3 (forward + backward).  in_c = views. */
int sc_grid_costs(const sc_experiment *e, int in_c, int n_out, sc_job *jobs, int n_jobs);

/* Dispatch order: costliest first, ties by id (so the sweep's tail is short). */
void sc_grid_order(const sc_job *jobs, int n_jobs, int *order);

/* The initial (pending) results row of a job. */
void sc_grid_row(const sc_experiment *e, const sc_job *job, sc_job_row *row);

#endif
