/* nn/act.c: element-wise activations: relu, leaky_relu, tanh, sigmoid.
 *
 * Backward reads what torch reads: relu and leaky_relu the sign of the input, tanh and sigmoid
 * their output.  The kernels are small functions with restrict parameters and branch-free
 * selects, so that GCC vectorizes them at -O2 (NN_LOOP16); tanh is written in vectors. */
#include <math.h>
#include <stdint.h>
#include <string.h>

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

/* tanh of four floats in GCC's generic vectors (SSE on x86-64), as libm's tanhf is a call per
 * float (gan_g's output layer: 9 ms for 1 M floats).  For |x| >= 0.625, 1 - 2 / (e^2|x| + 1),
 * with e^y = 2^n e^r, |r| <= ln 2 / 2, and e^r by its Taylor polynomial of degree 7 (relative
 * error 5e-9); below, where that difference would cancel, x + x^3 P(x^2) with P a degree-4
 * polynomial fitted by weighted least squares for the least maximum relative error (5e-9).
 * Against tanh in double over every float in [0, 11]: at most 1.34 ulp (glibc's tanhf: 2.19).
 * |x| is clamped to 10 (from 9.02 on, tanh rounds to 1); a NaN stays NaN, -0 stays -0. */
typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));

static inline f32x4 select4(i32x4 m, f32x4 a, f32x4 b)
{
    return (f32x4)((m & (i32x4)a) | (~m & (i32x4)b));
}

static inline f32x4 tanh4(f32x4 x)
{
    const i32x4 sign = (i32x4)x & (int32_t)0x80000000;
    f32x4 a = (f32x4)((i32x4)x & 0x7fffffff);
    a = select4(a > 10.0f, (f32x4){10.0f, 10.0f, 10.0f, 10.0f}, a);
    const f32x4 y = a + a;
    const i32x4 n = __builtin_convertvector(y * 1.44269504088896341f + 0.5f, i32x4);
    const f32x4 nf = __builtin_convertvector(n, f32x4);
    const f32x4 r = (y - nf * 0.693359375f) - nf * -2.12194440e-4f; /* ln 2 in two parts */
    f32x4 p = r * (1.0f / 5040.0f) + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const f32x4 big = 1.0f - 2.0f / (p * (f32x4)((n + 127) << 23) + 1.0f);
    const f32x4 u = a * a;
    f32x4 q = u * -0.005710041877688432f + 0.020646858636144395f;
    q = q * u + -0.053743493344703484f;
    q = q * u + 0.1333151258852539f;
    q = q * u + -0.333332860952398f;
    const f32x4 small = a + a * u * q;
    return (f32x4)((i32x4)select4(a < 0.625f, small, big) | sign);
}

static void tanh_part(void *arg, int t, int nt)
{
    const act_job *j = arg;
    size_t lo, hi;
    nn_par_range(count(j->L, j->c), t, nt, &lo, &hi);
    const float *x = nn_in(j->L, j->c, 0)->val;
    float *y = nn_out(j->L, j->c)->val;
    size_t i = lo;
    f32x4 v;
    for (; i + 4 <= hi; i += 4) {
        memcpy(&v, x + i, sizeof v);
        v = tanh4(v);
        memcpy(y + i, &v, sizeof v);
    }
    if (i < hi) { /* the last 1 to 3 in a zero-padded vector */
        v = (f32x4){0.0f, 0.0f, 0.0f, 0.0f};
        memcpy(&v, x + i, sizeof(float) * (hi - i));
        v = tanh4(v);
        memcpy(y + i, &v, sizeof(float) * (hi - i));
    }
}

static void tanh_forward(nn_layer *L, const nn_ctx *c)
{
    act_job j = {L, c, 0};
    nn_par_run(c->threads, tanh_part, &j);
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
