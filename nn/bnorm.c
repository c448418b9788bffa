/* nn/bnorm.c: batch normalization over (batch, height, width) per channel, with PyTorch's
 * semantics (torch.nn.BatchNorm2d, and BatchNorm1d on dense outputs, which are C x 1 x 1):
 *   training: normalize with the batch mean and the biased variance, eps inside the square root;
 *             running_mean = (1 - momentum) running_mean + momentum mean,
 *             running_var  = (1 - momentum) running_var  + momentum var * n / (n - 1)  (unbiased)
 *   eval:     normalize with the running estimates.
 * Statistics are accumulated in float lanes within a plane and in double across planes.  Forward
 * keeps the mean and 1/sqrt(var + eps) it used, so backward (in either mode) needs only them and
 * the input (and, with a fused ReLU, the output for its mask). */
#include <math.h>

#include "nn/layer.h"
#include "nn/par.h"

static int bn_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    const int C = L->ind.c;
    L->outd = L->ind;
    nn_layer_param(L, "weight", NN_ROLE_GAMMA, 1, (int[]){C});
    nn_layer_param(L, "bias", NN_ROLE_BETA, 1, (int[]){C});
    L->n_stat = 2 * (size_t)C; /* running_mean, running_var */
    L->n_save = 2 * (size_t)C; /* mean, inverse std of the last forward */
    return 0;
}

/* Sums over one plane in 16 float lanes (vectorized, and short float chains for accuracy);
 * planes are then added in double. */
static double plane_sum(const float *restrict p, size_t n)
{
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += p[i + j];
    double s = 0.0;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s += p[i];
    return s;
}

static double plane_sq_dev(const float *restrict p, size_t n, float m)
{
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) {
            float d = p[i + j] - m;
            acc[j] += d * d;
        }
    double s = 0.0;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s += (double)(p[i] - m) * (p[i] - m);
    return s;
}

static void normalize(const float *restrict x, float *restrict y, size_t n, float a, float b,
                      int relu)
{
    if (relu)
        NN_LOOP16(i, n, { float v = x[i] * a + b; y[i] = v > 0.0f ? v : 0.0f; });
    else
        NN_LOOP16(i, n, y[i] = x[i] * a + b);
}

typedef struct {
    nn_layer *L;
    const nn_ctx *c;
} bn_job;

/* Threads split the channels: each channel's statistics are summed by one thread, in the
 * same order whatever the thread count. */
static void bn_forward_part(void *arg, int t, int nt)
{
    bn_job *j = arg;
    nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    const int C = L->ind.c, B = c->b;
    size_t c0, c1;
    nn_par_range((size_t)C, t, nt, &c0, &c1);
    const size_t hw = (size_t)L->ind.h * L->ind.w, n = (size_t)B * hw;
    const float *x = nn_in(L, c, 0)->val, *gamma = L->par[0].w, *beta = L->par[1].w;
    float *y = nn_out(L, c)->val, *rmean = L->stat, *rvar = L->stat + C;
    float *mean = L->save, *istd = L->save + C;
    const float eps = L->hp.eps, mom = L->hp.momentum;
    for (int ch = (int)c0; ch < (int)c1; ch++) {
        float m, is;
        if (c->train) {
            double s = 0.0;
            for (int b = 0; b < B; b++) s += plane_sum(x + ((size_t)b * C + ch) * hw, hw);
            const double md = s / (double)n;
            /* Two passes: the deviations from the mean, not E[x^2] - E[x]^2, for accuracy. */
            double v = 0.0;
            for (int b = 0; b < B; b++) v += plane_sq_dev(x + ((size_t)b * C + ch) * hw, hw, (float)md);
            const double var = v / (double)n;
            m = (float)md;
            is = (float)(1.0 / sqrt(var + eps));
            rmean[ch] = (1.0f - mom) * rmean[ch] + mom * m;
            rvar[ch] = (1.0f - mom) * rvar[ch] + mom * (float)(v / (double)(n - 1));
        } else {
            m = rmean[ch];
            is = (float)(1.0 / sqrt((double)rvar[ch] + eps));
        }
        mean[ch] = m;
        istd[ch] = is;
        const float a = gamma[ch] * is, bb = beta[ch] - m * a;
        for (int b = 0; b < B; b++) {
            const size_t off = ((size_t)b * C + ch) * hw;
            normalize(x + off, y + off, hw, a, bb, L->relu);
        }
    }
}

static void bn_forward(nn_layer *L, const nn_ctx *c)
{
    bn_job j = {L, c};
    nn_par_run(c->threads, bn_forward_part, &j);
    if (c->train) L->batches_tracked++;
}

