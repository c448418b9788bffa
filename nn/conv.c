/* nn/conv.c: the conv and conv_transpose layers (the GEMMs are in conv_core.c).
 *
 * conv: weight [out][in][kh][kw] (OIHW), optional bias [out].
 * conv_transpose: weight [in][out][kh][kw] as torch.nn.ConvTranspose2d, optional bias [out]; it
 * is the adjoint of a convolution from its output space to its input space, so it runs the
 * same im2col/col2im with the roles swapped: forward = W^T x then col2im, backward = im2col of
 * the output gradient then two GEMMs. */
#include <cblas.h>
#include <string.h>

#include "nn/conv_core.h"
#include "nn/layer.h"
#include "nn/par.h"
#include "util/error.h"

static int spatial(nn_layer *L, int *oh, int *ow)
{
    const nn_hp *hp = &L->hp;
    if (nn_conv_out_size("key 'kernel': height", L->ind.h, hp->k[0], hp->s[0], hp->p[0], oh) != 0)
        return -1;
    if (nn_conv_out_size("key 'kernel': width", L->ind.w, hp->k[1], hp->s[1], hp->p[1], ow) != 0)
        return -1;
    return 0;
}

/* ---- conv ---- */

static nn_conv_geom conv_geom(const nn_layer *L)
{
    const nn_hp *hp = &L->hp;
    return (nn_conv_geom){L->ind.c, L->ind.h, L->ind.w, hp->k[0], hp->k[1], hp->s[0], hp->s[1],
                          hp->p[0], hp->p[1], L->outd.h, L->outd.w, hp->algo};
}

static int conv_setup(nn_layer *L, nn_net *net)
{
    const nn_hp *hp = &L->hp;
    int oh, ow;
    if (spatial(L, &oh, &ow) != 0) return -1;
    L->outd = (nn_dims){hp->out, oh, ow};
    const int rf = hp->k[0] * hp->k[1];
    nn_param *w = nn_layer_param(L, "weight", NN_ROLE_WEIGHT, 4,
                                 (int[]){hp->out, L->ind.c, hp->k[0], hp->k[1]});
    w->fan_in = L->ind.c * rf;
    w->fan_out = hp->out * rf;
    if (hp->bias) {
        nn_param *b = nn_layer_param(L, "bias", NN_ROLE_BIAS, 1, (int[]){hp->out});
        b->fan_in = w->fan_in;
        b->fan_out = w->fan_out;
    }
    nn_conv_geom g = conv_geom(L);
    /* the GEMM workspace, then (threads > 0) the weight- and bias-gradient partial sums */
    L->ws = nn_conv_ws(&g, hp->out, net->shape.batch) + (size_t)hp->out * (L->ind.c * rf + 1);
    L->macs = (double)hp->out * oh * ow * L->ind.c * rf;
    return 0;
}

/* Threads split the images; each has its workspace slice, holding, after the GEMM workspace,
 * its weight- and bias-gradient partial sums (thread 0 writes the layer's own). */
typedef struct {
    nn_layer *L;
    const nn_ctx *c;
    nn_conv_geom g;
    size_t conv_ws;
    int used[64];
} conv_job;

static void conv_forward_part(void *arg, int t, int nt)
{
    conv_job *j = arg;
    nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    size_t b0, b1;
    nn_par_range((size_t)c->b, t, nt, &b0, &b1);
    if (b1 == b0) return;
    const size_t in_sz = nn_dims_size(L->ind), out_sz = nn_dims_size(L->outd);
    nn_conv_forward(&j->g, L->outd.c, (int)(b1 - b0), nn_in(L, c, 0)->val + b0 * in_sz,
                    L->par[0].w, L->hp.bias ? L->par[1].w : NULL, L->relu,
                    nn_out(L, c)->val + b0 * out_sz, c->ws + (size_t)t * c->ws_stride);
}

static void conv_forward(nn_layer *L, const nn_ctx *c)
{
    conv_job j = {L, c, conv_geom(L), 0, {0}};
    nn_par_run(c->threads < c->b ? c->threads : c->b, conv_forward_part, &j);
}

