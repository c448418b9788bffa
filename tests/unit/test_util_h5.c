/* tests/unit/test_util_h5.c: the shared HDF5 helpers (util/h5.h): attributes written and read
 * back in both string layouts, strings stored as UTF-8 by other writers (h5py's default), the
 * messages for missing and malformed attributes and datasets, whole small datasets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/error.h"
#include "util/h5.h"

static char path[256];
static hid_t file = -1;

static int setup(void **state)
{
    (void)state;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    snprintf(path, sizeof path, "/tmp/sc-test-h5.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    close(fd);
    file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    return file >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (file >= 0) H5Fclose(file);
    remove(path);
    return 0;
}

static void assert_msg(const char *want)
{
    if (!strstr(sc_err_msg(), want)) fail_msg("'%s' not in '%s'", want, sc_err_msg());
}

/* Is attribute `name` stored as variable-length strings? */
static int is_vlen(const char *name)
{
    hid_t a = H5Aopen(file, name, H5P_DEFAULT), t = H5Aget_type(a);
    int v = H5Tis_variable_str(t) > 0;
    H5Tclose(t);
    H5Aclose(a);
    return v;
}

static void test_strings_round_trip(void **state)
{
    (void)state;
    const char *const names[3] = {"metastasis", "arthritis", "normal"};
    const sc_h5_str kinds[2] = {SC_H5_FIXED, SC_H5_VLEN};
    for (int k = 0; k < 2; k++) {
        char *one = NULL, **many = NULL;
        int n = 0;
        assert_int_equal(sc_h5_write_str_attr(file, path, "one", "first value", kinds[k]), 0);
        assert_int_equal(sc_h5_write_str_attr(file, path, "one", "replaced", kinds[k]), 0);
        assert_int_equal(sc_h5_write_strs_attr(file, path, "many", 3, names, kinds[k]), 0);
        assert_int_equal(is_vlen("one"), kinds[k] == SC_H5_VLEN);
        assert_int_equal(is_vlen("many"), kinds[k] == SC_H5_VLEN);
        assert_int_equal(sc_h5_read_str_attr(file, path, "one", NULL, &one), 0);
        assert_string_equal(one, "replaced");
        assert_int_equal(sc_h5_read_strs_attr(file, path, "many", NULL, &many, &n), 0);
        assert_int_equal(n, 3);
        for (int i = 0; i < 3; i++) assert_string_equal(many[i], names[i]);
        free(one);
        sc_h5_free_strs(many, n);
    }
    /* An empty array reads as no strings. */
    char **none = NULL;
    int n = -1;
    assert_int_equal(sc_h5_write_strs_attr(file, path, "none", 0, NULL, SC_H5_FIXED), 0);
    assert_int_equal(sc_h5_read_strs_attr(file, path, "none", NULL, &none, &n), 0);
    assert_int_equal(n, 0);
    sc_h5_free_strs(none, n);
}

/* Write n UTF-8 strings (fixed or variable length) as another writer would. */
static void write_utf8(const char *name, int n, const char *const *v, int vlen)
{
    hsize_t dim = (hsize_t)n;
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate_simple(1, &dim, NULL);
    char buf[2][16] = {{0}};
    assert_true(H5Tset_size(t, vlen ? H5T_VARIABLE : sizeof buf[0]) >= 0);
    assert_true(H5Tset_cset(t, H5T_CSET_UTF8) >= 0);
    assert_true(H5Tset_strpad(t, H5T_STR_NULLPAD) >= 0);
    for (int i = 0; i < n && i < 2; i++) snprintf(buf[i], sizeof buf[i], "%s", v[i]);
    hid_t a = H5Acreate2(file, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, t, vlen ? (const void *)v : buf) >= 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
}

