/* augment/gan_bench.h: timing GAN training steps (`spectcv bench --gan`; BENCHMARKS.md). */
#ifndef SC_AUGMENT_GAN_BENCH_H
#define SC_AUGMENT_GAN_BENCH_H

#include <stddef.h>

/* The GAN's step in forward-pass equivalents (what augment/gan_train.c runs per batch): G forward
 * + backward = 3 G; D on the real, the fake (and, with gan.mismatch, the mismatched) batch,
 * forward + backward = 6 (9) D, and forward + input-gradient backward for G's step = 2 D.  The
 * bench's flop count (without the mismatch batch) and the job grid's cost estimate
 * (jobs/grid.c) both use them. */
#define AUG_GAN_G_PASSES 3.0
#define AUG_GAN_D_PASSES 8.0
#define AUG_GAN_D_PASSES_MISMATCH 11.0

typedef struct {
    const char *g_path, *d_path;
    int v, l, z, batch;
    int threads, steps, warmup;
} aug_gan_bench_cfg;

typedef struct {
    double step_s;        /* median seconds of one step (G forward, D step, G step) */
    double samples_per_s; /* batch / step_s */
    double gflop;         /* per step: 2 x multiply-adds (AUG_GAN_G_PASSES G, AUG_GAN_D_PASSES D) */
    double gflops;        /* gflop / step_s */
    size_t g_params, d_params;
    int h, w;             /* the GAN's resolution */
} aug_gan_bench_result;

/* Build the GAN, run warmup then steps timed steps on random scans, labels and noise. */
int aug_gan_bench(const aug_gan_bench_cfg *cfg, aug_gan_bench_result *r);

#endif
