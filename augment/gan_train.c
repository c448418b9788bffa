/* augment/gan_train.c: the GAN's epoch loop (see gan_train.h). */
#include "augment/gan_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/rng.h"
#include "util/seeds.h"

/* The distinct label sets among labels [n][l] (float 0/1 rows), into sets [.][l] (room for n):
 * their count. */
static int distinct_sets(const float *labels, int64_t n, int l, float *sets)
{
    int k = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *y = labels + (size_t)i * l;
        int found = 0;
        for (int s = 0; s < k && !found; s++) found = !memcmp(sets + (size_t)s * l, y, sizeof(float) * l);
        if (!found) memcpy(sets + (size_t)k++ * l, y, sizeof(float) * l);
    }
    return k;
}

/* wrong [b][l]: for each row of y, one of the k sets other than it, uniformly (k >= 2). */
static void draw_wrong(sc_rng *r, const float *y, int b, int l, const float *sets, int k,
                       float *wrong)
{
    for (int i = 0; i < b; i++) {
        const float *yi = y + (size_t)i * l;
        int own = -1;
        for (int s = 0; s < k && own < 0; s++)
            if (!memcmp(sets + (size_t)s * l, yi, sizeof(float) * l)) own = s;
        int pick = (int)sc_rng_below(r, (uint64_t)(k - 1));
        if (pick >= own) pick++; /* skip its own set */
        memcpy(wrong + (size_t)i * l, sets + (size_t)pick * l, sizeof(float) * l);
    }
}

static void shuffle(int64_t *a, int64_t n, uint64_t seed)
{
    sc_rng r;
    sc_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++) a[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)sc_rng_below(&r, (uint64_t)i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

int aug_gan_train(aug_gan *g, const aug_gan_cfg *cfg, const float *real, const float *labels,
                  int64_t n, uint64_t seed, float *history, const aug_gan_train_opts *opts)
{
    int rc = -1, h, w;
    const aug_gan_train_opts none = {0};
    const aug_gan_train_opts *o = opts ? opts : &none;
    const aug_gan_pos *st0 = o->start;
    const int l = nn_net_shape(aug_gan_generator(g))->in_c - cfg->z;
    aug_gan_dims(g, &h, &w);
    const size_t v = (size_t)nn_net_shape(aug_gan_discriminator(g))->in_c - (size_t)l;
    const size_t scan = v * (size_t)h * w;
    int64_t *order = NULL;
    float *xb = NULL, *yb = NULL, *zb = NULL, *sets = NULL, *wb = NULL;
    SC_TRY(aug_gan_check(cfg));
    SC_CHECK(n >= 2, "the GAN needs at least 2 training scans (got %lld)", (long long)n);
    SC_CHECK(!st0 || (st0->epoch >= 0 && st0->epoch < cfg->epochs && st0->next >= 0 &&
                      st0->next <= n),
             "GAN training: cannot continue at epoch %d", st0 ? st0->epoch + 1 : 0);
    order = sc_xmalloc(sizeof *order * (size_t)n);
    xb = sc_xmalloc(sizeof *xb * scan * (size_t)cfg->batch);
    yb = sc_xmalloc(sizeof *yb * (size_t)l * cfg->batch);
    zb = sc_xmalloc(sizeof *zb * (size_t)cfg->z * cfg->batch);
    wb = sc_xmalloc(sizeof *wb * (size_t)l * cfg->batch);
    sets = sc_xmalloc(sizeof *sets * (size_t)l * (size_t)n);
    /* the mismatch term needs another label set to show: off when the part has only one */
    const int k = distinct_sets(labels, n, l, sets), mismatch = cfg->mismatch && k >= 2;
    aug_gan_pos pos;
    memset(&pos, 0, sizeof pos);
    if (st0) {
        pos = *st0;
    } else {
        sc_rng_seed(&pos.noise, sc_seed4(seed, SC_SEED_GAN_NOISE, 0, 0, 0));
        sc_rng_seed(&pos.wrong, sc_seed4(seed, SC_SEED_GAN_WRONG, 0, 0, 0));
    }
    for (int e = pos.epoch; e < cfg->epochs; e++) {
        const float lr = nn_optim_lr(&cfg->optim, e, cfg->epochs);
        shuffle(order, n, sc_seed4(seed, SC_SEED_GAN_ORDER, (uint64_t)e, 0, 0));
        if (!(st0 && e == st0->epoch)) { /* a new epoch; a resumed one keeps its sums */
            pos.epoch = e, pos.next = 0, pos.step = 0, pos.seen = 0;
            memset(pos.sum, 0, sizeof pos.sum);
        }
        while (pos.next < n) {
            const int64_t s = pos.next;
            const int b = (int)(n - s < cfg->batch ? n - s : cfg->batch);
            pos.next += b;
            if (b == 1) continue; /* batch norm needs two scans (see gan_train.h) */
            pos.step++;
            for (int i = 0; i < b; i++) {
                memcpy(xb + (size_t)i * scan, real + (size_t)order[s + i] * scan,
                       sizeof *xb * scan);
                memcpy(yb + (size_t)i * l, labels + (size_t)order[s + i] * l, sizeof *yb * l);
            }
            aug_gan_noise(&pos.noise, zb, (int64_t)b * cfg->z);
            if (mismatch) draw_wrong(&pos.wrong, yb, b, l, sets, k, wb);
            aug_gan_stats st;
            if (aug_gan_step(g, cfg, lr, xb, yb, mismatch ? wb : NULL, zb, b, &st)) {
                sc_err_prefix("GAN epoch %d, step %d", e + 1, pos.step);
                goto fail;
            }
            pos.sum[AUG_HIST_D_LOSS] += st.d_loss * b;
            pos.sum[AUG_HIST_G_LOSS] += st.g_loss * b;
            pos.sum[AUG_HIST_D_REAL] += st.d_real * b;
            pos.sum[AUG_HIST_D_FAKE] += st.d_fake * b;
            pos.sum[AUG_HIST_D_WRONG] += st.d_wrong * b; /* NaN throughout without mismatch */
            pos.seen += b;
            if (o->hook && o->hook(o->hook_ctx, g, &pos, history)) {
                rc = 1;
                goto fail;
            }
        }
        float *row = history + (size_t)e * AUG_HIST_COLS;
        for (int c = 0; c < AUG_HIST_COLS; c++) row[c] = (float)(pos.sum[c] / (double)pos.seen);
        if (o->on_epoch) o->on_epoch(o->epoch_ctx, e + 1, cfg->epochs, row);
    }
    rc = 0;
fail:
    free(order);
    free(xb);
    free(yb);
    free(zb);
    free(wb);
    free(sets);
    return rc;
}

void aug_gan_sample_noise(uint64_t seed, int64_t k, int z, float *out)
{
    sc_rng r;
    sc_rng_seed(&r, sc_seed4(seed, SC_SEED_GAN_SAMPLE, (uint64_t)k, 0, 0));
    aug_gan_noise(&r, out, z);
}
