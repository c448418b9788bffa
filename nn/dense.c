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
#include "nn/par.h"

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

/* Threads split the output features (forward, weight gradient) and the input features
 * (input gradient): every element is computed by one thread, whatever the thread count. */
typedef struct {
    nn_layer *L;
    const nn_ctx *c;
    const float *dy;
} dense_job;

static void dense_forward_part(void *arg, int t, int nt)
{
    dense_job *j = arg;
    nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    const int in = (int)nn_dims_size(L->ind), out = L->outd.c, B = c->b;
    size_t o0, o1;
    nn_par_range((size_t)out, t, nt, &o0, &o1);
    if (o1 == o0) return;
    const int n = (int)(o1 - o0);
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val + o0;
    if (L->hp.bias)
        for (int b = 0; b < B; b++) memcpy(y + (size_t)b * out, L->par[1].w + o0, sizeof(float) * n);
    /* y [B][o0:o1] (+)= x [B][in] W[o0:o1]^T */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, n, in, 1.0f, x, in,
                L->par[0].w + o0 * in, in, L->hp.bias ? 1.0f : 0.0f, y, out);
    if (L->relu) /* fused (net.c) */
        for (int b = 0; b < B; b++) {
            float *restrict r = y + (size_t)b * out;
            NN_LOOP16(i, (size_t)n, r[i] = r[i] > 0.0f ? r[i] : 0.0f);
        }
}

static void dense_forward(nn_layer *L, const nn_ctx *c)
{
    dense_job j = {L, c, NULL};
    nn_par_run(c->threads, dense_forward_part, &j);
}

static void dense_backward_part(void *arg, int t, int nt)
{
    dense_job *j = arg;
    nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    const int in = (int)nn_dims_size(L->ind), out = L->outd.c, B = c->b;
    nn_tensor *x = nn_in(L, c, 0);
    const float *dy = j->dy;
    size_t lo, hi;
    if (c->param_grads) {
        nn_par_range((size_t)out, t, nt, &lo, &hi);
        if (hi > lo) {
            /* dW [o0:o1][in] (+)= dy[:, o0:o1]^T [n][B] x [B][in] */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(hi - lo), in, B, 1.0f,
                        dy + lo, out, x->val, in, c->beta_p ? 1.0f : 0.0f,
                        L->par[0].g + lo * in, in);
            if (L->hp.bias) {
                float *db = L->par[1].g;
                for (size_t o = lo; o < hi; o++) {
                    float s = c->beta_p ? db[o] : 0.0f;
                    for (int b = 0; b < B; b++) s += dy[(size_t)b * out + o];
                    db[o] = s;
                }
            }
        }
    }
    if (!x->grad) return;
    nn_par_range((size_t)in, t, nt, &lo, &hi);
    if (hi > lo) /* dx [B][i0:i1] (+)= dy [B][out] W[:, i0:i1] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, (int)(hi - lo), out, 1.0f, dy,
                    out, L->par[0].w + lo, in, L->acc[0] ? 1.0f : 0.0f, x->grad + lo, in);
}

static void dense_backward(nn_layer *L, const nn_ctx *c)
{
    const int out = L->outd.c, B = c->b;
    dense_job j = {L, c, nn_out(L, c)->grad};
    if (L->relu) { /* the gradient through the fused ReLU, in the workspace */
        const float *restrict g = j.dy, *restrict y = nn_out(L, c)->val;
        float *restrict m = c->ws;
        NN_LOOP16(i, (size_t)B * out, { const float d = g[i], v = y[i]; m[i] = v > 0.0f ? d : 0.0f; });
        j.dy = c->ws;
    }
    nn_par_run(c->threads, dense_backward_part, &j);
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
