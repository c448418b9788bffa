/* data/dataset_write.c: the serial, streaming writer of the data set file (dataset.h).
 *
 * The file is built at PATH.partial and renamed to PATH only by a successful close, after every
 * scan was written: a crashed, killed or failed writer never leaves a file at PATH that looks
 * complete.  Images are stored one per chunk (deflate + shuffle), written straight through
 * (no chunk cache: each chunk is written once, whole). */
#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/dataset.h"
#include "util/error.h"
#include "util/h5.h"
#include "util/sys.h"

struct sc_ds_writer {
    char *path, *partial;
    hid_t file, images;
    int64_t n, n_written;
    int v, h, w, l;
    uint8_t *labels;  /* [n][l] */
    int64_t *patient; /* [n] */
    uint8_t *written; /* [n] */
    /* per-scan provenance datasets, created on first use (sc_ds_writer_put_meta_*) */
    struct {
        char name[SC_DS_NAME_MAX + 1];
        hid_t d;
        int k;      /* values per scan; 0: a [N] dataset */
        int is_str; /* UTF-8 strings, else float32 */
    } meta[SC_DS_MAX_META];
    int n_meta;
};

/* 1 if s is printable ASCII (names and attributes are stored as ASCII strings). */
static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) return 0;
    return 1;
}

static void writer_free(sc_ds_writer *wr)
{
    free(wr->path);
    free(wr->partial);
    free(wr->labels);
    free(wr->patient);
    free(wr->written);
    free(wr);
}

/* Close the HDF5 handles (errors ignored: used on the failure path). */
static void writer_close_handles(sc_ds_writer *wr)
{
    for (int j = 0; j < wr->n_meta; j++)
        if (wr->meta[j].d >= 0) H5Dclose(wr->meta[j].d);
    wr->n_meta = 0;
    if (wr->images >= 0) H5Dclose(wr->images);
    sc_h5_discard_file(wr->file);
    wr->images = wr->file = -1;
}

static int check_dir_writable(const char *path)
{
    char *copy = sc_xstrdup(path);
    const char *dir = dirname(copy);
    int ok = access(dir, W_OK) == 0;
    if (!ok) sc_err_set(NULL, 0, "%s: cannot write in directory '%s': %s", path, dir, strerror(errno));
    free(copy);
    return ok ? 0 : -1;
}

