/* util/h5.c: see h5.h. */
#include "util/h5.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/sys.h"

/* At most this many strings in an attribute, and this many bytes in a fixed-length one of an
 * array: bounds on what an untrusted file can make us allocate. */
#define MAX_STRINGS 100000
#define MAX_FIXED 4096

#define HINT(h) (h) ? " " : "", (h) ? (h) : ""

/* Create (or replace) attribute `name` of file type ftype and write buf (of type mtype). */
static int put_attr(hid_t obj, const char *file, const char *name, hid_t ftype, hid_t mtype,
                    hid_t space, const void *buf)
{
    hid_t a = -1;
    htri_t exists;
    int rc = -1;
    SC_H5(exists = H5Aexists(obj, name), "%s: attribute '%s': cannot query", file, name);
    if (exists) SC_H5(H5Adelete(obj, name), "%s: attribute '%s': cannot replace", file, name);
    SC_H5(a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT),
          "%s: attribute '%s': cannot create", file, name);
    SC_H5(H5Awrite(a, mtype, buf), "%s: attribute '%s': cannot write", file, name);
    rc = 0;
fail:
    if (a >= 0) H5Aclose(a);
    return rc;
}

/* n strings; scalar: one string in a scalar dataspace. */
static int write_strings(hid_t obj, const char *file, const char *name, int n,
                         const char *const *values, sc_h5_str kind, int scalar)
{
    hid_t t = -1, sp = -1;
    char *fixed = NULL;
    int rc = -1;
    size_t w = 1;
    hsize_t dim = (hsize_t)n;
    if (kind == SC_H5_FIXED) {
        for (int i = 0; i < n; i++)
            if (strlen(values[i]) + 1 > w) w = strlen(values[i]) + 1;
        fixed = sc_xcalloc((size_t)n, w);
        for (int i = 0; i < n; i++) memcpy(fixed + (size_t)i * w, values[i], strlen(values[i]));
    }
    SC_H5(t = H5Tcopy(H5T_C_S1), "%s: attribute '%s': cannot make a string type", file, name);
    SC_H5(H5Tset_size(t, kind == SC_H5_FIXED ? w : H5T_VARIABLE),
          "%s: attribute '%s': cannot make a string type", file, name);
    SC_H5(H5Tset_cset(t, H5T_CSET_ASCII), "%s: attribute '%s': cannot make a string type", file,
          name);
    SC_H5(sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL),
          "%s: attribute '%s': cannot make a dataspace", file, name);
    SC_TRY(put_attr(obj, file, name, t, t, sp,
                    kind == SC_H5_FIXED ? (const void *)fixed : values));
    rc = 0;
fail:
    free(fixed);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc;
}

int sc_h5_write_str_attr(hid_t obj, const char *file, const char *name, const char *value,
                         sc_h5_str kind)
{
    return write_strings(obj, file, name, 1, &value, kind, 1);
}

int sc_h5_write_strs_attr(hid_t obj, const char *file, const char *name, int n,
                          const char *const *values, sc_h5_str kind)
{
    return write_strings(obj, file, name, n, values, kind, 0);
}

