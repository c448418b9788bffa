/* results/results_write.c: create the results file collectively, write job outputs
 * independently (see results.h). */
#include "results/results.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_priv.h"
#include "util/agree.h"
#include "util/error.h"
#include "util/h5.h"
#include "util/hash.h"
#include "util/sys.h"

const char *sc_job_status_name(int status)
{
    static const char *const names[] = {"pending", "running", "done", "failed"};
    return status >= 0 && status <= 3 ? names[status] : "unknown";
}

const char *sc_job_kind_name(int kind)
{
    return kind == SC_JOB_CLASSIFIER ? "classifier" : kind == SC_JOB_GAN ? "gan" : "unknown";
}

int64_t sc_results_row_type(void)
{
    hid_t t = -1, s = -1, m = -1, st = -1, kd = -1;
    SC_H5(t = H5Tcreate(H5T_COMPOUND, sizeof(sc_job_row)), "H5Tcreate failed");
    SC_H5(s = H5Tcopy(H5T_C_S1), "H5Tcopy failed");
    SC_H5(H5Tset_size(s, SC_ROW_NAME), "H5Tset_size failed");
    SC_H5(m = H5Tcopy(H5T_C_S1), "H5Tcopy failed");
    SC_H5(H5Tset_size(m, SC_ROW_MSG), "H5Tset_size failed");
    /* The status is an HDF5 enum, so h5py shows its names. */
    SC_H5(st = H5Tenum_create(H5T_NATIVE_INT8), "H5Tenum_create failed");
    for (int8_t v = 0; v <= 3; v++)
        SC_H5(H5Tenum_insert(st, sc_job_status_name(v), &v), "H5Tenum_insert failed");
    SC_H5(kd = H5Tenum_create(H5T_NATIVE_INT8), "H5Tenum_create failed");
    for (int8_t v = 0; v <= 1; v++)
        SC_H5(H5Tenum_insert(kd, sc_job_kind_name(v), &v), "H5Tenum_insert failed");
#define F(name, type) SC_H5(H5Tinsert(t, #name, HOFFSET(sc_job_row, name), type), "H5Tinsert")
    F(id, H5T_NATIVE_INT32);
    F(repeat, H5T_NATIVE_INT16);
    F(fold, H5T_NATIVE_INT16);
    F(kind, kd);
    F(augmentation, s);
    F(architecture, s);
    F(depends, H5T_NATIVE_INT32);
    F(seed, H5T_NATIVE_UINT64);
    F(status, st);
    F(rank, H5T_NATIVE_INT32);
    F(seconds, H5T_NATIVE_DOUBLE);
    F(n_train, H5T_NATIVE_INT64);
    F(n_test, H5T_NATIVE_INT64);
    F(n_synth, H5T_NATIVE_INT64);
    F(output_hash, H5T_NATIVE_UINT64);
    F(message, m);
#undef F
    H5Tclose(s);
    H5Tclose(m);
    H5Tclose(st);
    H5Tclose(kd);
    return t;
fail:
    if (kd >= 0) H5Tclose(kd);
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Tclose(s);
    if (m >= 0) H5Tclose(m);
    if (st >= 0) H5Tclose(st);
    return -1;
}

