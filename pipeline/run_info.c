/* pipeline/run_info.c: see run_info.h. */
#include "pipeline/run_info.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "augment/gan.h"
#include "nn/weights.h"
#include "pipeline/versions.h"
#include "util/agree.h"
#include "util/error.h"
#include "util/hash.h"

/* The GAN's resolution, its generator's state layout and its networks' texts. */
static int gan_layout(const sc_experiment *e, int v, int l, const sc_job *jobs, int n_jobs,
                      sc_run_info_set *ri)
{
    if (!e->uses_gan) return 0;
    aug_gan *g = aug_gan_build(e->gan.g_path, e->gan.d_path, v, l, e->gan.train.z, 2);
    if (!g) return -1;
    nn_net *G = aug_gan_generator(g), *D = aug_gan_discriminator(g);
    aug_gan_dims(g, &ri->gan.h, &ri->gan.w);
    ri->gan.v = v;
    ri->gan.epochs = e->gan.train.epochs;
    ri->gan.bins = 64;
    ri->gan.n_state = (int64_t)nn_state_size(G);
    ri->state_layout = nn_state_layout(G);
    ri->gan.state_layout = ri->state_layout;
    /* the texts live as long as the nets: keep copies */
    ri->gan.g_arch_text = sc_xstrdup(nn_net_arch_text(G) ? nn_net_arch_text(G) : "");
    ri->gan.g_arch_json = sc_xstrdup(nn_net_arch_json(G));
    ri->gan.d_arch_text = sc_xstrdup(nn_net_arch_text(D) ? nn_net_arch_text(D) : "");
    ri->gan.d_arch_json = sc_xstrdup(nn_net_arch_json(D));
    aug_gan_free(g);
    ri->gan_sets = sc_xmalloc(sizeof(int) * (size_t)(n_jobs ? n_jobs : 1));
    ri->gan_examples = sc_xmalloc(sizeof(int) * (size_t)(n_jobs ? n_jobs : 1));
    for (int j = 0, k = 0; j < n_jobs; j++)
        if (jobs[j].kind == SC_JOB_GAN) {
            ri->gan_sets[k] = jobs[j].n_sets;
            ri->gan_examples[k++] = jobs[j].n_examples;
        }
    return 0;
}

static int add_arch(sc_run_info_set *ri, const char *name, const char *path, const nn_shape *s)
{
    char *json = NULL, *texts = NULL;
    if (nn_arch_resolved(path, s, &json, &texts)) return -1;
    const int k = ri->n_archs++;
    ri->arch_names[k] = sc_xstrdup(name);
    ri->arch_texts[k] = texts;
    ri->arch_hashes[k] = sc_hash(json, strlen(json));
    free(json);
    return 0;
}

static int archs(const sc_experiment *e, int v, int l, sc_run_info_set *ri)
{
    const int n = e->n_arch + 2 * e->uses_gan;
    ri->arch_names = sc_xcalloc((size_t)n, sizeof(char *));
    ri->arch_texts = sc_xcalloc((size_t)n, sizeof(char *));
    ri->arch_hashes = sc_xcalloc((size_t)n, sizeof(uint64_t));
    for (int m = 0; m < e->n_arch; m++) {
        nn_shape s = {v, e->in_h, e->in_w, l, 1};
        SC_TRY(add_arch(ri, e->arch[m].name, e->arch[m].path, &s));
    }
    if (e->uses_gan) {
        nn_shape gs = {e->gan.train.z + l, 1, 1, v, 1};
        nn_shape ds = {v + l, ri->gan.h, ri->gan.w, 1, 1};
        SC_TRY(add_arch(ri, "gan:generator", e->gan.g_path, &gs));
        SC_TRY(add_arch(ri, "gan:discriminator", e->gan.d_path, &ds));
    }
    return 0;
fail:
    return -1;
}

/* The command line, time, versions (rank 0's, everywhere), and every rank's host, kernels and
 * threads (gathered on rank 0). */
