/* nn/conv_core.c: im2col, col2im and the convolution GEMMs (see conv_core.h). */
#include "nn/conv_core.h"

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

void nn_im2col(const nn_conv_geom *g, const float *img, float *col)
{
    const int ohn = g->oh, own = g->ow;
    for (int c = 0; c < g->c; c++) {
        const float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++) {
            for (int j = 0; j < g->kw; j++) {
                float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ohn * own;
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

void nn_col2im(const nn_conv_geom *g, const float *col, float *img, int acc)
{
    const int ohn = g->oh, own = g->ow;
    if (!acc) memset(img, 0, sizeof(float) * (size_t)g->c * g->h * g->w);
    for (int c = 0; c < g->c; c++) {
        float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++) {
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ohn * own;
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

size_t nn_conv_ws(const nn_conv_geom *g)
{
    return nn_geom_is_pointwise(g) ? 0 : nn_geom_k(g) * nn_geom_n(g);
}

void nn_conv_forward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                     const float *bias, float *y, float *ws)
{
    const size_t K = nn_geom_k(g), N = nn_geom_n(g), in_sz = (size_t)g->c * g->h * g->w;
    const int pointwise = nn_geom_is_pointwise(g);
    for (int n = 0; n < b; n++) {
        const float *xn = x + (size_t)n * in_sz;
        float *yn = y + (size_t)n * oc * N;
        const float *col = xn;
        if (!pointwise) {
            nn_im2col(g, xn, ws);
            col = ws;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, oc, (int)N, (int)K, 1.0f, w,
                    (int)K, col, (int)N, 0.0f, yn, (int)N);
        if (bias) {
            for (int o = 0; o < oc; o++) {
                float bo = bias[o], *r = yn + (size_t)o * N;
                for (size_t i = 0; i < N; i++) r[i] += bo;
            }
        }
    }
}

void nn_conv_backward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                      const float *dy, float *dx, int acc_dx, float *dw, float *db, int beta_p,
                      float *ws)
{
    const size_t K = nn_geom_k(g), N = nn_geom_n(g), in_sz = (size_t)g->c * g->h * g->w;
    const int pointwise = nn_geom_is_pointwise(g);
    if (db) {
        for (int o = 0; o < oc; o++) {
            double s = 0.0;
            for (int n = 0; n < b; n++) {
                const float *r = dy + ((size_t)n * oc + o) * N;
                float part = 0.0f;
                for (size_t i = 0; i < N; i++) part += r[i];
                s += part;
            }
            db[o] = (beta_p ? db[o] : 0.0f) + (float)s;
        }
    }
    for (int n = 0; n < b; n++) {
        const float *xn = x + (size_t)n * in_sz;
        const float *dyn = dy + (size_t)n * oc * N;
        if (dw) {
            const float *col = xn;
            if (!pointwise) {
                nn_im2col(g, xn, ws);
                col = ws;
            }
            /* dW [oc][K] (+)= dy_n [oc][N] col^T [N][K] */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, oc, (int)K, (int)N, 1.0f, dyn,
                        (int)N, col, (int)N, (n == 0 && !beta_p) ? 0.0f : 1.0f, dw, (int)K);
        }
        if (dx) {
            float *dxn = dx + (size_t)n * in_sz;
            if (pointwise) {
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N, oc, 1.0f, w,
                            (int)K, dyn, (int)N, acc_dx ? 1.0f : 0.0f, dxn, (int)N);
            } else {
                /* dcol [K][N] = W^T [K][oc] dy_n [oc][N], then scattered back to the image. */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N, oc, 1.0f, w,
                            (int)K, dyn, (int)N, 0.0f, ws, (int)N);
                nn_col2im(g, ws, dxn, acc_dx);
            }
        }
    }
}
