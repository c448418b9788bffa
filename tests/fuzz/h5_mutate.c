/* tests/fuzz/h5_mutate.c: the structure-aware mutator of h5.h.  The input is read as
 * a script: each step takes an operation byte, an object byte (which dataset, group or the
 * root, in the file's visiting order) and argument bytes; a step that does not apply (e.g. the
 * object was already deleted) is skipped.  Operations:
 *   delete       the object
 *   retype       the dataset recreated with another type (ints, floats, fixed or variable
 *                strings), same shape, every byte set to a value byte (variable strings left
 *                unwritten: they read as NULL)
 *   reshape      the dataset recreated with its type and a new shape (rank 0 to 4, each
 *                extent 0 to 7 or 100000: huge extents stay unwritten, chunked)
 *   poke         one element of the dataset set to a special value (NaN, inf, -1, 2, the
 *                type's extremes, ...)
 *   attr-delete  one attribute of the object
 *   attr-strings one attribute replaced by an array of variable strings cut from the input
 *   attr-number  one attribute replaced by an array of numbers (int or double, special values)
 *   replace      the object replaced by a copy of another one */
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/common.h"
#include "tests/fuzz/h5.h"

#define MAX_OBJ 512
#define MAX_STEPS 8

typedef struct {
    const uint8_t *p;
    size_t n;
} script;

static int take(script *s)
{
    if (!s->n) return -1;
    s->n--;
    return *s->p++;
}

typedef struct {
    char *name[MAX_OBJ];
    int n;
} objects;

static herr_t visit(hid_t o, const char *name, const H5O_info_t *info, void *op)
{
    (void)o, (void)info;
    objects *l = op;
    if (l->n < MAX_OBJ) l->name[l->n++] = strdup(name); /* "." is the root */
    return 0;
}

static hid_t type_of(int code)
{
    static const hid_t *const t[] = {&H5T_NATIVE_INT8_g, &H5T_NATIVE_UINT8_g, &H5T_NATIVE_INT16_g,
                                     &H5T_NATIVE_UINT16_g, &H5T_NATIVE_INT32_g, &H5T_NATIVE_INT64_g,
                                     &H5T_NATIVE_FLOAT_g, &H5T_NATIVE_DOUBLE_g};
    const int n = (int)(sizeof t / sizeof *t);
    code %= n + 2;
    if (code < n) return H5Tcopy(*t[code]);
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, code == n ? 8 : H5T_VARIABLE);
    return s;
}

/* Recreate dataset `name` with type and space (the old one is unlinked); write every byte as
 * `fill` when it is small and of fixed size. */
static void recreate(hid_t f, const char *name, hid_t type, hid_t space, int fill)
{
    if (H5Ldelete(f, name, H5P_DEFAULT) < 0) return;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[H5S_MAX_RANK], chunk[H5S_MAX_RANK];
    H5Sget_simple_extent_dims(space, dims, NULL);
    hssize_t count = H5Sget_simple_extent_npoints(space);
    if (rank > 0 && count > 4096) {
        for (int i = 0; i < rank; i++) chunk[i] = dims[i] < 64 ? (dims[i] ? dims[i] : 1) : 64;
        H5Pset_chunk(dcpl, rank, chunk);
    }
    hid_t d = H5Dcreate2(f, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d >= 0 && count > 0 && count <= 4096 && !H5Tis_variable_str(type)) {
        size_t bytes = (size_t)count * H5Tget_size(type);
        unsigned char *buf = malloc(bytes);
        if (!buf) fz_die("out of memory");
        memset(buf, fill, bytes);
        H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        free(buf);
    }
    if (d >= 0) H5Dclose(d);
    H5Pclose(dcpl);
}

static void poke(hid_t d, int which, int value)
{
    hid_t type = H5Dget_type(d), space = H5Dget_space(d);
    const hssize_t count = H5Sget_simple_extent_npoints(space);
    const H5T_class_t cls = H5Tget_class(type);
    const size_t size = H5Tget_size(type);
    if (count > 0 && (cls == H5T_INTEGER || cls == H5T_FLOAT)) {
        hsize_t at = (hsize_t)which % (hsize_t)count, dims[H5S_MAX_RANK], coord[H5S_MAX_RANK];
        const int rank = H5Sget_simple_extent_dims(space, dims, NULL);
        for (int i = rank - 1; i >= 0; i--) { /* the linear index as coordinates */
            coord[i] = at % dims[i];
            at /= dims[i];
        }
        double v;
        switch (value % 8) {
        case 0: v = NAN; break;
        case 1: v = INFINITY; break;
        case 2: v = -1; break;
        case 3: v = 2; break;
        case 4: v = 1e30; break;
        case 5: v = -1e30; break;
        case 6: v = 65535; break;
        default: v = value; break;
        }
        hid_t mem = H5Screate_simple(1, (hsize_t[]){1}, NULL);
        if (rank > 0) H5Sselect_elements(space, H5S_SELECT_SET, 1, coord);
        else H5Sselect_all(space);
        /* write as double through HDF5's conversion (which clips to the type's range) when it
         * is a float, else set the element's bytes directly (0x00 / 0xff / 0x7f patterns). */
        if (cls == H5T_FLOAT) {
            H5Dwrite(d, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, &v);
        } else {
            unsigned char b[16];
            memset(b, value % 3 == 0 ? 0xff : value % 3 == 1 ? 0x7f : 0x80, sizeof b);
            if (value % 3 == 1 && H5Tget_order(type) == H5T_ORDER_LE) b[size - 1] = 0x7f,
                memset(b, 0xff, size - 1);
            if (size <= sizeof b) H5Dwrite(d, type, mem, space, H5P_DEFAULT, b);
        }
        H5Sclose(mem);
    }
    H5Sclose(space);
    H5Tclose(type);
}

