/* nn/pool.c: maxpool, avgpool, adaptive_avgpool and global_avgpool, as torch's (floor mode).
 *
 * maxpool: padding reads -inf, ties go to the first position in the window (row-major), as in
 *          torch's CPU kernel; forward keeps the winner's index for backward.
 * avgpool: count_include_pad (torch's default): every window divides by kh * kw.
 * adaptive_avgpool: output cell i averages input positions [floor(i in / out),
 *          ceil((i + 1) in / out)), as torch.nn.AdaptiveAvgPool2d. */
#include <math.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/par.h"
#include "util/error.h"

static int window_setup(nn_layer *L)
{
    const nn_hp *hp = &L->hp;
    for (int d = 0; d < 2; d++) {
        if (2 * hp->p[d] > hp->k[d]) {
            sc_err_set(NULL, 0, "key 'pad' %d must be at most half the kernel %d", hp->p[d],
                       hp->k[d]);
            return -1;
        }
    }
    int oh, ow;
    if (nn_conv_out_size("key 'kernel': height", L->ind.h, hp->k[0], hp->s[0], hp->p[0], &oh) ||
        nn_conv_out_size("key 'kernel': width", L->ind.w, hp->k[1], hp->s[1], hp->p[1], &ow))
        return -1;
    L->outd = (nn_dims){L->ind.c, oh, ow};
    return 0;
}

/* Threads split the planes (image x channel) of every pooling layer. */
typedef void (*plane_fn)(nn_layer *L, const nn_ctx *c, int p0, int p1);
typedef struct {
    plane_fn fn;
    nn_layer *L;
    const nn_ctx *c;
} plane_job;

static void plane_part(void *arg, int t, int nt)
{
    plane_job *j = arg;
    size_t p0, p1;
    nn_par_range((size_t)j->c->b * j->L->ind.c, t, nt, &p0, &p1);
    if (p1 > p0) j->fn(j->L, j->c, (int)p0, (int)p1);
}

static void over_planes(plane_fn fn, nn_layer *L, const nn_ctx *c)
{
    plane_job j = {fn, L, c};
    nn_par_run(c->threads, plane_part, &j);
}

/* ---- maxpool ---- */

static int maxpool_setup(nn_layer *L, nn_net *net)
{
    if (window_setup(L) != 0) return -1;
    L->n_isave = (size_t)net->shape.batch * nn_dims_size(L->outd);
    return 0;
}

/* best/bi <- (v, idx) if v is larger, written for conditional moves: window maxima of random
 * data are unpredictable branches.  NaN is handled by the caller (see below). */
static inline void take_max(float v, int32_t idx, float *best, int32_t *bi)
{
    /* Select through integer masks: GCC turns float ternaries into branches here. */
    const uint32_t m = 0u - (uint32_t)(v > *best);
    uint32_t vb, bb;
    memcpy(&vb, &v, 4);
    memcpy(&bb, best, 4);
    bb = (vb & m) | (bb & ~m);
    memcpy(best, &bb, 4);
    *bi = (int32_t)(((uint32_t)idx & m) | ((uint32_t)*bi & ~m));
}

/* The vector path (no NaN in the plane): the kh input rows an output row reads are copied,
 * padded with -inf and split into sw phases (phase q holds padded columns q, q + sw, ...), so
 * that candidate (k, j) of outputs ow, ow + 1, ... is a contiguous run (column ow * sw + j is
 * entry ow + j / sw of phase j % sw).  Four outputs at a time, the candidates in window order,
 * a later one winning only if strictly larger: the first maximum, as in torch, in compares and
 * bitwise selects (GCC's generic vectors; SSE2 on x86-64).  dspic's 3x3/2 pool at 2x256x64:
 * 14.2 -> 8.6 ms per forward (BENCHMARKS.md, change 9). */
typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
#define POOL_SPLIT_MAX 8192 /* floats of the split rows on the stack; larger rows go scalar */

static int split_len(const nn_layer *L)
{
    return (L->ind.w + 2 * L->hp.p[1] + L->hp.s[1] - 1) / L->hp.s[1];
}

static int vector_ok(const nn_layer *L)
{
    return L->hp.k[0] <= 16 && L->hp.k[1] <= 16 && (size_t)L->hp.k[0] * L->hp.s[1] * split_len(L) <= POOL_SPLIT_MAX;
}