static int this_run(MPI_Comm comm, int argc, char **argv, int threads, sc_run_info_set *ri)
{
    int rank, size;
    SC_TRY(sc_comm_rank_size(comm, &rank, &size));
    size_t n = sizeof "spectcv ";
    for (int i = 0; i < argc; i++) n += strlen(argv[i]) + 1;
    ri->command = sc_xmalloc(n);
    strcpy(ri->command, "spectcv "); /* argv starts at the subcommand */
    for (int i = 0; i < argc; i++) {
        strcat(ri->command, argv[i]);
        if (i + 1 < argc) strcat(ri->command, " ");
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ri->started, sizeof ri->started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sc_mpi_library_version(ri->mpi_version, sizeof ri->mpi_version);
    sc_hdf5_version(ri->hdf5_version, sizeof ri->hdf5_version);
    SC_MPI(MPI_Bcast(ri->started, sizeof ri->started, MPI_CHAR, 0, comm));
    SC_MPI(MPI_Bcast(ri->mpi_version, sizeof ri->mpi_version, MPI_CHAR, 0, comm));

    sc_rank_info me;
    memset(&me, 0, sizeof me);
    me.rank = rank;
    me.worker = size == 1 || rank != 0;
    me.threads = threads;
    if (gethostname(me.host, sizeof me.host - 1)) snprintf(me.host, sizeof me.host, "unknown");
    snprintf(me.blas_core, sizeof me.blas_core, "%s", nn_blas_core());
    if (rank == 0) ri->ranks = sc_xmalloc(sizeof *ri->ranks * (size_t)size);
    SC_MPI(MPI_Gather(&me, sizeof me, MPI_BYTE, ri->ranks, sizeof me, MPI_BYTE, 0, comm));
    /* the workers' kernels: one set, or "differ" (bit-identical results need one) */
    int first = -1;
    if (rank == 0)
        for (int r = 0; r < size; r++) {
            if (!ri->ranks[r].worker) continue;
            if (first < 0) first = r;
            else if (strcmp(ri->ranks[r].blas_core, ri->ranks[first].blas_core)) ri->kernels_differ = 1;
        }
    if (rank == 0) snprintf(ri->blas_core, sizeof ri->blas_core, "%s", ri->ranks[first].blas_core);
    SC_MPI(MPI_Bcast(ri->blas_core, sizeof ri->blas_core, MPI_CHAR, 0, comm));
    SC_MPI(MPI_Bcast(&ri->kernels_differ, 1, MPI_INT, 0, comm));
    ri->run = (sc_run_info){ri->command, ri->started, ri->mpi_version, ri->hdf5_version, size,
                            ri->ranks};
    return 0;
fail:
    return -1;
}

int sc_run_info_make(MPI_Comm comm, const sc_experiment *e, int v, int l, const sc_job *jobs,
                     int n_jobs, int argc, char **argv, int threads, sc_run_info_set *ri)
{
    memset(ri, 0, sizeof *ri);
    int rc = gan_layout(e, v, l, jobs, n_jobs, ri);
    if (rc == 0) rc = archs(e, v, l, ri);
    if (rc == 0) rc = sc_fault_step("run-info");
    /* the local part may fail on one rank alone: all agree before the collectives */
    if (sc_agree(comm, rc)) return -1;
    return sc_agree(comm, this_run(comm, argc, argv, threads, ri));
}

void sc_run_info_free(sc_run_info_set *ri)
{
    free(ri->state_layout);
    free((char *)ri->gan.g_arch_text);
    free((char *)ri->gan.g_arch_json);
    free((char *)ri->gan.d_arch_text);
    free((char *)ri->gan.d_arch_json);
    free(ri->gan_sets);
    free(ri->gan_examples);
    for (int i = 0; i < ri->n_archs; i++) free(ri->arch_names[i]), free(ri->arch_texts[i]);
    free(ri->arch_names);
    free(ri->arch_texts);
    free(ri->arch_hashes);
    free(ri->ranks);
    free(ri->command);
    memset(ri, 0, sizeof *ri);
}

void sc_run_info_layout(const sc_run_info_set *ri, sc_results_layout *lay)
{
    lay->gan = ri->gan;
    lay->gan_sets = ri->gan_sets;
    lay->gan_examples = ri->gan_examples;
    lay->n_archs = ri->n_archs;
    lay->arch_names = (const char *const *)ri->arch_names;
    lay->arch_texts = (const char *const *)ri->arch_texts;
    lay->arch_hashes = ri->arch_hashes;
    lay->run = &ri->run;
    lay->blas_core = ri->kernels_differ ? "differ" : ri->blas_core;
}
