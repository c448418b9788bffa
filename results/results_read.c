/* results/results_read.c: see results_read.h. */
#include "results/results_read.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* A scalar string attribute (fixed or variable length) into out. */
static int read_str_attr(const char *path, hid_t obj, const char *name, char *out, size_t n,
                         char **dyn)
{
    hid_t a = -1, t = -1, mt = -1;
    int rc = -1;
    SC_CHECK(H5Aexists(obj, name) > 0, "%s: missing attribute '%s' (not a spectcv results "
             "file?)", path, name);
    SC_H5(a = H5Aopen(obj, name, H5P_DEFAULT), "%s: attribute %s", path, name);
    SC_H5(t = H5Aget_type(a), "%s: attribute %s", path, name);
    SC_CHECK(H5Tget_class(t) == H5T_STRING, "%s: attribute '%s': expected a string", path, name);
    if (H5Tis_variable_str(t) > 0) {
        char *s = NULL;
        SC_H5(mt = H5Tcopy(H5T_C_S1), "H5Tcopy");
        SC_H5(H5Tset_size(mt, H5T_VARIABLE), "H5Tset_size");
        SC_H5(H5Aread(a, mt, &s), "%s: attribute %s", path, name);
        if (dyn) *dyn = sc_xstrdup(s ? s : "");
        else snprintf(out, n, "%s", s ? s : "");
        free(s);
    } else {
        size_t sz = H5Tget_size(t);
        char *buf = sc_xcalloc(1, sz + 1);
        SC_H5(mt = H5Tcopy(H5T_C_S1), "H5Tcopy");
        SC_H5(H5Tset_size(mt, sz + 1), "H5Tset_size");
        if (H5Aread(a, mt, buf) < 0) {
            free(buf);
            SC_FAIL("%s: cannot read attribute %s", path, name);
        }
        if (dyn) *dyn = buf;
        else {
            snprintf(out, n, "%s", buf);
            free(buf);
        }
    }
    rc = 0;
fail:
    if (mt >= 0) H5Tclose(mt);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return rc;
}

static int read_num_attr(const char *path, hid_t obj, const char *name, hid_t type, void *out)
{
    hid_t a = -1;
    int rc = -1;
    SC_CHECK(H5Aexists(obj, name) > 0, "%s: missing attribute '%s'", path, name);
    SC_H5(a = H5Aopen(obj, name, H5P_DEFAULT), "%s: attribute %s", path, name);
    SC_H5(H5Aread(a, type, out), "%s: cannot read attribute %s", path, name);
    rc = 0;
fail:
    if (a >= 0) H5Aclose(a);
    return rc;
}

/* An attribute holding an array of fixed-length strings; returns count, names malloc'd. */
static int read_str_array(const char *path, hid_t obj, const char *name, char ***names, int *cnt)
{
    hid_t a = -1, t = -1, sp = -1, mt = -1;
    char *buf = NULL;
    int rc = -1;
    SC_CHECK(H5Aexists(obj, name) > 0, "%s: missing attribute '%s'", path, name);
    SC_H5(a = H5Aopen(obj, name, H5P_DEFAULT), "%s: attribute %s", path, name);
    SC_H5(t = H5Aget_type(a), "%s: attribute %s", path, name);
    SC_CHECK(H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) <= 0,
             "%s: attribute '%s': expected fixed-length strings", path, name);
    SC_H5(sp = H5Aget_space(a), "%s: attribute %s", path, name);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    SC_CHECK(n >= 0 && n < 100000, "%s: attribute '%s': bad size", path, name);
    size_t sz = H5Tget_size(t);
    buf = sc_xcalloc((size_t)(n ? n : 1), sz + 1);
    SC_H5(mt = H5Tcopy(H5T_C_S1), "H5Tcopy");
    SC_H5(H5Tset_size(mt, sz + 1), "H5Tset_size");
    if (n > 0) SC_H5(H5Aread(a, mt, buf), "%s: cannot read attribute %s", path, name);
    *names = sc_xcalloc((size_t)(n ? n : 1), sizeof **names);
    for (hssize_t i = 0; i < n; i++) (*names)[i] = sc_xstrdup(buf + (size_t)i * (sz + 1));
    *cnt = (int)n;
    rc = 0;
fail:
    free(buf);
    if (mt >= 0) H5Tclose(mt);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return rc;
}

static hid_t open_checked(const char *path, hid_t file, const char *name)
{
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
        sc_err_set(NULL, 0, "%s: missing %s (not a spectcv results file?)", path, name);
        return -1;
    }
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) sc_err_set(NULL, 0, "%s: cannot open %s (damaged file?)", path, name);
    return d;
}

