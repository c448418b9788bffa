/* nn/conv_core.c: im2col, col2im and the convolution GEMMs (see conv_core.h). */
#include "nn/conv_core.h"

#include "nn/layer.h"

#include <cblas.h>
#include <string.h>

int nn_geom_is_pointwise(const nn_conv_geom *g)
{
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0;
}

/* Range [lo, hi) of output columns ow whose input column ow*sw - pw + j lies in [0, w). */
static void valid_range(int ow_n, int sw, int pw, int j, int w, int *lo, int *hi)
{
    int off = j - pw; /* input column of output 0 */
    int a = off >= 0 ? 0 : (-off + sw - 1) / sw;
    int b = (w - off + sw - 1) / sw; /* first ow with ow*sw + off >= w */
    if (w - off <= 0) b = 0;
    if (b > ow_n) b = ow_n;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

/* Stride 1 with the output as wide as the input ("same" padding, as 3x3 pad 1): a (c, i, j)
 * row of col is then the input plane shifted by (i - ph) rows and (j - pw) columns, so the
 * valid rows are one contiguous copy, after which the |j - pw| entries per row that wrapped
 * around from the neighbouring row are zeroed.  Narrow feature maps (deep layers) would
 * otherwise cost a call per few floats. */
static int same_width(const nn_conv_geom *g) { return g->sh == 1 && g->sw == 1 && g->ow == g->w; }

/* Valid output rows [*a, *b) of kernel row i, and valid columns [*lo, *hi) of kernel column j. */
static void same_ranges(const nn_conv_geom *g, int i, int j, int *a, int *b, int *lo, int *hi)
{
    const int dr = i - g->ph, dc = j - g->pw;
    *a = dr < 0 ? -dr : 0;
    *b = g->h - dr < g->oh ? g->h - dr : g->oh;
    if (*b < *a) *b = *a;
    *lo = dc < 0 ? -dc : 0;
    *hi = g->w - dc < g->ow ? g->w - dc : g->ow;
    if (*hi < *lo) *hi = *lo;
}

static void im2col_same(const nn_conv_geom *g, const float *img, float *col, size_t ld)
{
    const int OW = g->ow, W = g->w;
    for (int c = 0; c < g->c; c++) {
        const float *plane = img + (size_t)c * g->h * W;
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                int a, b, lo, hi;
                same_ranges(g, i, j, &a, &b, &lo, &hi);
                /* (loops, not memset: these are a row or two of a few floats each) */
                for (size_t k = 0; k < (size_t)a * OW; k++) row[k] = 0.0f;
                for (size_t k = (size_t)b * OW; k < (size_t)g->oh * OW; k++) row[k] = 0.0f;
                if (b == a) continue;
                const size_t first = (size_t)a * OW + lo, last = (size_t)(b - 1) * OW + hi;
                const long shift = (long)(i - g->ph) * W + (j - g->pw);
                if (last > first)
                    memcpy(row + first, plane + (long)first + shift, sizeof(float) * (last - first));
                for (int r = a; r < b; r++) {
                    float *d = row + (size_t)r * OW;
                    for (int k = 0; k < lo; k++) d[k] = 0.0f;
                    for (int k = hi; k < OW; k++) d[k] = 0.0f;
                }
            }
    }
}

static void add_span(float *restrict dst, const float *restrict src, size_t n)
{
    NN_LOOP16(k, n, dst[k] += src[k]);
}

/* The adjoint of im2col_same; the wrapped entries of col (scratch) are zeroed first, so that
 * the contiguous add moves nothing to the neighbouring rows. */
static void col2im_same(const nn_conv_geom *g, float *col, size_t ld, float *img)
{
    const int OW = g->ow, W = g->w;
    for (int c = 0; c < g->c; c++) {
        float *plane = img + (size_t)c * g->h * W;
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                int a, b, lo, hi;
                same_ranges(g, i, j, &a, &b, &lo, &hi);
                if (b == a) continue;
                for (int r = a; r < b; r++) {
                    float *d = row + (size_t)r * OW;
                    for (int k = 0; k < lo; k++) d[k] = 0.0f;
                    for (int k = hi; k < OW; k++) d[k] = 0.0f;
                }
                const size_t first = (size_t)a * OW + lo, last = (size_t)(b - 1) * OW + hi;
                const long shift = (long)(i - g->ph) * W + (j - g->pw);
                if (last > first) add_span(plane + (long)first + shift, row + first, last - first);
            }
    }
}