static void test_utf8_strings(void **state)
{
    (void)state;
    const char *const v[2] = {"n\xc3\xa4me", "\xc3\xa9t\xc3\xa9"};
    write_utf8("u_vlen", 2, v, 1);
    write_utf8("u_fixed", 2, v, 0);
    write_utf8("u_one", 1, v, 1);
    const char *names[2] = {"u_vlen", "u_fixed"};
    for (int k = 0; k < 2; k++) {
        char **s = NULL;
        int n = 0;
        assert_int_equal(sc_h5_read_strs_attr(file, path, names[k], NULL, &s, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(s[0], v[0]);
        assert_string_equal(s[1], v[1]);
        sc_h5_free_strs(s, n);
    }
    char *one = NULL;
    assert_int_equal(sc_h5_read_str_attr(file, path, "u_one", NULL, &one), 0);
    assert_string_equal(one, v[0]);
    free(one);
}

/* n-value attributes (the checkpoints'): the file type as asked, read back exactly, replaced,
 * refused with any other count. */
static void test_number_arrays(void **state)
{
    (void)state;
    const uint64_t st[4] = {1, 2, UINT64_MAX, 1ULL << 63};
    uint64_t got[4] = {0};
    assert_int_equal(sc_h5_write_nums_attr(file, path, "rng", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                           4, st), 0);
    assert_int_equal(sc_h5_read_nums_attr(file, path, "rng", NULL, H5T_NATIVE_UINT64, 4, got), 0);
    assert_memory_equal(got, st, sizeof st);
    hid_t a = H5Aopen(file, "rng", H5P_DEFAULT), t = H5Aget_type(a), sp = H5Aget_space(a);
    assert_true(H5Tequal(t, H5T_STD_U64LE) > 0);
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    const double two[2] = {0.5, -1.0};
    double d[2] = {0};
    assert_int_equal(sc_h5_write_nums_attr(file, path, "rng", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                           2, two), 0); /* replaced */
    assert_int_equal(sc_h5_read_nums_attr(file, path, "rng", NULL, H5T_NATIVE_DOUBLE, 2, d), 0);
    assert_true(d[0] == 0.5 && d[1] == -1.0);
    assert_int_equal(sc_h5_read_nums_attr(file, path, "rng", NULL, H5T_NATIVE_DOUBLE, 3, d), -1);
    assert_msg("attribute 'rng': expected 3 values, found 2");
    assert_int_equal(
        sc_h5_read_nums_attr(file, path, "absent", "(hint)", H5T_NATIVE_DOUBLE, 2, d), -1);
    char msg[512];
    snprintf(msg, sizeof msg, "%s: missing attribute 'absent' (hint)", path);
    assert_string_equal(sc_err_msg(), msg);
}

static void test_numbers_and_errors(void **state)
{
    (void)state;
    const double thr = 0.25;
    const int64_t big = 1LL << 40;
    double d = 0;
    int64_t i = 0;
    assert_int_equal(sc_h5_write_num_attr(file, path, "thr", H5T_NATIVE_DOUBLE, &thr), 0);
    assert_int_equal(sc_h5_write_num_attr(file, path, "big", H5T_NATIVE_INT64, &big), 0);
    assert_int_equal(sc_h5_read_num_attr(file, path, "thr", NULL, H5T_NATIVE_DOUBLE, &d), 0);
    assert_true(d == thr);
    assert_int_equal(sc_h5_read_num_attr(file, path, "big", NULL, H5T_NATIVE_INT64, &i), 0);
    assert_true(i == big);

    char msg[512], *s = NULL, **ss = NULL;
    int n = 0;
    assert_int_equal(sc_h5_read_num_attr(file, path, "nothing", "(hint)", H5T_NATIVE_INT, &i),
                     -1);
    snprintf(msg, sizeof msg, "%s: missing attribute 'nothing' (hint)", path);
    assert_string_equal(sc_err_msg(), msg);
    assert_int_equal(sc_h5_read_str_attr(file, path, "nothing", NULL, &s), -1);
    snprintf(msg, sizeof msg, "%s: missing attribute 'nothing'", path);
    assert_string_equal(sc_err_msg(), msg);
    /* Wrong kinds: a number is not a string, two strings are not one. */
    assert_int_equal(sc_h5_read_str_attr(file, path, "thr", NULL, &s), -1);
    assert_msg("attribute 'thr': expected a string");
    assert_int_equal(sc_h5_read_strs_attr(file, path, "thr", NULL, &ss, &n), -1);
    assert_msg("attribute 'thr': expected strings");
    const char *const two[2] = {"a", "b"};
    assert_int_equal(sc_h5_write_strs_attr(file, path, "two", 2, two, SC_H5_VLEN), 0);
    assert_int_equal(sc_h5_read_str_attr(file, path, "two", NULL, &s), -1);
    assert_msg("attribute 'two': expected one string, found 2");
    assert_int_equal(sc_h5_read_num_attr(file, path, "two", NULL, H5T_NATIVE_INT, &i), -1);
    assert_msg("attribute 'two': expected one value, found 2");
}

static void test_datasets(void **state)
{
    (void)state;
    const int32_t v[2][3] = {{1, 2, 3}, {4, 5, 6}};
    int32_t back[2][3] = {{0}};
    hsize_t dims[2] = {2, 3}, got[2];
    assert_int_equal(
        sc_h5_write_dset(file, path, "/m", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, dims, v), 0);
    assert_int_equal(sc_h5_write_dset(file, path, "/e", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, dims,
                                      NULL),
                     0);
    hid_t d = sc_h5_open_dset(file, path, "/m", NULL);
    assert_true(d >= 0);
    assert_int_equal(sc_h5_dset_shape(d, path, "/m", 2, got), 0);
    assert_true(got[0] == 2 && got[1] == 3);
    assert_true(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
    assert_memory_equal(back, v, sizeof v);
    assert_int_equal(sc_h5_dset_shape(d, path, "/m", 1, got), -1);
    assert_msg("/m: expected 1 dimensions, found 2");
    H5Dclose(d);
    char msg[512];
    assert_true(sc_h5_open_dset(file, path, "/absent", "(see the docs)") < 0);
    snprintf(msg, sizeof msg, "%s: missing dataset /absent (see the docs)", path);
    assert_string_equal(sc_err_msg(), msg);
    assert_int_equal(
        sc_h5_write_dset(file, path, "/m", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, dims, v), -1);
    assert_msg(": /m: cannot create");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_round_trip),
        cmocka_unit_test(test_utf8_strings),
        cmocka_unit_test(test_numbers_and_errors),
        cmocka_unit_test(test_number_arrays),
        cmocka_unit_test(test_datasets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