int sc_results_open(const char *path, sc_results_file *rf)
{
    hid_t file = -1, d = -1, sp = -1, t = -1;
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
    SC_TRY(read_str_attr(path, file, "version", rf->version, sizeof rf->version, NULL));
    SC_TRY(read_str_attr(path, file, "experiment", NULL, 0, &rf->experiment));
    SC_TRY(read_str_attr(path, file, "experiment_hash", rf->experiment_hash,
                         sizeof rf->experiment_hash, NULL));
    SC_TRY(read_str_attr(path, file, "experiment_path", rf->experiment_path,
                         sizeof rf->experiment_path, NULL));
    SC_TRY(read_str_attr(path, file, "dataset_path", rf->dataset_path, sizeof rf->dataset_path,
                         NULL));
    SC_TRY(read_str_attr(path, file, "dataset_hash", rf->dataset_hash, sizeof rf->dataset_hash,
                         NULL));
    SC_TRY(read_num_attr(path, file, "threshold", H5T_NATIVE_DOUBLE, &rf->threshold));
    SC_TRY(read_num_attr(path, file, "confidence", H5T_NATIVE_DOUBLE, &rf->confidence));
    SC_TRY(read_num_attr(path, file, "seed", H5T_NATIVE_UINT64, &rf->seed));
    SC_TRY(read_num_attr(path, file, "repeats", H5T_NATIVE_INT, &rf->repeats));
    SC_TRY(read_num_attr(path, file, "folds", H5T_NATIVE_INT, &rf->k));
    SC_TRY(read_num_attr(path, file, "epochs", H5T_NATIVE_INT, &rf->epochs));
    char **ln = NULL;
    int nl = 0;
    SC_TRY(read_str_array(path, file, "label_names", &ln, &nl));
    SC_CHECK(nl >= 1 && nl <= 16, "%s: label_names: expected 1 to 16 labels", path);
    rf->l = nl;
    for (int j = 0; j < nl; j++) {
        snprintf(rf->label_names[j], sizeof rf->label_names[j], "%s", ln[j]);
        free(ln[j]);
    }
    free(ln);
    SC_CHECK(rf->repeats >= 1 && rf->k >= 2 && rf->epochs >= 1,
             "%s: attributes repeats/folds/epochs out of range", path);

    SC_TRY((d = open_checked(path, file, "/folds/assignment")) < 0);
    hsize_t ad[2];
    SC_H5(sp = H5Dget_space(d), "%s: /folds/assignment", path);
    SC_CHECK(H5Sget_simple_extent_ndims(sp) == 2, "%s: /folds/assignment: expected [R][N]", path);
    H5Sget_simple_extent_dims(sp, ad, NULL);
    SC_CHECK((int)ad[0] == rf->repeats && ad[1] >= 1, "%s: /folds/assignment: shape does not "
             "match the repeats attribute", path);
    rf->n = (int64_t)ad[1];
    rf->assignment = sc_xmalloc((size_t)(ad[0] * ad[1]) * sizeof *rf->assignment);
    SC_H5(H5Dread(d, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->assignment),
          "%s: cannot read /folds/assignment", path);
    H5Sclose(sp);
    sp = -1;
    H5Dclose(d);
    d = -1;

    rf->truth = sc_xmalloc((size_t)rf->n * (size_t)rf->l);
    rf->patient = sc_xmalloc((size_t)rf->n * sizeof *rf->patient);
    SC_TRY((d = open_checked(path, file, "/dataset/labels")) < 0);
    SC_H5(sp = H5Dget_space(d), "%s: /dataset/labels", path);
    SC_CHECK(H5Sget_simple_extent_npoints(sp) == rf->n * rf->l,
             "%s: /dataset/labels: expected [%lld][%d]", path, (long long)rf->n, rf->l);
    SC_H5(H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->truth),
          "%s: cannot read /dataset/labels", path);
    H5Sclose(sp);
    sp = -1;
    H5Dclose(d);
    SC_TRY((d = open_checked(path, file, "/dataset/patient")) < 0);
    SC_H5(sp = H5Dget_space(d), "%s: /dataset/patient", path);
    SC_CHECK(H5Sget_simple_extent_npoints(sp) == rf->n, "%s: /dataset/patient: expected [%lld]",
             path, (long long)rf->n);
    SC_H5(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->patient),
          "%s: cannot read /dataset/patient", path);
    H5Sclose(sp);
    sp = -1;
    H5Dclose(d);
    d = -1;

    SC_TRY((d = open_checked(path, file, "/jobs/table")) < 0);
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
                     r->fold < rf->k && r->status >= 0 && r->status <= 3,
                 "%s: /jobs/table: row %d is inconsistent", path, j);
    }
    H5Sclose(sp);
    sp = -1;
    H5Dclose(d);
    d = -1;

    /* Metric names from the first job's metrics dataset. */
    SC_TRY((d = open_checked(path, file, "/jobs/0000/metrics")) < 0);
    SC_TRY(read_str_array(path, d, "names", &rf->metric_names, &rf->n_metrics));
    H5Dclose(d);
    H5Tclose(t);
    rf->h5_file = file;
    return 0;
fail:
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
    if (rf->metric_names) {
        for (int i = 0; i < rf->n_metrics; i++) free(rf->metric_names[i]);
        free(rf->metric_names);
    }
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
    char p[64];
    hid_t d = -1, sp = -1;
    int rc = -1;
    snprintf(p, sizeof p, "/jobs/%04d/%s", job, name);
    SC_TRY((d = open_checked(rf->path, rf->h5_file, p)) < 0);
    SC_H5(sp = H5Dget_space(d), "%s: %s", rf->path, p);
    SC_CHECK((hsize_t)H5Sget_simple_extent_npoints(sp) == expect,
             "%s: %s: expected %llu values", rf->path, p, (unsigned long long)expect);
    if (expect > 0) SC_H5(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), "%s: cannot read %s",
                          rf->path, p);
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return rc;
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