hid_t sc_results_make_dset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                       const void *fill)
{
    hid_t sp = -1, dcpl = -1, d = -1;
    SC_H5(sp = H5Screate_simple(rank, dims, NULL), "H5Screate_simple failed (%s)", name);
    SC_H5(dcpl = H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate failed");
    SC_H5(H5Pset_layout(dcpl, H5D_CONTIGUOUS), "H5Pset_layout failed");
    SC_H5(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time failed");
    if (fill) {
        SC_H5(H5Pset_fill_value(dcpl, type, fill), "H5Pset_fill_value failed");
        SC_H5(H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC), "H5Pset_fill_time failed");
    }
    SC_H5(d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
          "cannot create dataset %s", name);
fail:
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    return d;
}

hid_t sc_results_dset(const sc_results *r, hid_t loc, const char *name, hid_t type, int rank,
                      const hsize_t *dims, const void *fill)
{
    if (!r->reopen) return sc_results_make_dset(loc, name, type, rank, dims, fill);
    hid_t d = -1, sp = -1;
    hsize_t got[4] = {0};
    SC_CHECK(H5Lexists(loc, name, H5P_DEFAULT) > 0, "%s: missing dataset %s (the file was not "
             "made by this sweep, or is damaged)", r->path, name);
    SC_H5(d = H5Dopen2(loc, name, H5P_DEFAULT), "%s: cannot open dataset %s", r->path, name);
    SC_H5(sp = H5Dget_space(d), "%s: %s", r->path, name);
    int nd = H5Sget_simple_extent_ndims(sp);
    SC_CHECK(nd == rank && rank <= 4, "%s: dataset %s has %d dimensions, the sweep needs %d",
             r->path, name, nd, rank);
    H5Sget_simple_extent_dims(sp, got, NULL);
    for (int i = 0; i < rank; i++)
        SC_CHECK(got[i] == dims[i], "%s: dataset %s: dimension %d is %llu, the sweep needs %llu "
                 "(the file was made for other folds or sizes)", r->path, name, i,
                 (unsigned long long)got[i], (unsigned long long)dims[i]);
    H5Sclose(sp);
    return d;
fail:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return -1;
}

hid_t sc_results_group(const sc_results *r, hid_t loc, const char *name)
{
    hid_t g = r->reopen ? H5Gopen2(loc, name, H5P_DEFAULT)
                        : H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        sc_err_set(NULL, 0, "%s: cannot %s group %s", r->path, r->reopen ? "open" : "create",
                   name);
    return g;
}

int sc_results_write_all(hid_t d, hid_t memtype, const void *buf, const char *what)
{
    SC_H5(H5Dwrite(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "cannot write %s", what);
    return 0;
fail:
    return -1;
}

/* The layout's texts belong to the caller: not kept past creation. */
static void forget_texts(sc_results *r)
{
    r->gan.state_layout = r->gan.g_arch_text = r->gan.g_arch_json = NULL;
    r->gan.d_arch_text = r->gan.d_arch_json = NULL;
}

/* The root attributes of a new file: what the sweep is, and what made it. */
static int write_root(sc_results *r, const sc_results_layout *lay)
{
    char hex[17];
    const hid_t f = r->file;
    const char *path = r->path;
    const sc_h5_str fx = SC_H5_FIXED;
    SC_TRY(sc_h5_write_str_attr(f, path, "version", lay->version, fx));
    if (lay->blas_core) SC_TRY(sc_h5_write_str_attr(f, path, "blas_core", lay->blas_core, fx));
    SC_TRY(sc_h5_write_str_attr(f, path, "experiment", lay->experiment_text, fx));
    sc_hash_hex(lay->experiment_hash, hex);
    SC_TRY(sc_h5_write_str_attr(f, path, "experiment_hash", hex, fx));
    SC_TRY(sc_h5_write_str_attr(f, path, "experiment_path", lay->experiment_path, fx));
    SC_TRY(sc_h5_write_str_attr(f, path, "dataset_path", lay->dataset_path, fx));
    sc_hash_hex(lay->dataset_hash, hex);
    SC_TRY(sc_h5_write_str_attr(f, path, "dataset_hash", hex, fx));
    SC_TRY(sc_h5_write_strs_attr(f, path, "label_names", lay->l, lay->label_names, fx));
    SC_TRY(sc_h5_write_num_attr(f, path, "threshold", H5T_NATIVE_DOUBLE, &lay->threshold));
    SC_TRY(sc_h5_write_num_attr(f, path, "confidence", H5T_NATIVE_DOUBLE, &lay->confidence));
    SC_TRY(sc_h5_write_num_attr(f, path, "seed", H5T_NATIVE_UINT64, &lay->seed));
    SC_TRY(sc_h5_write_num_attr(f, path, "repeats", H5T_NATIVE_INT, &lay->repeats));
    SC_TRY(sc_h5_write_num_attr(f, path, "folds", H5T_NATIVE_INT, &lay->k));
    SC_TRY(sc_h5_write_num_attr(f, path, "epochs", H5T_NATIVE_INT, &lay->epochs));
    SC_TRY(sc_results_write_archs(r, lay));
    return 0;
fail:
    return -1;
}

/* A string attribute of the open file must be `want` (--resume). */
static int same_str_attr(const sc_results *r, const char *name, const char *want,
                         const char *what)
{
    char *got = NULL;
    int rc = -1;
    SC_TRY(sc_h5_read_str_attr(r->file, r->path, name, "(not a spectcv results file?)", &got));
    SC_CHECK(!strcmp(got, want), "%s: %s: the file has %s %s, this sweep %s; --resume continues a "
             "sweep only with what started it (run without --resume, or with another -o)",
             r->path, what, name, got, want);
    rc = 0;
fail:
    free(got);
    return rc;
}

/* The checks of --resume: the same experiment, data set, architectures and sizes. */
static int verify_root(sc_results *r, const sc_results_layout *lay)
{
    char hex[17];
    int v[3];
    sc_hash_hex(lay->experiment_hash, hex);
    SC_TRY(same_str_attr(r, "experiment_hash", hex, "another experiment file, or one edited since"));
    sc_hash_hex(lay->dataset_hash, hex);
    SC_TRY(same_str_attr(r, "dataset_hash", hex, "another data set, or one changed since"));
    const char *names[3] = {"repeats", "folds", "epochs"};
    const int want[3] = {lay->repeats, lay->k, lay->epochs};
    for (int i = 0; i < 3; i++) {
        SC_TRY(sc_h5_read_num_attr(r->file, r->path, names[i], NULL, H5T_NATIVE_INT, &v[i]));
        SC_CHECK(v[i] == want[i], "%s: attribute %s is %d, the sweep has %d", r->path, names[i],
                 v[i], want[i]);
    }
    SC_TRY(sc_results_verify_archs(r, lay));
    return 0;
fail:
    return -1;
}

/* A classifier job's group j: its datasets (created or reopened), its test indices written
 * by rank 0 when created.  idx: scratch of n entries. */
static int open_job(sc_results *r, const sc_results_layout *lay, hid_t g, int j, int32_t *idx)
{
    const sc_job_row *row = &lay->rows[j];
    const int16_t *a = lay->assignment + (int64_t)row->repeat * lay->n;
    const float nanf_ = NAN;
    const double nand_ = NAN;
    const int64_t minus1 = -1;
    int64_t nt = 0;
    for (int64_t i = 0; i < lay->n; i++)
        if (a[i] == row->fold) idx[nt++] = (int32_t)i;
    r->n_test[j] = nt;
    hsize_t tdim = (hsize_t)nt, sdims[2] = {(hsize_t)nt, (hsize_t)lay->l};
    hsize_t cdims[2] = {(hsize_t)lay->l, 4}, mdim = (hsize_t)lay->n_metrics;
    hsize_t hdim = (hsize_t)lay->epochs;
    hid_t *d = r->dsets[j];
    SC_TRY((d[D_TEST_INDEX] = sc_results_dset(r, g, "test_index", H5T_NATIVE_INT32, 1, &tdim,
                                              NULL)) < 0);
    SC_TRY((d[D_SCORES] = sc_results_dset(r, g, "scores", H5T_NATIVE_FLOAT, 2, sdims,
                                          &nanf_)) < 0);
    SC_TRY((d[D_COUNTS] = sc_results_dset(r, g, "counts", H5T_NATIVE_INT64, 2, cdims,
                                          &minus1)) < 0);
    SC_TRY((d[D_METRICS] = sc_results_dset(r, g, "metrics", H5T_NATIVE_DOUBLE, 1, &mdim,
                                           &nand_)) < 0);
    if (!r->reopen)
        SC_TRY(sc_h5_write_strs_attr(d[D_METRICS], r->path, "names", lay->n_metrics,
                                     lay->metric_names, SC_H5_FIXED));
    SC_TRY((d[D_HISTORY] = sc_results_dset(r, g, "history", H5T_NATIVE_FLOAT, 1, &hdim,
                                           &nanf_)) < 0);
    if (r->rank == 0 && nt > 0 && !r->reopen)
        SC_TRY(sc_results_write_all(d[D_TEST_INDEX], H5T_NATIVE_INT32, idx, "test_index"));
    if (r->validation) SC_TRY(sc_results_open_val(r, lay, g, j));
    return 0;
fail:
    return -1;
}

/* /dataset: truth and patients of every scan (written by rank 0 when created). */
static int open_dataset_group(sc_results *r, const sc_results_layout *lay)
{
    hid_t g = -1, dl = -1, dp = -1;
    int rc = -1;
    hsize_t ldims[2] = {(hsize_t)lay->n, (hsize_t)lay->l}, pdim = (hsize_t)lay->n;
    SC_TRY((g = sc_results_group(r, r->file, "/dataset")) < 0);
    SC_TRY((dl = sc_results_dset(r, g, "labels", H5T_NATIVE_UINT8, 2, ldims, NULL)) < 0);
    SC_TRY((dp = sc_results_dset(r, g, "patient", H5T_NATIVE_INT64, 1, &pdim, NULL)) < 0);
    if (r->rank == 0 && !r->reopen) {
        SC_TRY(sc_results_write_all(dl, H5T_NATIVE_UINT8, lay->truth, "/dataset/labels"));
        SC_TRY(sc_results_write_all(dp, H5T_NATIVE_INT64, lay->patient, "/dataset/patient"));
    }
    rc = 0;
fail:
    if (dl >= 0) H5Dclose(dl);
    if (dp >= 0) H5Dclose(dp);
    if (g >= 0) H5Gclose(g);
    return rc;
}

/* /folds/assignment: written by rank 0 when created, compared when reopened. */
static int open_folds(sc_results *r, const sc_results_layout *lay)
{
    hid_t folds = -1, d = -1;
    int rc = -1;
    int16_t *a = NULL;
    hsize_t adims[2] = {(hsize_t)lay->repeats, (hsize_t)lay->n};
    SC_TRY((folds = sc_results_group(r, r->file, "/folds")) < 0);
    SC_TRY((d = sc_results_dset(r, folds, "assignment", H5T_NATIVE_INT16, 2, adims, NULL)) < 0);
    /* the collective calls of the step are done; what follows may fail on one rank alone */
    if (sc_fault_step("results-write")) goto fail;
    if (r->reopen) {
        a = sc_xmalloc(sizeof *a * (size_t)(adims[0] * adims[1]));
        int same = H5Dread(d, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) >= 0 &&
                   !memcmp(a, lay->assignment, sizeof *a * (size_t)(adims[0] * adims[1]));
        SC_CHECK(same, "%s: /folds/assignment differs from this sweep's folds", r->path);
    } else if (r->rank == 0) {
        SC_TRY(sc_results_write_all(d, H5T_NATIVE_INT16, lay->assignment, "/folds/assignment"));
    }
    rc = 0;
fail:
    free(a);
    if (d >= 0) H5Dclose(d);
    if (folds >= 0) H5Gclose(folds);
    return rc;
}

/* The results file's object layout held in r (no HDF5 call). */
static int init_handle(sc_results *r, const sc_results_layout *lay)
{
    r->n_jobs = lay->n_jobs;
    r->l = lay->l;
    r->epochs = lay->epochs;
    r->n_metrics = lay->n_metrics;
    r->validation = lay->val_count != NULL;
    r->n_test = sc_xcalloc((size_t)lay->n_jobs, sizeof *r->n_test);
    r->dsets = sc_xmalloc((size_t)lay->n_jobs * sizeof *r->dsets);
    for (int j = 0; j < lay->n_jobs; j++)
        for (int k = 0; k < N_JOB_DSETS; k++) r->dsets[j][k] = -1;
    r->n_cls = 0;
    while (r->n_cls < lay->n_jobs && lay->rows[r->n_cls].kind == SC_JOB_CLASSIFIER) r->n_cls++;
    const int n_gan = lay->n_jobs - r->n_cls;
    for (int j = r->n_cls; j < lay->n_jobs; j++)
        SC_CHECK(lay->rows[j].kind == SC_JOB_GAN, "%s: job %d: classifier jobs must come before "
                 "the GAN jobs", r->path, j);
    if (n_gan > 0) {
        SC_CHECK(lay->gan_sets && lay->gan_examples && lay->gan.state_layout,
                 "%s: GAN jobs without their layout", r->path);
        r->gan = lay->gan; /* its texts only until the end of creation (forget_texts) */
        r->gdsets = sc_xmalloc((size_t)n_gan * sizeof *r->gdsets);
        for (int j = 0; j < n_gan; j++)
            for (int k = 0; k < N_GAN_DSETS; k++) r->gdsets[j][k] = -1;
        r->gan_sets = sc_xmalloc(sizeof(int) * (size_t)n_gan);
        r->gan_examples = sc_xmalloc(sizeof(int) * (size_t)n_gan);
        r->gan_train = sc_xcalloc((size_t)n_gan, sizeof(int64_t));
        r->gan_synth = sc_xcalloc((size_t)n_gan, sizeof(int64_t));
        memcpy(r->gan_sets, lay->gan_sets, sizeof(int) * (size_t)n_gan);
        memcpy(r->gan_examples, lay->gan_examples, sizeof(int) * (size_t)n_gan);
    }
    SC_TRY(sc_fault_step(r->reopen ? "results-reopen" : "results-create"));
    if (r->reopen)
        SC_CHECK(H5Fis_hdf5(r->path) > 0, "%s: --resume: no results file there (or not HDF5)",
                 r->path);
    return 0;
fail:
    return -1;
}

/* Create (reopen = 0) or reopen for --resume (reopen = 1; rows_out receives /jobs/table) every
 * object of the layout.  Collective; both walk the objects in the same order.
 *
 * Every step ends with an agreement (util/agree.h): HDF5's metadata calls on a file opened
 * through MPI-IO are collective, so a rank that left for its error path alone (a failed write
 * of rank 0's, a file system error on one node) would leave the others waiting in the next
 * one.  After a failed step all ranks close the file together, and all return the lowest
 * failing rank's message. */
#define STEP(expr)                                                                                 \
    do {                                                                                           \
        if (sc_agree(r->comm, (expr) ? -1 : 0)) goto fail;                                         \
    } while (0)

static int results_open(MPI_Comm comm, const char *path, const sc_results_layout *lay,
                        sc_results **out, int reopen, sc_job_row *rows_out)
{
    sc_results *r = sc_xcalloc(1, sizeof *r);
    hid_t fapl = -1, jobs = -1, g = -1;
    int32_t *idx = NULL;
    r->comm = comm;
    r->reopen = reopen;
    r->path = sc_xstrdup(path);
    r->file = r->table = r->row_type = -1;
    int rc = sc_comm_rank_size(comm, &r->rank, NULL);
    if (rc == 0) rc = init_handle(r, lay);
    STEP(rc);
    STEP(sc_h5_fapl_mpio(comm, &fapl)); /* collective too: it duplicates the communicator */

    if (reopen) {
        r->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
        if (r->file < 0)
            sc_err_set(NULL, 0, "%s: cannot open the results file for --resume (not writable, "
                       "or damaged?)", path);
        STEP(r->file < 0);
        STEP(verify_root(r, lay));
    } else {
        r->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        if (r->file < 0)
            sc_err_set(NULL, 0, "%s: cannot create the results file (directory missing or not "
                       "writable?)", path);
        STEP(r->file < 0);
        STEP(write_root(r, lay));
    }
    STEP(sc_results_write_run(r, lay));
    STEP(open_dataset_group(r, lay));
    STEP(open_folds(r, lay));

    /* /jobs/table and one group per job. */
    rc = (jobs = sc_results_group(r, r->file, "/jobs")) < 0;
    if (rc == 0 && (r->row_type = sc_results_row_type()) < 0) rc = -1;
    hsize_t jdim = (hsize_t)lay->n_jobs;
    if (rc == 0)
        rc = (r->table = sc_results_dset(r, jobs, "table", r->row_type, 1, &jdim, NULL)) < 0;
    if (rc == 0 && reopen &&
        H5Dread(r->table, r->row_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows_out) < 0) {
        sc_err_set(NULL, 0, "%s: cannot read /jobs/table", path);
        rc = -1;
    } else if (rc == 0 && !reopen && r->rank == 0) {
        rc = sc_results_write_all(r->table, r->row_type, lay->rows, "/jobs/table");
    }
    STEP(rc);
    idx = sc_xmalloc((size_t)(lay->n ? lay->n : 1) * sizeof *idx);
    for (int j = 0; j < lay->n_jobs; j++) {
        char name[32];
        snprintf(name, sizeof name, "%04d", j);
        rc = (g = sc_results_group(r, jobs, name)) < 0;
        if (rc == 0)
            rc = lay->rows[j].kind == SC_JOB_GAN ? sc_results_create_gan(r, g, j, &lay->rows[j])
                                                  : open_job(r, lay, g, j, idx);
        if (g >= 0) H5Gclose(g);
        g = -1;
        STEP(rc);
    }
    rc = H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0 ? -1 : 0;
    if (rc) sc_err_set(NULL, 0, "%s: cannot write the new file to disk%s", path, sc_fs_full_note(path));
    STEP(rc);
    forget_texts(r);
    free(idx);
    H5Gclose(jobs);
    H5Pclose(fapl);
    *out = r;
    return 0;
fail:
    forget_texts(r);
    free(idx);
    if (g >= 0) H5Gclose(g);
    if (jobs >= 0) H5Gclose(jobs);
    if (fapl >= 0) H5Pclose(fapl);
    char first[SC_ERR_MAX]; /* the failure, not the close's own message after it */
    snprintf(first, sizeof first, "%s", sc_err_msg());
    const int remove_it = !reopen && r->rank == 0 && r->file >= 0;
    sc_results_close(r);
    /* A file whose creation failed holds nothing yet and may be unreadable: not left behind
     * to be mistaken for results.  A reopened one keeps its finished jobs. */
    if (remove_it) remove(path);
    sc_err_set(NULL, 0, "%s", first);
    return -1;
}
#undef STEP

int sc_results_create(MPI_Comm comm, const char *path, const sc_results_layout *lay,
                      sc_results **out)
{
    return results_open(comm, path, lay, out, 0, NULL);
}

int sc_results_reopen(MPI_Comm comm, const char *path, const sc_results_layout *lay,
                      sc_results **out, sc_job_row *rows)
{
    return results_open(comm, path, lay, out, 1, rows);
}

/* Write a hyperslab of one element/row (independent transfer). */
int sc_results_write_row(sc_results *res, const sc_job_row *row)
{
    hid_t fsp = -1, msp = -1;
    int rc = -1;
    SC_CHECK(row->id >= 0 && row->id < res->n_jobs, "job id %d out of range", row->id);
    hsize_t start = (hsize_t)row->id, one = 1;
    SC_H5(fsp = H5Dget_space(res->table), "H5Dget_space failed");
    SC_H5(H5Sselect_hyperslab(fsp, H5S_SELECT_SET, &start, NULL, &one, NULL), "select failed");
    SC_H5(msp = H5Screate_simple(1, &one, NULL), "H5Screate failed");
    SC_H5(H5Dwrite(res->table, res->row_type, msp, fsp, H5P_DEFAULT, row),
          "%s: cannot write /jobs/table row %d%s", res->path, row->id,
          sc_fs_full_note(res->path));
    rc = 0;
fail:
    if (msp >= 0) H5Sclose(msp);
    if (fsp >= 0) H5Sclose(fsp);
    return rc;
}

int sc_results_write_job(sc_results *res, int job, const float *scores, const int64_t *counts,
                         const double *metrics, const float *history)
{
    SC_CHECK(job >= 0 && job < res->n_cls, "job id %d is not a classifier job", job);
    hid_t *d = res->dsets[job];
    if (scores && res->n_test[job] > 0)
        SC_TRY(sc_results_write_all(d[D_SCORES], H5T_NATIVE_FLOAT, scores, "scores"));
    if (counts) SC_TRY(sc_results_write_all(d[D_COUNTS], H5T_NATIVE_INT64, counts, "counts"));
    if (metrics && res->n_metrics > 0)
        SC_TRY(sc_results_write_all(d[D_METRICS], H5T_NATIVE_DOUBLE, metrics, "metrics"));
    if (history && res->epochs > 0)
        SC_TRY(sc_results_write_all(d[D_HISTORY], H5T_NATIVE_FLOAT, history, "history"));
    return 0;
fail:
    sc_err_prefix("%s: job %04d", res->path, job);
    sc_err_append(sc_fs_full_note(res->path));
    return -1;
}

int sc_results_close(sc_results *res)
{
    int rc = 0;
    if (!res) return 0;
    for (int j = 0; j < res->n_jobs; j++)
        for (int k = 0; k < N_JOB_DSETS; k++)
            if (res->dsets[j][k] >= 0) H5Dclose(res->dsets[j][k]);
    sc_results_close_gan(res);
    if (res->table >= 0) H5Dclose(res->table);
    if (res->row_type >= 0) H5Tclose(res->row_type);
    if (res->file >= 0) rc = sc_h5_close_file(res->file, res->path);
    free(res->dsets);
    free(res->gdsets);
    free(res->gan_sets);
    free(res->gan_examples);
    free(res->gan_train);
    free(res->gan_synth);
    free(res->n_test);
    free(res->path);
    free(res);
    return rc;
}