static void maxpool_row_vec(const nn_layer *L, const float *xp, int oh, float *yr, int32_t *ir)
{
    const nn_hp *hp = &L->hp;
    const int H = L->ind.h, W = L->ind.w, OW = L->outd.w, sw = hp->s[1], pw = hp->p[1];
    const int pl = split_len(L), h0 = oh * hp->s[0] - hp->p[0];
    float split[POOL_SPLIT_MAX];
    int rows[16], nk = 0; /* the window rows inside the image */
    for (int k = 0; k < hp->k[0]; k++) {
        const int h = h0 + k;
        if (h < 0 || h >= H) continue;
        float *d = split + (size_t)nk * sw * pl;
        const float *src = xp + (size_t)h * W;
        for (int q = 0; q < sw; q++) { /* entry t of phase q: input column q + t * sw - pw */
            float *dq = d + (size_t)q * pl;
            int lo = (pw - q + sw - 1) / sw, hi = (W + pw - q + sw - 1) / sw;
            if (lo < 0) lo = 0;
            for (int t = 0; t < lo; t++) dq[t] = -INFINITY;
            if (sw == 2)
                for (int t = lo; t < hi; t++) dq[t] = src[q + 2 * t - pw];
            else
                for (int t = lo; t < hi; t++) dq[t] = src[q + t * sw - pw];
            for (int t = hi; t < pl; t++) dq[t] = -INFINITY;
        }
        rows[nk++] = h;
    }
    const int hv0 = rows[0];
    const i32x4 lanes = {0, sw, 2 * sw, 3 * sw};
    int off[16]; /* kernel column j: entry j / sw of phase j % sw */
    for (int j = 0; j < hp->k[1]; j++) off[j] = (j % sw) * pl + j / sw;
    int ow = 0;
    for (; ow + 4 <= OW; ow += 4) {
        f32x4 best = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
        i32x4 bi;
        for (int l = 0; l < 4; l++) {
            const int w0 = (ow + l) * sw - pw;
            bi[l] = hv0 * W + (w0 > 0 ? w0 : 0);
        }
        for (int k = 0; k < nk; k++)
            for (int j = 0; j < hp->k[1]; j++) {
                f32x4 v;
                memcpy(&v, split + (size_t)k * sw * pl + off[j] + ow, sizeof v);
                const i32x4 idx = lanes + (rows[k] * W + ow * sw - pw + j);
                const i32x4 m = v > best;
                best = (f32x4)(((i32x4)v & m) | ((i32x4)best & ~m));
                bi = (idx & m) | (bi & ~m);
            }
        memcpy(yr + ow, &best, sizeof best);
        memcpy(ir + ow, &bi, sizeof bi);
    }
    for (; ow < OW; ow++) {
        const int w0 = ow * sw - pw;
        float best = -INFINITY;
        int32_t bi = hv0 * W + (w0 > 0 ? w0 : 0);
        for (int k = 0; k < nk; k++)
            for (int j = 0; j < hp->k[1]; j++)
                take_max(split[(size_t)k * sw * pl + off[j] + ow], rows[k] * W + w0 + j,
                         &best, &bi);
        yr[ow] = best;
        ir[ow] = bi;
    }
}

