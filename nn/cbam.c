/* nn/cbam.c: the convolutional block attention module (Woo et al., ECCV 2018), one layer:
 *
 *   channel attention  ca = sigmoid(mlp(avgpool(x)) + mlp(maxpool(x)))     [C] per image
 *                      mlp(d) = W2 relu(W1 d + b1) + b2, W1 [C/r][C], W2 [C][C/r] (shared)
 *                      x1 = x * ca
 *   spatial attention  s = [mean over channels of x1, max over channels of x1]  [2][H][W]
 *                      sa = sigmoid(conv_kxk(s) + b), padding k/2, one output map
 *                      y = x1 * sa
 *
 * Parameters (saved under these names): mlp1.weight [C/r][C], mlp1.bias, mlp2.weight [C][C/r],
 * mlp2.bias, spatial.weight [1][2][k][k], spatial.bias (the biases when `bias` is true, the
 * default).  C/r is at least 1.  The order of the spatial descriptors (mean first) follows our
 * reconstruction of dSPIC; scripts/load_weights_torch.py builds the same module. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "nn/conv_core.h"
#include "nn/layer.h"
#include "util/error.h"

enum { W1, B1, W2, B2, WC, BC };

/* Parameter `which` of L: the biases are only registered when the layer has them. */
static nn_param *P(nn_layer *L, int which)
{
    static const int no_bias[] = {[W1] = 0, [W2] = 1, [WC] = 2};
    return &L->par[L->hp.bias ? which : no_bias[which]];
}

typedef struct { /* views into L->save / L->isave for batch B */
    float *d, *h, *ca, *x1, *s, *sa; /* d, h: [2B][C], [2B][hid] (avg rows, then max rows) */
    int32_t *amax_hw, *amax_c;       /* argmax position per (b, c); argmax channel per (b, p) */
} cbam_saved;

static int hidden(const nn_layer *L)
{
    int h = L->ind.c / L->hp.reduction;
    return h < 1 ? 1 : h;
}

static cbam_saved saved(const nn_layer *L, int B)
{
    const size_t C = (size_t)L->ind.c, hw = (size_t)L->ind.h * L->ind.w, hid = (size_t)hidden(L);
    cbam_saved s;
    s.d = L->save;
    s.h = s.d + 2 * B * C;
    s.ca = s.h + 2 * B * hid;
    s.x1 = s.ca + B * C;
    s.s = s.x1 + B * C * hw;
    s.sa = s.s + B * 2 * hw;
    s.amax_hw = L->isave;
    s.amax_c = L->isave + B * C;
    return s;
}

static nn_conv_geom spatial_geom(const nn_layer *L)
{
    const int k0 = L->hp.k[0], k1 = L->hp.k[1];
    return (nn_conv_geom){2, L->ind.h, L->ind.w, k0, k1, 1, 1, k0 / 2, k1 / 2, L->ind.h, L->ind.w,
                          0};
}

static int cbam_setup(nn_layer *L, nn_net *net)
{
    const int C = L->ind.c, hid = hidden(L), k0 = L->hp.k[0], k1 = L->hp.k[1];
    const size_t B = (size_t)net->shape.batch, hw = (size_t)L->ind.h * L->ind.w;
    if (k0 % 2 == 0 || k1 % 2 == 0) {
        sc_err_set(NULL, 0, "key 'kernel' %dx%d: the spatial attention kernel must be odd (its "
                   "padding k/2 keeps the map size)", k0, k1);
        return -1;
    }
    L->outd = L->ind;
    struct { const char *name; int role, d0, d1, fin, fout; } p[] = {
        {"mlp1.weight", NN_ROLE_WEIGHT, hid, C, C, hid},
        {"mlp1.bias", NN_ROLE_BIAS, hid, 0, C, hid},
        {"mlp2.weight", NN_ROLE_WEIGHT, C, hid, hid, C},
        {"mlp2.bias", NN_ROLE_BIAS, C, 0, hid, C},
    };
    for (int i = 0; i < 4; i++) {
        if (p[i].role == NN_ROLE_BIAS && !L->hp.bias) continue;
        nn_param *q = p[i].role == NN_ROLE_WEIGHT
                          ? nn_layer_param(L, p[i].name, p[i].role, 2, (int[]){p[i].d0, p[i].d1})
                          : nn_layer_param(L, p[i].name, p[i].role, 1, (int[]){p[i].d0});
        q->fan_in = p[i].fin;
        q->fan_out = p[i].fout;
    }
    nn_param *wc = nn_layer_param(L, "spatial.weight", NN_ROLE_WEIGHT, 4, (int[]){1, 2, k0, k1});
    wc->fan_in = 2 * k0 * k1;
    wc->fan_out = k0 * k1;
    if (L->hp.bias) {
        nn_param *bc = nn_layer_param(L, "spatial.bias", NN_ROLE_BIAS, 1, (int[]){1});
        bc->fan_in = wc->fan_in;
        bc->fan_out = wc->fan_out;
    }
    L->n_save = 2 * B * C + 2 * B * hid + B * C + B * C * hw + B * 2 * hw + B * hw;
    L->n_isave = B * C + B * hw;
    nn_conv_geom g = spatial_geom(L);
    L->ws = nn_conv_ws(&g, 1, (int)B) + B * 3 * hw + 2 * B * (2 * (size_t)C + hid);
    L->macs = 4.0 * C * hid + 2.0 * k0 * k1 * hw;
    return 0;
}