static void conv_backward_part(void *arg, int t, int nt)
{
    conv_job *j = arg;
    nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    size_t b0, b1;
    nn_par_range((size_t)c->b, t, nt, &b0, &b1);
    if (b1 == b0) return;
    j->used[t] = 1;
    const size_t in_sz = nn_dims_size(L->ind), out_sz = nn_dims_size(L->outd);
    float *ws = c->ws + (size_t)t * c->ws_stride;
    float *dw = NULL, *db = NULL;
    if (c->param_grads) {
        dw = t ? ws + j->conv_ws : L->par[0].g;
        if (L->hp.bias) db = t ? ws + j->conv_ws + L->par[0].n : L->par[1].g;
    }
    nn_tensor *in = nn_in(L, c, 0);
    const float *y = nn_out(L, c)->val;
    nn_conv_backward(&j->g, L->outd.c, (int)(b1 - b0), in->val + b0 * in_sz, L->par[0].w,
                     nn_out(L, c)->grad + b0 * out_sz, L->relu ? y + b0 * out_sz : NULL,
                     in->grad ? in->grad + b0 * in_sz : NULL, L->acc[0], dw, db,
                     t ? 0 : c->beta_p, ws);
}

static void add_into(float *restrict dst, const float *restrict src, size_t n)
{
    NN_LOOP16(i, n, dst[i] += src[i]);
}

static void conv_backward(nn_layer *L, const nn_ctx *c)
{
    conv_job j = {L, c, conv_geom(L), 0, {0}};
    j.conv_ws = nn_conv_ws(&j.g, L->outd.c, c->net->shape.batch);
    const int nt = c->threads < c->b ? c->threads : c->b;
    nn_par_run(nt, conv_backward_part, &j);
    if (!c->param_grads) return;
    for (int t = 1; t < nt; t++) { /* in thread order: deterministic for a thread count */
        if (!j.used[t]) continue;
        const float *part = c->ws + (size_t)t * c->ws_stride + j.conv_ws;
        add_into(L->par[0].g, part, L->par[0].n);
        if (L->hp.bias) add_into(L->par[1].g, part + L->par[0].n, L->par[1].n);
    }
}

const nn_layer_ops nn_conv_ops = {"conv", conv_setup, conv_forward, conv_backward};

/* ---- conv_transpose ---- */

/* The convolution whose adjoint this layer is: from the output image to the input positions. */
static nn_conv_geom convt_geom(const nn_layer *L)
{
    const nn_hp *hp = &L->hp;
    return (nn_conv_geom){L->outd.c, L->outd.h, L->outd.w, hp->k[0], hp->k[1], hp->s[0],
                          hp->s[1], hp->p[0], hp->p[1], L->ind.h, L->ind.w, 0};
}

static int convt_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    const nn_hp *hp = &L->hp;
    int o[2];
    const int in[2] = {L->ind.h, L->ind.w};
    for (int d = 0; d < 2; d++) {
        if (hp->op[d] >= hp->s[d]) {
            sc_err_set(NULL, 0, "key 'output_pad' %d must be smaller than the stride %d",
                       hp->op[d], hp->s[d]);
            return -1;
        }
        o[d] = (in[d] - 1) * hp->s[d] - 2 * hp->p[d] + hp->k[d] + hp->op[d];
        if (o[d] < 1) {
            sc_err_set(NULL, 0, "key 'pad' %d leaves no output %s ((%d - 1) x stride %d - 2 x pad "
                       "+ kernel %d + output_pad %d = %d)", hp->p[d], d ? "width" : "height",
                       in[d], hp->s[d], hp->k[d], hp->op[d], o[d]);
            return -1;
        }
    }
    L->outd = (nn_dims){hp->out, o[0], o[1]};
    const int rf = hp->k[0] * hp->k[1];
    nn_param *w = nn_layer_param(L, "weight", NN_ROLE_WEIGHT, 4,
                                 (int[]){L->ind.c, hp->out, hp->k[0], hp->k[1]});
    /* torch computes fans from dims 1 and 0 whatever the layer: fan_in = out * k * k here. */
    w->fan_in = hp->out * rf;
    w->fan_out = L->ind.c * rf;
    if (hp->bias) {
        nn_param *b = nn_layer_param(L, "bias", NN_ROLE_BIAS, 1, (int[]){hp->out});
        b->fan_in = w->fan_in;
        b->fan_out = w->fan_out;
    }
    nn_conv_geom g = convt_geom(L);
    L->ws = nn_geom_k(&g) * nn_geom_n(&g) + nn_im2col_pad(&g, g.oh);
    L->macs = (double)L->ind.c * L->ind.h * L->ind.w * hp->out * rf;
    return 0;
}

