/* nn/par.h: the threads of the network library.
 *
 * nn_set_threads(T) keeps OpenBLAS single-threaded and makes nn run T threads itself: each
 * convolution splits its images (each thread calls a single-threaded sgemm on its own images,
 * with its own workspace and weight-gradient partial sums, added in thread order), a dense layer
 * splits its output features, batch norm its channels, pooling and element-wise layers their
 * planes or elements, the optimizer its parameters.  OpenBLAS's own threads synchronize inside
 * every GEMM call, which on the thin GEMMs of a CNN costs more than it gains (BENCHMARKS.md).
 *
 * Results are deterministic for a given thread count; with T > 1 they differ from T = 1 only
 * in the order the convolution weight gradients of the images are summed. */
#ifndef SC_NN_PAR_H
#define SC_NN_PAR_H

#include <stddef.h>

/* The thread count set by nn_set_threads (1 by default). */
int nn_par_threads(void);

/* fn(arg, t, nt) for t = 0 .. nt-1, t = 0 on the calling thread; returns when all are done. */
typedef void (*nn_par_fn)(void *arg, int t, int nt);
void nn_par_run(int nt, nn_par_fn fn, void *arg);

/* The range [*lo, *hi) of n items that thread t of nt takes (contiguous, in order). */
static inline void nn_par_range(size_t n, int t, int nt, size_t *lo, size_t *hi)
{
    *lo = n * (size_t)t / (size_t)nt;
    *hi = n * (size_t)(t + 1) / (size_t)nt;
}

#endif
