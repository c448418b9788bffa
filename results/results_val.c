/* results/results_val.c: the train.validation datasets of classifier jobs (results.h): created
 * with the file like the others (pre-allocated, fill values marking "not written"), then
 * written by the job's worker, independently. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results.h"
#include "results/results_priv.h"
#include "results/results_read.h"
#include "util/error.h"
#include "util/h5.h"

static const char *const selection_names[3] = {"best_epoch", "epochs_run", "stopped_early"};

int sc_results_open_val(sc_results *r, const sc_results_layout *lay, hid_t g, int j)
{
    const float nanf_ = NAN;
    const double nand_ = NAN;
    const int32_t minus1 = -1;
    hid_t *d = r->dsets[j];
    const hsize_t vdim = (hsize_t)lay->val_count[j], edim = (hsize_t)lay->epochs;
    const hsize_t ldim = (hsize_t)lay->l, sdim = 3;
    SC_TRY((d[D_VAL_INDEX] = sc_results_dset(r, g, "val_index", H5T_NATIVE_INT32, 1, &vdim,
                                             NULL)) < 0);
    SC_TRY((d[D_VAL_LOSS] = sc_results_dset(r, g, "val_loss", H5T_NATIVE_FLOAT, 1, &edim,
                                            &nanf_)) < 0);
    SC_TRY((d[D_VAL_F1] = sc_results_dset(r, g, "val_f1", H5T_NATIVE_FLOAT, 1, &edim,
                                          &nanf_)) < 0);
    SC_TRY((d[D_THRESHOLDS] = sc_results_dset(r, g, "thresholds", H5T_NATIVE_DOUBLE, 1, &ldim,
                                              &nand_)) < 0);
    SC_TRY((d[D_SELECTION] = sc_results_dset(r, g, "selection", H5T_NATIVE_INT32, 1, &sdim,
                                             &minus1)) < 0);
    if (r->reopen) return 0;
    /* attributes are metadata: every rank writes them, collectively */
    SC_TRY(sc_h5_write_num_attr(d[D_VAL_INDEX], r->path, "patients", H5T_NATIVE_INT64,
                                &lay->val_patients[j]));
    SC_TRY(sc_h5_write_strs_attr(d[D_SELECTION], r->path, "names", 3, selection_names,
                                 SC_H5_FIXED));
    if (r->rank == 0 && vdim > 0)
        SC_TRY(sc_results_write_all(d[D_VAL_INDEX], H5T_NATIVE_INT32, lay->val_index[j],
                                    "val_index"));
    return 0;
fail:
    return -1;
}

int sc_results_write_val(sc_results *res, int job, const sc_val_outputs *o)
{
    SC_CHECK(job >= 0 && job < res->n_cls && res->validation,
             "job id %d is not a classifier job with validation datasets", job);
    hid_t *d = res->dsets[job];
    if (res->epochs > 0) {
        SC_TRY(sc_results_write_all(d[D_VAL_LOSS], H5T_NATIVE_FLOAT, o->loss, "val_loss"));
        SC_TRY(sc_results_write_all(d[D_VAL_F1], H5T_NATIVE_FLOAT, o->f1, "val_f1"));
    }
    if (o->thresholds)
        SC_TRY(sc_results_write_all(d[D_THRESHOLDS], H5T_NATIVE_DOUBLE, o->thresholds,
                                    "thresholds"));
    if (o->selection)
        SC_TRY(sc_results_write_all(d[D_SELECTION], H5T_NATIVE_INT32, o->selection,
                                    "selection"));
    return 0;
fail:
    sc_err_prefix("%s: job %04d", res->path, job);
    return -1;
}

/* One whole dataset of n values, which must have that many. */
static int read_n(hid_t g, const char *path, const char *name, hid_t type, hsize_t n, void *out)
{
    hid_t d = -1, sp = -1;
    int rc = -1;
    SC_TRY((d = sc_h5_open_dset(g, path, name, NULL)) < 0);
    SC_H5(sp = H5Dget_space(d), "%s: %s", path, name);
    SC_CHECK((hsize_t)H5Sget_simple_extent_npoints(sp) == n, "%s: %s: expected %llu values",
             path, name, (unsigned long long)n);
    if (n > 0) SC_H5(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), "%s: cannot read %s",
                     path, name);
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return rc;
}

