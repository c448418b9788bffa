/* augment/gan_bench.h: timing GAN training steps (`spectcv bench --gan`; BENCHMARKS.md). */
#ifndef SC_AUGMENT_GAN_BENCH_H
#define SC_AUGMENT_GAN_BENCH_H

#include <stddef.h>

typedef struct {
    const char *g_path, *d_path;
    int v, l, z, batch;
    int threads, steps, warmup;
} aug_gan_bench_cfg;

typedef struct {
    double step_s;        /* median seconds of one step (G forward, D step, G step) */
    double samples_per_s; /* batch / step_s */
    double gflop;         /* per step: 2 x multiply-adds (G: 3 passes, D: 8; see gan_bench.c) */
    double gflops;        /* gflop / step_s */
    size_t g_params, d_params;
    int h, w;             /* the GAN's resolution */
} aug_gan_bench_result;

/* Build the GAN, run warmup then steps timed steps on random scans, labels and noise. */
int aug_gan_bench(const aug_gan_bench_cfg *cfg, aug_gan_bench_result *r);

#endif
