/* results/results_read.c: see results_read.h. */
#include "results/results_read.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/h5.h"

/* Added to "missing" messages: the usual cause is another kind of HDF5 file. */
#define HINT "(not a spectcv results file?)"

/* A string attribute into a fixed-size field (truncated to fit). */
static int read_str_field(const char *path, hid_t obj, const char *name, char *out, size_t n)
{
    char *s;
    if (sc_h5_read_str_attr(obj, path, name, HINT, &s)) return -1;
    snprintf(out, n, "%s", s);
    free(s);
    return 0;
}

/* Read the whole dataset `name`, which must hold `expect` values (`shape` says which, for the
 * message). */
static int read_all(const char *path, hid_t file, const char *name, hid_t type, hsize_t expect,
                    const char *shape, void *out)
{
    hid_t d = -1, sp = -1;
    int rc = -1;
    SC_TRY((d = sc_h5_open_dset(file, path, name, HINT)) < 0);
    SC_H5(sp = H5Dget_space(d), "%s: %s", path, name);
    SC_CHECK((hsize_t)H5Sget_simple_extent_npoints(sp) == expect, "%s: %s: expected %s", path,
             name, shape);
    if (expect > 0)
        SC_H5(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), "%s: cannot read %s", path,
              name);
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return rc;
}

int sc_results_open(const char *path, sc_results_file *rf)
{
    hid_t file = -1, d = -1, sp = -1, t = -1;
    char **ln = NULL;
    int nl = 0;
    memset(rf, 0, sizeof *rf);
    rf->path = sc_xstrdup(path);
    rf->h5_file = -1;
    FILE *probe = fopen(path, "rb");
    SC_CHECK(probe, "%s: cannot open the results file (does it exist?)", path);
    fclose(probe);
    SC_CHECK(H5Fis_hdf5(path) > 0, "%s: not an HDF5 file (or truncated)", path);
    file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    SC_CHECK(file >= 0, "%s: cannot open as HDF5 (damaged file, or still open by a writer?)",
             path);
    SC_TRY(read_str_field(path, file, "version", rf->version, sizeof rf->version));
    htri_t has_core; /* optional: files of older versions lack it */
    SC_H5(has_core = H5Aexists(file, "blas_core"), "%s: attribute 'blas_core': cannot query",
          path);
    if (has_core)
        SC_TRY(read_str_field(path, file, "blas_core", rf->blas_core, sizeof rf->blas_core));
    SC_TRY(sc_h5_read_str_attr(file, path, "experiment", HINT, &rf->experiment));
    SC_TRY(read_str_field(path, file, "experiment_hash", rf->experiment_hash,
                          sizeof rf->experiment_hash));
    SC_TRY(read_str_field(path, file, "experiment_path", rf->experiment_path,
                          sizeof rf->experiment_path));
    SC_TRY(read_str_field(path, file, "dataset_path", rf->dataset_path, sizeof rf->dataset_path));
    SC_TRY(read_str_field(path, file, "dataset_hash", rf->dataset_hash, sizeof rf->dataset_hash));
    SC_TRY(sc_h5_read_num_attr(file, path, "threshold", HINT, H5T_NATIVE_DOUBLE, &rf->threshold));
    SC_TRY(sc_h5_read_num_attr(file, path, "confidence", HINT, H5T_NATIVE_DOUBLE,
                               &rf->confidence));
    SC_TRY(sc_h5_read_num_attr(file, path, "seed", HINT, H5T_NATIVE_UINT64, &rf->seed));
    SC_TRY(sc_h5_read_num_attr(file, path, "repeats", HINT, H5T_NATIVE_INT, &rf->repeats));
    SC_TRY(sc_h5_read_num_attr(file, path, "folds", HINT, H5T_NATIVE_INT, &rf->k));
    SC_TRY(sc_h5_read_num_attr(file, path, "epochs", HINT, H5T_NATIVE_INT, &rf->epochs));
    SC_TRY(sc_h5_read_strs_attr(file, path, "label_names", HINT, &ln, &nl));
    SC_CHECK(nl >= 1 && nl <= SC_DS_MAX_LABELS, "%s: label_names: expected 1 to %d labels", path,
             SC_DS_MAX_LABELS);
    rf->l = nl;
    for (int j = 0; j < nl; j++)
        snprintf(rf->label_names[j], sizeof rf->label_names[j], "%s", ln[j]);
    SC_CHECK(rf->repeats >= 1 && rf->k >= 2 && rf->epochs >= 1,
             "%s: attributes repeats/folds/epochs out of range", path);

    SC_TRY((d = sc_h5_open_dset(file, path, "/folds/assignment", HINT)) < 0);
    hsize_t ad[2];
    SC_TRY(sc_h5_dset_shape(d, path, "/folds/assignment", 2, ad));
    SC_CHECK((int)ad[0] == rf->repeats && ad[1] >= 1, "%s: /folds/assignment: shape does not "
             "match the repeats attribute", path);
    rf->n = (int64_t)ad[1];
    rf->assignment = sc_xmalloc((size_t)(ad[0] * ad[1]) * sizeof *rf->assignment);
    SC_H5(H5Dread(d, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->assignment),
          "%s: cannot read /folds/assignment", path);
    H5Dclose(d);
    d = -1;

    char shape[64];
    rf->truth = sc_xmalloc((size_t)rf->n * (size_t)rf->l);
    rf->patient = sc_xmalloc((size_t)rf->n * sizeof *rf->patient);
    snprintf(shape, sizeof shape, "[%lld][%d]", (long long)rf->n, rf->l);
    SC_TRY(read_all(path, file, "/dataset/labels", H5T_NATIVE_UINT8,
                    (hsize_t)rf->n * (hsize_t)rf->l, shape, rf->truth));
    snprintf(shape, sizeof shape, "[%lld]", (long long)rf->n);
    SC_TRY(read_all(path, file, "/dataset/patient", H5T_NATIVE_INT64, (hsize_t)rf->n, shape,
                    rf->patient));

    SC_TRY((d = sc_h5_open_dset(file, path, "/jobs/table", HINT)) < 0);
    SC_H5(sp = H5Dget_space(d), "%s: /jobs/table", path);
    hssize_t nj = H5Sget_simple_extent_npoints(sp);
    SC_CHECK(nj >= 1 && nj <= 1000000, "%s: /jobs/table: bad size", path);
    rf->n_jobs = (int)nj;
    rf->rows = sc_xcalloc((size_t)nj, sizeof *rf->rows);
    SC_H5(t = sc_results_row_type(), "row type");
    SC_H5(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->rows),
          "%s: cannot read /jobs/table (not written by this version?)", path);
    for (int j = 0; j < rf->n_jobs; j++) {
        sc_job_row *r = &rf->rows[j];
        r->augmentation[SC_ROW_NAME - 1] = r->architecture[SC_ROW_NAME - 1] = '\0';
        r->message[SC_ROW_MSG - 1] = '\0';
        SC_CHECK(r->id == j && r->repeat >= 0 && r->repeat < rf->repeats && r->fold >= 0 &&
                     r->fold < rf->k && r->status >= 0 && r->status <= 3 &&
                     (r->kind == SC_JOB_CLASSIFIER || r->kind == SC_JOB_GAN),
                 "%s: /jobs/table: row %d is inconsistent", path, j);
    }
    /* classifier jobs first, then the GAN jobs (results.h) */
    int n_cls = 0;
    while (n_cls < rf->n_jobs && rf->rows[n_cls].kind == SC_JOB_CLASSIFIER) n_cls++;
    for (int j = n_cls; j < rf->n_jobs; j++)
        SC_CHECK(rf->rows[j].kind == SC_JOB_GAN, "%s: /jobs/table: row %d: a classifier job "
                 "after the GAN jobs", path, j);
    SC_CHECK(n_cls >= 1, "%s: /jobs/table: no classifier job", path);
    rf->n_gan = rf->n_jobs - n_cls;
    rf->gan_rows = rf->rows + n_cls;
    rf->n_jobs = n_cls;
    H5Sclose(sp);
    sp = -1;
    H5Dclose(d);
    d = -1;

    /* Metric names from the first job's metrics dataset. */
    SC_TRY((d = sc_h5_open_dset(file, path, "/jobs/0000/metrics", HINT)) < 0);
    SC_TRY(sc_h5_read_strs_attr(d, path, "names", HINT, &rf->metric_names, &rf->n_metrics));
    H5Dclose(d);
    H5Tclose(t);
    sc_h5_free_strs(ln, nl);
    rf->h5_file = file;
    return 0;
