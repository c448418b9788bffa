/* tests/unit/torch_fixture.c: see torch_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/nn_gradcheck.h"
#include "tests/unit/torch_fixture.h"

hid_t tf_open(const char *name)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", nn_test_root(), name);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) fail_msg("cannot open %s", path);
    return f;
}

float *tf_floats(hid_t loc, const char *name, size_t *n)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) fail_msg("missing dataset %s", name);
    hid_t s = H5Dget_space(d);
    hssize_t cnt = H5Sget_simple_extent_npoints(s);
    float *buf = malloc(sizeof(float) * (size_t)(cnt > 0 ? cnt : 1));
    assert_true(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(s);
    H5Dclose(d);
    if (n) *n = (size_t)cnt;
    return buf;
}

char *tf_string_attr(hid_t loc, const char *name)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) fail_msg("missing attribute %s", name);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *s = NULL;
    assert_true(H5Aread(a, t, &s) >= 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

void tf_int_attr(hid_t loc, const char *name, int *v)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) fail_msg("missing attribute %s", name);
    assert_true(H5Aread(a, H5T_NATIVE_INT, v) >= 0);
    H5Aclose(a);
}

void tf_compare(const char *what, const float *c, const float *t, size_t n, double atol,
                double rtol)
{
    double err = 0.0, scale = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        scale = fmax(scale, fabs(t[i]));
        if (fabs((double)c[i] - t[i]) > err) {
            err = fabs((double)c[i] - t[i]);
            worst = i;
        }
    }
    if (!(err <= atol + rtol * scale))
        fail_msg("%s: max |nn - torch| = %.3g at [%zu] (nn %.8g, torch %.8g), allowed %.3g", what,
                 err, worst, c[worst], t[worst], atol + rtol * scale);
}
