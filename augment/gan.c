/* augment/gan.c: the conditional DCGAN's networks and one training step (see gan.h). */
#include "augment/gan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/seeds.h"

struct aug_gan {
    nn_net *G, *D;
    int v, l, z, batch, h, w;
    float *zin;   /* [batch][z + l]: G's input */
    float *dreal; /* [batch][v + l][h][w]: D's input, real scans and label planes */
    float *dfake; /* [batch][v + l][h][w]: D's input, G's scans and label planes */
    float *dwrong; /* [batch][v + l][h][w]: D's input, real scans with wrong label planes */
    float *ddx;   /* [batch][v + l][h][w]: dL/d(D's input) for the G step */
    float *gdy;   /* [batch][v][h][w]: dL/d(G's output) */
    float *tgt;   /* [batch]: BCE targets */
    float *dl;    /* [batch]: dL/d(logit) */
};

void aug_gan_defaults(aug_gan_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->z = 100;
    cfg->epochs = 100;
    cfg->batch = 32;
    nn_optim_defaults(&cfg->optim);
    cfg->optim.kind = NN_OPT_ADAM;
    cfg->optim.lr = 2e-4f;
    cfg->optim.beta1 = 0.5f;
    cfg->optim.beta2 = 0.999f;
    cfg->real_target = 0.9f;
    cfg->mismatch = 0;
}

int aug_gan_check(const aug_gan_cfg *c)
{
    SC_CHECK(c->z >= 1 && c->z <= 4096, "gan.z: expected 1 to 4096 noise values, got %d", c->z);
    SC_CHECK(c->epochs >= 1, "gan.epochs: expected at least 1, got %d", c->epochs);
    SC_CHECK(c->batch >= 2, "gan.batch: expected at least 2 (batch norm), got %d", c->batch);
    SC_CHECK(c->real_target > 0.5f && c->real_target <= 1.0f,
             "gan.real_target: expected a value above 0.5 and at most 1, got %g",
             (double)c->real_target);
    SC_TRY(nn_optim_check(&c->optim));
    return 0;
fail:
    return -1;
}

void aug_gan_free(aug_gan *g)
{
    if (!g) return;
    nn_net_free(g->G);
    nn_net_free(g->D);
    free(g->zin);
    free(g->dreal);
    free(g->dfake);
    free(g->dwrong);
    free(g->ddx);
    free(g->gdy);
    free(g->tgt);
    free(g->dl);
    free(g);
}

aug_gan *aug_gan_build(const char *g_path, const char *d_path, int v, int l, int z, int batch)
{
    aug_gan *g = sc_xcalloc(1, sizeof *g);
    g->v = v, g->l = l, g->z = z, g->batch = batch;
    nn_shape gs = {z + l, 1, 1, v, batch};
    g->G = nn_net_build(g_path, &gs);
    if (!g->G) {
        sc_err_prefix("gan generator");
        goto fail;
    }
    int c, h, w;
    nn_net_out_dims(g->G, &c, &h, &w);
    SC_CHECK(c == v && h >= 2 && w >= 2, "%s: the generator makes %d x %d x %d from a 1 x 1 input; "
             "expected the %d views (out = \"n_out\" on the last layer) at 2 x 2 or more", g_path,
             c, h, w, v);
    g->h = h, g->w = w;
    nn_shape ds = {v + l, h, w, 1, batch};
    g->D = nn_net_build(d_path, &ds);
    if (!g->D) {
        sc_err_prefix("gan discriminator (input %d x %d x %d: %d views and %d label planes at "
                      "the generator's output size)", v + l, h, w, v, l);
        goto fail;
    }
    nn_net_out_dims(g->D, &c, &h, &w);
    SC_CHECK(c == 1 && h == 1 && w == 1, "%s: the discriminator outputs %d x %d x %d per scan; "
             "expected one logit (end with a dense layer of out = \"n_out\")", d_path, c, h, w);
    const size_t din = (size_t)batch * (v + l) * g->h * g->w;
    g->zin = sc_xmalloc(sizeof(float) * (size_t)batch * (z + l));
    g->dreal = sc_xmalloc(sizeof(float) * din);
    g->dfake = sc_xmalloc(sizeof(float) * din);
    g->dwrong = sc_xmalloc(sizeof(float) * din);
    g->ddx = sc_xmalloc(sizeof(float) * din);
    g->gdy = sc_xmalloc(sizeof(float) * (size_t)batch * v * g->h * g->w);
    g->tgt = sc_xmalloc(sizeof(float) * (size_t)batch);
    g->dl = sc_xmalloc(sizeof(float) * (size_t)batch);
    return g;
fail:
    aug_gan_free(g);
    return NULL;
}

