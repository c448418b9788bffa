/* results/results_prov.c: what made a results file, beside what it holds (results_priv.h).
 *
 *   root attributes   architectures, architecture_hashes (hex), architecture_texts: every
 *                     architecture of the sweep (the GAN's as "gan:generator" and
 *                     "gan:discriminator"), its hash the hash of its resolved JSON
 *   /provenance/run_K one group per run of the sweep: K = 0 for the run that created the file,
 *                     1, 2, ... for each --resume; attributes command, started, mpi_version,
 *                     hdf5_version, n_ranks; dataset ranks (compound: rank, worker, threads,
 *                     host, blas_core) */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results.h"
#include "results/results_priv.h"
#include "util/error.h"
#include "util/h5.h"
#include "util/hash.h"

#define HINT "(not a spectcv results file?)"

int sc_results_write_archs(sc_results *r, const sc_results_layout *lay)
{
    if (lay->n_archs <= 0) return 0;
    char(*hex)[17] = sc_xmalloc(sizeof *hex * (size_t)lay->n_archs);
    const char **hp = sc_xmalloc(sizeof *hp * (size_t)lay->n_archs);
    int rc = -1;
    for (int i = 0; i < lay->n_archs; i++) {
        sc_hash_hex(lay->arch_hashes[i], hex[i]);
        hp[i] = hex[i];
    }
    SC_TRY(sc_h5_write_strs_attr(r->file, r->path, "architectures", lay->n_archs,
                                 lay->arch_names, SC_H5_FIXED));
    SC_TRY(sc_h5_write_strs_attr(r->file, r->path, "architecture_hashes", lay->n_archs, hp,
                                 SC_H5_FIXED));
    SC_TRY(sc_h5_write_strs_attr(r->file, r->path, "architecture_texts", lay->n_archs,
                                 lay->arch_texts, SC_H5_VLEN));
    rc = 0;
fail:
    free(hex);
    free(hp);
    return rc;
}

int sc_results_verify_archs(sc_results *r, const sc_results_layout *lay)
{
    char **names = NULL, **hashes = NULL;
    int nn = 0, nh = 0, rc = -1;
    SC_TRY(sc_h5_read_strs_attr(r->file, r->path, "architectures", HINT, &names, &nn));
    SC_TRY(sc_h5_read_strs_attr(r->file, r->path, "architecture_hashes", HINT, &hashes, &nh));
    SC_CHECK(nn == nh, "%s: attributes architectures and architecture_hashes differ in length",
             r->path);
    for (int i = 0; i < lay->n_archs; i++) {
        int k = -1;
        for (int j = 0; j < nn; j++)
            if (!strcmp(names[j], lay->arch_names[i])) k = j;
        SC_CHECK(k >= 0, "%s: architecture '%s' is not one the sweep started with", r->path,
                 lay->arch_names[i]);
        char hex[17];
        sc_hash_hex(lay->arch_hashes[i], hex);
        SC_CHECK(!strcmp(hashes[k], hex), "%s: architecture '%s' differs from the one the sweep "
                 "started with (hash %s, now %s: its file, or a file it is based on, changed); "
                 "--resume continues a sweep only with the architectures that started it",
                 r->path, lay->arch_names[i], hashes[k], hex);
    }
    SC_CHECK(nn == lay->n_archs, "%s: the sweep started with %d architectures, this one has %d",
             r->path, nn, lay->n_archs);
    rc = 0;
fail:
    sc_h5_free_strs(names, nn);
    sc_h5_free_strs(hashes, nh);
    return rc;
}

