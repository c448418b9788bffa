/* data/dataset_read.c: open, validate and read the data set file (reader half of dataset.h).
 *
 * Every field is checked before use, since data sets come from users and importers: a
 * truncated file, a wrong rank or type, labels that are not 0/1, missing names — each is an
 * error naming the file and the field.  The file is opened through MPI-IO on the given
 * communicator; after the collective open, reads are independent. */
#include "data/dataset.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/agree.h"
#include "util/error.h"
#include "util/h5.h"
#include "util/hash.h"

/* Added to "missing dataset" messages. */
#define HINT "(see docs/formats.md)"

/* Root attribute `attr`: `count` distinct names, each non-empty and shorter than
 * SC_DS_NAME_MAX; fixed or variable length. */
static int read_names(const char *path, hid_t file, const char *attr, int count,
                      char names[][SC_DS_NAME_MAX])
{
    int rc = -1, n = 0;
    char **s = NULL;
    SC_CHECK(H5Aexists(file, attr) > 0, "%s: missing root attribute '%s' (%d strings expected)",
             path, attr, count);
    SC_TRY(sc_h5_read_strs_attr(file, path, attr, NULL, &s, &n));
    SC_CHECK(n == count, "%s: attribute '%s': expected %d names, found %d", path, attr, count, n);
    for (int i = 0; i < count; i++) {
        SC_CHECK(s[i][0], "%s: attribute '%s': name %d is empty", path, attr, i);
        SC_CHECK(strlen(s[i]) < SC_DS_NAME_MAX, "%s: attribute '%s': name %d longer than %d",
                 path, attr, i, SC_DS_NAME_MAX - 1);
        strcpy(names[i], s[i]);
    }
    for (int i = 0; i < count; i++)
        for (int j = 0; j < i; j++)
            SC_CHECK(strcmp(names[i], names[j]), "%s: attribute '%s': name '%s' appears twice",
                     path, attr, names[i]);
    rc = 0;
fail:
    sc_h5_free_strs(s, n);
    return rc;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int check_integer(const char *path, hid_t d, const char *name, const char *want)
{
    hid_t t = H5Dget_type(d);
    int ok = t >= 0 && H5Tget_class(t) == H5T_INTEGER;
    if (t >= 0) H5Tclose(t);
    if (!ok) sc_err_set(NULL, 0, "%s: %s: expected %s values", path, name, want);
    return ok ? 0 : -1;
}

/* view_mirrored: from the attribute (V values 0/1), else from the names (dataset.h). */
static int read_mirrored(const char *path, hid_t file, sc_dataset *ds)
{
    hid_t a = -1, sp = -1, t = -1;
    int rc = -1;
    if (H5Aexists(file, "view_mirrored") <= 0) {
        for (int j = 0; j < ds->v; j++) ds->view_mirrored[j] = !strncasecmp(ds->view_names[j], "post", 4);
        ds->mirrored_given = 0;
        return 0;
    }
    long long m[SC_DS_MAX_VIEWS];
    SC_H5(a = H5Aopen(file, "view_mirrored", H5P_DEFAULT), "%s: attribute view_mirrored: cannot "
          "open", path);
    SC_H5(sp = H5Aget_space(a), "%s: attribute view_mirrored", path);
    SC_H5(t = H5Aget_type(a), "%s: attribute view_mirrored", path);
    SC_CHECK(H5Sget_simple_extent_npoints(sp) == ds->v && H5Tget_class(t) == H5T_INTEGER,
             "%s: attribute view_mirrored: expected %d integers (0 or 1), one per view", path,
             ds->v);
    SC_H5(H5Aread(a, H5T_NATIVE_LLONG, m), "%s: attribute view_mirrored: cannot read", path);
    for (int j = 0; j < ds->v; j++) {
        SC_CHECK(m[j] == 0 || m[j] == 1, "%s: attribute view_mirrored: value %lld for view '%s' "
                 "is not 0 or 1", path, m[j], ds->view_names[j]);
        ds->view_mirrored[j] = (int)m[j];
    }
    ds->mirrored_given = 1;
    rc = 0;
fail:
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    return rc;
}

/* The file's contents into ds (independent reads; file already open). */
static int read_contents(hid_t file, const char *path, sc_dataset *ds)
{
    hid_t images = -1, labels = -1, patient = -1, t = -1;
    if (sc_fault_step("dataset-read")) goto fail;

    /* /images [N][V][H][W], uint16 or float32 */
    SC_TRY((images = sc_h5_open_dset(file, path, "/images", HINT)) < 0);
    hsize_t id[4];
    SC_TRY(sc_h5_dset_shape(images, path, "/images", 4, id));
    SC_CHECK(id[0] >= 1 && id[1] >= 1 && id[2] >= 1 && id[3] >= 1,
             "%s: /images: empty shape [%llu][%llu][%llu][%llu]", path, (unsigned long long)id[0],
             (unsigned long long)id[1], (unsigned long long)id[2], (unsigned long long)id[3]);
    SC_CHECK(id[1] <= SC_DS_MAX_VIEWS, "%s: /images: %llu views, at most %d supported", path,
             (unsigned long long)id[1], SC_DS_MAX_VIEWS);
    SC_CHECK(id[2] <= 16384 && id[3] <= 16384, "%s: /images: view size %llux%llu too large",
             path, (unsigned long long)id[2], (unsigned long long)id[3]);
    SC_H5(t = H5Dget_type(images), "%s: /images: cannot read type", path);
    if (H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) == 2 && H5Tget_sign(t) == H5T_SGN_NONE)
        ds->pixel = SC_PIX_U16;
    else if (H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 4)
        ds->pixel = SC_PIX_F32;
    else
        SC_FAIL("%s: /images: expected uint16 or float32 pixels", path);
    ds->n = (int64_t)id[0];
    ds->v = ds->v_file = (int)id[1];
    for (int k = 0; k < ds->v; k++) ds->view_index[k] = k;
    ds->h = (int)id[2];
    ds->w = (int)id[3];

    /* /labels [N][L] uint8 0/1 */
    SC_TRY((labels = sc_h5_open_dset(file, path, "/labels", HINT)) < 0);
    hsize_t ld[2];
    SC_TRY(sc_h5_dset_shape(labels, path, "/labels", 2, ld));
    SC_CHECK(ld[0] == id[0], "%s: /labels: %llu rows but /images has %llu scans", path,
             (unsigned long long)ld[0], (unsigned long long)id[0]);
    SC_CHECK(ld[1] >= 1 && ld[1] <= SC_DS_MAX_LABELS, "%s: /labels: %llu labels, expected 1 to %d",
             path, (unsigned long long)ld[1], SC_DS_MAX_LABELS);
    SC_TRY(check_integer(path, labels, "/labels", "uint8 0/1"));
    ds->l = (int)ld[1];
    ds->labels = sc_xmalloc((size_t)ds->n * (size_t)ds->l);
    SC_H5(H5Dread(labels, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, ds->labels),
          "%s: /labels: read failed (truncated file?)", path);
    for (int64_t i = 0; i < ds->n; i++)
        for (int j = 0; j < ds->l; j++) {
            uint8_t v = ds->labels[i * ds->l + j];
            SC_CHECK(v <= 1, "%s: /labels: value %u at [%lld][%d] is not 0 or 1", path, v,
                     (long long)i, j);
        }

    /* /patient [N] int64 */
    SC_TRY((patient = sc_h5_open_dset(file, path, "/patient", HINT)) < 0);
    hsize_t pd[1];
    SC_TRY(sc_h5_dset_shape(patient, path, "/patient", 1, pd));
    SC_CHECK(pd[0] == id[0], "%s: /patient: %llu entries but /images has %llu scans", path,
             (unsigned long long)pd[0], (unsigned long long)id[0]);
    SC_TRY(check_integer(path, patient, "/patient", "int64 patient id"));
    ds->patient = sc_xmalloc((size_t)ds->n * sizeof *ds->patient);
    SC_H5(H5Dread(patient, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ds->patient),
          "%s: /patient: read failed (truncated file?)", path);

    SC_TRY(read_names(path, file, "label_names", ds->l, ds->label_names));
    SC_TRY(read_names(path, file, "view_names", ds->v, ds->view_names));
    SC_TRY(read_mirrored(path, file, ds));

    /* Distinct patients (sort a copy). */
    {
        int64_t *p = sc_xmalloc((size_t)ds->n * sizeof *p);
        memcpy(p, ds->patient, (size_t)ds->n * sizeof *p);
        qsort(p, (size_t)ds->n, sizeof *p, cmp_i64);
        ds->n_patients = 0;
        for (int64_t i = 0; i < ds->n; i++)
            if (i == 0 || p[i] != p[i - 1]) ds->n_patients++;
        free(p);
    }

    uint64_t h = SC_HASH_INIT;
    int64_t shape[5] = {ds->n, ds->v, ds->h, ds->w, ds->l};
    h = sc_hash_update(h, shape, sizeof shape);
    for (int j = 0; j < ds->l; j++) h = sc_hash_update(h, ds->label_names[j], SC_DS_NAME_MAX);
    for (int j = 0; j < ds->v; j++) h = sc_hash_update(h, ds->view_names[j], SC_DS_NAME_MAX);
    h = sc_hash_update(h, ds->view_mirrored, sizeof(int) * (size_t)ds->v);
    h = sc_hash_update(h, ds->labels, (size_t)ds->n * (size_t)ds->l);
    h = sc_hash_update(h, ds->patient, (size_t)ds->n * sizeof *ds->patient);
    ds->meta_hash = sc_hash_final(h);

    ds->h5_images = images;
    H5Tclose(t);
    H5Dclose(labels);
    H5Dclose(patient);
    return 0;
fail:
    if (t >= 0) H5Tclose(t);
    if (labels >= 0) H5Dclose(labels);
    if (patient >= 0) H5Dclose(patient);
    if (images >= 0) H5Dclose(images);
    return -1;
}