void nn_im2col(const nn_conv_geom *g, const float *img, float *col, size_t ld)
{
    const int ohn = g->oh, own = g->ow;
    if (same_width(g)) {
        im2col_same(g, img, col, ld);
        return;
    }
    for (int c = 0; c < g->c; c++) {
        const float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++) {
            for (int j = 0; j < g->kw; j++) {
                float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                int lo, hi;
                valid_range(own, g->sw, g->pw, j, g->w, &lo, &hi);
                for (int oh = 0; oh < ohn; oh++) {
                    float *dst = row + (size_t)oh * own;
                    int ih = oh * g->sh - g->ph + i;
                    if (ih < 0 || ih >= g->h) {
                        memset(dst, 0, sizeof(float) * own);
                        continue;
                    }
                    const float *src = plane + (size_t)ih * g->w;
                    const int off = j - g->pw;
                    for (int ow = 0; ow < lo; ow++) dst[ow] = 0.0f;
                    if (g->sw == 1) {
                        if (hi > lo) memcpy(dst + lo, src + lo + off, sizeof(float) * (hi - lo));
                    } else {
                        for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow * g->sw + off];
                    }
                    for (int ow = hi; ow < own; ow++) dst[ow] = 0.0f;
                }
            }
        }
    }
}

void nn_col2im(const nn_conv_geom *g, float *col, size_t ld, float *img, int acc)
{
    const int ohn = g->oh, own = g->ow;
    if (!acc) memset(img, 0, sizeof(float) * (size_t)g->c * g->h * g->w);
    if (same_width(g)) {
        col2im_same(g, col, ld, img);
        return;
    }
    for (int c = 0; c < g->c; c++) {
        float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++) {
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                int lo, hi;
                valid_range(own, g->sw, g->pw, j, g->w, &lo, &hi);
                for (int oh = 0; oh < ohn; oh++) {
                    int ih = oh * g->sh - g->ph + i;
                    if (ih < 0 || ih >= g->h) continue;
                    const float *src = row + (size_t)oh * own;
                    float *dst = plane + (size_t)ih * g->w;
                    const int off = j - g->pw;
                    if (g->sw == 1) {
                        for (int ow = lo; ow < hi; ow++) dst[ow + off] += src[ow];
                    } else {
                        for (int ow = lo; ow < hi; ow++) dst[ow * g->sw + off] += src[ow];
                    }
                }
            }
        }
    }
}

int nn_conv_group(const nn_conv_geom *g, int batch)
{
    if (nn_geom_is_pointwise(g)) return 1; /* x is its own col: nothing to gain */
    const size_t n = nn_geom_n(g);
    size_t nb = (NN_CONV_COLUMNS + n - 1) / n;
    return (int)(nb < (size_t)batch ? nb : (size_t)batch);
}

size_t nn_conv_ws(const nn_conv_geom *g, int oc, int batch)
{
    const size_t nb = (size_t)nn_conv_group(g, batch), n = nn_geom_n(g);
    const size_t col = nn_geom_is_pointwise(g) ? 0 : nn_geom_k(g) * nb * n;
    return col + (size_t)oc * nb * n; /* the product (nb > 1) or the masked gradient */
}

/* y += bias per output row, then max(0, y) with a fused ReLU. */
static void bias_relu(float *restrict y, const float *restrict bias, int oc, size_t n, int relu)
{
    for (int o = 0; o < oc; o++) {
        float *restrict r = y + (size_t)o * n;
        const float bo = bias ? bias[o] : 0.0f;
        if (relu)
            NN_LOOP16(i, n, { float v = r[i] + bo; r[i] = v > 0.0f ? v : 0.0f; });
        else if (bias)
            NN_LOOP16(i, n, r[i] += bo);
    }
}

/* dst = src + bias (then max(0, .)): one row of a grouped product into NCHW. */
static void copy_bias_relu(float *restrict dst, const float *restrict src, float bias, size_t n,
                           int relu)
{
    if (relu)
        NN_LOOP16(i, n, { float v = src[i] + bias; dst[i] = v > 0.0f ? v : 0.0f; });
    else
        NN_LOOP16(i, n, dst[i] = src[i] + bias);
}