int sc_h5_write_num_attr(hid_t obj, const char *file, const char *name, hid_t type,
                         const void *value)
{
    hid_t sp = -1;
    int rc = -1;
    SC_H5(sp = H5Screate(H5S_SCALAR), "%s: attribute '%s': cannot make a dataspace", file, name);
    SC_TRY(put_attr(obj, file, name, type, type, sp, value));
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int sc_h5_write_nums_attr(hid_t obj, const char *file, const char *name, hid_t ftype,
                          hid_t mtype, int n, const void *values)
{
    hid_t sp = -1;
    int rc = -1;
    const hsize_t dim = (hsize_t)n;
    SC_H5(sp = H5Screate_simple(1, &dim, NULL), "%s: attribute '%s': cannot make a dataspace",
          file, name);
    SC_TRY(put_attr(obj, file, name, ftype, mtype, sp, values));
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* Open attribute `name`, which must exist, and its dataspace. */
static hid_t open_attr(hid_t obj, const char *file, const char *name, const char *hint,
                       hid_t *space, hssize_t *n)
{
    hid_t a = -1;
    *space = -1;
    SC_CHECK(H5Aexists(obj, name) > 0, "%s: missing attribute '%s'%s%s", file, name, HINT(hint));
    SC_H5(a = H5Aopen(obj, name, H5P_DEFAULT), "%s: attribute '%s': cannot open", file, name);
    SC_H5(*space = H5Aget_space(a), "%s: attribute '%s': cannot read its shape", file, name);
    SC_H5(*n = H5Sget_simple_extent_npoints(*space), "%s: attribute '%s': cannot read its shape",
          file, name);
    return a;
fail:
    if (*space >= 0) H5Sclose(*space);
    if (a >= 0) H5Aclose(a);
    *space = -1;
    return -1;
}

/* The strings of an attribute; one: exactly one string expected. */
static int read_strings(hid_t obj, const char *file, const char *name, const char *hint,
                        int one, char ***out, int *count)
{
    hid_t a = -1, t = -1, mt = -1, sp = -1;
    char **vl = NULL, *fixed = NULL, **s = NULL;
    hssize_t n = 0;
    int rc = -1;
    SC_TRY((a = open_attr(obj, file, name, hint, &sp, &n)) < 0);
    SC_H5(t = H5Aget_type(a), "%s: attribute '%s': cannot read its type", file, name);
    SC_CHECK(H5Tget_class(t) == H5T_STRING, "%s: attribute '%s': expected %s", file, name,
             one ? "a string" : "strings");
    if (one)
        SC_CHECK(n == 1, "%s: attribute '%s': expected one string, found %lld", file, name,
                 (long long)n);
    else
        SC_CHECK(n < MAX_STRINGS, "%s: attribute '%s': bad size", file, name);
    SC_H5(mt = H5Tcopy(H5T_C_S1), "H5Tcopy failed");
    /* HDF5 does not convert between ASCII and UTF-8 (h5py's default): read as stored. */
    SC_H5(H5Tset_cset(mt, H5Tget_cset(t)), "H5Tset_cset failed");
    s = sc_xcalloc((size_t)n, sizeof *s);
    if (H5Tis_variable_str(t) > 0) {
        SC_H5(H5Tset_size(mt, H5T_VARIABLE), "H5Tset_size failed");
        vl = sc_xcalloc((size_t)n, sizeof *vl);
        if (n > 0 && H5Aread(a, mt, vl) < 0) {
            free(vl); /* nothing to reclaim */
            vl = NULL;
            SC_FAIL("%s: attribute '%s': cannot read", file, name);
        }
        for (hssize_t i = 0; i < n; i++) s[i] = sc_xstrdup(vl[i] ? vl[i] : "");
    } else {
        size_t sz = H5Tget_size(t);
        SC_CHECK(sz > 0 && (one || sz < MAX_FIXED), "%s: attribute '%s': bad string size", file,
                 name);
        fixed = sc_xcalloc((size_t)n, sz + 1);
        SC_H5(H5Tset_size(mt, sz + 1), "H5Tset_size failed");
        SC_H5(H5Tset_strpad(mt, H5T_STR_NULLTERM), "H5Tset_strpad failed");
        if (n > 0) SC_H5(H5Aread(a, mt, fixed), "%s: attribute '%s': cannot read", file, name);
        for (hssize_t i = 0; i < n; i++) s[i] = sc_xstrdup(fixed + (size_t)i * (sz + 1));
    }
    *out = s;
    *count = (int)n;
    s = NULL;
    rc = 0;
fail:
    sc_h5_free_strs(s, (int)n);
    if (vl) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, vl);
    free(vl);
    free(fixed);
    if (sp >= 0) H5Sclose(sp);
    if (mt >= 0) H5Tclose(mt);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return rc;
}

int sc_h5_read_str_attr(hid_t obj, const char *file, const char *name, const char *hint,
                        char **out)
{
    char **s;
    int n;
    if (read_strings(obj, file, name, hint, 1, &s, &n)) return -1;
    *out = s[0];
    free(s);
    return 0;
}

int sc_h5_read_strs_attr(hid_t obj, const char *file, const char *name, const char *hint,
                         char ***out, int *n)
{
    return read_strings(obj, file, name, hint, 0, out, n);
}

void sc_h5_free_strs(char **strs, int n)
{
    if (!strs) return;
    for (int i = 0; i < n; i++) free(strs[i]);
    free(strs);
}

int sc_h5_read_nums_attr(hid_t obj, const char *file, const char *name, const char *hint,
                         hid_t type, int n, void *out)
{
    hid_t a = -1, sp = -1;
    hssize_t got = 0;
    int rc = -1;
    SC_TRY((a = open_attr(obj, file, name, hint, &sp, &got)) < 0);
    if (got != n) {
        char want[32];
        if (n == 1) snprintf(want, sizeof want, "one value");
        else snprintf(want, sizeof want, "%d values", n);
        SC_FAIL("%s: attribute '%s': expected %s, found %lld", file, name, want, (long long)got);
    }
    SC_H5(H5Aread(a, type, out), "%s: attribute '%s': cannot read", file, name);
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    return rc;
}

int sc_h5_read_num_attr(hid_t obj, const char *file, const char *name, const char *hint,
                        hid_t type, void *out)
{
    return sc_h5_read_nums_attr(obj, file, name, hint, type, 1, out);
}

hid_t sc_h5_open_dset(hid_t loc, const char *file, const char *name, const char *hint)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
        sc_err_set(NULL, 0, "%s: missing dataset %s%s%s", file, name, HINT(hint));
        return -1;
    }
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) sc_err_set(NULL, 0, "%s: %s: cannot open (damaged file?)", file, name);
    return d;
}