/* What one rank can check alone before the collective open. */
static int probe_file(const char *path)
{
    FILE *probe = fopen(path, "rb");
    SC_CHECK(probe, "%s: cannot open the data set file (does it exist?)", path);
    fclose(probe);
    SC_CHECK(H5Fis_hdf5(path) > 0, "%s: not an HDF5 file (or truncated)", path);
    if (sc_fault_step("dataset-open")) goto fail;
    return 0;
fail:
    return -1;
}

/* Three steps, each agreed on by every rank (util/agree.h): the checks one rank can make alone,
 * the collective open, the reads; so that a rank that fails (a file system that answers one
 * node but not another, a read error) cannot leave the others waiting in a collective call. */
int sc_ds_open(MPI_Comm comm, const char *path, sc_dataset *ds)
{
    hid_t fapl = -1, file = -1;
    int rc = 0;
    memset(ds, 0, sizeof *ds);
    ds->path = sc_xstrdup(path);
    ds->h5_images = -1;

    rc = probe_file(path);
    SC_TRY(sc_agree(comm, rc));
    /* H5Pset_fapl_mpio is collective too (it duplicates the communicator) */
    SC_TRY(sc_agree(comm, sc_h5_fapl_mpio(comm, &fapl)));
    file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    rc = file >= 0 ? 0 : -1;
    if (rc) sc_err_set(NULL, 0, "%s: cannot open as HDF5 (truncated or damaged file?)", path);
    SC_TRY(sc_agree(comm, rc));
    rc = read_contents(file, path, ds);
    SC_TRY(sc_agree(comm, rc));
    ds->h5_file = file;
    H5Pclose(fapl);
    return 0;
fail:
    /* every rank comes here together (after an agreement), so the collective close matches */
    if (ds->h5_images >= 0) H5Dclose(ds->h5_images);
    if (file >= 0) H5Fclose(file);
    if (fapl >= 0) H5Pclose(fapl);
    free(ds->path);
    free(ds->labels);
    free(ds->patient);
    memset(ds, 0, sizeof *ds);
    return -1;
}