void nn_conv_forward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                     const float *bias, int relu, float *y, float *ws)
{
    const size_t K = nn_geom_k(g), N = nn_geom_n(g), in_sz = (size_t)g->c * g->h * g->w;
    const int pointwise = nn_geom_is_pointwise(g), nb = nn_conv_group(g, b);
    for (int n0 = 0; n0 < b; n0 += nb) {
        const int cnt = b - n0 < nb ? b - n0 : nb;
        const size_t cols = (size_t)cnt * N;
        if (cnt == 1) {
            const float *xn = x + (size_t)n0 * in_sz, *col = xn;
            float *yn = y + (size_t)n0 * oc * N;
            if (!pointwise) {
                nn_im2col(g, xn, ws, N);
                col = ws;
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, oc, (int)N, (int)K, 1.0f, w,
                        (int)K, col, (int)N, 0.0f, yn, (int)N);
            bias_relu(yn, bias, oc, N, relu);
            continue;
        }
        float *col = ws, *prod = ws + K * nb * N;
        for (int i = 0; i < cnt; i++) nn_im2col(g, x + (size_t)(n0 + i) * in_sz, col + i * N, cols);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, oc, (int)cols, (int)K, 1.0f, w,
                    (int)K, col, (int)cols, 0.0f, prod, (int)cols);
        for (int i = 0; i < cnt; i++)
            for (int o = 0; o < oc; o++)
                copy_bias_relu(y + ((size_t)(n0 + i) * oc + o) * N, prod + o * cols + i * N,
                               bias ? bias[o] : 0.0f, N, relu);
    }
}

/* out = dy, masked by y > 0 when y is not NULL (the gradient through a fused ReLU). */
static void mask(const float *restrict dy, const float *restrict y, float *restrict out, size_t n)
{
    if (y)
        NN_LOOP16(i, n, { const float d = dy[i], v = y[i]; out[i] = v > 0.0f ? d : 0.0f; });
    else
        memcpy(out, dy, sizeof(float) * n);
}

static float row_sum(const float *restrict r, size_t n)
{
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += r[i + j];
    float s = 0.0f;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s += r[i];
    return s;
}

void nn_conv_backward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                      const float *dy, const float *y_relu, float *dx, int acc_dx, float *dw,
                      float *db, int beta_p, float *ws)
{
    const size_t K = nn_geom_k(g), N = nn_geom_n(g), in_sz = (size_t)g->c * g->h * g->w;
    const int pointwise = nn_geom_is_pointwise(g), nb = nn_conv_group(g, b);
    float *col = ws, *grad = ws + (pointwise ? 0 : K * nb * N);
    for (int n0 = 0; n0 < b; n0 += nb) {
        const int cnt = b - n0 < nb ? b - n0 : nb;
        const size_t cols = (size_t)cnt * N;
        const int first = n0 == 0 && !beta_p;
        /* The output gradient of these images as [oc][cols] (masked with a fused ReLU). */
        const float *g_ = dy + (size_t)n0 * oc * N;
        if (cnt > 1) {
            for (int i = 0; i < cnt; i++)
                for (int o = 0; o < oc; o++) {
                    const size_t src = ((size_t)(n0 + i) * oc + o) * N;
                    mask(dy + src, y_relu ? y_relu + src : NULL, grad + o * cols + i * N, N);
                }
            g_ = grad;
        } else if (y_relu) {
            mask(g_, y_relu + (size_t)n0 * oc * N, grad, (size_t)oc * N);
            g_ = grad;
        }
        if (db)
            for (int o = 0; o < oc; o++) db[o] = (first ? 0.0f : db[o]) + row_sum(g_ + o * cols, cols);
        if (dw) {
            const float *c_ = x + (size_t)n0 * in_sz;
            if (!pointwise) {
                for (int i = 0; i < cnt; i++)
                    nn_im2col(g, x + (size_t)(n0 + i) * in_sz, col + i * N, cols);
                c_ = col;
            }
            /* dW [oc][K] (+)= grad [oc][cols] col^T [cols][K] */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, oc, (int)K, (int)cols, 1.0f, g_,
                        (int)cols, c_, (int)cols, first ? 0.0f : 1.0f, dw, (int)K);
        }
        if (dx) {
            float *dxn = dx + (size_t)n0 * in_sz;
            if (pointwise) { /* cnt == 1 */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N, oc, 1.0f, w,
                            (int)K, g_, (int)N, acc_dx ? 1.0f : 0.0f, dxn, (int)N);
            } else {
                /* dcol [K][cols] = W^T [K][oc] grad [oc][cols], then back to the images. */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)cols, oc, 1.0f,
                            w, (int)K, g_, (int)cols, 0.0f, col, (int)cols);
                for (int i = 0; i < cnt; i++)
                    nn_col2im(g, col + i * N, cols, dxn + (size_t)i * in_sz, acc_dx);
            }
        }
    }
}