void aug_gan_dims(const aug_gan *g, int *h, int *w)
{
    *h = g->h;
    *w = g->w;
}

nn_net *aug_gan_generator(aug_gan *g) { return g->G; }
nn_net *aug_gan_discriminator(aug_gan *g) { return g->D; }

void aug_gan_macs(const aug_gan *g, double *g_macs, double *d_macs)
{
    *g_macs = nn_net_forward_macs(g->G);
    *d_macs = nn_net_forward_macs(g->D);
}

void aug_gan_init(aug_gan *g, uint64_t seed)
{
    nn_net_init(g->G, sc_seed4(seed, SC_SEED_GAN_INIT_G, 0, 0, 0));
    nn_net_init(g->D, sc_seed4(seed, SC_SEED_GAN_INIT_D, 0, 0, 0));
    nn_net_seed_dropout(g->G, sc_seed4(seed, SC_SEED_GAN_DROP_G, 0, 0, 0));
    nn_net_seed_dropout(g->D, sc_seed4(seed, SC_SEED_GAN_DROP_D, 0, 0, 0));
    nn_optim_reset(g->G);
    nn_optim_reset(g->D);
}

void aug_gan_noise(sc_rng *rng, float *z, int64_t count)
{
    for (int64_t i = 0; i < count; i++) z[i] = (float)sc_rng_normal(rng);
}

/* D's input: b scans [b][v][hw] followed, per scan, by its l label planes. */
static void stack_planes(const aug_gan *g, const float *scans, const float *labels, int b,
                         float *out)
{
    const size_t hw = (size_t)g->h * g->w, per = (size_t)g->v * hw;
    for (int i = 0; i < b; i++) {
        float *o = out + (size_t)i * (g->v + g->l) * hw;
        memcpy(o, scans + (size_t)i * per, sizeof(float) * per);
        for (int j = 0; j < g->l; j++) {
            const float y = labels[(size_t)i * g->l + j];
            float *p = o + per + (size_t)j * hw;
            for (size_t k = 0; k < hw; k++) p[k] = y;
        }
    }
}

static void gen_input(aug_gan *g, const float *labels, const float *z, int b)
{
    const int c = g->z + g->l;
    for (int i = 0; i < b; i++) {
        memcpy(g->zin + (size_t)i * c, z + (size_t)i * g->z, sizeof(float) * (size_t)g->z);
        memcpy(g->zin + (size_t)i * c + g->z, labels + (size_t)i * g->l,
               sizeof(float) * (size_t)g->l);
    }
}

static double mean_sigmoid(const float *x, int b)
{
    double s = 0.0;
    for (int i = 0; i < b; i++) s += 1.0 / (1.0 + exp(-(double)x[i]));
    return s / b;
}

/* BCE of D's logits against the constant target t; dl receives the gradient times `scale`. */
static double bce(aug_gan *g, const float *logits, float t, int b, float scale)
{
    for (int i = 0; i < b; i++) g->tgt[i] = t;
    double loss = nn_loss_bce_logits(logits, g->tgt, b, 1, NULL, g->dl);
    if (scale != 1.0f)
        for (int i = 0; i < b; i++) g->dl[i] *= scale;
    return loss;
}

