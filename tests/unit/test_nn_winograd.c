/* tests/unit/test_nn_winograd.c: the F(2x2, 3x3) convolutions (nn/winograd.c) against the
 * definitions of a convolution and its gradients, computed in double.
 *
 * Geometries reach every edge: 1x1 and one-row or one-column maps, odd sizes (tiles hanging
 * over the output), paddings 0, 1, 2 and unequal ones, channel counts that are not multiples
 * of the 8-channel vectors, chunks that split an image and chunks that hold many images.  The
 * calls go through nn_conv_forward / nn_conv_backward, as the layers make them, with a
 * workspace of exactly nn_conv_ws floats (AddressSanitizer checks it under SANITIZE=1), and
 * cover the fused bias and ReLU, the ReLU-masked output gradient, and accumulation into dx,
 * dW and db.  The same cases run through im2col + GEMM (algo = "gemm") against the same
 * definitions.  Tolerance: 1e-5 of the sum of the absolute terms of each output (F(2x2, 3x3)
 * rounds like a direct sum of a few times as many terms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/conv_core.h"
#include "tests/unit/nn_gradcheck.h"
#include "nn/winograd.h"

static uint64_t lcg = 2024;
static float *randoms(size_t n) { return nn_test_randoms(&lcg, n); }

typedef struct {
    int c, h, w, oc, ph, pw, b;
} wcase;

/* gemm = 1: the same convolution by im2col + GEMM (algo = "gemm"), against the same definition */
static int gemm;

static nn_conv_geom geom_of(const wcase *k)
{
    return (nn_conv_geom){k->c, k->h, k->w, 3, 3, 1, 1, k->ph, k->pw,
                          k->h + 2 * k->ph - 2, k->w + 2 * k->pw - 2, gemm};
}

/* |got - want| <= 1e-5 * scale + 1e-6, with the place named on failure */
static int close_to(float got, double want, double scale, const char *what, size_t at)
{
    if (fabs((double)got - want) <= 1e-5 * scale + 1e-6) return 1;
    fprintf(stderr, "%s[%zu] = %.9g, want %.9g (scale %.3g)\n", what, at, got, want, scale);
    return 0;
}

/* input value at image position (i, j), 0 in the padding */
static double xin(const nn_conv_geom *g, const float *x, int n, int c, int i, int j)
{
    if (i < 0 || i >= g->h || j < 0 || j >= g->w) return 0.0;
    return x[(((size_t)n * g->c + c) * g->h + i) * g->w + j];
}

static void check_forward(const wcase *k, int with_bias, int relu)
{
    const nn_conv_geom g = geom_of(k);
    assert_int_equal(nn_wino_ok(&g), !gemm);
    const size_t xs = (size_t)k->b * k->c * k->h * k->w, ys = (size_t)k->b * k->oc * g.oh * g.ow;
    float *x = randoms(xs), *w = randoms((size_t)k->oc * k->c * 9), *bias = randoms(k->oc);
    float *y = randoms(ys), *ws = malloc(sizeof(float) * nn_conv_ws(&g, k->oc, k->b));
    nn_conv_forward(&g, k->oc, k->b, x, w, with_bias ? bias : NULL, relu, 0, y, ws);
    int ok = 1;
    for (int n = 0; n < k->b; n++)
        for (int o = 0; o < k->oc; o++)
            for (int i = 0; i < g.oh; i++)
                for (int j = 0; j < g.ow; j++) {
                    double s = with_bias ? bias[o] : 0.0, scale = fabs(s);
                    for (int c = 0; c < k->c; c++)
                        for (int a = 0; a < 3; a++)
                            for (int e = 0; e < 3; e++) {
                                const double t = xin(&g, x, n, c, i - k->ph + a, j - k->pw + e) *
                                                 w[((size_t)o * k->c + c) * 9 + 3 * a + e];
                                s += t;
                                scale += fabs(t);
                            }
                    if (relu && s < 0.0) s = 0.0;
                    const size_t at = (((size_t)n * k->oc + o) * g.oh + i) * g.ow + j;
                    ok &= close_to(y[at], s, scale, "y", at);
                }
    assert_true(ok);
    free(x), free(w), free(bias), free(y), free(ws);
}