int sc_ds_select_views(sc_dataset *ds, const char *const *names, int n)
{
    char list[SC_DS_MAX_VIEWS * (SC_DS_NAME_MAX + 2)] = "";
    for (int j = 0; j < ds->v_file; j++) {
        size_t at = strlen(list);
        snprintf(list + at, sizeof list - at, "%s%s", j ? ", " : "", ds->view_names[j]);
    }
    SC_CHECK(n >= 1 && n <= ds->v_file, "%s: %d views asked for, the file has %d (%s)",
             ds->path, n, ds->v_file, list);
    SC_CHECK(ds->v == ds->v_file, "%s: views already selected", ds->path);
    int index[SC_DS_MAX_VIEWS];
    for (int k = 0; k < n; k++) {
        index[k] = -1;
        for (int j = 0; j < ds->v_file; j++)
            if (!strcmp(names[k], ds->view_names[j])) index[k] = j;
        SC_CHECK(index[k] >= 0, "%s: no view named '%s' (its views: %s)", ds->path, names[k],
                 list);
        for (int q = 0; q < k; q++)
            SC_CHECK(index[q] != index[k], "%s: view '%s' named twice", ds->path, names[k]);
    }
    char vn[SC_DS_MAX_VIEWS][SC_DS_NAME_MAX];
    int mir[SC_DS_MAX_VIEWS];
    for (int k = 0; k < n; k++) {
        memcpy(vn[k], ds->view_names[index[k]], SC_DS_NAME_MAX);
        mir[k] = ds->view_mirrored[index[k]];
    }
    for (int k = 0; k < n; k++) {
        memcpy(ds->view_names[k], vn[k], SC_DS_NAME_MAX);
        ds->view_mirrored[k] = mir[k];
        ds->view_index[k] = index[k];
    }
    ds->v = n;
    return 0;
fail:
    return -1;
}

