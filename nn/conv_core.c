/* nn/conv_core.c: the convolution GEMMs (see conv_core.h; im2col is in im2col.c).
 *
 * The work is cut into chunks of about NN_CONV_COLUMNS output positions, each one GEMM: a
 * block of output rows of one image when an image has more positions than that (its whole
 * column matrix would not stay in cache), or several whole images side by side when it has
 * fewer (thin GEMMs that would repack the weights for every image).  A 1x1 stride-1 unpadded
 * convolution is one GEMM per image on x itself.  The input gradient of a "same" convolution
 * with no more outputs than inputs is itself a convolution (flip_ok).  3x3 stride-1
 * convolutions go to winograd.c instead, unless g->gemm. */
#include "nn/conv_core.h"

#include <cblas.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/winograd.h"

int nn_geom_is_pointwise(const nn_conv_geom *g)
{
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0;
}

typedef struct {
    int nb;   /* images per chunk */
    int rows; /* output rows per chunk (all of them when nb > 1) */
} plan;

static plan make_plan(const nn_conv_geom *g, int batch)
{
    const size_t n = nn_geom_n(g);
    plan p = {1, g->oh};
    if (nn_geom_is_pointwise(g)) return p;
    if (n >= NN_CONV_COLUMNS) {
        int r = (int)((NN_CONV_COLUMNS + g->ow - 1) / g->ow);
        p.rows = r < g->oh ? r : g->oh;
    } else {
        size_t nb = (NN_CONV_COLUMNS + n - 1) / n;
        p.nb = (int)(nb < (size_t)batch ? nb : (size_t)batch);
    }
    return p;
}

static size_t chunk_cols(const nn_conv_geom *g, plan p) { return (size_t)p.nb * p.rows * g->ow; }

/* 1 if the weight gradient is computed transposed (nn_conv_backward): dW^T [K][oc] = col grad^T,
 * added into dW transposed at the end, instead of dW [oc][K] = grad col^T.  OpenBLAS runs the
 * transposed product much faster for few output channels (BENCHMARKS.md, change 6, a cblas_sgemm
 * micro-benchmark at the convolutions' shapes: oc 32 44.7 -> 73.3 GFLOP/s, oc 64 65.3 -> 87.2,
 * oc 128 85.2 -> 96.0) and no faster at oc 256 (92 vs 95, where transposing back costs more than
 * it gains): hence the bound.  Both give the same sums in a different order, so it is a speed
 * choice; results of a network with oc near the bound move in the last bits if it changes. */
#define DW_TRANSPOSED_MAX_OC 128
static int dw_transposed(int oc) { return oc <= DW_TRANSPOSED_MAX_OC; }

/* A stride-1 convolution with odd kernels and "same" padding in both directions: its input
 * gradient is the same kind of convolution of the output gradient, with the weights flipped
 * and in and out swapped, W' [c][oc][kh][kw] = W [oc][c][kh-1-i][kw-1-j].  Computed so, the
 * input gradient is written once, instead of through a column matrix that col2im adds into a
 * zeroed input gradient kh*kw times (nn_conv_backward). */
static int flip_ok(const nn_conv_geom *g)
{
    return g->sh == 1 && g->sw == 1 && g->kh % 2 && g->kw % 2 && g->ph == g->kh / 2 &&
           g->pw == g->kw / 2 && g->oh == g->h && g->ow == g->w && !nn_geom_is_pointwise(g);
}

static nn_conv_geom flipped(const nn_conv_geom *g, int oc)
{
    nn_conv_geom f = *g;
    f.c = oc;
    return f;
}

/* The GEMM workspace, in this order (offsets in floats): the column matrix, the grouped
 * product (forward) or the (masked) output gradient (backward), the transposed weight
 * gradient, im2col's scratch. */
typedef struct {
    size_t prod, dwt, pad, total; /* the column matrix is at 0 */
} ws_layout;

static ws_layout layout(const nn_conv_geom *g, int oc, plan p)
{
    const size_t cols = chunk_cols(g, p), K = nn_geom_k(g);
    ws_layout l;
    l.prod = nn_geom_is_pointwise(g) ? 0 : K * cols;
    l.dwt = l.prod + (size_t)oc * cols;
    l.pad = l.dwt + (dw_transposed(oc) ? K * oc : 0);
    l.total = l.pad + nn_im2col_pad(g, p.rows);
    return l;
}