static hid_t rank_type(void)
{
    hid_t t = -1, host = -1, core = -1;
    SC_H5(t = H5Tcreate(H5T_COMPOUND, sizeof(sc_rank_info)), "H5Tcreate failed");
    SC_H5(host = H5Tcopy(H5T_C_S1), "H5Tcopy failed");
    SC_H5(H5Tset_size(host, sizeof ((sc_rank_info *)0)->host), "H5Tset_size failed");
    SC_H5(core = H5Tcopy(H5T_C_S1), "H5Tcopy failed");
    SC_H5(H5Tset_size(core, sizeof ((sc_rank_info *)0)->blas_core), "H5Tset_size failed");
#define F(name, type) SC_H5(H5Tinsert(t, #name, HOFFSET(sc_rank_info, name), type), "H5Tinsert")
    F(rank, H5T_NATIVE_INT32);
    F(worker, H5T_NATIVE_INT8);
    F(threads, H5T_NATIVE_INT32);
    F(host, host);
    F(blas_core, core);
#undef F
    H5Tclose(host);
    H5Tclose(core);
    return t;
fail:
    if (host >= 0) H5Tclose(host);
    if (core >= 0) H5Tclose(core);
    if (t >= 0) H5Tclose(t);
    return -1;
}

static herr_t count_link(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    if (!strncmp(name, "run_", 4)) (*(int *)data)++;
    return 0;
}

