/* nn/dense.c: dense (torch.nn.Linear on the flattened input), flatten, and inverted dropout.
 *
 * dense: weight [out][in] (torch's layout), optional bias [out]; the input C x H x W is read as
 * C*H*W features in NCHW order, exactly what torch.flatten(x, 1) gives.
 * dropout: in training each element is kept with probability 1 - p and scaled by 1 / (1 - p)
 * (torch's inverted dropout); the masks come from the network's dropout stream (one uniform draw
 * per element, in memory order), so a re-seeded stream repeats them.  Eval: identity. */
#include <cblas.h>
#include <string.h>

#include "nn/layer.h"

/* ---- dense ---- */

static int dense_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    const int in = (int)nn_dims_size(L->ind), out = L->hp.out;
    L->outd = (nn_dims){out, 1, 1};
    nn_param *w = nn_layer_param(L, "weight", NN_ROLE_WEIGHT, 2, (int[]){out, in});
    w->fan_in = in;
    w->fan_out = out;
    if (L->hp.bias) {
        nn_param *b = nn_layer_param(L, "bias", NN_ROLE_BIAS, 1, (int[]){out});
        b->fan_in = in;
        b->fan_out = out;
    }
    L->macs = (double)in * out;
    return 0;
}

static void dense_forward(nn_layer *L, const nn_ctx *c)
{
    const int in = (int)nn_dims_size(L->ind), out = L->outd.c, B = c->b;
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    if (L->hp.bias) {
        for (int b = 0; b < B; b++) memcpy(y + (size_t)b * out, L->par[1].w, sizeof(float) * out);
    }
    /* y [B][out] (+)= x [B][in] W^T [in][out] */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, out, in, 1.0f, x, in, L->par[0].w,
                in, L->hp.bias ? 1.0f : 0.0f, y, out);
    if (L->relu) { /* fused (net.c) */
        float *restrict r = y;
        NN_LOOP16(i, (size_t)B * out, r[i] = r[i] > 0.0f ? r[i] : 0.0f);
    }
}

static void dense_backward(nn_layer *L, const nn_ctx *c)
{
    const int in = (int)nn_dims_size(L->ind), out = L->outd.c, B = c->b;
    nn_tensor *x = nn_in(L, c, 0);
    const float *dy = nn_out(L, c)->grad;
    if (L->relu) { /* the gradient through the fused ReLU, in the workspace */
        const float *restrict g = dy, *restrict y = nn_out(L, c)->val;
        float *restrict m = c->ws;
        NN_LOOP16(i, (size_t)B * out, { const float d = g[i], v = y[i]; m[i] = v > 0.0f ? d : 0.0f; });
        dy = c->ws;
    }
    if (c->param_grads) {
        /* dW [out][in] (+)= dy^T [out][B] x [B][in] */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, B, 1.0f, dy, out, x->val,
                    in, c->beta_p ? 1.0f : 0.0f, L->par[0].g, in);
        if (L->hp.bias) {
            float *db = L->par[1].g;
            for (int o = 0; o < out; o++) {
                float s = c->beta_p ? db[o] : 0.0f;
                for (int b = 0; b < B; b++) s += dy[(size_t)b * out + o];
                db[o] = s;
            }
        }
    }
    if (x->grad) /* dx [B][in] (+)= dy [B][out] W [out][in] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, in, out, 1.0f, dy, out,
                    L->par[0].w, in, L->acc[0] ? 1.0f : 0.0f, x->grad, in);
}

const nn_layer_ops nn_dense_ops = {"dense", dense_setup, dense_forward, dense_backward};

/* ---- flatten ---- */

static int flatten_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    L->outd = (nn_dims){(int)nn_dims_size(L->ind), 1, 1};
    return 0;
}

static void copy_forward(nn_layer *L, const nn_ctx *c)
{
    memcpy(nn_out(L, c)->val, nn_in(L, c, 0)->val,
           sizeof(float) * (size_t)c->b * nn_dims_size(L->ind));
}

static void copy_backward(nn_layer *L, const nn_ctx *c)
{
    nn_tensor *in = nn_in(L, c, 0);
    if (!in->grad) return;
    const size_t n = (size_t)c->b * nn_dims_size(L->ind);
    const float *dy = nn_out(L, c)->grad;
    if (L->acc[0])
        for (size_t i = 0; i < n; i++) in->grad[i] += dy[i];
    else
        memcpy(in->grad, dy, sizeof(float) * n);
}

const nn_layer_ops nn_flatten_ops = {"flatten", flatten_setup, copy_forward, copy_backward};

/* ---- dropout ---- */

static int dropout_setup(nn_layer *L, nn_net *net)
{
    L->outd = L->ind;
    L->n_save = (size_t)net->shape.batch * nn_dims_size(L->ind); /* the mask, scale included */
    return 0;
}

static void dropout_forward(nn_layer *L, const nn_ctx *c)
{
    if (!c->train || L->hp.rate <= 0.0f) {
        copy_forward(L, c);
        return;
    }
    const size_t n = (size_t)c->b * nn_dims_size(L->ind);
    const float keep = 1.0f - L->hp.rate, scale = 1.0f / keep;
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val, *mask = L->save;
    for (size_t i = 0; i < n; i++) {
        mask[i] = sc_rng_uniformf(c->rng) < keep ? scale : 0.0f;
        y[i] = x[i] * mask[i];
    }
}

static void dropout_backward(nn_layer *L, const nn_ctx *c)
{
    if (!c->train || L->hp.rate <= 0.0f) {
        copy_backward(L, c);
        return;
    }
    nn_tensor *in = nn_in(L, c, 0);
    if (!in->grad) return;
    const size_t n = (size_t)c->b * nn_dims_size(L->ind);
    const float *dy = nn_out(L, c)->grad, *mask = L->save;
    if (L->acc[0])
        for (size_t i = 0; i < n; i++) in->grad[i] += dy[i] * mask[i];
    else
        for (size_t i = 0; i < n; i++) in->grad[i] = dy[i] * mask[i];
}

const nn_layer_ops nn_dropout_ops = {"dropout", dropout_setup, dropout_forward, dropout_backward};