fail:
    sc_h5_free_strs(ln, nl);
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    if (file >= 0) H5Fclose(file);
    sc_results_free(rf);
    return -1;
}

void sc_results_free(sc_results_file *rf)
{
    if (rf->h5_file >= 0 && rf->path) H5Fclose(rf->h5_file);
    sc_h5_free_strs(rf->metric_names, rf->n_metrics);
    free(rf->path);
    free(rf->experiment);
    free(rf->assignment);
    free(rf->truth);
    free(rf->patient);
    free(rf->rows);
    memset(rf, 0, sizeof *rf);
    rf->h5_file = -1;
}

static int read_job_dset(const sc_results_file *rf, int job, const char *name, hid_t type,
                         hsize_t expect, void *out)
{
    char p[64], shape[64];
    snprintf(p, sizeof p, "/jobs/%04d/%s", job, name);
    snprintf(shape, sizeof shape, "%llu values", (unsigned long long)expect);
    return read_all(rf->path, rf->h5_file, p, type, expect, shape, out);
}

int sc_results_read_job(const sc_results_file *rf, int job, int32_t *test_index, float *scores,
                        int64_t *counts, double *metrics, float *history)
{
    SC_CHECK(job >= 0 && job < rf->n_jobs, "%s: job %d out of range", rf->path, job);
    hsize_t nt = (hsize_t)rf->rows[job].n_test;
    if (test_index) SC_TRY(read_job_dset(rf, job, "test_index", H5T_NATIVE_INT32, nt, test_index));
    if (scores)
        SC_TRY(read_job_dset(rf, job, "scores", H5T_NATIVE_FLOAT, nt * (hsize_t)rf->l, scores));
    if (counts)
        SC_TRY(read_job_dset(rf, job, "counts", H5T_NATIVE_INT64, (hsize_t)rf->l * 4, counts));
    if (metrics)
        SC_TRY(read_job_dset(rf, job, "metrics", H5T_NATIVE_DOUBLE, (hsize_t)rf->n_metrics,
                             metrics));
    if (history)
        SC_TRY(read_job_dset(rf, job, "history", H5T_NATIVE_FLOAT, (hsize_t)rf->epochs, history));
    return 0;
fail:
    return -1;
}

int sc_results_metric_index(const sc_results_file *rf, const char *name)
{
    for (int i = 0; i < rf->n_metrics; i++)
        if (!strcmp(rf->metric_names[i], name)) return i;
    return -1;
}
