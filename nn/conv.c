/* nn/conv.c: the conv and conv_transpose layers (the GEMMs are in conv_core.c).
 *
 * conv: weight [out][in][kh][kw] (OIHW), optional bias [out].
 * conv_transpose: weight [in][out][kh][kw] as torch.nn.ConvTranspose2d, optional bias [out]; it
 * is the adjoint of a convolution g from its output space to its input space (convt_geom), so
 * it runs conv_core's functions of g with the roles swapped: forward = col2im(W^T x), the input
 * gradient of g; backward = W im2col(dy), g itself, and x im2col(dy)^T, the weight gradient of g.
 * So it gets the same chunks (several small images per GEMM), strided im2col and Winograd
 * paths, and the same threads (images split, partial weight gradients summed in order). */
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

/* ---- the threads of both ---- */

/* Threads split the images.  Thread t's workspace slice holds the GEMM workspace (conv_ws
 * floats), then its weight- and bias-gradient partial sums; thread 0 writes the layer's own.
 * There are never more threads than images, so every thread has at least one. */
typedef struct {
    nn_layer *L;
    const nn_ctx *c;
    nn_conv_geom g;
    int oc;         /* outputs of g: the layer's for conv, its inputs for conv_transpose */
    size_t conv_ws; /* nn_conv_ws(g, oc, the network's batch) */
} conv_job;

/* Thread t's share: images [b0, b0 + b) of the layer's tensors, shifted to its first image. */
typedef struct {
    int b;
    const float *x, *y, *dy;
    float *out, *dx;  /* forward output; input gradient (NULL: not needed) */
    float *dw, *db;   /* parameter gradients (NULL: not needed) */
    int beta_p;       /* add into dw, db (only thread 0 adds into the layer's) */
    float *ws;
} conv_part;

static conv_part part_of(const conv_job *j, int t, int nt)
{
    const nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    size_t b0, b1;
    nn_par_range((size_t)c->b, t, nt, &b0, &b1);
    const size_t in_sz = nn_dims_size(L->ind), out_sz = nn_dims_size(L->outd);
    nn_tensor *in = nn_in(L, c, 0), *out = nn_out(L, c);
    conv_part p = {(int)(b1 - b0), in->val + b0 * in_sz, out->val + b0 * out_sz, NULL,
                   out->val + b0 * out_sz, NULL, NULL, NULL, t ? 0 : c->beta_p,
                   c->ws + (size_t)t * c->ws_stride};
    if (out->grad) p.dy = out->grad + b0 * out_sz;
    if (in->grad) p.dx = in->grad + b0 * in_sz;
    if (c->param_grads) {
        p.dw = t ? p.ws + j->conv_ws : L->par[0].g;
        if (L->hp.bias) p.db = t ? p.ws + j->conv_ws + L->par[0].n : L->par[1].g;
    }
    return p;
}

/* Workspace floats of a conv or conv_transpose layer per thread (setup). */
static size_t layer_ws(const nn_layer *L, const nn_conv_geom *g, int oc, const nn_net *net)
{
    return nn_conv_ws(g, oc, net->shape.batch) + L->par[0].n + (L->hp.bias ? L->par[1].n : 0);
}

static void add_into(float *restrict dst, const float *restrict src, size_t n)
{
    NN_LOOP16(i, n, dst[i] += src[i]);
}

/* fn on nt threads, then (backward with parameter gradients) the partial sums of threads
 * 1 .. nt-1 added into the layer's in thread order: deterministic for a thread count. */
static void run(nn_layer *L, const nn_ctx *c, nn_conv_geom g, int oc, nn_par_fn fn, int backward)
{
    conv_job j = {L, c, g, oc, nn_conv_ws(&g, oc, c->net->shape.batch)};
    const int nt = c->threads < c->b ? c->threads : c->b;
    nn_par_run(nt, fn, &j);
    if (!backward || !c->param_grads) return;
    for (int t = 1; t < nt; t++) {
        const float *part = c->ws + (size_t)t * c->ws_stride + j.conv_ws;
        add_into(L->par[0].g, part, L->par[0].n);
        if (L->hp.bias) add_into(L->par[1].g, part + L->par[0].n, L->par[1].n);
    }
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
    L->ws = layer_ws(L, &g, hp->out, net);
    L->macs = (double)hp->out * oh * ow * L->ind.c * rf;
    return 0;
}