int sc_results_read_val(const sc_results_file *rf, int job, sc_val_result *v)
{
    char name[32];
    hid_t g = -1, d = -1;
    int rc = -1;
    memset(v, 0, sizeof *v);
    SC_CHECK(job >= 0 && job < rf->n_jobs, "%s: job %d out of range", rf->path, job);
    snprintf(name, sizeof name, "/jobs/%04d", job);
    SC_H5(g = H5Gopen2(rf->h5_file, name, H5P_DEFAULT), "%s: cannot open %s", rf->path, name);
    if (H5Lexists(g, "selection", H5P_DEFAULT) <= 0) { /* a sweep without train.validation */
        H5Gclose(g);
        return 1;
    }
    hsize_t nv = 0;
    SC_TRY((d = sc_h5_open_dset(g, rf->path, "val_index", NULL)) < 0);
    SC_TRY(sc_h5_dset_shape(d, rf->path, "val_index", 1, &nv));
    SC_TRY(sc_h5_read_num_attr(d, rf->path, "patients", NULL, H5T_NATIVE_INT64, &v->patients));
    H5Dclose(d);
    d = -1;
    v->n_val = (int64_t)nv;
    v->val_index = sc_xmalloc(sizeof *v->val_index * (size_t)(nv ? nv : 1));
    v->loss = sc_xmalloc(sizeof *v->loss * (size_t)(rf->epochs ? rf->epochs : 1));
    v->f1 = sc_xmalloc(sizeof *v->f1 * (size_t)(rf->epochs ? rf->epochs : 1));
    SC_TRY(read_n(g, rf->path, "val_index", H5T_NATIVE_INT32, nv, v->val_index));
    SC_TRY(read_n(g, rf->path, "val_loss", H5T_NATIVE_FLOAT, (hsize_t)rf->epochs, v->loss));
    SC_TRY(read_n(g, rf->path, "val_f1", H5T_NATIVE_FLOAT, (hsize_t)rf->epochs, v->f1));
    SC_TRY(read_n(g, rf->path, "thresholds", H5T_NATIVE_DOUBLE, (hsize_t)rf->l, v->thresholds));
    SC_TRY(read_n(g, rf->path, "selection", H5T_NATIVE_INT32, 3, v->selection));
    rc = 0;
fail:
    if (d >= 0) H5Dclose(d);
    if (g >= 0) H5Gclose(g);
    if (rc) sc_val_result_free(v);
    return rc;
}

void sc_val_result_free(sc_val_result *v)
{
    free(v->val_index);
    free(v->loss);
    free(v->f1);
    v->val_index = NULL;
    v->loss = v->f1 = NULL;
}

int sc_results_print_val(FILE *out, const sc_results_file *rf)
{
    sc_val_result v;
    int printed = 0;
    for (int j = 0; j < rf->n_jobs; j++) {
        const int got = sc_results_read_val(rf, j, &v);
        if (got < 0) return -1;
        if (got == 1) return 0; /* no validation in this sweep (every job has it, or none) */
        if (!printed++) {
            fprintf(out, "\nmodel selection on validation patients (train.validation): the epoch "
                    "tested (of those run) and each label's threshold\njob   val scans patients  "
                    "epoch   stopped ");
            for (int k = 0; k < rf->l; k++) fprintf(out, " %12.12s", rf->label_names[k]);
            fprintf(out, "\n");
        }
        fprintf(out, "%05d %9lld %8lld  ", j, (long long)v.n_val, (long long)v.patients);
        if (v.selection[0] < 0) {
            fprintf(out, "%-7s %-8s", "-", "-");
        } else {
            char ep[32];
            snprintf(ep, sizeof ep, "%d/%d", v.selection[0] + 1, v.selection[1]);
            fprintf(out, "%-7s %-8s", ep, v.selection[2] ? "early" : "no");
        }
        for (int k = 0; k < rf->l; k++) fprintf(out, " %12.4f", v.thresholds[k]);
        fprintf(out, "\n");
        sc_val_result_free(&v);
    }
    return 0;
}