static void convt_forward(nn_layer *L, const nn_ctx *c)
{
    nn_conv_geom g = convt_geom(L);
    const int K = (int)nn_geom_k(&g), N = (int)nn_geom_n(&g), cin = L->ind.c;
    const size_t in_sz = nn_dims_size(L->ind), out_sz = nn_dims_size(L->outd);
    const float *x = nn_in(L, c, 0)->val, *w = L->par[0].w;
    float *y = nn_out(L, c)->val;
    const int pointwise = nn_geom_is_pointwise(&g);
    for (int n = 0; n < c->b; n++) {
        float *yn = y + (size_t)n * out_sz;
        /* col [K][N] = W^T [K][cin] x_n [cin][N] */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, cin, 1.0f, w, K,
                    x + (size_t)n * in_sz, N, 0.0f, pointwise ? yn : c->ws, N);
        if (!pointwise) {
            memset(yn, 0, sizeof(float) * out_sz);
            nn_col2im(&g, c->ws, (size_t)N, 0, g.oh, yn, c->ws + (size_t)K * N);
        }
        if (L->hp.bias) {
            const size_t hw = (size_t)L->outd.h * L->outd.w;
            for (int o = 0; o < L->outd.c; o++) {
                float bo = L->par[1].w[o], *r = yn + (size_t)o * hw;
                for (size_t i = 0; i < hw; i++) r[i] += bo;
            }
        }
    }
}

static void convt_backward(nn_layer *L, const nn_ctx *c)
{
    nn_conv_geom g = convt_geom(L);
    const int K = (int)nn_geom_k(&g), N = (int)nn_geom_n(&g), cin = L->ind.c;
    const size_t in_sz = nn_dims_size(L->ind), out_sz = nn_dims_size(L->outd);
    nn_tensor *in = nn_in(L, c, 0);
    const float *dy = nn_out(L, c)->grad, *w = L->par[0].w;
    const int pointwise = nn_geom_is_pointwise(&g);
    if (c->param_grads && L->hp.bias) {
        const size_t hw = (size_t)L->outd.h * L->outd.w;
        float *db = L->par[1].g;
        for (int o = 0; o < L->outd.c; o++) {
            double s = 0.0;
            for (int n = 0; n < c->b; n++) {
                const float *r = dy + (size_t)n * out_sz + (size_t)o * hw;
                float part = 0.0f;
                for (size_t i = 0; i < hw; i++) part += r[i];
                s += part;
            }
            db[o] = (c->beta_p ? db[o] : 0.0f) + (float)s;
        }
    }
    for (int n = 0; n < c->b; n++) {
        const float *dcol = dy + (size_t)n * out_sz;
        if (!pointwise) {
            nn_im2col(&g, dcol, 0, g.oh, c->ws, (size_t)N, c->ws + (size_t)K * N);
            dcol = c->ws;
        }
        if (c->param_grads) /* dW [cin][K] (+)= x_n [cin][N] dcol^T [N][K] */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cin, K, N, 1.0f,
                        in->val + (size_t)n * in_sz, N, dcol, N,
                        (n == 0 && !c->beta_p) ? 0.0f : 1.0f, L->par[0].g, K);
        if (in->grad) /* dx_n [cin][N] = W [cin][K] dcol [K][N] */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cin, N, K, 1.0f, w, K, dcol, N,
                        L->acc[0] ? 1.0f : 0.0f, in->grad + (size_t)n * in_sz, N);
    }
}

const nn_layer_ops nn_convt_ops = {"conv_transpose", convt_setup, convt_forward, convt_backward};