/* One plane.  exact = 1: torch's rule, a NaN wins (and stays); else NaN ignored. */
static void maxpool_plane(const nn_layer *L, const float *xp, float *yp, int32_t *ip, int exact)
{
    const nn_hp *hp = &L->hp;
    const int H = L->ind.h, W = L->ind.w, OH = L->outd.h, OW = L->outd.w;
    /* Rows of at least 16 outputs in vectors (narrower ones spend more on the split rows). */
    if (!exact && OW >= 16 && vector_ok(L)) {
        for (int oh = 0; oh < OH; oh++)
            maxpool_row_vec(L, xp, oh, yp + (size_t)oh * OW, ip + (size_t)oh * OW);
        return;
    }
    if (!exact && hp->k[0] == 2 && hp->k[1] == 2 && hp->s[0] == 2 && hp->s[1] == 2 &&
        hp->p[0] == 0 && hp->p[1] == 0) { /* the common 2x2/2 pool: windows inside the image */
        for (int oh = 0; oh < OH; oh++) {
            const float *r0 = xp + (size_t)2 * oh * W, *r1 = r0 + W;
            for (int ow = 0; ow < OW; ow++) {
                const int32_t i0 = 2 * oh * W + 2 * ow;
                float best = r0[2 * ow];
                int32_t bi = i0;
                take_max(r0[2 * ow + 1], i0 + 1, &best, &bi);
                take_max(r1[2 * ow], i0 + W, &best, &bi);
                take_max(r1[2 * ow + 1], i0 + W + 1, &best, &bi);
                yp[oh * OW + ow] = best;
                ip[oh * OW + ow] = bi;
            }
        }
        return;
    }
    const int k33 = !exact && hp->k[0] == 3 && hp->k[1] == 3; /* AlexNet's and dspic's 3x3/2 */
    for (int oh = 0; oh < OH; oh++) {
        int h0 = oh * hp->s[0] - hp->p[0], h1 = h0 + hp->k[0];
        if (h0 < 0) h0 = 0;
        if (h1 > H) h1 = H;
        for (int ow = 0; ow < OW; ow++) {
            int w0 = ow * hp->s[1] - hp->p[1], w1 = w0 + hp->k[1];
            if (k33 && h1 - h0 == 3 && w0 >= 0 && w1 <= W) { /* an interior window, unrolled */
                /* Per row, then across rows: merging ordered groups (a later group wins only
                 * if strictly larger) keeps the first maximum in row-major order, and the
                 * three rows are independent chains. */
                const float *r = xp + (size_t)h0 * W + w0;
                const int32_t i0 = h0 * W + w0;
                float m[3];
                int32_t mi[3];
                for (int k = 0; k < 3; k++) {
                    const float *rk = r + (size_t)k * W;
                    m[k] = rk[0];
                    mi[k] = i0 + k * W;
                    take_max(rk[1], mi[k] + 1, &m[k], &mi[k]);
                    take_max(rk[2], i0 + k * W + 2, &m[k], &mi[k]);
                }
                take_max(m[1], mi[1], &m[0], &mi[0]);
                take_max(m[2], mi[2], &m[0], &mi[0]);
                yp[oh * OW + ow] = m[0];
                ip[oh * OW + ow] = mi[0];
                continue;
            }
            if (w0 < 0) w0 = 0;
            if (w1 > W) w1 = W;
            float best = -INFINITY;
            int32_t bi = h0 * W + w0;
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++) {
                    const float v = xp[h * W + w];
                    if (exact) {
                        if (v > best || isnan(v)) best = v, bi = h * W + w;
                    } else {
                        take_max(v, h * W + w, &best, &bi);
                    }
                }
            yp[oh * OW + ow] = best;
            ip[oh * OW + ow] = bi;
        }
    }
}

/* Any NaN (or infinity) in n floats: their sum times 0 is NaN exactly then (plain arithmetic,
 * which vectorizes, unlike a comparison per element). */
static int has_nan(const float *restrict x, size_t n)
{
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += x[i + j] * 0.0f;
    float s = 0.0f;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s += x[i] * 0.0f;
    return s != s;
}

static void maxpool_forward_planes(nn_layer *L, const nn_ctx *c, int p0, int p1)
{
    const size_t in_pl = (size_t)L->ind.h * L->ind.w, out_pl = (size_t)L->outd.h * L->outd.w;
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    /* A NaN must come out as in torch (so that a diverging run is seen as one): rare, so the
     * exact, branchy path runs only for planes that have one. */
    for (int pl = p0; pl < p1; pl++) {
        const float *xp = x + (size_t)pl * in_pl;
        maxpool_plane(L, xp, y + (size_t)pl * out_pl, L->isave + (size_t)pl * out_pl,
                      has_nan(xp, in_pl));
    }
}

static void maxpool_backward_planes(nn_layer *L, const nn_ctx *c, int p0, int p1)
{
    nn_tensor *in = nn_in(L, c, 0);
    if (!in->grad) return;
    const size_t ip_sz = (size_t)L->ind.h * L->ind.w, op_sz = (size_t)L->outd.h * L->outd.w;
    const float *dy = nn_out(L, c)->grad;
    if (!L->acc[0]) memset(in->grad + (size_t)p0 * ip_sz, 0, sizeof(float) * (p1 - p0) * ip_sz);
    for (int pl = p0; pl < p1; pl++) {
        float *dxp = in->grad + (size_t)pl * ip_sz;
        const float *dyp = dy + (size_t)pl * op_sz;
        const int32_t *ip = L->isave + (size_t)pl * op_sz;
        for (size_t o = 0; o < op_sz; o++) dxp[ip[o]] += dyp[o];
    }
}

static void maxpool_forward(nn_layer *L, const nn_ctx *c) { over_planes(maxpool_forward_planes, L, c); }
static void maxpool_backward(nn_layer *L, const nn_ctx *c)
{
    if (nn_in(L, c, 0)->grad) over_planes(maxpool_backward_planes, L, c);
}

