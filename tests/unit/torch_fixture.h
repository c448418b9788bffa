/* tests/unit/torch_fixture.h: reading the PyTorch reference fixtures of tests/fixtures (HDF5
 * written by h5py) and comparing against them (test support for test_nn_torch.c, test_gan.c). */
#ifndef SC_TESTS_TORCH_FIXTURE_H
#define SC_TESTS_TORCH_FIXTURE_H

#include <hdf5.h>
#include <stddef.h>

/* tests/fixtures/NAME, read-only (fails the test if it cannot be opened). */
hid_t tf_open(const char *name);
/* A dataset as floats (malloc'd); *n (if not NULL) receives its element count. */
float *tf_floats(hid_t loc, const char *name, size_t *n);
/* A string attribute as h5py writes it (variable-length UTF-8), malloc'd. */
char *tf_string_attr(hid_t loc, const char *name);
void tf_int_attr(hid_t loc, const char *name, int *v);
/* Fail the test unless max |c - t| <= atol + rtol * max |t|, naming `what` and the worst place. */
void tf_compare(const char *what, const float *c, const float *t, size_t n, double atol,
                double rtol);

#endif