/* mask: the output gradient passes where the forward output y > 0 (a fused ReLU) */
static void check_backward(const wcase *k, int masked, int acc)
{
    const nn_conv_geom g = geom_of(k);
    const size_t xs = (size_t)k->b * k->c * k->h * k->w, ys = (size_t)k->b * k->oc * g.oh * g.ow;
    const size_t ns = (size_t)k->oc * k->c * 9;
    float *x = randoms(xs), *w = randoms(ns), *dy = randoms(ys), *yr = randoms(ys);
    float *dx = randoms(xs), *dw = randoms(ns), *db = randoms(k->oc);
    float *dx0 = malloc(sizeof(float) * xs), *dw0 = malloc(sizeof(float) * ns);
    float *db0 = malloc(sizeof(float) * k->oc);
    memcpy(dx0, dx, sizeof(float) * xs), memcpy(dw0, dw, sizeof(float) * ns);
    memcpy(db0, db, sizeof(float) * k->oc);
    float *ws = malloc(sizeof(float) * nn_conv_ws(&g, k->oc, k->b));
    nn_conv_backward(&g, k->oc, k->b, x, w, dy, masked ? yr : NULL, dx, acc, dw, db, acc, ws);
    /* the masked output gradient, in double */
    double *gm = malloc(sizeof(double) * ys);
    for (size_t e = 0; e < ys; e++) gm[e] = masked && !(yr[e] > 0.0f) ? 0.0 : dy[e];
    int ok = 1;
    for (int n = 0; n < k->b; n++) /* dx [n][c][i][j] = sum dy [n][o][i + ph - a][j + pw - e] W */
        for (int c = 0; c < k->c; c++)
            for (int i = 0; i < k->h; i++)
                for (int j = 0; j < k->w; j++) {
                    const size_t at = (((size_t)n * k->c + c) * k->h + i) * k->w + j;
                    double s = acc ? dx0[at] : 0.0, scale = fabs(s);
                    for (int o = 0; o < k->oc; o++)
                        for (int a = 0; a < 3; a++)
                            for (int e = 0; e < 3; e++) {
                                const int oi = i + k->ph - a, oj = j + k->pw - e;
                                if (oi < 0 || oi >= g.oh || oj < 0 || oj >= g.ow) continue;
                                const double t =
                                    gm[(((size_t)n * k->oc + o) * g.oh + oi) * g.ow + oj] *
                                    w[((size_t)o * k->c + c) * 9 + 3 * a + e];
                                s += t;
                                scale += fabs(t);
                            }
                    ok &= close_to(dx[at], s, scale, "dx", at);
                }
    /* dW [o][c][a][e] = sum dy [n][o][i][j] x [n][c][i - ph + a][j - pw + e], db [o] = sum dy */
    for (int o = 0; o < k->oc; o++) {
        double sb = acc ? db0[o] : 0.0, scb = fabs(sb);
        for (int c = 0; c < k->c; c++)
            for (int a = 0; a < 3; a++)
                for (int e = 0; e < 3; e++) {
                    const size_t at = ((size_t)o * k->c + c) * 9 + 3 * a + e;
                    double s = acc ? dw0[at] : 0.0, scale = fabs(s);
                    for (int n = 0; n < k->b; n++)
                        for (int i = 0; i < g.oh; i++)
                            for (int j = 0; j < g.ow; j++) {
                                const double t =
                                    gm[(((size_t)n * k->oc + o) * g.oh + i) * g.ow + j] *
                                    xin(&g, x, n, c, i - k->ph + a, j - k->pw + e);
                                s += t;
                                scale += fabs(t);
                            }
                    ok &= close_to(dw[at], s, scale, "dw", at);
                }
        for (int n = 0; n < k->b; n++)
            for (size_t p = 0; p < (size_t)g.oh * g.ow; p++) {
                const double t = gm[((size_t)n * k->oc + o) * g.oh * g.ow + p];
                sb += t;
                scb += fabs(t);
            }
        ok &= close_to(db[o], sb, scb, "db", (size_t)o);
    }
    assert_true(ok);
    free(x), free(w), free(dy), free(yr), free(dx), free(dw), free(db);
    free(dx0), free(dw0), free(db0), free(ws), free(gm);
}

static const wcase cases[] = {
    {1, 1, 1, 1, 1, 1, 1},   /* one output, all but the centre tap in the padding */
    {3, 5, 7, 4, 1, 1, 2},   /* odd sizes: the last tiles hang over the output */
    {9, 8, 6, 17, 0, 0, 3},  /* no padding; 9 and 17 channels: vector tails */
    {17, 6, 9, 5, 2, 2, 2},  /* padding 2: the output grows, the gradient's padding is 0 */
    {8, 7, 4, 8, 1, 2, 1},   /* unequal paddings */
    {4, 30, 30, 3, 1, 1, 1}, /* 225 tiles: chunks split the image */
    {5, 8, 6, 9, 1, 1, 13},  /* 12 tiles per image: chunks span images */
    {16, 1, 20, 16, 1, 1, 4},
    {2, 20, 3, 3, 1, 0, 2},  /* one output column */
    {24, 12, 10, 40, 1, 1, 3},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void test_forward(void **state)
{
    (void)state;
    for (gemm = 0; gemm < 2; gemm++)
        for (size_t i = 0; i < NCASES; i++) {
            check_forward(&cases[i], 0, 0);
            check_forward(&cases[i], 1, 1);
            check_forward(&cases[i], 1, 0);
        }
}

static void test_backward(void **state)
{
    (void)state;
    for (gemm = 0; gemm < 2; gemm++)
        for (size_t i = 0; i < NCASES; i++) {
            check_backward(&cases[i], 0, 0);
            check_backward(&cases[i], 1, 0);
            check_backward(&cases[i], 1, 1);
        }
}

/* Which convolutions take the Winograd path: 3x3, stride 1, padding 0 to 2, unless gemm. */
static void test_routing(void **state)
{
    (void)state;
    nn_conv_geom g = {4, 8, 8, 3, 3, 1, 1, 1, 1, 8, 8, 0};
    assert_true(nn_wino_ok(&g));
    g.gemm = 1;
    assert_false(nn_wino_ok(&g));
    g.gemm = 0;
    g.sh = 2, g.oh = 4;
    assert_false(nn_wino_ok(&g));
    g = (nn_conv_geom){4, 8, 8, 5, 5, 1, 1, 2, 2, 8, 8, 0};
    assert_false(nn_wino_ok(&g));
    g = (nn_conv_geom){4, 8, 8, 3, 3, 1, 1, 3, 3, 12, 12, 0};
    assert_false(nn_wino_ok(&g));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward),
        cmocka_unit_test(test_backward),
        cmocka_unit_test(test_routing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