static float sigm(float z)
{
    float e = expf(-fabsf(z));
    return z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

static void cbam_forward(nn_layer *L, const nn_ctx *c)
{
    const int B = c->b, C = L->ind.c, hid = hidden(L);
    const size_t hw = (size_t)L->ind.h * L->ind.w;
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    const int bias = L->hp.bias;
    cbam_saved s = saved(L, B);
    /* Descriptors: rows 0..B-1 average, rows B..2B-1 max. */
    for (int b = 0; b < B; b++)
        for (int ch = 0; ch < C; ch++) {
            const float *p = x + ((size_t)b * C + ch) * hw;
            float sum = 0.0f, mx = -INFINITY;
            int32_t am = 0;
            for (size_t i = 0; i < hw; i++) {
                sum += p[i];
                if (p[i] > mx) {
                    mx = p[i];
                    am = (int32_t)i;
                }
            }
            s.d[(size_t)b * C + ch] = sum / (float)hw;
            s.d[((size_t)B + b) * C + ch] = mx;
            s.amax_hw[(size_t)b * C + ch] = am;
        }
    /* Shared MLP on both descriptor sets at once: h = relu(d W1^T + b1), o = h W2^T + b2. */
    float *o = c->ws; /* [2B][C], free until the spatial conv */
    for (int r = 0; r < 2 * B; r++) {
        if (bias) memcpy(s.h + (size_t)r * hid, P(L, B1)->w, sizeof(float) * hid);
        if (bias) memcpy(o + (size_t)r * C, P(L, B2)->w, sizeof(float) * C);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 2 * B, hid, C, 1.0f, s.d, C, P(L, W1)->w,
                C, bias ? 1.0f : 0.0f, s.h, hid);
    for (size_t i = 0; i < (size_t)2 * B * hid; i++) s.h[i] = s.h[i] > 0.0f ? s.h[i] : 0.0f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 2 * B, C, hid, 1.0f, s.h, hid,
                P(L, W2)->w, hid, bias ? 1.0f : 0.0f, o, C);
    for (int b = 0; b < B; b++)
        for (int ch = 0; ch < C; ch++)
            s.ca[(size_t)b * C + ch] = sigm(o[(size_t)b * C + ch] + o[((size_t)B + b) * C + ch]);
    /* x1 = x * ca; channel mean and max of x1. */
    for (int b = 0; b < B; b++) {
        float *mean = s.s + (size_t)b * 2 * hw, *mx = mean + hw;
        int32_t *amc = s.amax_c + (size_t)b * hw;
        for (size_t i = 0; i < hw; i++) {
            mean[i] = 0.0f;
            mx[i] = -INFINITY;
            amc[i] = 0;
        }
        for (int ch = 0; ch < C; ch++) {
            const float a = s.ca[(size_t)b * C + ch];
            const float *p = x + ((size_t)b * C + ch) * hw;
            float *q = s.x1 + ((size_t)b * C + ch) * hw;
            for (size_t i = 0; i < hw; i++) {
                q[i] = p[i] * a;
                mean[i] += q[i];
                if (q[i] > mx[i]) {
                    mx[i] = q[i];
                    amc[i] = ch;
                }
            }
        }
        for (size_t i = 0; i < hw; i++) mean[i] /= (float)C;
    }
    /* sa = sigmoid(conv(s) + b); y = x1 * sa. */
    nn_conv_geom g = spatial_geom(L);
    nn_conv_forward(&g, 1, B, s.s, P(L, WC)->w, bias ? P(L, BC)->w : NULL, 0, 0, s.sa, c->ws);
    for (size_t i = 0; i < (size_t)B * hw; i++) s.sa[i] = sigm(s.sa[i]);
    for (int b = 0; b < B; b++)
        for (int ch = 0; ch < C; ch++) {
            const float *q = s.x1 + ((size_t)b * C + ch) * hw, *sa = s.sa + (size_t)b * hw;
            float *yp = y + ((size_t)b * C + ch) * hw;
            for (size_t i = 0; i < hw; i++) yp[i] = q[i] * sa[i];
        }
}