int sc_results_write_run(sc_results *r, const sc_results_layout *lay)
{
    const sc_run_info *run = lay->run;
    hid_t prov = -1, g = -1, t = -1, d = -1;
    int rc = -1, k = 0;
    if (!run) return 0;
    if (H5Lexists(r->file, "/provenance", H5P_DEFAULT) > 0)
        SC_H5(prov = H5Gopen2(r->file, "/provenance", H5P_DEFAULT), "%s: /provenance", r->path);
    else
        SC_H5(prov = H5Gcreate2(r->file, "/provenance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "%s: cannot create /provenance", r->path);
    SC_H5(H5Literate(prov, H5_INDEX_NAME, H5_ITER_INC, NULL, count_link, &k),
          "%s: /provenance", r->path);
    char name[32];
    snprintf(name, sizeof name, "run_%d", k);
    SC_H5(g = H5Gcreate2(prov, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "%s: cannot create /provenance/%s", r->path, name);
    const sc_h5_str vl = SC_H5_VLEN;
    SC_TRY(sc_h5_write_str_attr(g, r->path, "command", run->command, vl));
    SC_TRY(sc_h5_write_str_attr(g, r->path, "started", run->started, vl));
    SC_TRY(sc_h5_write_str_attr(g, r->path, "mpi_version", run->mpi_version, vl));
    SC_TRY(sc_h5_write_str_attr(g, r->path, "hdf5_version", run->hdf5_version, vl));
    SC_TRY(sc_h5_write_num_attr(g, r->path, "n_ranks", H5T_NATIVE_INT, &run->n_ranks));
    SC_H5(t = rank_type(), "%s: rank type", r->path);
    hsize_t n = (hsize_t)run->n_ranks;
    SC_TRY((d = sc_results_make_dset(g, "ranks", t, 1, &n, NULL)) < 0);
    if (r->rank == 0) SC_TRY(sc_results_write_all(d, t, run->ranks, "/provenance ranks"));
    rc = 0;
fail:
    if (d >= 0) H5Dclose(d);
    if (t >= 0) H5Tclose(t);
    if (g >= 0) H5Gclose(g);
    if (prov >= 0) H5Gclose(prov);
    return rc;
}

/* One run's ranks, in groups of consecutive ranks on one host with the same kernels and
 * threads: "ranks 1-31 on node01: Haswell kernels, 1 thread". */
static void print_ranks(FILE *out, const sc_rank_info *r, int n, const char *kernels0)
{
    for (int i = 0; i < n;) {
        int k = i + 1;
        while (k < n && r[k].worker == r[i].worker && r[k].threads == r[i].threads &&
               !strcmp(r[k].host, r[i].host) && !strcmp(r[k].blas_core, r[i].blas_core))
            k++;
        if (k - i == 1) fprintf(out, "    rank %d", r[i].rank);
        else fprintf(out, "    ranks %d-%d", r[i].rank, r[k - 1].rank);
        fprintf(out, " on %s: %s%s kernels", r[i].host, r[i].worker ? "" : "dispatching; ",
                r[i].blas_core);
        if (r[i].worker) fprintf(out, ", %d thread%s", r[i].threads, r[i].threads > 1 ? "s" : "");
        if (r[i].worker && kernels0[0] && strcmp(r[i].blas_core, kernels0))
            fprintf(out, "  <- not the kernels of the first worker (%s)", kernels0);
        fprintf(out, "\n");
        i = k;
    }
}

int sc_results_print_provenance(FILE *out, const char *path, int64_t file)
{
    hid_t prov = -1, g = -1, d = -1, t = -1;
    int rc = -1, n_runs = 0;
    sc_rank_info *ranks = NULL;
    char *cmd = NULL, *started = NULL, *mpi = NULL, *h5 = NULL;
    if (H5Lexists(file, "/provenance", H5P_DEFAULT) <= 0) return 0; /* an earlier version's */
    SC_H5(prov = H5Gopen2(file, "/provenance", H5P_DEFAULT), "%s: /provenance", path);
    SC_H5(H5Literate(prov, H5_INDEX_NAME, H5_ITER_INC, NULL, count_link, &n_runs),
          "%s: /provenance", path);
    SC_H5(t = rank_type(), "%s: rank type", path);
    for (int k = 0; k < n_runs; k++) {
        char name[32], where[64];
        snprintf(name, sizeof name, "run_%d", k);
        snprintf(where, sizeof where, "%s: /provenance/%s", path, name);
        SC_H5(g = H5Gopen2(prov, name, H5P_DEFAULT), "%s: cannot open", where);
        SC_TRY(sc_h5_read_str_attr(g, where, "command", HINT, &cmd));
        SC_TRY(sc_h5_read_str_attr(g, where, "started", HINT, &started));
        SC_TRY(sc_h5_read_str_attr(g, where, "mpi_version", HINT, &mpi));
        SC_TRY(sc_h5_read_str_attr(g, where, "hdf5_version", HINT, &h5));
        SC_TRY((d = sc_h5_open_dset(g, where, "ranks", HINT)) < 0);
        hsize_t n;
        SC_TRY(sc_h5_dset_shape(d, where, "ranks", 1, &n));
        SC_CHECK(n >= 1 && n <= (1u << 24), "%s/ranks: %llu ranks", where, (unsigned long long)n);
        ranks = sc_xcalloc((size_t)n, sizeof *ranks);
        SC_H5(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, ranks), "%s/ranks: cannot read", where);
        const char *kernels0 = "";
        for (hsize_t i = 0; i < n; i++) {
            ranks[i].host[sizeof ranks[i].host - 1] = '\0';
            ranks[i].blas_core[sizeof ranks[i].blas_core - 1] = '\0';
            if (ranks[i].worker && !kernels0[0]) kernels0 = ranks[i].blas_core;
        }
        fprintf(out, "%s %s: %s\n    %llu rank%s; %s; HDF5 %s\n", k == 0 ? "run" : "resumed",
                started, cmd, (unsigned long long)n, n > 1 ? "s" : "", mpi, h5);
        print_ranks(out, ranks, (int)n, kernels0);
        free(ranks), free(cmd), free(started), free(mpi), free(h5);
        ranks = NULL, cmd = started = mpi = h5 = NULL;
        H5Dclose(d), H5Gclose(g);
        d = g = -1;
    }
    rc = 0;
fail:
    free(ranks), free(cmd), free(started), free(mpi), free(h5);
    if (d >= 0) H5Dclose(d);
    if (g >= 0) H5Gclose(g);
    if (t >= 0) H5Tclose(t);
    if (prov >= 0) H5Gclose(prov);
    return rc;
}