/* Workspace of nn_conv_forward, and of nn_conv_backward without the flip. */
static size_t gemm_ws(const nn_conv_geom *g, int oc, int batch)
{
    return layout(g, oc, make_plan(g, batch)).total;
}

size_t nn_conv_ws(const nn_conv_geom *g, int oc, int batch)
{
    if (nn_wino_ok(g)) return nn_wino_ws(g, oc, batch);
    size_t n = gemm_ws(g, oc, batch);
    if (oc <= g->c && flip_ok(g)) { /* the flipped weights, then the flipped conv's workspace */
        const nn_conv_geom f = flipped(g, oc);
        const size_t nf = (size_t)g->c * nn_geom_k(&f) + gemm_ws(&f, g->c, batch);
        if (nf > n) n = nf;
    }
    return n;
}

/* dst = (dst if acc) + src + bias, then max(0, .) with a fused ReLU (dst may be src, without
 * acc). */
static void bias_relu(float *dst, const float *src, float bias, size_t n, int relu, int acc)
{
    if (acc)
        NN_LOOP16(i, n, {
            const float v = dst[i] + src[i] + bias;
            dst[i] = relu && !(v > 0.0f) ? 0.0f : v;
        });
    else if (relu)
        NN_LOOP16(i, n, { float v = src[i] + bias; dst[i] = v > 0.0f ? v : 0.0f; });
    else if (dst != src || bias != 0.0f)
        NN_LOOP16(i, n, dst[i] = src[i] + bias);
}

/* out = dy, masked by y > 0 when y is not NULL (the gradient through a fused ReLU). */
static void mask(const float *restrict dy, const float *restrict y, float *restrict out, size_t n)
{
    if (y)
        NN_LOOP16(i, n, { const float d = dy[i], v = y[i]; out[i] = v > 0.0f ? d : 0.0f; });
    else
        memcpy(out, dy, sizeof(float) * n);
}

float nn_masked_sum(const float *restrict r, const float *restrict mask, size_t n)
{
    float acc[16] = {0};
    size_t i = 0;
    if (mask) /* two loops, so that each is vectorized: the same lanes and order either way */
        for (; i + 16 <= n; i += 16)
            for (int j = 0; j < 16; j++) acc[j] += mask[i + j] > 0.0f ? r[i + j] : 0.0f;
    else
        for (; i + 16 <= n; i += 16)
            for (int j = 0; j < 16; j++) acc[j] += r[i + j];
    float s = 0.0f;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s += mask && !(mask[i] > 0.0f) ? 0.0f : r[i];
    return s;
}

/* The output gradient of the chunk of cnt images from n0, rows [r0, r0 + bc / ow), as
 * [oc][cnt * bc] with rows *ld apart: in place when it is one image's rows and no ReLU mask is
 * needed, else gathered (and masked by y_relu > 0) into buf. */
static const float *chunk_grad(const nn_conv_geom *g, int oc, const float *dy, const float *y_relu,
                               int n0, int cnt, int r0, size_t bc, float *buf, size_t *ld)
{
    const size_t N = nn_geom_n(g), cols = (size_t)cnt * bc;
    if (cnt == 1 && !y_relu) {
        *ld = N;
        return dy + (size_t)n0 * oc * N + (size_t)r0 * g->ow;
    }
    for (int i = 0; i < cnt; i++)
        for (int o = 0; o < oc; o++) {
            const size_t src = ((size_t)(n0 + i) * oc + o) * N + (size_t)r0 * g->ow;
            mask(dy + src, y_relu ? y_relu + src : NULL, buf + o * cols + i * bc, bc);
        }
    *ld = cols;
    return buf;
}

/* dW [oc][K] (+)= grad [oc][cols] col^T [cols][K] of one chunk (first: the first chunk, which
 * overwrites unless beta_p).  With few output channels OpenBLAS runs the transposed product
 * dW^T [K][oc] = col grad^T much faster (64 channels: 65 -> 87 GFLOP/s; BENCHMARKS.md, change
 * 6): then dwt accumulates it, added into dW at the end (dw_done); with 256 the two run alike
 * and the transposition costs more. */