static int attr_name(hid_t o, int which, char *name, size_t n)
{
    H5O_info_t info;
    if (H5Oget_info2(o, &info, H5O_INFO_NUM_ATTRS) < 0 || info.num_attrs == 0) return -1;
    const hsize_t i = (hsize_t)which % info.num_attrs;
    return H5Aget_name_by_idx(o, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, n, H5P_DEFAULT) > 0
               ? 0 : -1;
}

static void attr_replace(hid_t o, script *s, int strings)
{
    char name[256];
    int which = take(s), count = take(s);
    if (which < 0 || count < 0 || attr_name(o, which, name, sizeof name)) return;
    count %= 20;
    H5Adelete(o, name);
    hid_t space = count == 19 ? H5Screate(H5S_SCALAR)
                              : H5Screate_simple(1, (hsize_t[]){(hsize_t)count}, NULL);
    const hsize_t n = count == 19 ? 1 : (hsize_t)count;
    hid_t type, a;
    if (strings) {
        type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        char *v[20];
        for (hsize_t i = 0; i < n; i++) { /* each string: a length byte, then its bytes */
            int len = take(s);
            len = len < 0 ? 0 : len % 80;
            v[i] = calloc((size_t)len + 1, 1);
            for (int k = 0; k < len && s->n; k++) v[i][k] = (char)(take(s) ?: 'x');
        }
        a = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) H5Awrite(a, type, v), H5Aclose(a);
        for (hsize_t i = 0; i < n; i++) free(v[i]);
    } else {
        const int as_int = take(s) & 1;
        type = H5Tcopy(as_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE);
        double dv[20];
        long long iv[20];
        for (hsize_t i = 0; i < n; i++) {
            int b = take(s);
            iv[i] = b < 0 ? 0 : b == 255 ? -1 : b == 254 ? (long long)1 << 40 : b;
            dv[i] = b == 255 ? NAN : b == 254 ? -1e300 : b / 8.0;
        }
        a = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) H5Awrite(a, type, as_int ? (void *)iv : (void *)dv), H5Aclose(a);
    }
    H5Tclose(type);
    H5Sclose(space);
}

static void step(hid_t f, objects *l, script *s)
{
    int op = take(s), which = take(s);
    if (op < 0 || which < 0 || l->n == 0) return;
    const char *name = l->name[which % l->n];
    hid_t o = H5Oopen(f, name, H5P_DEFAULT);
    if (o < 0) return;
    const int is_ds = H5Iget_type(o) == H5I_DATASET;
    const int is_root = !strcmp(name, ".");
    switch (op % 8) {
    case 0:
        if (!is_root) H5Ldelete(f, name, H5P_DEFAULT);
        break;
    case 1:
        if (is_ds) {
            int t = take(s), fill = take(s);
            hid_t type = type_of(t < 0 ? 0 : t), space = H5Dget_space(o);
            H5Oclose(o), o = -1;
            recreate(f, name, type, space, fill < 0 ? 0 : fill);
            H5Tclose(type), H5Sclose(space);
        }
        break;
    case 2:
        if (is_ds) {
            int r = take(s);
            const int rank = r < 0 ? 0 : r % 5;
            hsize_t dims[4];
            for (int i = 0; i < rank; i++) {
                int b = take(s);
                dims[i] = b < 0 ? 1 : b % 9 == 8 ? 100000 : (hsize_t)(b % 9);
            }
            hid_t type = H5Dget_type(o);
            hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
            H5Oclose(o), o = -1;
            int fill = take(s);
            recreate(f, name, type, space, fill < 0 ? 1 : fill);
            H5Tclose(type), H5Sclose(space);
        }
        break;
    case 3:
        if (is_ds) {
            int w = take(s), v = take(s);
            poke(o, w < 0 ? 0 : w * 37, v < 0 ? 0 : v);
        }
        break;
    case 4: {
        char an[256];
        int w = take(s);
        if (w >= 0 && attr_name(o, w, an, sizeof an) == 0) H5Adelete(o, an);
        break;
    }
    case 5: attr_replace(o, s, 1); break;
    case 6: attr_replace(o, s, 0); break;
    default: {
        int other = take(s);
        if (is_root || other < 0) break;
        const char *src = l->name[other % l->n];
        if (!strcmp(src, ".") || !strcmp(src, name) || !strncmp(name, src, strlen(src))) break;
        H5Oclose(o), o = -1;
        if (H5Ldelete(f, name, H5P_DEFAULT) >= 0)
            H5Ocopy(f, src, f, name, H5P_DEFAULT, H5P_DEFAULT);
        break;
    }
    }
    if (o >= 0) H5Oclose(o);
}

void fz_h5_mutate(const char *path, const uint8_t *data, size_t size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) fz_die("cannot open the seed file");
    objects l = {.n = 0};
    H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, visit, &l, H5O_INFO_BASIC);
    script s = {data, size};
    for (int i = 0; i < MAX_STEPS && s.n; i++) step(f, &l, &s);
    for (int i = 0; i < l.n; i++) free(l.name[i]);
    if (H5Fclose(f) < 0) fz_die("cannot close the mutated file");
}
