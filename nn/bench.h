/* nn/bench.h: timing full training steps of an architecture (`spectcv bench`). */
#ifndef SC_NN_BENCH_H
#define SC_NN_BENCH_H

#include <stdint.h>

#include "nn/nn.h"

/* Forward-pass equivalents of one training step per sample: the forward pass, and the backward
 * pass's two products (input and weight gradients) of the same size.  The bench's flop count
 * (train_gflop) and the job grid's cost estimate (jobs/grid.c) both use it, which is what lets
 * the cost model turn a benchmarked step time into seconds per unit of cost (jobs/cost_model.c). */
#define NN_TRAIN_PASSES 3.0

typedef struct {
    int threads, steps, warmup;
    int profile; /* fill nn_bench_result.profile with a per-layer table */
    int no_peak; /* skip the sgemm peak (sgemm_peak NAN): timing a step is all that is wanted */
} nn_bench_cfg;

typedef struct {
    double step_s;          /* median seconds of one training step (forward, backward, Adam) */
    double images_per_s;    /* batch / step_s */
    double train_gflop;     /* per step: NN_TRAIN_PASSES x 2 x forward MACs (conv, dense) x batch */
    double gflops;          /* train_gflop / step_s */
    double conv_gflops;     /* conv layers only: their flops over their own time (forward +
                               backward, from a profiled pass of the same steps) */
    double conv_share;      /* fraction of the step spent in conv layers */
    double sgemm_peak;      /* GFLOP/s of one large single-thread square sgemm */
    int sgemm_n;
    int64_t rss_before;     /* peak RSS before the network was built */
    int64_t peak_rss;       /* peak RSS after the timed steps */
    nn_arena_sizes arenas;
    size_t arena_total;
    size_t num_params;
    double forward_macs;    /* per image */
    char *profile;          /* per-layer milliseconds per step (malloc'd) or NULL */
} nn_bench_result;

/* Build the network, run cfg->warmup then cfg->steps timed steps on random data, then measure
 * the sgemm peak (one thread) of an n x n x n product (n = 2048).  -1 with an error on failure. */
int nn_bench_run(const char *arch_path, const nn_shape *shape, const nn_bench_cfg *cfg,
                 nn_bench_result *r);
/* GFLOP/s of the best of `reps` n x n x n cblas_sgemm calls with the current thread count. */
double nn_bench_sgemm(int n, int reps);

#endif