const nn_layer_ops nn_maxpool_ops = {"maxpool", maxpool_setup, maxpool_forward, maxpool_backward};

/* ---- avgpool, adaptive_avgpool, global_avgpool: one implementation over per-axis bins ---- */

/* Bin o of an axis covers input positions [lo, hi); the divisor is given separately because
 * avgpool counts the padding. */
static void bin(const nn_layer *L, int axis, int o, int *lo, int *hi)
{
    const int n = axis ? L->ind.w : L->ind.h, out = axis ? L->outd.w : L->outd.h;
    if (L->type == NN_LT_AVGPOOL) {
        *lo = o * L->hp.s[axis] - L->hp.p[axis];
        *hi = *lo + L->hp.k[axis];
        if (*lo < 0) *lo = 0;
        if (*hi > n) *hi = n;
    } else { /* adaptive (global = adaptive to 1x1) */
        *lo = (int)(((long)o * n) / out);
        *hi = (int)(((long)(o + 1) * n + out - 1) / out);
    }
}

static float divisor(const nn_layer *L, int h0, int h1, int w0, int w1)
{
    if (L->type == NN_LT_AVGPOOL) return (float)(L->hp.k[0] * L->hp.k[1]);
    return (float)((h1 - h0) * (w1 - w0));
}

static int avgpool_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    return window_setup(L);
}

static int adaptive_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    L->outd = (nn_dims){L->ind.c, L->hp.size[0], L->hp.size[1]};
    return 0;
}

static int gap_setup(nn_layer *L, nn_net *net)
{
    (void)net;
    L->outd = (nn_dims){L->ind.c, 1, 1};
    return 0;
}

static void avg_forward_planes(nn_layer *L, const nn_ctx *c, int p0, int p1)
{
    const int H = L->ind.h, W = L->ind.w, OH = L->outd.h, OW = L->outd.w;
    const float *x = nn_in(L, c, 0)->val;
    float *y = nn_out(L, c)->val;
    for (int pl = p0; pl < p1; pl++) {
        const float *xp = x + (size_t)pl * H * W;
        float *yp = y + (size_t)pl * OH * OW;
        for (int oh = 0; oh < OH; oh++) {
            int h0, h1;
            bin(L, 0, oh, &h0, &h1);
            for (int ow = 0; ow < OW; ow++) {
                int w0, w1;
                bin(L, 1, ow, &w0, &w1);
                float s = 0.0f;
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) s += xp[h * W + w];
                yp[oh * OW + ow] = s / divisor(L, h0, h1, w0, w1);
            }
        }
    }
}

static void avg_backward_planes(nn_layer *L, const nn_ctx *c, int p0, int p1)
{
    nn_tensor *in = nn_in(L, c, 0);
    if (!in->grad) return;
    const int H = L->ind.h, W = L->ind.w, OH = L->outd.h, OW = L->outd.w;
    const float *dy = nn_out(L, c)->grad;
    if (!L->acc[0])
        memset(in->grad + (size_t)p0 * H * W, 0, sizeof(float) * (p1 - p0) * (size_t)H * W);
    for (int pl = p0; pl < p1; pl++) {
        float *dxp = in->grad + (size_t)pl * H * W;
        const float *dyp = dy + (size_t)pl * OH * OW;
        for (int oh = 0; oh < OH; oh++) {
            int h0, h1;
            bin(L, 0, oh, &h0, &h1);
            for (int ow = 0; ow < OW; ow++) {
                int w0, w1;
                bin(L, 1, ow, &w0, &w1);
                const float g = dyp[oh * OW + ow] / divisor(L, h0, h1, w0, w1);
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) dxp[h * W + w] += g;
            }
        }
    }
}

static void avg_forward(nn_layer *L, const nn_ctx *c) { over_planes(avg_forward_planes, L, c); }
static void avg_backward(nn_layer *L, const nn_ctx *c)
{
    if (nn_in(L, c, 0)->grad) over_planes(avg_backward_planes, L, c);
}

const nn_layer_ops nn_avgpool_ops = {"avgpool", avgpool_setup, avg_forward, avg_backward};
const nn_layer_ops nn_adaptive_avgpool_ops = {"adaptive_avgpool", adaptive_setup, avg_forward,
                                              avg_backward};
const nn_layer_ops nn_gap_ops = {"global_avgpool", gap_setup, avg_forward, avg_backward};
