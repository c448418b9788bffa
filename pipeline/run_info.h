/* pipeline/run_info.h: what the results file records of a sweep before its first job, beyond
 * the experiment: the GAN's layout, the architectures (names, the texts of their files, a hash
 * of each resolved architecture, which --resume compares) and this run (command, time,
 * versions, and per rank its host, kernels and threads).  Every rank makes the same values:
 * the results file is created collectively. */
#ifndef SC_PIPELINE_RUN_INFO_H
#define SC_PIPELINE_RUN_INFO_H

#include <mpi.h>

#include "jobs/experiment.h"
#include "jobs/grid.h"
#include "results/results.h"

typedef struct {
    /* the GAN (when the sweep has GAN jobs) */
    sc_gan_layout gan;
    char *state_layout;
    int *gan_sets, *gan_examples;
    /* the architectures, the GAN's networks last ("gan:generator", "gan:discriminator") */
    int n_archs;
    char **arch_names, **arch_texts;
    uint64_t *arch_hashes;
    /* this run */
    sc_run_info run;
    sc_rank_info *ranks; /* [size] on rank 0 (gathered), NULL elsewhere */
    char *command;
    char started[32], mpi_version[256], hdf5_version[32];
    int kernels_differ;  /* the workers run different OpenBLAS kernels */
    char blas_core[32];  /* the workers' kernels (the first worker's when they differ) */
} sc_run_info_set;

/* Collective over comm.  v views, l labels; threads: this rank's nn threads. */
int sc_run_info_make(MPI_Comm comm, const sc_experiment *e, int v, int l, const sc_job *jobs,
                     int n_jobs, int argc, char **argv, int threads, sc_run_info_set *ri);
void sc_run_info_free(sc_run_info_set *ri);
/* Fill the layout's GAN, architecture and run fields from ri. */
void sc_run_info_layout(const sc_run_info_set *ri, sc_results_layout *lay);

#endif