/* Sums of g and g (x - m) over a plane, g = dy (masked by y > 0 with a fused ReLU).  Inlined
 * with `relu` constant at each call, so that each loop is branch-free. */
static inline __attribute__((always_inline)) void grad_sums(
    const float *restrict x, const float *restrict y, const float *restrict dy, size_t n, float m,
    int relu, double *sdy, double *sdyx)
{
    float a1[16] = {0}, a2[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) {
            const float d = dy[i + j], v = y[i + j]; /* loads first: branch-free select */
            const float g = relu ? (v > 0.0f ? d : 0.0f) : d;
            a1[j] += g;
            a2[j] += g * (x[i + j] - m);
        }
    double s1 = 0.0, s2 = 0.0;
    for (int j = 0; j < 16; j++) {
        s1 += a1[j];
        s2 += a2[j];
    }
    for (; i < n; i++) {
        float g = relu ? (y[i] > 0.0f ? dy[i] : 0.0f) : dy[i];
        s1 += g;
        s2 += (double)g * (x[i] - m);
    }
    *sdy += s1;
    *sdyx += s2;
}

/* dx (+)= a (g - k1 - (x - m) k2). */
static inline __attribute__((always_inline)) void grad_input(
    const float *restrict x, const float *restrict y, const float *restrict dy, float *restrict dx,
    size_t n, float a, float m, float k1, float k2, int relu, int acc)
{
#define G(i) const float d = dy[i], v = y[i], g = relu ? (v > 0.0f ? d : 0.0f) : d
    if (acc)
        NN_LOOP16(i, n, { G(i); dx[i] += a * (g - k1 - (x[i] - m) * k2); });
    else
        NN_LOOP16(i, n, { G(i); dx[i] = a * (g - k1 - (x[i] - m) * k2); });
#undef G
}

static void bn_backward_part(void *arg, int t, int nt)
{
    bn_job *j = arg;
    nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    const int C = L->ind.c, B = c->b;
    size_t c0, c1;
    nn_par_range((size_t)C, t, nt, &c0, &c1);
    const size_t hw = (size_t)L->ind.h * L->ind.w, n = (size_t)B * hw;
    nn_tensor *in = nn_in(L, c, 0);
    const float *x = in->val, *dy = nn_out(L, c)->grad, *y = nn_out(L, c)->val;
    const float *gamma = L->par[0].w, *mean = L->save, *istd = L->save + C;
    float *dx = in->grad;
    for (int ch = (int)c0; ch < (int)c1; ch++) {
        const float m = mean[ch], is = istd[ch];
        double sdy = 0.0, sdyx = 0.0;
        for (int b = 0; b < B; b++) {
            const size_t off = ((size_t)b * C + ch) * hw;
            if (L->relu) grad_sums(x + off, y + off, dy + off, hw, m, 1, &sdy, &sdyx);
            else grad_sums(x + off, y + off, dy + off, hw, m, 0, &sdy, &sdyx);
        }
        const float dbeta = (float)sdy, dgamma = (float)(sdyx * is);
        if (c->param_grads) {
            float *gg = L->par[0].g, *gb = L->par[1].g;
            gg[ch] = (c->beta_p ? gg[ch] : 0.0f) + dgamma;
            gb[ch] = (c->beta_p ? gb[ch] : 0.0f) + dbeta;
        }
        if (!dx) continue;
        /* Training: dx = gamma istd (g - mean(g) - xhat mean(g xhat)); eval: gamma istd g. */
        const float a = gamma[ch] * is;
        const float k1 = c->train ? (float)(sdy / (double)n) : 0.0f;
        const float k2 = c->train ? (float)(sdyx * is * is / (double)n) : 0.0f;
        for (int b = 0; b < B; b++) {
            const size_t off = ((size_t)b * C + ch) * hw;
            float *d = dx + off;
            const float *xo = x + off, *yo = y + off, *go = dy + off;
            if (L->relu && L->acc[0]) grad_input(xo, yo, go, d, hw, a, m, k1, k2, 1, 1);
            else if (L->relu) grad_input(xo, yo, go, d, hw, a, m, k1, k2, 1, 0);
            else if (L->acc[0]) grad_input(xo, yo, go, d, hw, a, m, k1, k2, 0, 1);
            else grad_input(xo, yo, go, d, hw, a, m, k1, k2, 0, 0);
        }
    }
}

static void bn_backward(nn_layer *L, const nn_ctx *c)
{
    bn_job j = {L, c};
    nn_par_run(c->threads, bn_backward_part, &j);
}

const nn_layer_ops nn_bn_ops = {"batchnorm", bn_setup, bn_forward, bn_backward};
