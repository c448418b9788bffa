/* results/summary_write.c: the field descriptions of the /summary tables and their HDF5
 * writer (compound datasets that h5py reads as numpy structured arrays). */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "results/summary.h"
#include "util/error.h"
#include "util/h5.h"
#include "util/sys.h"

/* Bytes of HDF5 metadata: the /summary groups with their attributes, and one table's header,
 * compound type and description (a few KiB measured; 64 KiB each leaves a wide margin). */
#define SUMMARY_META (64 * 1024)
#define SUMMARY_TABLE_META (64 * 1024)

#define S(type, f) {#f, offsetof(type, f), SC_F_STR, sizeof(((type *)0)->f)}
#define I(type, f) {#f, offsetof(type, f), SC_F_I32, 0}
#define L(type, f) {#f, offsetof(type, f), SC_F_I64, 0}
#define U(type, f) {#f, offsetof(type, f), SC_F_U64, 0}
#define D(type, f) {#f, offsetof(type, f), SC_F_F64, 0}
/* Fields of a nested struct, under the name the file has always given them. */
#define IN(name, type, f) {name, offsetof(type, f), SC_F_I32, 0}
#define LN(name, type, f) {name, offsetof(type, f), SC_F_I64, 0}
#define DN(name, type, f) {name, offsetof(type, f), SC_F_F64, 0}

/* st_ttest_result's df and degenerate and st_mcnemar_result's exact_recommended are int,
 * written as int32 */
_Static_assert(sizeof(int) == sizeof(int32_t), "int is not 32 bits");

static const sc_field f_table[] = {
    S(sc_summary_row, architecture), S(sc_summary_row, augmentation), S(sc_summary_row, metric),
    I(sc_summary_row, n), I(sc_summary_row, n_jobs), I(sc_summary_row, n_done),
    I(sc_summary_row, n_failed), D(sc_summary_row, mean), D(sc_summary_row, sd),
    D(sc_summary_row, naive_lo), D(sc_summary_row, naive_hi), D(sc_summary_row, lo),
    D(sc_summary_row, hi), D(sc_summary_row, level), D(sc_summary_row, test_train_ratio)};
static const sc_field f_pooled[] = {
    S(sc_pooled_row, architecture), S(sc_pooled_row, augmentation), I(sc_pooled_row, cell),
    I(sc_pooled_row, repeat), I(sc_pooled_row, n_folds), I(sc_pooled_row, n_folds_done),
    S(sc_pooled_row, label), S(sc_pooled_row, metric), L(sc_pooled_row, x), L(sc_pooled_row, n),
    D(sc_pooled_row, value), D(sc_pooled_row, wilson_lo), D(sc_pooled_row, wilson_hi),
    D(sc_pooled_row, cp_lo), D(sc_pooled_row, cp_hi), D(sc_pooled_row, level)};
static const sc_field f_auc[] = {
    S(sc_auc_row, architecture), S(sc_auc_row, augmentation), I(sc_auc_row, cell),
    I(sc_auc_row, repeat), S(sc_auc_row, label), L(sc_auc_row, n_pos), L(sc_auc_row, n_neg),
    D(sc_auc_row, auc), D(sc_auc_row, var), D(sc_auc_row, lo), D(sc_auc_row, hi),
    D(sc_auc_row, level)};
static const sc_field f_boot[] = {
    S(sc_boot_row, architecture), S(sc_boot_row, augmentation), I(sc_boot_row, cell),
    I(sc_boot_row, repeat), S(sc_boot_row, metric), L(sc_boot_row, n_samples),
    L(sc_boot_row, n_patients), D(sc_boot_row, estimate), D(sc_boot_row, lo),
    D(sc_boot_row, hi), D(sc_boot_row, z0), D(sc_boot_row, accel), I(sc_boot_row, degenerate),
    I(sc_boot_row, resamples), U(sc_boot_row, seed), D(sc_boot_row, level)};
