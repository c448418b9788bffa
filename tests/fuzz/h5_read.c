/* tests/fuzz/h5_read.c: the readers and seeds of h5.h. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "results/results_read.h"
#include "results/summary.h"
#include "tests/fuzz/common.h"
#include "tests/fuzz/h5.h"
#include "tests/unit/report_fixture.h"
#include "util/error.h"

/* The readers must close every HDF5 object they open, on errors too: a leaked handle keeps the
 * file open (and its memory) for the rest of a sweep, which ASan cannot see. */
static void check_closed(const char *reader)
{
    const ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (open != 0) {
        fprintf(stderr, "%s left %zd HDF5 objects open\n", reader, open);
        fz_die("HDF5 handles leaked");
    }
}

/* Larger scans are legitimate but not worth a fuzz iteration's memory. */
#define FZ_MAX_SCAN_VALUES (1 << 20)

void fz_read_dataset(const char *path)
{
    sc_dataset ds;
    if (sc_ds_open(MPI_COMM_SELF, path, &ds)) {
        sc_err_clear();
        check_closed("sc_ds_open (failed)");
        return;
    }
    int64_t pos[SC_DS_MAX_LABELS];
    sc_ds_label_counts(&ds, pos);
    const int64_t per = (int64_t)ds.v_file * ds.h * ds.w;
    if (per > 0 && per <= FZ_MAX_SCAN_VALUES) {
        float *buf = malloc((size_t)per * sizeof *buf);
        if (!buf) fz_die("out of memory");
        for (int64_t i = 0; i < ds.n && i < 16; i++)
            if (sc_ds_read(&ds, i, 1, buf)) sc_err_clear();
        free(buf);
    }
    const char *last = ds.view_names[ds.v - 1];
    if (sc_ds_select_views(&ds, &last, 1)) sc_err_clear();
    sc_ds_close(&ds);
    sc_err_clear();
    check_closed("sc_ds_open/sc_ds_close");
}

static void read_jobs(const sc_results_file *rf)
{
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        if (r->status != SC_JOB_DONE) continue;
        const int64_t nt = r->n_test > 0 ? r->n_test : 0;
        int32_t *idx = malloc((size_t)(nt ? nt : 1) * sizeof *idx);
        float *scores = malloc((size_t)(nt ? nt : 1) * (size_t)(rf->l ? rf->l : 1) * sizeof *scores);
        int64_t *counts = malloc((size_t)(rf->l ? rf->l : 1) * 4 * sizeof *counts);
        double *metrics = malloc((size_t)(rf->n_metrics ? rf->n_metrics : 1) * sizeof *metrics);
        float *hist = malloc((size_t)(rf->epochs > 0 ? rf->epochs : 1) * sizeof *hist);
        if (!idx || !scores || !counts || !metrics || !hist) fz_die("out of memory");
        if (sc_results_read_job(rf, j, idx, scores, counts, metrics, hist)) sc_err_clear();
        free(idx), free(scores), free(counts), free(metrics), free(hist);
        sc_val_result v;
        if (sc_results_read_val(rf, j, &v) == 0) sc_val_result_free(&v);
        sc_err_clear();
    }
    for (int g = 0; g < rf->n_gan; g++) {
        sc_gan_result gr;
        if (sc_results_read_gan(rf, g, &gr) == 0) sc_gan_result_free(&gr);
        sc_err_clear();
    }
}

void fz_read_results(const char *path)
{
    sc_results_file rf;
    if (sc_results_open(path, &rf)) {
        sc_err_clear();
        check_closed("sc_results_open (failed)");
        return;
    }
    FILE *out = fopen("/dev/null", "w");
    if (!out) fz_die("/dev/null");
    if (sc_results_print_provenance(out, path, rf.h5_file)) sc_err_clear();
    sc_summary_print_jobs(out, &rf);
    read_jobs(&rf);
    if (sc_results_print_val(out, &rf)) sc_err_clear();
    sc_summary s;
    sc_summary_options opt = {.table_only = 1};
    if (sc_summary_compute_opts(&rf, &opt, &s) == 0) {
        sc_summary_print(out, &rf, &s);
        sc_summary_free(&s);
    }
    sc_err_clear();
    fclose(out);
    sc_results_free(&rf);
    check_closed("the results readers");
}

void fz_seed_dataset(const char *path)
{
    enum { N = 6, V = 2, H = 16, W = 8, L = 2 };
    const char *labels[L] = {"metastasis", "arthritis"}, *views[V] = {"anterior", "posterior"};
    sc_ds_writer *wr;
    if (sc_ds_writer_open(path, N, V, H, W, L, labels, views, &wr)) fz_die(sc_err_msg());
    uint16_t img[V * H * W];
    for (int i = 0; i < N; i++) {
        for (int p = 0; p < V * H * W; p++) img[p] = (uint16_t)((p * 7 + i * 13) % 500);
        const uint8_t lab[L] = {(uint8_t)(i & 1), (uint8_t)(i % 3 == 0)};
        if (sc_ds_writer_put(wr, i, img, lab, i / 2)) fz_die(sc_err_msg());
    }
    const int mirrored[V] = {0, 1};
    if (sc_ds_writer_mirrored(wr, mirrored)) fz_die(sc_err_msg());
    const float spacing[2] = {2.4f, 2.4f};
    for (int i = 0; i < N; i++) {
        const char *src[1] = {"scan.dcm"};
        if (sc_ds_writer_put_meta_str(wr, "source_file", i, 0, src) ||
            sc_ds_writer_put_meta_f32(wr, "pixel_spacing", i, 2, spacing))
            fz_die(sc_err_msg());
    }
    if (sc_ds_writer_close(wr)) fz_die(sc_err_msg());
}

void fz_seed_results(const char *path)
{
    static fx_results fx;
    if (fx_make(path, 1, &fx)) fz_die(sc_err_msg());
}