void sc_ds_close(sc_dataset *ds)
{
    if (!ds) return;
    if (ds->path) {
        H5Dclose(ds->h5_images);
        H5Fclose(ds->h5_file);
    }
    free(ds->path);
    free(ds->labels);
    free(ds->patient);
    memset(ds, 0, sizeof *ds);
}

/* The name of stored view j (view_names follow data.views once views are selected; a stored
 * view that was not selected is named by its position). */
static const char *stored_view_name(const sc_dataset *ds, int j)
{
    static const char *const unnamed[SC_DS_MAX_VIEWS] = {"0", "1", "2", "3", "4", "5", "6", "7"};
    for (int k = 0; k < ds->v; k++)
        if (ds->view_index[k] == j) return ds->view_names[k];
    return unnamed[j];
}

int sc_ds_read(sc_dataset *ds, int64_t first, int64_t count, float *out)
{
    hid_t images = ds->h5_images, fsp = -1, msp = -1;
    int rc = -1;
    if (!ds->path) {
        sc_err_set(NULL, 0, "data set is not open");
        return -1;
    }
    SC_CHECK(first >= 0 && count >= 0 && first + count <= ds->n,
             "%s: /images: scans [%lld, %lld) out of range (N = %lld)", ds->path,
             (long long)first, (long long)(first + count), (long long)ds->n);
    if (count == 0) return 0;
    hsize_t start[4] = {(hsize_t)first, 0, 0, 0};
    hsize_t cnt[4] = {(hsize_t)count, (hsize_t)ds->v_file, (hsize_t)ds->h, (hsize_t)ds->w};
    SC_H5(fsp = H5Dget_space(images), "%s: /images: cannot get dataspace", ds->path);
    SC_H5(H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, cnt, NULL),
          "%s: /images: bad selection", ds->path);
    SC_H5(msp = H5Screate_simple(4, cnt, NULL), "H5Screate_simple failed");
    /* HDF5 converts uint16 to float on the fly. */
    SC_H5(H5Dread(images, H5T_NATIVE_FLOAT, msp, fsp, H5P_DEFAULT, out),
          "%s: /images: cannot read scans [%lld, %lld) (truncated or damaged file?)", ds->path,
          (long long)first, (long long)(first + count));
    if (ds->pixel == SC_PIX_F32) {
        const size_t hw = (size_t)ds->h * (size_t)ds->w, per = (size_t)ds->v_file * hw;
        for (int64_t i = 0; i < count; i++)
            for (size_t k = 0; k < per; k++) {
                float x = out[(size_t)i * per + k];
                /* the first bad pixel of the scan, named so that it can be looked at */
                SC_CHECK(isfinite(x) && x >= 0.0f,
                         "%s: /images: scan %lld has a %s pixel (%g) in view '%s' at row %zu, "
                         "column %zu; counts must be finite and non-negative",
                         ds->path, (long long)(first + i), isfinite(x) ? "negative" : "non-finite",
                         (double)x, stored_view_name(ds, (int)(k / hw)), k % hw / (size_t)ds->w,
                         k % (size_t)ds->w);
            }
    }
    rc = 0;
fail:
    if (msp >= 0) H5Sclose(msp);
    if (fsp >= 0) H5Sclose(fsp);
    return rc;
}

void sc_ds_label_counts(const sc_dataset *ds, int64_t *pos)
{
    for (int j = 0; j < ds->l; j++) pos[j] = 0;
    for (int64_t i = 0; i < ds->n; i++)
        for (int j = 0; j < ds->l; j++) pos[j] += ds->labels[i * ds->l + j];
}