int sc_ds_writer_open(const char *path, int64_t n, int v, int h, int w, int l,
                      const char *const *label_names, const char *const *view_names,
                      sc_ds_writer **out)
{
    sc_ds_writer *wr = NULL;
    hid_t sp = -1, dcpl = -1, dapl = -1;
    *out = NULL;
    SC_CHECK(n >= 1 && v >= 1 && v <= SC_DS_MAX_VIEWS && h >= 1 && w >= 1 && l >= 1 &&
                 l <= SC_DS_MAX_LABELS,
             "%s: invalid shape: %" PRId64 " scans, %d views of %dx%d, %d labels", path, n, v, h,
             w, l);
    for (int i = 0; i < l; i++)
        SC_CHECK(label_names[i] && label_names[i][0] && strlen(label_names[i]) < SC_DS_NAME_MAX &&
                     is_ascii(label_names[i]),
                 "%s: label name %d is empty, longer than %d or not printable ASCII", path, i,
                 SC_DS_NAME_MAX - 1);
    for (int i = 0; i < v; i++)
        SC_CHECK(view_names[i] && view_names[i][0] && strlen(view_names[i]) < SC_DS_NAME_MAX &&
                     is_ascii(view_names[i]),
                 "%s: view name %d is empty, longer than %d or not printable ASCII", path, i,
                 SC_DS_NAME_MAX - 1);
    SC_TRY(check_dir_writable(path));
    wr = sc_xcalloc(1, sizeof *wr);
    wr->file = wr->images = -1;
    wr->path = sc_xstrdup(path);
    wr->partial = sc_xmalloc(strlen(path) + 9);
    sprintf(wr->partial, "%s.partial", path);
    wr->n = n;
    wr->v = v;
    wr->h = h;
    wr->w = w;
    wr->l = l;
    wr->labels = sc_xcalloc((size_t)n * l, 1);
    wr->patient = sc_xcalloc((size_t)n, sizeof *wr->patient);
    wr->written = sc_xcalloc((size_t)n, 1);

    SC_H5(wr->file = H5Fcreate(wr->partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
          "%s: cannot create the file", wr->partial);
    hsize_t dims[4] = {(hsize_t)n, (hsize_t)v, (hsize_t)h, (hsize_t)w};
    hsize_t chunk[4] = {1, (hsize_t)v, (hsize_t)h, (hsize_t)w};
    SC_H5(sp = H5Screate_simple(4, dims, NULL), "%s: /images: cannot make a dataspace", path);
    SC_H5(dcpl = H5Pcreate(H5P_DATASET_CREATE), "%s: /images: cannot make a property list", path);
    SC_H5(H5Pset_chunk(dcpl, 4, chunk), "%s: /images: cannot set the chunk shape", path);
    SC_H5(H5Pset_shuffle(dcpl), "%s: /images: cannot set the shuffle filter", path);
    SC_H5(H5Pset_deflate(dcpl, 4), "%s: /images: cannot set deflate", path);
    SC_H5(dapl = H5Pcreate(H5P_DATASET_ACCESS), "%s: /images: cannot make a property list", path);
    SC_H5(H5Pset_chunk_cache(dapl, 0, 0, 1.0), "%s: /images: cannot set the chunk cache", path);
    SC_H5(wr->images = H5Dcreate2(wr->file, "/images", H5T_STD_U16LE, sp, H5P_DEFAULT, dcpl, dapl),
          "%s: /images: cannot create", path);
    /* Variable-length strings: h5py reads them as str. */
    SC_TRY(sc_h5_write_strs_attr(wr->file, path, "label_names", l, label_names, SC_H5_VLEN));
    SC_TRY(sc_h5_write_strs_attr(wr->file, path, "view_names", v, view_names, SC_H5_VLEN));
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(dapl);
    *out = wr;
    return 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (dapl >= 0) H5Pclose(dapl);
    if (wr) {
        writer_close_handles(wr);
        remove(wr->partial);
        writer_free(wr);
    }
    return -1;
}

int sc_ds_writer_put(sc_ds_writer *wr, int64_t i, const uint16_t *image, const uint8_t *labels,
                     int64_t patient)
{
    int rc = -1;
    hid_t ms = -1, fs = -1;
    SC_CHECK(i >= 0 && i < wr->n, "%s: scan index %" PRId64 " out of range [0, %" PRId64 ")",
             wr->path, i, wr->n);
    for (int j = 0; j < wr->l; j++)
        SC_CHECK(labels[j] <= 1, "%s: /labels: value %d at [%" PRId64 "][%d] is not 0 or 1",
                 wr->path, labels[j], i, j);
    hsize_t start[4] = {(hsize_t)i, 0, 0, 0};
    hsize_t count[4] = {1, (hsize_t)wr->v, (hsize_t)wr->h, (hsize_t)wr->w};
    SC_H5(ms = H5Screate_simple(4, count, NULL), "%s: /images: cannot make a dataspace", wr->path);
    SC_H5(fs = H5Dget_space(wr->images), "%s: /images: cannot get the dataspace", wr->path);
    SC_H5(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL),
          "%s: /images: cannot select scan %" PRId64, wr->path, i);
    SC_H5(H5Dwrite(wr->images, H5T_NATIVE_UINT16, ms, fs, H5P_DEFAULT, image),
          "%s: /images: cannot write scan %" PRId64 "%s", wr->path, i,
          sc_fs_full_note(wr->partial));
    memcpy(wr->labels + (size_t)i * wr->l, labels, (size_t)wr->l);
    wr->patient[i] = patient;
    if (!wr->written[i]) wr->n_written++;
    wr->written[i] = 1;
    rc = 0;
fail:
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

int sc_ds_writer_mirrored(sc_ds_writer *wr, const int *mirrored)
{
    hid_t sp = -1, a = -1;
    int rc = -1;
    int32_t m[SC_DS_MAX_VIEWS];
    hsize_t n = (hsize_t)wr->v;
    for (int j = 0; j < wr->v; j++) {
        SC_CHECK(mirrored[j] == 0 || mirrored[j] == 1, "%s: view_mirrored[%d] = %d is not 0 or 1",
                 wr->path, j, mirrored[j]);
        m[j] = mirrored[j];
    }
    SC_H5(sp = H5Screate_simple(1, &n, NULL), "%s: view_mirrored", wr->path);
    SC_H5(a = H5Acreate2(wr->file, "view_mirrored", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT),
          "%s: cannot create attribute view_mirrored", wr->path);
    SC_H5(H5Awrite(a, H5T_NATIVE_INT32, m), "%s: cannot write attribute view_mirrored", wr->path);
    rc = 0;
fail:
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int sc_ds_writer_attr(sc_ds_writer *wr, const char *name, const char *value)
{
    SC_CHECK(is_ascii(name) && name[0] && is_ascii(value),
             "%s: attribute '%s': name and value must be printable ASCII", wr->path, name);
    return sc_h5_write_str_attr(wr->file, wr->path, name, value, SC_H5_VLEN);
fail:
    return -1;
}

/* The meta dataset `name` ([n] or [n][k], strings or float32), created on first use with
 * chunks of up to 1024 scans; -1 if it exists with another shape or type. */
static hid_t meta_dataset(sc_ds_writer *wr, const char *name, int k, int is_str)
{
    hid_t sp = -1, dcpl = -1, t = -1, d = -1;
    for (int j = 0; j < wr->n_meta; j++)
        if (!strcmp(wr->meta[j].name, name)) {
            SC_CHECK(wr->meta[j].k == k && wr->meta[j].is_str == is_str,
                     "%s: /%s: written before with another shape or type", wr->path, name);
            return wr->meta[j].d;
        }
    SC_CHECK(wr->n_meta < SC_DS_MAX_META, "%s: more than %d per-scan datasets", wr->path,
             SC_DS_MAX_META);
    SC_CHECK(name[0] && strlen(name) <= SC_DS_NAME_MAX && is_ascii(name) && !strchr(name, '/') &&
                 strcmp(name, "images") && strcmp(name, "labels") && strcmp(name, "patient"),
             "%s: invalid per-scan dataset name '%s'", wr->path, name);
    hsize_t dims[2] = {(hsize_t)wr->n, (hsize_t)k};
    hsize_t chunk[2] = {(hsize_t)(wr->n < 1024 ? wr->n : 1024), (hsize_t)k};
    const int rank = k ? 2 : 1;
    SC_H5(sp = H5Screate_simple(rank, dims, NULL), "%s: /%s: cannot make a dataspace", wr->path,
          name);
    SC_H5(dcpl = H5Pcreate(H5P_DATASET_CREATE), "%s: /%s: cannot make a property list",
          wr->path, name);
    SC_H5(H5Pset_chunk(dcpl, rank, chunk), "%s: /%s: cannot set the chunk shape", wr->path, name);
    if (is_str) {
        SC_H5(t = H5Tcopy(H5T_C_S1), "%s: /%s: string type", wr->path, name);
        SC_H5(H5Tset_size(t, H5T_VARIABLE), "%s: /%s: string type", wr->path, name);
        SC_H5(H5Tset_cset(t, H5T_CSET_UTF8), "%s: /%s: string type", wr->path, name);
    } else {
        SC_H5(H5Pset_deflate(dcpl, 4), "%s: /%s: cannot set deflate", wr->path, name);
    }
    SC_H5(d = H5Dcreate2(wr->file, name, is_str ? t : H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl,
                         H5P_DEFAULT),
          "%s: /%s: cannot create", wr->path, name);
    snprintf(wr->meta[wr->n_meta].name, sizeof wr->meta[0].name, "%s", name);
    wr->meta[wr->n_meta].d = d;
    wr->meta[wr->n_meta].k = k;
    wr->meta[wr->n_meta].is_str = is_str;
    wr->n_meta++;
fail:
    if (t >= 0) H5Tclose(t);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    return d;
}

/* Write row i (k values, or one when k == 0) of a meta dataset. */
static int meta_put(sc_ds_writer *wr, const char *name, int64_t i, int k, int is_str,
                    const void *values)
{
    int rc = -1;
    hid_t d, t = -1, ms = -1, fs = -1;
    SC_CHECK(i >= 0 && i < wr->n && k >= 0 && k <= 64, "%s: /%s: scan %" PRId64 " or width %d "
             "out of range", wr->path, name, i, k);
    SC_TRY((d = meta_dataset(wr, name, k, is_str)) < 0);
    hsize_t start[2] = {(hsize_t)i, 0}, count[2] = {1, (hsize_t)k};
    const int rank = k ? 2 : 1;
    SC_H5(ms = H5Screate_simple(rank, count, NULL), "%s: /%s: dataspace", wr->path, name);
    SC_H5(fs = H5Dget_space(d), "%s: /%s: dataspace", wr->path, name);
    SC_H5(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL),
          "%s: /%s: cannot select scan %" PRId64, wr->path, name, i);
    if (is_str) {
        SC_H5(t = H5Dget_type(d), "%s: /%s: type", wr->path, name);
    }
    SC_H5(H5Dwrite(d, is_str ? t : H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, values),
          "%s: /%s: cannot write scan %" PRId64, wr->path, name, i);
    rc = 0;
fail:
    if (t >= 0) H5Tclose(t);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

int sc_ds_writer_put_meta_str(sc_ds_writer *wr, const char *name, int64_t i, int k,
                              const char *const *values)
{
    for (int j = 0; j < (k ? k : 1); j++)
        SC_CHECK(values[j], "%s: /%s: scan %" PRId64 ": missing value %d", wr->path, name, i, j);
    return meta_put(wr, name, i, k, 1, values);
fail:
    return -1;
}

int sc_ds_writer_put_meta_f32(sc_ds_writer *wr, const char *name, int64_t i, int k,
                              const float *values)
{
    return meta_put(wr, name, i, k, 0, values);
}

int sc_ds_writer_close(sc_ds_writer *wr)
{
    SC_CHECK(wr->n_written == wr->n, "%s: only %" PRId64 " of %" PRId64 " scans were written",
             wr->path, wr->n_written, wr->n);
    hsize_t dl[2] = {(hsize_t)wr->n, (hsize_t)wr->l}, dp[1] = {(hsize_t)wr->n};
    SC_TRY(sc_h5_write_dset(wr->file, wr->path, "/labels", H5T_STD_U8LE, H5T_NATIVE_UINT8, 2, dl,
                            wr->labels));
    SC_TRY(sc_h5_write_dset(wr->file, wr->path, "/patient", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
                            dp, wr->patient));
    for (int j = 0; j < wr->n_meta; j++) {
        herr_t e = H5Dclose(wr->meta[j].d);
        wr->meta[j].d = -1;
        SC_H5(e, "%s: /%s: cannot close", wr->path, wr->meta[j].name);
    }
    wr->n_meta = 0;
    herr_t e_images = H5Dclose(wr->images), e_file;
    wr->images = -1;
    SC_H5(e_images, "%s: /images: cannot close", wr->path);
    e_file = sc_h5_close_file(wr->file, wr->partial);
    wr->file = -1;
    SC_TRY(e_file);
    if (rename(wr->partial, wr->path) != 0) {
        sc_err_set(NULL, 0, "%s: cannot rename to %s: %s", wr->partial, wr->path, strerror(errno));
        goto fail;
    }
    writer_free(wr);
    return 0;
fail:
    writer_close_handles(wr);
    remove(wr->partial);
    writer_free(wr);
    return -1;
}

void sc_ds_writer_abort(sc_ds_writer *wr)
{
    if (!wr) return;
    writer_close_handles(wr);
    remove(wr->partial);
    writer_free(wr);
}