int sc_h5_dset_shape(hid_t d, const char *file, const char *name, int rank, hsize_t *dims)
{
    hid_t sp = H5Dget_space(d);
    int rc = -1;
    SC_H5(sp, "%s: %s: cannot read its dataspace", file, name);
    int found = H5Sget_simple_extent_ndims(sp);
    SC_CHECK(found == rank, "%s: %s: expected %d dimensions, found %d", file, name, rank, found);
    SC_H5(H5Sget_simple_extent_dims(sp, dims, NULL), "%s: %s: cannot read its shape", file, name);
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int sc_h5_write_dset(hid_t loc, const char *file, const char *name, hid_t ftype, hid_t mtype,
                     int rank, const hsize_t *dims, const void *data)
{
    hid_t sp = -1, d = -1;
    int rc = -1;
    SC_H5(sp = H5Screate_simple(rank, dims, NULL), "%s: %s: cannot make a dataspace", file, name);
    SC_H5(d = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "%s: %s: cannot create", file, name);
    if (data)
        SC_H5(H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "%s: %s: cannot write",
              file, name);
    rc = 0;
fail:
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static int h5_unsafe_to_shut_down; /* a file close failed: see sc_h5_close_file */

int sc_h5_close_file(hid_t f, const char *file)
{
    if (f < 0 || H5Fclose(f) >= 0) return 0;
    h5_unsafe_to_shut_down = 1;
    sc_err_set(NULL, 0, "%s: cannot close (HDF5 could not write what it held)%s", file,
               sc_fs_full_note(file));
    return -1;
}

void sc_h5_discard_file(hid_t f)
{
    if (f >= 0 && H5Fclose(f) < 0) h5_unsafe_to_shut_down = 1;
}

int sc_h5_shutdown(void) { return h5_unsafe_to_shut_down ? 0 : H5close() < 0 ? -1 : 0; }