static void chunk_dw(size_t K, int oc, size_t cols, const float *col, const float *grad,
                     size_t ldg, int first, int beta_p, float *dw, float *dwt)
{
    if (dwt)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)K, oc, (int)cols, 1.0f, col,
                    (int)cols, grad, (int)ldg, first ? 0.0f : 1.0f, dwt, oc);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, oc, (int)K, (int)cols, 1.0f, grad,
                    (int)ldg, col, (int)cols, first && !beta_p ? 0.0f : 1.0f, dw, (int)K);
}

static void dw_done(size_t K, int oc, const float *dwt, float *dw, int beta_p)
{
    if (dwt) nn_transpose(dwt, (size_t)oc, dw, K, (int)K, oc, beta_p);
}

/* nn_conv_forward, and with gy the weight gradient for the output gradient gy on the same
 * column matrices (nn_conv_forward_dw). */
static void forward_chunks(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                           const float *bias, int relu, int acc, float *y, const float *gy,
                           float *dw, int beta_p, float *ws)
{
    const size_t K = nn_geom_k(g), N = nn_geom_n(g), in_sz = (size_t)g->c * g->h * g->w;
    const int pointwise = nn_geom_is_pointwise(g);
    const plan p = make_plan(g, b);
    const ws_layout l = layout(g, oc, p);
    float *col = ws, *prod = ws + l.prod, *pad = ws + l.pad;
    float *dwt = dw && dw_transposed(oc) ? ws + l.dwt : NULL;
    for (int n0 = 0; n0 < b; n0 += p.nb) {
        const int cnt = b - n0 < p.nb ? b - n0 : p.nb;
        for (int r0 = 0; r0 < g->oh; r0 += p.rows) {
            const int r1 = r0 + p.rows < g->oh ? r0 + p.rows : g->oh;
            const size_t bc = (size_t)(r1 - r0) * g->ow, cols = (size_t)cnt * bc;
            const float *c_ = x + (size_t)n0 * in_sz;
            if (!pointwise) {
                for (int i = 0; i < cnt; i++)
                    nn_im2col(g, x + (size_t)(n0 + i) * in_sz, r0, r1, col + i * bc, cols, pad);
                c_ = col;
            }
            if (dw) { /* first, as the product below overwrites the gathered gradient */
                size_t ldg;
                const float *g_ = chunk_grad(g, oc, gy, NULL, n0, cnt, r0, bc, prod, &ldg);
                chunk_dw(K, oc, cols, c_, g_, ldg, n0 == 0 && r0 == 0, beta_p, dw, dwt);
            }
            if (!y) continue;
            if (cnt == 1 && bc == N) { /* one whole image: straight into y (added if acc) */
                float *yb = y + (size_t)n0 * oc * N;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, oc, (int)N, (int)K, 1.0f,
                            w, (int)K, c_, (int)cols, acc ? 1.0f : 0.0f, yb, (int)N);
                for (int o = 0; o < oc; o++)
                    bias_relu(yb + o * N, yb + o * N, bias ? bias[o] : 0.0f, N, relu, 0);
            } else {
                /* Whole images side by side, or rows [r0, r1) of one: the product, then into
                 * NCHW.  For a block of rows this beats writing into y with a stride of the
                 * whole image (dspic's conv1 at 2x256x64, rows 4096 floats apart: the GEMM
                 * runs at 76 instead of 92 GFLOP/s), and the bias pass is needed anyway. */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, oc, (int)cols, (int)K,
                            1.0f, w, (int)K, c_, (int)cols, 0.0f, prod, (int)cols);
                for (int i = 0; i < cnt; i++)
                    for (int o = 0; o < oc; o++)
                        bias_relu(y + ((size_t)(n0 + i) * oc + o) * N + (size_t)r0 * g->ow,
                                  prod + o * cols + i * bc, bias ? bias[o] : 0.0f, bc, relu, acc);
            }
        }
    }
    dw_done(K, oc, dwt, dw, beta_p);
}

void nn_conv_forward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                     const float *bias, int relu, int acc, float *y, float *ws)
{
    if (nn_wino_ok(g))
        nn_wino_forward(g, oc, b, x, w, bias, relu, acc, y, ws);
    else
        forward_chunks(g, oc, b, x, w, bias, relu, acc, y, NULL, NULL, 0, ws);
}

void nn_conv_forward_dw(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                        int acc, float *y, const float *gy, float *dw, int beta_p, float *ws)
{
    if (!nn_wino_ok(g)) {
        forward_chunks(g, oc, b, x, w, NULL, 0, acc, y, gy, dw, beta_p, ws);
        return;
    }
    if (y) nn_wino_forward(g, oc, b, x, w, NULL, 0, acc, y, ws);
    if (dw) nn_wino_backward(g, oc, b, x, w, gy, NULL, NULL, 0, dw, NULL, beta_p, ws);
}

