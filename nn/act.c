/* nn/act.c: element-wise activations: relu, leaky_relu, tanh, sigmoid.
 *
 * Backward reads what torch reads: relu and leaky_relu the sign of the input, tanh and sigmoid
 * their output. */
#include <math.h>

#include "nn/layer.h"

static int same_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    L->outd = L->ind;
    return 0;
}

static size_t count(const nn_layer *L, const nn_ctx *c) { return (size_t)c->b * nn_dims_size(L->ind); }

/* dx (+)= dy * f'(...) with the derivative given by EXPR over x (input) and y (output). */
#define ACT_BACKWARD(NAME, EXPR)                                                                   \
    static void NAME(nn_layer *L, const nn_ctx *c)                                                 \
    {                                                                                              \
        nn_tensor *in = nn_in(L, c, 0);                                                            \
        if (!in->grad) return;                                                                     \
        const size_t n = count(L, c);                                                              \
        const float *x = in->val, *y = nn_out(L, c)->val, *dy = nn_out(L, c)->grad;               \
        const float slope = L->hp.slope;                                                           \
        float *dx = in->grad;                                                                      \
        (void)x, (void)y, (void)slope;                                                             \
        if (L->acc[0])                                                                             \
            for (size_t i = 0; i < n; i++) dx[i] += dy[i] * (EXPR);                                \
        else                                                                                       \
            for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (EXPR);                                 \
    }

static void relu_forward(nn_layer *L, const nn_ctx *c)
{
    const size_t n = count(L, c);
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
ACT_BACKWARD(relu_backward, x[i] > 0.0f ? 1.0f : 0.0f)
const nn_layer_ops nn_relu_ops = {"relu", same_setup, relu_forward, relu_backward};

static void lrelu_forward(nn_layer *L, const nn_ctx *c)
{
    const size_t n = count(L, c);
    const float *x = nn_in(L, c, 0)->val, s = L->hp.slope;
    float *y = nn_out(L, c)->val;
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : x[i] * s;
}
ACT_BACKWARD(lrelu_backward, x[i] > 0.0f ? 1.0f : slope)
const nn_layer_ops nn_lrelu_ops = {"leaky_relu", same_setup, lrelu_forward, lrelu_backward};

static void tanh_forward(nn_layer *L, const nn_ctx *c)
{
    const size_t n = count(L, c);
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}
ACT_BACKWARD(tanh_backward, 1.0f - y[i] * y[i])
const nn_layer_ops nn_tanh_ops = {"tanh", same_setup, tanh_forward, tanh_backward};

static void sigmoid_forward(nn_layer *L, const nn_ctx *c)
{
    const size_t n = count(L, c);
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    /* Written so that neither branch overflows: exp of a non-positive number only. */
    for (size_t i = 0; i < n; i++) {
        float e = expf(-fabsf(x[i]));
        y[i] = x[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}
ACT_BACKWARD(sigmoid_backward, y[i] * (1.0f - y[i]))
const nn_layer_ops nn_sigmoid_ops = {"sigmoid", same_setup, sigmoid_forward, sigmoid_backward};