static const sc_field f_ttest[] = {
    S(sc_ttest_row, a_architecture), S(sc_ttest_row, a_augmentation),
    S(sc_ttest_row, b_architecture), S(sc_ttest_row, b_augmentation), I(sc_ttest_row, cell_a),
    I(sc_ttest_row, cell_b), S(sc_ttest_row, metric), IN("n", sc_ttest_row, tt.n),
    IN("df", sc_ttest_row, tt.res.df), DN("mean_diff", sc_ttest_row, tt.res.mean),
    DN("sd_diff", sc_ttest_row, tt.res.sd), DN("lo", sc_ttest_row, tt.res.lo),
    DN("hi", sc_ttest_row, tt.res.hi), DN("t", sc_ttest_row, tt.res.t),
    DN("p", sc_ttest_row, tt.res.p), DN("p_holm", sc_ttest_row, tt.p_holm),
    IN("degenerate", sc_ttest_row, tt.res.degenerate),
    DN("test_train_ratio", sc_ttest_row, tt.test_train_ratio),
    DN("level", sc_ttest_row, tt.level)};
static const sc_field f_mcnemar[] = {
    S(sc_mcnemar_row, a_architecture), S(sc_mcnemar_row, a_augmentation),
    S(sc_mcnemar_row, b_architecture), S(sc_mcnemar_row, b_augmentation),
    I(sc_mcnemar_row, cell_a), I(sc_mcnemar_row, cell_b), I(sc_mcnemar_row, repeat),
    S(sc_mcnemar_row, label), LN("n", sc_mcnemar_row, mc.n), LN("b", sc_mcnemar_row, mc.res.b),
    LN("c", sc_mcnemar_row, mc.res.c), DN("chi2", sc_mcnemar_row, mc.res.chi2),
    DN("p_chi2", sc_mcnemar_row, mc.res.p_chi2), DN("p_exact", sc_mcnemar_row, mc.res.p_exact),
    IN("exact", sc_mcnemar_row, mc.res.exact_recommended), DN("p", sc_mcnemar_row, mc.p),
    DN("p_holm", sc_mcnemar_row, mc.p_holm)};

#define T(path, desc, f, type) {path, desc, f, (int)(sizeof f / sizeof f[0]), sizeof(type)}
const sc_table_desc sc_summary_tables[SC_N_TABLES] = {
    T("/summary/table",
      "per cell and per-job metric: folds with a value, mean, sd, naive and corrected "
      "resampled t intervals over folds",
      f_table, sc_summary_row),
    T("/summary/pooled",
      "per cell, repeat, label (or micro, or set) and proportion: the pooled out-of-fold "
      "counts of the done folds of that repeat, with Wilson and Clopper-Pearson intervals",
      f_pooled, sc_pooled_row),
    T("/summary/auc",
      "per cell, repeat and label: AUC of the pooled out-of-fold scores with DeLong's interval",
      f_auc, sc_auc_row),
    T("/summary/bootstrap",
      "per cell, repeat and macro metric: BCa bootstrap interval over patients of the "
      "metric of the pooled out-of-fold predictions",
      f_boot, sc_boot_row),
    T("/summary/comparisons/ttest",
      "per macro metric and pair of cells: corrected resampled paired t-test on the "
      "per-fold differences a - b; p_holm: Holm over the pairs, per metric",
      f_ttest, sc_ttest_row),
    T("/summary/comparisons/mcnemar",
      "per repeat, label (or set) and pair of cells: McNemar's test on the pooled "
      "out-of-fold predictions of the paired folds; p exact when b + c < 25; p_holm: Holm "
      "over the pairs, per repeat and label",
      f_mcnemar, sc_mcnemar_row),
};

const void *sc_summary_table_rows(const sc_summary *s, int t, int *n)
{
    switch (t) {
    case SC_T_TABLE: *n = s->n_cells * s->n_metrics; return s->rows;
    case SC_T_POOLED: *n = s->n_pooled; return s->pooled;
    case SC_T_AUC: *n = s->n_auc; return s->auc;
    case SC_T_BOOT: *n = s->n_boot; return s->boot;
    case SC_T_TTEST: *n = s->n_ttest; return s->ttest;
    case SC_T_MCNEMAR: *n = s->n_mcnemar; return s->mcnemar;
    default: *n = 0; return NULL;
    }
}

