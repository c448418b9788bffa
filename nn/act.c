/* nn/act.c: element-wise activations: relu, leaky_relu, tanh, sigmoid.
 *
 * Backward reads what torch reads: relu and leaky_relu the sign of the input, tanh and sigmoid
 * their output.  The kernels are small functions with restrict parameters and branch-free
 * selects, so that GCC vectorizes them at -O2 (NN_LOOP16). */
#include <math.h>

#include "nn/layer.h"
#include "nn/par.h"

static int same_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    L->outd = L->ind;
    return 0;
}

static size_t count(const nn_layer *L, const nn_ctx *c) { return (size_t)c->b * nn_dims_size(L->ind); }

/* y = x > 0 ? x : slope x (slope 0: relu). */
static void leaky(const float *restrict x, float *restrict y, size_t n, float slope)
{
    /* max(v, 0) + slope min(v, 0): selects against 0, the form GCC if-converts. */
    NN_LOOP16(i, n, {
        const float v = x[i], pos = v > 0.0f ? v : 0.0f, neg = v < 0.0f ? v : 0.0f;
        y[i] = pos + slope * neg;
    });
}

/* dx (+)= dy * (x > 0 ? 1 : slope). */
static void leaky_grad(const float *restrict x, const float *restrict dy, float *restrict dx,
                       size_t n, float slope, int acc)
{
    if (acc)
        NN_LOOP16(i, n, { const float v = x[i], k = v > 0.0f ? 1.0f : slope; dx[i] += dy[i] * k; });
    else
        NN_LOOP16(i, n, { const float v = x[i], k = v > 0.0f ? 1.0f : slope; dx[i] = dy[i] * k; });
}

/* dx (+)= dy * (tanh ? 1 - y^2 : y (1 - y)), from the output y. */
static void smooth_grad(const float *restrict y, const float *restrict dy, float *restrict dx,
                        size_t n, int tanh_, int acc)
{
    if (tanh_ && acc) NN_LOOP16(i, n, { const float v = y[i]; dx[i] += dy[i] * (1.0f - v * v); });
    else if (tanh_) NN_LOOP16(i, n, { const float v = y[i]; dx[i] = dy[i] * (1.0f - v * v); });
    else if (acc) NN_LOOP16(i, n, { const float v = y[i]; dx[i] += dy[i] * v * (1.0f - v); });
    else NN_LOOP16(i, n, { const float v = y[i]; dx[i] = dy[i] * v * (1.0f - v); });
}

/* Threads split the elements. */
typedef struct {
    nn_layer *L;
    const nn_ctx *c;
    int backward;
} act_job;

static void leaky_part(void *arg, int t, int nt)
{
    const act_job *j = arg;
    nn_layer *L = j->L;
    const nn_ctx *c = j->c;
    nn_tensor *in = nn_in(L, c, 0);
    size_t lo, hi;
    nn_par_range(count(L, c), t, nt, &lo, &hi);
    const float slope = L->type == NN_LT_LRELU ? L->hp.slope : 0.0f;
    if (j->backward)
        leaky_grad(in->val + lo, nn_out(L, c)->grad + lo, in->grad + lo, hi - lo, slope, L->acc[0]);
    else
        leaky(in->val + lo, nn_out(L, c)->val + lo, hi - lo, slope);
}

static void leaky_forward(nn_layer *L, const nn_ctx *c)
{
    act_job j = {L, c, 0};
    nn_par_run(c->threads, leaky_part, &j);
}

static void leaky_backward(nn_layer *L, const nn_ctx *c)
{
    if (!nn_in(L, c, 0)->grad) return;
    act_job j = {L, c, 1};
    nn_par_run(c->threads, leaky_part, &j);
}

const nn_layer_ops nn_relu_ops = {"relu", same_setup, leaky_forward, leaky_backward};
const nn_layer_ops nn_lrelu_ops = {"leaky_relu", same_setup, leaky_forward, leaky_backward};

/* A ReLU fused into the layer before it (net.c): its output is an alias of its input. */
static void nothing(nn_layer *L, const nn_ctx *c)
{
    (void)L, (void)c;
}
const nn_layer_ops nn_fused_relu_ops = {"relu", same_setup, nothing, nothing};

static void tanh_forward(nn_layer *L, const nn_ctx *c)
{
    const size_t n = count(L, c);
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

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

static void smooth_backward(nn_layer *L, const nn_ctx *c)
{
    nn_tensor *in = nn_in(L, c, 0);
    if (!in->grad) return;
    smooth_grad(nn_out(L, c)->val, nn_out(L, c)->grad, in->grad, count(L, c),
                L->type == NN_LT_TANH, L->acc[0]);
}

const nn_layer_ops nn_tanh_ops = {"tanh", same_setup, tanh_forward, smooth_backward};
const nn_layer_ops nn_sigmoid_ops = {"sigmoid", same_setup, sigmoid_forward, smooth_backward};
