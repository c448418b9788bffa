/* augment/gan_bench.c: see gan_bench.h.
 *
 * The work of one step, in forward-pass equivalents (a backward pass costs two: the input and
 * the weight gradients): G forward 1 + G backward 2 = 3 G; D forward and backward on the real
 * batch 3, on the fake batch 3, forward and input-gradient backward for the G step 2 = 8 D (11
 * with the mismatch term's batch, gan.h; the bench times the default step, without it). */
#include "augment/gan_bench.h"

#include <stdlib.h>
#include <string.h>

#include "augment/gan.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/sys.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int aug_gan_bench(const aug_gan_bench_cfg *c, aug_gan_bench_result *r)
{
    int rc = -1;
    float *real = NULL, *lab = NULL, *z = NULL;
    double *t = NULL;
    aug_gan *g = NULL;
    memset(r, 0, sizeof *r);
    SC_CHECK(c->steps >= 1 && c->warmup >= 0 && c->threads >= 1 && c->batch >= 2,
             "bench --gan: steps >= 1, warm-up >= 0, threads >= 1 and batch >= 2 expected");
    nn_set_threads(c->threads);
    g = aug_gan_build(c->g_path, c->d_path, c->v, c->l, c->z, c->batch);
    if (!g) goto fail;
    aug_gan_cfg cfg;
    aug_gan_defaults(&cfg);
    cfg.z = c->z;
    cfg.batch = c->batch;
    aug_gan_init(g, 1);
    aug_gan_dims(g, &r->h, &r->w);
    const size_t per = (size_t)c->v * r->h * r->w;
    real = sc_xmalloc(sizeof(float) * per * (size_t)c->batch);
    lab = sc_xmalloc(sizeof(float) * (size_t)c->l * c->batch);
    z = sc_xmalloc(sizeof(float) * (size_t)c->z * c->batch);
    t = sc_xmalloc(sizeof(double) * (size_t)c->steps);
    sc_rng rng;
    sc_rng_seed(&rng, 7);
    for (size_t i = 0; i < per * (size_t)c->batch; i++) real[i] = 2.0f * sc_rng_uniformf(&rng) - 1;
    for (int i = 0; i < c->l * c->batch; i++) lab[i] = sc_rng_uniformf(&rng) < 0.5f ? 0.0f : 1.0f;
    for (int s = 0; s < c->warmup + c->steps; s++) {
        aug_gan_noise(&rng, z, (int64_t)c->z * c->batch);
        aug_gan_stats st;
        double t0 = sc_now();
        if (aug_gan_step(g, &cfg, cfg.optim.lr, real, lab, NULL, z, c->batch, &st)) goto fail;
        if (s >= c->warmup) t[s - c->warmup] = sc_now() - t0;
    }
    qsort(t, (size_t)c->steps, sizeof *t, cmp_double);
    r->step_s = c->steps % 2 ? t[c->steps / 2] : 0.5 * (t[c->steps / 2 - 1] + t[c->steps / 2]);
    r->samples_per_s = c->batch / r->step_s;
    double gm, dm;
    aug_gan_macs(g, &gm, &dm);
    r->gflop = 2.0 * (AUG_GAN_G_PASSES * gm + AUG_GAN_D_PASSES * dm) * c->batch * 1e-9;
    r->gflops = r->gflop / r->step_s;
    r->g_params = nn_net_num_params(aug_gan_generator(g));
    r->d_params = nn_net_num_params(aug_gan_discriminator(g));
    rc = 0;
fail:
    aug_gan_free(g);
    free(real), free(lab), free(z), free(t);
    return rc;
}