static void conv_forward_part(void *arg, int t, int nt)
{
    const conv_job *j = arg;
    const nn_layer *L = j->L;
    const conv_part p = part_of(j, t, nt);
    nn_conv_forward(&j->g, j->oc, p.b, p.x, L->par[0].w, L->hp.bias ? L->par[1].w : NULL,
                    L->relu, 0, p.out, p.ws);
}

static void conv_forward(nn_layer *L, const nn_ctx *c)
{
    run(L, c, conv_geom(L), L->outd.c, conv_forward_part, 0);
}

static void conv_backward_part(void *arg, int t, int nt)
{
    const conv_job *j = arg;
    const nn_layer *L = j->L;
    const conv_part p = part_of(j, t, nt);
    nn_conv_backward(&j->g, j->oc, p.b, p.x, L->par[0].w, p.dy, L->relu ? p.y : NULL, p.dx,
                     L->acc[0], p.dw, p.db, p.beta_p, p.ws);
}

static void conv_backward(nn_layer *L, const nn_ctx *c)
{
    run(L, c, conv_geom(L), L->outd.c, conv_backward_part, 1);
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
    L->ws = layer_ws(L, &g, L->ind.c, net);
    L->macs = (double)L->ind.c * L->ind.h * L->ind.w * hp->out * rf;
    return 0;
}

/* y [b][oc][hw] = bias [o]: col2im then adds into it (in place of zeroing y), so the bias
 * costs no pass of its own (though it keeps conv_core's flipped path off, flip_ok, for the
 * odd stride-1 kernels other than 3x3 that have a bias). */
static void fill_bias(float *y, const float *bias, int b, int oc, size_t hw)
{
    for (int n = 0; n < b; n++)
        for (int o = 0; o < oc; o++) {
            float *restrict r = y + ((size_t)n * oc + o) * hw;
            const float v = bias[o];
            NN_LOOP16(i, hw, r[i] = v);
        }
}

/* y = W^T x then col2im, which is the input gradient of the convolution g from its output
 * gradient x: nn_conv_backward's, on chunks of several images when they are small (up1 of
 * gan_g: 4 input positions per image). */
static void convt_forward_part(void *arg, int t, int nt)
{
    const conv_job *j = arg;
    const nn_layer *L = j->L;
    const conv_part p = part_of(j, t, nt);
    if (L->hp.bias)
        fill_bias(p.out, L->par[1].w, p.b, L->outd.c, (size_t)L->outd.h * L->outd.w);
    nn_conv_backward(&j->g, j->oc, p.b, NULL, L->par[0].w, p.x, NULL, p.out, L->hp.bias, NULL,
                     NULL, 0, p.ws);
}

static void convt_forward(nn_layer *L, const nn_ctx *c)
{
    run(L, c, convt_geom(L), L->ind.c, convt_forward_part, 0);
}

/* dx = W im2col(dy) is the convolution g of dy, and dW = x im2col(dy)^T its weight gradient
 * at dy for the output gradient x: both from one im2col (nn_conv_forward_dw). */
static void convt_backward_part(void *arg, int t, int nt)
{
    const conv_job *j = arg;
    const nn_layer *L = j->L;
    const conv_part p = part_of(j, t, nt);
    if (p.db) {
        const int oc = L->outd.c;
        const size_t hw = (size_t)L->outd.h * L->outd.w;
        for (int o = 0; o < oc; o++) {
            float s = 0.0f;
            for (int n = 0; n < p.b; n++)
                s += nn_masked_sum(p.dy + ((size_t)n * oc + o) * hw, NULL, hw);
            p.db[o] = (p.beta_p ? p.db[o] : 0.0f) + s;
        }
    }
    if (p.dx || p.dw)
        nn_conv_forward_dw(&j->g, j->oc, p.b, p.dy, L->par[0].w, L->acc[0], p.dx, p.x, p.dw,
                           p.beta_p, p.ws);
}

static void convt_backward(nn_layer *L, const nn_ctx *c)
{
    run(L, c, convt_geom(L), L->ind.c, convt_backward_part, 1);
}

const nn_layer_ops nn_convt_ops = {"conv_transpose", convt_setup, convt_forward, convt_backward};