static void cbam_backward(nn_layer *L, const nn_ctx *c)
{
    const int B = c->b, C = L->ind.c, hid = hidden(L), bias = L->hp.bias;
    const size_t hw = (size_t)L->ind.h * L->ind.w;
    nn_tensor *in = nn_in(L, c, 0);
    const float *x = in->val, *dy = nn_out(L, c)->grad;
    cbam_saved s = saved(L, B);
    nn_conv_geom g = spatial_geom(L);
    float *ds = c->ws + nn_conv_ws(&g, 1, c->net->shape.batch), *dz = ds + (size_t)B * 2 * hw;
    float *dO = dz + (size_t)B * hw, *dH = dO + (size_t)2 * B * C, *dD = dH + (size_t)2 * B * hid;
    const int pg = c->param_grads;

    /* Spatial attention: dz = sum_c dy x1 * sa (1 - sa); back through the conv to ds. */
    for (int b = 0; b < B; b++) {
        float *z = dz + (size_t)b * hw;
        memset(z, 0, sizeof(float) * hw);
        for (int ch = 0; ch < C; ch++) {
            const float *g1 = dy + ((size_t)b * C + ch) * hw, *q = s.x1 + ((size_t)b * C + ch) * hw;
            for (size_t i = 0; i < hw; i++) z[i] += g1[i] * q[i];
        }
        const float *sa = s.sa + (size_t)b * hw;
        for (size_t i = 0; i < hw; i++) z[i] *= sa[i] * (1.0f - sa[i]);
    }
    nn_conv_backward(&g, 1, B, s.s, P(L, WC)->w, dz, NULL, ds, 0, pg ? P(L, WC)->g : NULL,
                     (pg && bias) ? P(L, BC)->g : NULL, c->beta_p, c->ws);

    /* dx1 = dy sa + ds_mean / C + ds_max at the argmax channel; recomputed where needed. */
#define DX1(b, ch, i)                                                                              \
    (dy[((size_t)(b) * C + (ch)) * hw + (i)] * s.sa[(size_t)(b) * hw + (i)] +                      \
     ds[(size_t)(b) * 2 * hw + (i)] / (float)C +                                                   \
     (s.amax_c[(size_t)(b) * hw + (i)] == (ch) ? ds[(size_t)(b) * 2 * hw + hw + (i)] : 0.0f))
    /* Channel attention: dca = sum_p dx1 x; do = dca * ca (1 - ca), the same for both paths. */
    for (int b = 0; b < B; b++)
        for (int ch = 0; ch < C; ch++) {
            const float *p = x + ((size_t)b * C + ch) * hw;
            float acc = 0.0f;
            for (size_t i = 0; i < hw; i++) acc += DX1(b, ch, i) * p[i];
            const float a = s.ca[(size_t)b * C + ch];
            dO[(size_t)b * C + ch] = dO[((size_t)B + b) * C + ch] = acc * a * (1.0f - a);
        }
    /* MLP backward over the 2B rows. */
    if (pg) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, C, hid, 2 * B, 1.0f, dO, C, s.h, hid,
                    c->beta_p ? 1.0f : 0.0f, P(L, W2)->g, hid);
        if (bias)
            for (int ch = 0; ch < C; ch++) {
                float t = c->beta_p ? P(L, B2)->g[ch] : 0.0f;
                for (int r = 0; r < 2 * B; r++) t += dO[(size_t)r * C + ch];
                P(L, B2)->g[ch] = t;
            }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * B, hid, C, 1.0f, dO, C,
                P(L, W2)->w, hid, 0.0f, dH, hid);
    for (size_t i = 0; i < (size_t)2 * B * hid; i++)
        if (!(s.h[i] > 0.0f)) dH[i] = 0.0f;
    if (pg) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, hid, C, 2 * B, 1.0f, dH, hid, s.d, C,
                    c->beta_p ? 1.0f : 0.0f, P(L, W1)->g, C);
        if (bias)
            for (int j = 0; j < hid; j++) {
                float t = c->beta_p ? P(L, B1)->g[j] : 0.0f;
                for (int r = 0; r < 2 * B; r++) t += dH[(size_t)r * hid + j];
                P(L, B1)->g[j] = t;
            }
    }
    if (!in->grad) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * B, C, hid, 1.0f, dH, hid,
                P(L, W1)->w, C, 0.0f, dD, C);
    /* dx = dx1 ca + d(avg)/hw + d(max) at the argmax position. */
    for (int b = 0; b < B; b++)
        for (int ch = 0; ch < C; ch++) {
            const float a = s.ca[(size_t)b * C + ch];
            const float davg = dD[(size_t)b * C + ch] / (float)hw;
            float *q = in->grad + ((size_t)b * C + ch) * hw;
            for (size_t i = 0; i < hw; i++) {
                float v = DX1(b, ch, i) * a + davg;
                q[i] = L->acc[0] ? q[i] + v : v;
            }
            q[s.amax_hw[(size_t)b * C + ch]] += dD[((size_t)B + b) * C + ch];
        }
#undef DX1
}

const nn_layer_ops nn_cbam_ops = {"cbam", cbam_setup, cbam_forward, cbam_backward};
