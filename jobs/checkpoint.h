/* jobs/checkpoint.h: a job's checkpoint file, so that a job stopped inside its training (a
 * time limit, a signal) goes on where it stopped instead of from the start, and ends with the
 * numbers of an uninterrupted job, bit for bit.
 *
 * RESULTS.checkpoints/NNNN.h5 beside the results file (serial HDF5, one file per job: the
 * worker that runs the job writes it alone), written to NNNN.h5.tmp and renamed, so a file that
 * exists is whole; removed when the job ends.  Root attributes format ("spectcv-checkpoint/1"),
 * experiment_hash, job, seed, kind; the position of the training (attributes epoch, next, step,
 * seen, sum); dataset history (the epochs done); group net (a classifier's training state,
 * nn/checkpoint.h), or groups G and D and the GAN's noise and mismatch streams (attributes
 * noise, wrong, noise_spare, wrong_spare); with train.validation, group validation (datasets
 * loss, f1 [epochs] and best_state: the best epoch's network; attributes best, since,
 * best_value: the selection's place, jobs/validation.h). */
#ifndef SC_JOBS_CHECKPOINT_H
#define SC_JOBS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "augment/gan_train.h"
#include "jobs/grid.h"
#include "jobs/validation.h"
#include "nn/nn.h"

/* RESULTS.checkpoints (the folder) and RESULTS.checkpoints/NNNN.h5. */
int sc_ckpt_dir(const char *results, char *out, size_t n);
int sc_ckpt_path(const char *results, int job, char *out, size_t n);

/* A classifier job's training: net's state at pos, history [epochs], and its validation state
 * (NULL without train.validation). */
int sc_ckpt_save_fit(const char *path, uint64_t exp_hash, const sc_job *job, const nn_net *net,
                     const nn_fit_pos *pos, const float *history, int epochs,
                     const sc_val_run *val);
/* 0: loaded (net, pos, history, val restored); 1: no checkpoint; -1: a checkpoint that is not
 * this job's or cannot be read (error set: the caller starts afresh and says so). */
int sc_ckpt_load_fit(const char *path, uint64_t exp_hash, const sc_job *job, nn_net *net,
                     nn_fit_pos *pos, float *history, int epochs, sc_val_run *val);

/* A GAN job's training: history [rows][AUG_HIST_COLS]. */
int sc_ckpt_save_gan(const char *path, uint64_t exp_hash, const sc_job *job, aug_gan *g,
                     const aug_gan_pos *pos, const float *history, int rows);
int sc_ckpt_load_gan(const char *path, uint64_t exp_hash, const sc_job *job, aug_gan *g,
                     aug_gan_pos *pos, float *history, int rows);

/* Remove a job's checkpoint (absent: nothing to do). */
void sc_ckpt_remove(const char *path);
/* Remove the checkpoint folder and what it holds (a sweep that ran to its end needs none). */
void sc_ckpt_cleanup(const char *results);

/* When a training writes a checkpoint and when it stops, decided after each step: a checkpoint
 * every `every` seconds (0: never), and one when the sweep stops (sc_schedule_stopping: a
 * signal, the master's word, or the test-only switch SPECTCV_FAULT=stop:JOB@N, which stops it
 * after N steps of job JOB as a SIGTERM would). */
typedef struct {
    double every, last;
    long steps, fault_at;
} sc_ckpt_clock;

void sc_ckpt_clock_start(sc_ckpt_clock *c, double every, int job);
/* *save: write a checkpoint now.  Returns 1 to stop the training. */
int sc_ckpt_clock_tick(sc_ckpt_clock *c, int *save);

#endif
