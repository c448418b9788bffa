/* nn/bnorm.c: batch normalization over (batch, height, width) per channel, with PyTorch's
 * semantics (torch.nn.BatchNorm2d, and BatchNorm1d on dense outputs, which are C x 1 x 1):
 *   training: normalize with the batch mean and the biased variance, eps inside the square root;
 *             running_mean = (1 - momentum) running_mean + momentum mean,
 *             running_var  = (1 - momentum) running_var  + momentum var * n / (n - 1)  (unbiased)
 *   eval:     normalize with the running estimates.
 * Statistics are accumulated in double.  Forward keeps the mean and 1/sqrt(var + eps) it used, so
 * backward (in either mode) needs only them and the input. */
#include <math.h>

#include "nn/layer.h"

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

static void bn_forward(nn_layer *L, const nn_ctx *c)
{
    const int C = L->ind.c, B = c->b;
    const size_t hw = (size_t)L->ind.h * L->ind.w, n = (size_t)B * hw;
    const float *x = nn_in(L, c, 0)->val, *gamma = L->par[0].w, *beta = L->par[1].w;
    float *y = nn_out(L, c)->val, *rmean = L->stat, *rvar = L->stat + C;
    float *mean = L->save, *istd = L->save + C;
    const float eps = L->hp.eps, mom = L->hp.momentum;
    for (int ch = 0; ch < C; ch++) {
        float m, is;
        if (c->train) {
            double s = 0.0;
            for (int b = 0; b < B; b++) {
                const float *p = x + ((size_t)b * C + ch) * hw;
                for (size_t i = 0; i < hw; i++) s += p[i];
            }
            const double md = s / (double)n;
            double v = 0.0;
            for (int b = 0; b < B; b++) {
                const float *p = x + ((size_t)b * C + ch) * hw;
                for (size_t i = 0; i < hw; i++) {
                    double d = p[i] - md;
                    v += d * d;
                }
            }
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
            const float *p = x + ((size_t)b * C + ch) * hw;
            float *q = y + ((size_t)b * C + ch) * hw;
            for (size_t i = 0; i < hw; i++) q[i] = p[i] * a + bb;
        }
    }
    if (c->train) L->batches_tracked++;
}

static void bn_backward(nn_layer *L, const nn_ctx *c)
{
    const int C = L->ind.c, B = c->b;
    const size_t hw = (size_t)L->ind.h * L->ind.w, n = (size_t)B * hw;
    nn_tensor *in = nn_in(L, c, 0);
    const float *x = in->val, *dy = nn_out(L, c)->grad, *gamma = L->par[0].w;
    const float *mean = L->save, *istd = L->save + C;
    float *dx = in->grad;
    for (int ch = 0; ch < C; ch++) {
        const float m = mean[ch], is = istd[ch];
        double sdy = 0.0, sdyx = 0.0;
        for (int b = 0; b < B; b++) {
            const float *p = x + ((size_t)b * C + ch) * hw, *g = dy + ((size_t)b * C + ch) * hw;
            float s1 = 0.0f, s2 = 0.0f;
            for (size_t i = 0; i < hw; i++) {
                s1 += g[i];
                s2 += g[i] * (p[i] - m);
            }
            sdy += s1;
            sdyx += s2;
        }
        const float dbeta = (float)sdy, dgamma = (float)(sdyx * is);
        if (c->param_grads) {
            float *gg = L->par[0].g, *gb = L->par[1].g;
            gg[ch] = (c->beta_p ? gg[ch] : 0.0f) + dgamma;
            gb[ch] = (c->beta_p ? gb[ch] : 0.0f) + dbeta;
        }
        if (!dx) continue;
        /* Training: dx = gamma istd (dy - mean(dy) - xhat mean(dy xhat)); eval: gamma istd dy. */
        const float a = gamma[ch] * is;
        const float k1 = c->train ? (float)(sdy / (double)n) : 0.0f;
        const float k2 = c->train ? (float)(sdyx * is * is / (double)n) : 0.0f;
        for (int b = 0; b < B; b++) {
            const float *p = x + ((size_t)b * C + ch) * hw, *g = dy + ((size_t)b * C + ch) * hw;
            float *q = dx + ((size_t)b * C + ch) * hw;
            if (L->acc[0])
                for (size_t i = 0; i < hw; i++) q[i] += a * (g[i] - k1 - (p[i] - m) * k2);
            else
                for (size_t i = 0; i < hw; i++) q[i] = a * (g[i] - k1 - (p[i] - m) * k2);
        }
    }
}

const nn_layer_ops nn_bn_ops = {"batchnorm", bn_setup, bn_forward, bn_backward};