void nn_conv_backward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                      const float *dy, const float *y_relu, float *dx, int acc_dx, float *dw,
                      float *db, int beta_p, float *ws)
{
    if (nn_wino_ok(g)) {
        nn_wino_backward(g, oc, b, x, w, dy, y_relu, dx, acc_dx, dw, db, beta_p, ws);
        return;
    }
    const size_t K = nn_geom_k(g), N = nn_geom_n(g), in_sz = (size_t)g->c * g->h * g->w;
    const int pointwise = nn_geom_is_pointwise(g);
    const plan p = make_plan(g, b);
    const ws_layout l = layout(g, oc, p);
    float *col = ws, *grad = ws + l.prod, *pad = ws + l.pad;
    /* the flipped convolution's column matrix has oc*kh*kw rows against c*kh*kw: only when
     * oc <= c (dspic at 2x256x64: conv3, 5, 7, 8 faster, conv2, 4, 6, with oc = 2c, slower) */
    const int flip = dx && !acc_dx && !y_relu && oc <= g->c && flip_ok(g);
    float *dwt = dw && dw_transposed(oc) ? ws + l.dwt : NULL;
    for (int n0 = 0; n0 < b; n0 += p.nb) {
        const int cnt = b - n0 < p.nb ? b - n0 : p.nb;
        if (dx && !flip && !acc_dx && !pointwise)
            memset(dx + (size_t)n0 * in_sz, 0, sizeof(float) * cnt * in_sz);
        for (int r0 = 0; r0 < g->oh; r0 += p.rows) {
            const int r1 = r0 + p.rows < g->oh ? r0 + p.rows : g->oh;
            const size_t bc = (size_t)(r1 - r0) * g->ow, cols = (size_t)cnt * bc;
            const int first = n0 == 0 && r0 == 0;
            size_t ldg;
            const float *g_ = chunk_grad(g, oc, dy, y_relu, n0, cnt, r0, bc, grad, &ldg);
            if (db)
                for (int o = 0; o < oc; o++)
                    db[o] = (first && !beta_p ? 0.0f : db[o]) +
                            nn_masked_sum(g_ + o * ldg, NULL, cols);
            if (dw) {
                const float *c_ = x + (size_t)n0 * in_sz;
                if (!pointwise) {
                    for (int i = 0; i < cnt; i++)
                        nn_im2col(g, x + (size_t)(n0 + i) * in_sz, r0, r1, col + i * bc, cols, pad);
                    c_ = col;
                }
                chunk_dw(K, oc, cols, c_, g_, ldg, first, beta_p, dw, dwt);
            }
            if (!dx || flip) continue;
            float *dxn = dx + (size_t)n0 * in_sz;
            if (pointwise) { /* dx_n [K][N] (+)= W^T grad: one image, all rows */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N, oc, 1.0f, w,
                            (int)K, g_, (int)ldg, acc_dx ? 1.0f : 0.0f, dxn, (int)N);
            } else {
                /* dcol [K][cols] = W^T [K][oc] grad [oc][cols], then back to the images. */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)cols, oc, 1.0f,
                            w, (int)K, g_, (int)ldg, 0.0f, col, (int)cols);
                for (int i = 0; i < cnt; i++)
                    nn_col2im(g, col + i * bc, cols, r0, r1, dxn + (size_t)i * in_sz, pad);
            }
        }
    }
    dw_done(K, oc, dwt, dw, beta_p);
    if (flip) { /* dx = conv(dy, W'), the workspace reused (see flip_ok) */
        const nn_conv_geom f = flipped(g, oc);
        const size_t kk = (size_t)g->kh * g->kw;
        float *wf = ws;
        for (int o = 0; o < oc; o++)
            for (int c = 0; c < g->c; c++) {
                const float *src = w + ((size_t)o * g->c + c) * kk;
                float *dst = wf + ((size_t)c * oc + o) * kk;
                for (size_t e = 0; e < kk; e++) dst[e] = src[kk - 1 - e];
            }
        nn_conv_forward(&f, g->c, b, dy, wf, NULL, 0, 0, dx, ws + (size_t)g->c * oc * kk);
    }
}