static hid_t compound_type(const sc_table_desc *t)
{
    hid_t ct = -1, st = -1;
    SC_H5(ct = H5Tcreate(H5T_COMPOUND, t->row_size), "H5Tcreate failed");
    for (int i = 0; i < t->n_fields; i++) {
        const sc_field *f = &t->fields[i];
        hid_t ft = f->kind == SC_F_I32   ? H5T_NATIVE_INT32
                   : f->kind == SC_F_I64 ? H5T_NATIVE_INT64
                   : f->kind == SC_F_U64 ? H5T_NATIVE_UINT64
                                         : H5T_NATIVE_DOUBLE;
        if (f->kind == SC_F_STR) {
            SC_H5(st = H5Tcopy(H5T_C_S1), "H5Tcopy failed");
            SC_H5(H5Tset_size(st, f->size), "H5Tset_size failed");
            ft = st;
        }
        SC_H5(H5Tinsert(ct, f->name, f->offset, ft), "H5Tinsert %s", f->name);
        if (st >= 0) H5Tclose(st);
        st = -1;
    }
    return ct;
fail:
    if (st >= 0) H5Tclose(st);
    if (ct >= 0) H5Tclose(ct);
    return -1;
}

/* Dataset t->path with one row per element of rows, and its description. */
static int write_table(hid_t file, const char *path, const sc_table_desc *t, const void *rows,
                       int n)
{
    hid_t ct = -1, d = -1;
    int rc = -1;
    hsize_t dim = (hsize_t)n;
    SC_H5(ct = compound_type(t), "%s: type of %s", path, t->path);
    SC_TRY(sc_h5_write_dset(file, path, t->path, ct, ct, 1, &dim, n > 0 ? rows : NULL));
    SC_H5(d = H5Dopen2(file, t->path, H5P_DEFAULT), "%s: %s: cannot open", path, t->path);
    SC_TRY(sc_h5_write_str_attr(d, path, "description", t->description, SC_H5_FIXED));
    rc = 0;
fail:
    if (d >= 0) H5Dclose(d);
    if (ct >= 0) H5Tclose(ct);
    return rc;
}

int sc_summary_write(const char *path, const sc_summary *s)
{
    hid_t f = -1, g = -1, gc = -1;
    int rc = -1;
    /* Room first.  A write that fails half-way for want of space (HDF5 writes its metadata
     * when it closes the file) could leave the file's structure half-written, and the jobs it
     * holds unreadable.  HDF5 puts new objects at the end of the file, so space reserved there
     * is where they go: the tables twice over (HDF5's metadata for a table, its type and
     * attributes, is well under SUMMARY_TABLE_META), and HDF5 trims what is left unused when
     * it closes the file.  A full file system is then found here, before the file is touched. */
    int64_t need = SUMMARY_META;
    for (int t = 0; t < SC_N_TABLES; t++) {
        int n;
        sc_summary_table_rows(s, t, &n);
        need += SUMMARY_TABLE_META + 2 * (int64_t)n * (int64_t)sc_summary_tables[t].row_size;
    }
    if (sc_fs_reserve(path, need)) {
        sc_err_prefix("cannot write /summary");
        return -1;
    }
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    SC_CHECK(f >= 0, "%s: cannot reopen to write /summary", path);
    if (H5Lexists(f, "/summary", H5P_DEFAULT) > 0)
        SC_H5(H5Ldelete(f, "/summary", H5P_DEFAULT), "%s: cannot replace /summary", path);
    SC_H5(g = H5Gcreate2(f, "/summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "%s: cannot create /summary", path);
    SC_TRY(sc_h5_write_num_attr(g, path, "confidence", H5T_NATIVE_DOUBLE, &s->level));
    SC_TRY(sc_h5_write_num_attr(g, path, "threshold", H5T_NATIVE_DOUBLE, &s->threshold));
    SC_TRY(sc_h5_write_num_attr(g, path, "bootstrap_resamples", H5T_NATIVE_INT, &s->bootstrap));
    for (int t = 0; t < SC_N_TABLES; t++) {
        int n;
        const void *rows = sc_summary_table_rows(s, t, &n);
        if (t != SC_T_TABLE && !rows) continue; /* not computed (table only, no bootstrap) */
        if (t == SC_T_TTEST)
            SC_H5(gc = H5Gcreate2(f, "/summary/comparisons", H5P_DEFAULT, H5P_DEFAULT,
                                  H5P_DEFAULT),
                  "%s: cannot create /summary/comparisons", path);
        SC_TRY(write_table(f, path, &sc_summary_tables[t], rows, n));
    }
    rc = 0;
fail:
    if (gc >= 0) H5Gclose(gc);
    if (g >= 0) H5Gclose(g);
    if (rc == 0)
        rc = sc_h5_close_file(f, path);
    else
        sc_h5_discard_file(f);
    return rc;
}