int aug_gan_step(aug_gan *g, const aug_gan_cfg *cfg, float lr, const float *real,
                 const float *labels, const float *wrong, const float *z, int b,
                 aug_gan_stats *st)
{
    const size_t hw = (size_t)g->h * g->w, per = (size_t)g->v * hw;
    SC_CHECK(b >= 1 && b <= g->batch, "gan step: %d samples (expected 1 to %d)", b, g->batch);
    gen_input(g, labels, z, b);
    const float *fake = nn_forward(g->G, g->zin, b, 1);
    if (!fake) goto fail;
    stack_planes(g, real, labels, b, g->dreal);
    stack_planes(g, fake, labels, b, g->dfake);

    /* D step: real and fake batches separately, gradients added. */
    nn_zero_grad(g->D);
    const float *out = nn_forward(g->D, g->dreal, b, 1);
    if (!out) goto fail;
    st->d_real = mean_sigmoid(out, b);
    double lr_ = bce(g, out, cfg->real_target, b, 1.0f);
    if (nn_backward(g->D, g->dl, NULL, 0)) goto fail;
    /* with the mismatch term, the synthetic and the mismatched batches share half a weight */
    const float half = wrong ? 0.5f : 1.0f;
    out = nn_forward(g->D, g->dfake, b, 1);
    if (!out) goto fail;
    st->d_fake = mean_sigmoid(out, b);
    double lf = bce(g, out, 0.0f, b, half);
    if (nn_backward(g->D, g->dl, NULL, 0)) goto fail;
    double lw = 0.0;
    st->d_wrong = NAN;
    if (wrong) {
        stack_planes(g, real, wrong, b, g->dwrong);
        out = nn_forward(g->D, g->dwrong, b, 1);
        if (!out) goto fail;
        st->d_wrong = mean_sigmoid(out, b);
        lw = bce(g, out, 0.0f, b, half);
        if (nn_backward(g->D, g->dl, NULL, 0)) goto fail;
    }
    st->d_loss = lr_ + half * (lf + lw);
    SC_CHECK(isfinite(st->d_loss), "the discriminator's loss is %s",
             isnan(st->d_loss) ? "NaN" : "Inf");
    nn_optim_step(g->D, &cfg->optim, lr);

    /* G step through the updated D, whose gradients stay as they are. */
    out = nn_forward(g->D, g->dfake, b, 1);
    if (!out) goto fail;
    st->g_loss = bce(g, out, 1.0f, b, 1.0f);
    SC_CHECK(isfinite(st->g_loss), "the generator's loss is %s",
             isnan(st->g_loss) ? "NaN" : "Inf");
    if (nn_backward(g->D, g->dl, g->ddx, NN_BACKWARD_NO_PARAM_GRADS)) goto fail;
    for (int i = 0; i < b; i++) /* the scan channels of dL/d(D's input) */
        memcpy(g->gdy + (size_t)i * per, g->ddx + (size_t)i * (g->v + g->l) * hw,
               sizeof(float) * per);
    nn_zero_grad(g->G);
    if (nn_backward(g->G, g->gdy, NULL, 0)) goto fail;
    nn_optim_step(g->G, &cfg->optim, lr);
    return 0;
fail:
    return -1;
}

int aug_gan_generate(aug_gan *g, const float *labels, const float *z, int n, float *out)
{
    const size_t per = (size_t)g->v * g->h * g->w;
    for (int s = 0; s < n; s += g->batch) {
        const int b = n - s < g->batch ? n - s : g->batch;
        gen_input(g, labels + (size_t)s * g->l, z + (size_t)s * g->z, b);
        const float *y = nn_forward(g->G, g->zin, b, 0);
        if (!y) return -1;
        memcpy(out + (size_t)s * per, y, sizeof(float) * per * (size_t)b);
    }
    return 0;
}
