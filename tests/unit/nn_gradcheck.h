/* tests/unit/nn_gradcheck.h: numeric gradient checks of nn networks (test support). */
#ifndef SC_TESTS_NN_GRADCHECK_H
#define SC_TESTS_NN_GRADCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "nn/nn.h"

typedef enum {
    NN_GC_INPUT_RANDOM = 0, /* U(-1, 1) */
    NN_GC_INPUT_SPACED,     /* distinct values at least 0.05 apart, |x| >= 0.05 (no kinks) */
} nn_gc_input;

typedef struct {
    double step;     /* central-difference step (default 1e-2) */
    double tol;      /* |a - n| <= tol * max(|a|, |n|, 1) (default 1e-2) */
    int train;       /* forward mode (default 1) */
    nn_gc_input input;
    int max_per_tensor;  /* check at most this many elements of each tensor (0 = all) */
    double max_skipped;  /* fraction of elements allowed to be skipped as kinks (default 0) */
    uint64_t seed;
} nn_gc_opts;

typedef struct {
    int checked, skipped, failed;
    double max_abs_grad; /* largest analytic gradient checked (the check must be sensitive) */
    char first_failure[256];
} nn_gc_result;

void nn_gc_defaults(nn_gc_opts *o);
/* Element-wise check of d(sum r*y)/dx and d(sum r*y)/dparam for every parameter of `net`, with
 * a random non-uniform r; dropout is re-seeded before each forward.  Parameters are first set
 * to random values (BN gammas in [0.5, 1.5]). */
void nn_gc_check_net(nn_net *net, int batch, const nn_gc_opts *o, nn_gc_result *res);

/* KANN-style check of a whole classifier along random directions: BCE loss on random targets;
 * for the input and for each parameter tensor in turn, the derivative along a random direction
 * in that tensor (a step of eps times the tensor's rms) against the analytic one.  Returns the
 * worst relative error |n - a| / max(|a|, |n|, 1e-3 * largest |a|) and describes it. */
double nn_gc_check_direction(nn_net *net, int batch, uint64_t seed, double eps, char *worst_what,
                             size_t what_size);



/* A reproducible uniform value in [-1, 1) from a 64-bit LCG state (the tests' own inputs), and
 * n of them in a malloc'd array. */
float nn_test_uniform(uint64_t *state);
float *nn_test_randoms(uint64_t *state, size_t n);

/* The source tree's root (found from the test binary's path), for configs/archs and fixtures. */
const char *nn_test_root(void);
/* ROOT/configs/archs/NAME.cfg (a static buffer). */
const char *nn_test_arch(const char *name);
#endif
