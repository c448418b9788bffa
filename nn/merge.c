/* nn/merge.c: the layers that join branches: "add" (the end of a residual block: body output +
 * shortcut output) and "concat" (branch outputs stacked along channels, in branch order). */
#include <string.h>

#include "nn/layer.h"
#include "util/error.h"

static int add_setup(nn_layer *L, nn_net *net)
{
    nn_dims a = net->t[L->in[0]].d, b = net->t[L->in[1]].d;
    if (a.c != b.c || a.h != b.h || a.w != b.w) {
        sc_err_set(NULL, 0, "key 'body': its output %dx%dx%d does not match the shortcut's "
                   "%dx%dx%d (give the block a projection shortcut)", a.c, a.h, a.w, b.c, b.h,
                   b.w);
        return -1;
    }
    L->outd = a;
    return 0;
}

static void add_forward(nn_layer *L, const nn_ctx *c)
{
    const size_t n = (size_t)c->b * nn_dims_size(L->outd);
    const float *a = nn_in(L, c, 0)->val, *b = nn_in(L, c, 1)->val;
    float *y = nn_out(L, c)->val;
    for (size_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

static void add_backward(nn_layer *L, const nn_ctx *c)
{
    const size_t n = (size_t)c->b * nn_dims_size(L->outd);
    const float *dy = nn_out(L, c)->grad;
    for (int k = 0; k < 2; k++) {
        float *dx = nn_in(L, c, k)->grad;
        if (!dx) continue;
        if (L->acc[k])
            for (size_t i = 0; i < n; i++) dx[i] += dy[i];
        else
            memcpy(dx, dy, sizeof(float) * n);
    }
}

const nn_layer_ops nn_add_ops = {"residual", add_setup, add_forward, add_backward};

static int concat_setup(nn_layer *L, nn_net *net)
{
    nn_dims o = net->t[L->in[0]].d;
    o.c = 0;
    for (int k = 0; k < L->n_in; k++) {
        nn_dims d = net->t[L->in[k]].d;
        if (d.h != o.h || d.w != o.w) {
            sc_err_set(NULL, 0, "key 'branches': branch %d gives %dx%d positions, branch 1 gives "
                       "%dx%d (they must match to concatenate)", k + 1, d.h, d.w, o.h, o.w);
            return -1;
        }
        o.c += d.c;
    }
    L->outd = o;
    return 0;
}

static void concat_forward(nn_layer *L, const nn_ctx *c)
{
    const size_t out_sz = nn_dims_size(L->outd);
    float *y = nn_out(L, c)->val;
    size_t off = 0;
    for (int k = 0; k < L->n_in; k++) {
        nn_tensor *t = nn_in(L, c, k);
        const size_t sz = nn_dims_size(t->d);
        for (int b = 0; b < c->b; b++)
            memcpy(y + (size_t)b * out_sz + off, t->val + (size_t)b * sz, sizeof(float) * sz);
        off += sz;
    }
}

static void concat_backward(nn_layer *L, const nn_ctx *c)
{
    const size_t out_sz = nn_dims_size(L->outd);
    const float *dy = nn_out(L, c)->grad;
    size_t off = 0;
    for (int k = 0; k < L->n_in; k++) {
        nn_tensor *t = nn_in(L, c, k);
        const size_t sz = nn_dims_size(t->d);
        if (t->grad) {
            for (int b = 0; b < c->b; b++) {
                const float *src = dy + (size_t)b * out_sz + off;
                float *dst = t->grad + (size_t)b * sz;
                if (L->acc[k])
                    for (size_t i = 0; i < sz; i++) dst[i] += src[i];
                else
                    memcpy(dst, src, sizeof(float) * sz);
            }
        }
        off += sz;
    }
}

const nn_layer_ops nn_concat_ops = {"concat", concat_setup, concat_forward, concat_backward};
