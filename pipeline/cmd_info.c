/* pipeline/cmd_info.c: `spectcv info FILE.h5`: describe a data set or a results file. */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "pipeline/import.h"
#include "results/results_read.h"
#include "results/summary.h"
#include "util/error.h"

static void help(void)
{
    printf("usage: spectcv info FILE.h5\n\n"
           "Describe a data set (scans, views, size, labels, label sets, patients, and how it\n"
           "was made: for an import, its source, date, files by format and DICOM transfer\n"
           "syntaxes) or a results file (experiment, jobs by status, the summary table).\n");
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int info_dataset(const char *path)
{
    sc_dataset ds;
    if (sc_ds_open(MPI_COMM_SELF, path, &ds)) return -1;
    printf("data set: %s\n", path);
    printf("scans: %lld\npatients: %lld\n", (long long)ds.n, (long long)ds.n_patients);
    printf("views: %d (", ds.v);
    for (int i = 0; i < ds.v; i++)
        printf("%s%s%s", ds.view_names[i],
               !ds.view_mirrored[i] ? "" : ds.mirrored_given ? " (mirrored)"
                                                             : " (mirrored, from the view names)",
               i + 1 < ds.v ? ", " : ")\n");
    printf("size: %d x %d (H x W), %s pixels\n", ds.h, ds.w,
           ds.pixel == SC_PIX_U16 ? "uint16" : "float32");
    printf("labels: %d\n", ds.l);
    int64_t pos[SC_DS_MAX_LABELS];
    sc_ds_label_counts(&ds, pos);
    for (int j = 0; j < ds.l; j++)
        printf("  %-16s %6lld scans (%.1f%%)\n", ds.label_names[j], (long long)pos[j],
               100.0 * (double)pos[j] / (double)ds.n);
    /* Label sets (label powerset), in order of their bit pattern. */
    printf("label sets:\n");
    int64_t *cnt = sc_xcalloc((size_t)1 << ds.l, sizeof *cnt);
    for (int64_t i = 0; i < ds.n; i++) {
        unsigned key = 0;
        for (int j = 0; j < ds.l; j++) key |= (unsigned)ds.labels[i * ds.l + j] << j;
        cnt[key]++;
    }
    for (unsigned key = 0; key < (1u << ds.l); key++) {
        if (!cnt[key]) continue;
        char set[512];
        size_t off = (size_t)snprintf(set, sizeof set, "{");
        int first = 1;
        for (int j = 0; j < ds.l && off < sizeof set; j++)
            if (key & (1u << j)) {
                off += (size_t)snprintf(set + off, sizeof set - off, "%s%s", first ? "" : ", ",
                                        ds.label_names[j]);
                first = 0;
            }
        if (off < sizeof set) snprintf(set + off, sizeof set - off, "}");
        printf("  %-32s %6lld scans\n", set, (long long)cnt[key]);
    }
    free(cnt);
    /* Scans per patient: run lengths of the sorted ids. */
    int64_t *ids = sc_xmalloc((size_t)ds.n * sizeof *ids), mn = ds.n, mx = 0;
    memcpy(ids, ds.patient, (size_t)ds.n * sizeof *ids);
    qsort(ids, (size_t)ds.n, sizeof *ids, cmp_i64);
    for (int64_t i = 0, run = 1; i < ds.n; i++, run++)
        if (i + 1 == ds.n || ids[i + 1] != ids[i]) {
            if (run < mn) mn = run;
            if (run > mx) mx = run;
            run = 0;
        }
    free(ids);
    printf("scans per patient: %lld to %lld\n", (long long)mn, (long long)mx);
    const int64_t n = ds.n;
    sc_ds_close(&ds);
    return imp_print_provenance(stdout, path, n);
}

static int info_results(const char *path)
{
    sc_results_file rf;
    if (sc_results_open(path, &rf)) return -1;
    int count[4] = {0};
    for (int j = 0; j < rf.n_jobs; j++) count[rf.rows[j].status]++;
    printf("results: %s\nspectcv version: %s\n", path, rf.version);
    if (rf.blas_core[0]) printf("OpenBLAS kernels: %s\n", rf.blas_core);
    printf("experiment: %s (hash %s)\n", rf.experiment_path, rf.experiment_hash);
    printf("data set: %s (hash %s)\n", rf.dataset_path, rf.dataset_hash);
    printf("labels:");
    for (int j = 0; j < rf.l; j++) printf(" %s", rf.label_names[j]);
    printf("\nfolds: %d x %d repeats over %lld scans; threshold %g; confidence %g\n", rf.k,
           rf.repeats, (long long)rf.n, rf.threshold, rf.confidence);
    if (sc_results_print_provenance(stdout, path, rf.h5_file)) {
        sc_results_free(&rf);
        return -1;
    }
    printf("jobs: %d (done %d, failed %d, running %d, pending %d)\n", rf.n_jobs,
           count[SC_JOB_DONE], count[SC_JOB_FAILED], count[SC_JOB_RUNNING], count[SC_JOB_PENDING]);
    if (rf.n_gan) {
        int gc[4] = {0};
        for (int j = 0; j < rf.n_gan; j++) gc[rf.gan_rows[j].status]++;
        printf("GAN jobs: %d (done %d, failed %d, running %d, pending %d): %s, %lld samples for "
               "the first fold\n", rf.n_gan, gc[SC_JOB_DONE], gc[SC_JOB_FAILED],
               gc[SC_JOB_RUNNING], gc[SC_JOB_PENDING], rf.gan_rows[0].architecture,
               (long long)rf.gan_rows[0].n_synth);
        for (int j = 0; j < rf.n_gan; j++)
            if (rf.gan_rows[j].status == SC_JOB_FAILED)
                printf("  GAN job %04d (repeat %d, fold %d) failed: %s\n", rf.gan_rows[j].id,
                       rf.gan_rows[j].repeat, rf.gan_rows[j].fold, rf.gan_rows[j].message);
    }
    printf("\n");
    sc_summary_print_jobs(stdout, &rf);
    if (sc_results_print_val(stdout, &rf)) {
        sc_results_free(&rf);
        return -1;
    }
    sc_summary s;
    sc_summary_options opt = {.table_only = 1}; /* info stays fast: no bootstrap */
    if (sc_summary_compute_opts(&rf, &opt, &s) == 0) {
        sc_summary_print(stdout, &rf, &s);
        sc_summary_free(&s);
    }
    sc_results_free(&rf);
    return 0;
}

int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            if (cli_rank() == 0) help();
            return SC_EXIT_OK;
        } else if (cli_positional(argv[i], &path)) {
            return cli_usage_error("info");
        }
    }
    if (!path) {
        sc_err_set(NULL, 0, "missing the file to describe");
        return cli_usage_error("info");
    }
    if (cli_rank() != 0) return SC_EXIT_OK;
    /* A results file has /jobs/table; anything else is treated as a data set. */
    int is_results = 0;
    if (H5Fis_hdf5(path) > 0) {
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f >= 0) {
            is_results = H5Lexists(f, "/jobs", H5P_DEFAULT) > 0;
            H5Fclose(f);
        }
    }
    int rc = is_results ? info_results(path) : info_dataset(path);
    if (rc) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    return SC_EXIT_OK;
}
