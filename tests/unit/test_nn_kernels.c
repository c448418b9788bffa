/* tests/unit/test_nn_kernels.c: the fast paths of im2col/col2im, max pooling and tanh against
 * plain definitions, element by element, on geometries that reach every path (same-width maps
 * from 1 to 9 columns wide, strided and wide-kernel convolutions with outputs 1 to 35 wide, row
 * chunks; pooling rows narrower and wider than the vector path's 16 outputs, with ties
 * everywhere).  Integer-valued data keep every sum exact, so the comparisons are exact. */
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
#include "nn/layer.h"
#include "nn/nn.h"
#include "util/error.h"

static uint64_t lcg = 12345;
static float small_int(int levels)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((lcg >> 33) % (uint64_t)levels) - (float)(levels / 2);
}

static nn_conv_geom geom(int c, int h, int w, int k, int s, int p)
{
    nn_conv_geom g = {c, h, w, k, k, s, s, p, p, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1,
                      0};
    return g;
}

/* The definition: col[(c, i, j)][(oh - r0) * ow + ow'] = img[c][oh*s - p + i][ow'*s - p + j]. */
static float at(const nn_conv_geom *g, const float *img, int c, int i, int j, int oh, int ow)
{
    const int ih = oh * g->sh - g->ph + i, iw = ow * g->sw - g->pw + j;
    if (ih < 0 || ih >= g->h || iw < 0 || iw >= g->w) return 0.0f;
    return img[((size_t)c * g->h + ih) * g->w + iw];
}

static void check_geom(const nn_conv_geom *g)
{
    const size_t K = nn_geom_k(g), in_sz = (size_t)g->c * g->h * g->w;
    float *img = malloc(sizeof(float) * in_sz), *dimg = malloc(sizeof(float) * in_sz);
    float *ref = malloc(sizeof(float) * in_sz);
    for (size_t e = 0; e < in_sz; e++) img[e] = small_int(9);
    /* every chunking of the output rows: all at once, one at a time, two and three */
    const int chunks[] = {g->oh, 1, 2, 3};
    for (int ci = 0; ci < 4; ci++) {
        const int rows = chunks[ci] < g->oh ? chunks[ci] : g->oh;
        const size_t ld = (size_t)rows * g->ow + 3; /* rows of col further apart than needed */
        float *col = malloc(sizeof(float) * K * ld);
        float *pad = malloc(sizeof(float) * (nn_im2col_pad(g, rows) + 1));
        memset(dimg, 0, sizeof(float) * in_sz);
        memset(ref, 0, sizeof(float) * in_sz);
        for (int r0 = 0; r0 < g->oh; r0 += rows) {
            const int r1 = r0 + rows < g->oh ? r0 + rows : g->oh;
            nn_im2col(g, img, r0, r1, col, ld, pad);
            for (int c = 0; c < g->c; c++)
                for (int i = 0; i < g->kh; i++)
                    for (int j = 0; j < g->kw; j++)
                        for (int oh = r0; oh < r1; oh++)
                            for (int ow = 0; ow < g->ow; ow++) {
                                const size_t k = ((size_t)c * g->kh + i) * g->kw + j;
                                const float got = col[k * ld + (size_t)(oh - r0) * g->ow + ow];
                                if (got != at(g, img, c, i, j, oh, ow))
                                    fail_msg("im2col c%d h%d w%d k%d s%d p%d rows %d: (%d,%d,%d) "
                                             "at (%d,%d) is %g, not %g", g->c, g->h, g->w, g->kh,
                                             g->sh, g->ph, rows, c, i, j, oh, ow, got,
                                             at(g, img, c, i, j, oh, ow));
                                /* the adjoint's definition, with col = values 1..k levels */
                                const float v = (float)((k * 7 + (size_t)oh * 3 + ow) % 5) - 2.0f;
                                col[k * ld + (size_t)(oh - r0) * g->ow + ow] = v;
                                const int ih = oh * g->sh - g->ph + i, iw = ow * g->sw - g->pw + j;
                                if (ih >= 0 && ih < g->h && iw >= 0 && iw < g->w)
                                    ref[((size_t)c * g->h + ih) * g->w + iw] += v;
                            }
            nn_col2im(g, col, ld, r0, r1, dimg, pad);
        }
        for (size_t e = 0; e < in_sz; e++)
            if (dimg[e] != ref[e])
                fail_msg("col2im c%d h%d w%d k%d s%d p%d rows %d: element %zu is %g, not %g", g->c,
                         g->h, g->w, g->kh, g->sh, g->ph, rows, e, dimg[e], ref[e]);
        free(col);
        free(pad);
    }
    free(img);
    free(dimg);
    free(ref);
}

static void test_im2col_col2im(void **state)
{
    (void)state;
    const int cases[][6] = {
        /* c, h, w, k, s, p */
        {3, 5, 4, 3, 1, 1}, {2, 6, 2, 3, 1, 1}, {2, 4, 1, 3, 1, 1}, {2, 7, 9, 3, 1, 1},
        {2, 16, 8, 3, 1, 1}, {1, 3, 3, 5, 1, 2},  /* kernel larger than the map */
        {2, 9, 8, 7, 2, 3},  {2, 13, 30, 11, 4, 2}, /* dspic's and AlexNet's first layers */
        {3, 7, 8, 2, 2, 0},  {2, 8, 9, 3, 3, 1},  {2, 6, 7, 3, 1, 0}, /* stride 1, not same */
        /* the GAN's 4x4/2 on maps 1 to 35 wide (SSE blocks, 16-float blocks, tails), odd
         * sizes, a 1x1 stride-2 kernel, padding as large as the kernel */
        {3, 16, 8, 4, 2, 1}, {2, 8, 2, 4, 2, 1}, {2, 4, 4, 4, 2, 1}, {1, 10, 70, 4, 2, 1},
        {2, 9, 7, 3, 2, 1},  {2, 7, 7, 1, 2, 0}, {2, 5, 5, 3, 2, 3}, {1, 5, 19, 5, 2, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int *c = cases[i];
        nn_conv_geom g = geom(c[0], c[1], c[2], c[3], c[4], c[5]);
        check_geom(&g);
    }
}

/* Max pooling through a one-layer network: outputs and the scattered gradient against the
 * definition (first maximum in row-major window order, padding never wins). */
static void check_pool(int c, int h, int w, int k, int s, int p)
{
    char text[256];
    snprintf(text, sizeof text, "layers = ( { type = \"maxpool\"; kernel = %d; stride = %d; "
             "pad = %d; } );", k, s, p);
    const int b = 2;
    nn_shape shape = {c, h, w, 3, b};
    nn_net *net = nn_net_build_text(text, "pool", &shape);
    if (!net) fail_msg("build failed: %s", sc_err_msg());
    const int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
    const size_t in_n = (size_t)b * c * h * w, out_n = (size_t)b * c * oh * ow;
    float *x = malloc(sizeof(float) * in_n), *dy = malloc(sizeof(float) * out_n);
    float *dx = malloc(sizeof(float) * in_n), *ref = calloc(in_n, sizeof(float));
    for (size_t e = 0; e < in_n; e++) x[e] = small_int(4); /* many ties */
    for (size_t e = 0; e < out_n; e++) dy[e] = (float)(e % 7) + 1.0f;
    const float *y = nn_forward(net, x, b, 1);
    for (int pl = 0; pl < b * c; pl++)
        for (int r = 0; r < oh; r++)
            for (int q = 0; q < ow; q++) {
                float best = -INFINITY;
                long bi = -1;
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++) {
                        const int ih = r * s - p + i, iw = q * s - p + j;
                        if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                        const long e = ((long)pl * h + ih) * w + iw;
                        if (bi < 0 || x[e] > best) best = x[e], bi = e;
                    }
                const size_t o = ((size_t)pl * oh + r) * ow + q;
                if (y[o] != best)
                    fail_msg("maxpool %dx%d k%d s%d p%d: output %zu is %g, not %g", h, w, k, s, p,
                             o, y[o], best);
                ref[bi] += dy[o];
            }
    assert_int_equal(nn_backward(net, dy, dx, 0), 0);
    for (size_t e = 0; e < in_n; e++)
        if (dx[e] != ref[e])
            fail_msg("maxpool %dx%d k%d s%d p%d: input gradient %zu is %g, not %g (the first "
                     "maximum of its window must take it)", h, w, k, s, p, e, dx[e], ref[e]);
    nn_net_free(net);
    free(x);
    free(dy);
    free(dx);
    free(ref);
}

static void test_maxpool_paths(void **state)
{
    (void)state;
    check_pool(2, 9, 37, 3, 2, 1);  /* vector rows (18 outputs) with a scalar tail */
    check_pool(2, 8, 40, 2, 2, 0);  /* 2x2/2, vector rows */
    check_pool(2, 8, 10, 2, 2, 0);  /* 2x2/2, scalar */
    check_pool(2, 9, 11, 3, 2, 1);  /* 3x3/2, scalar (interior windows unrolled) */
    check_pool(1, 7, 70, 5, 3, 2);  /* stride 3 */
    check_pool(1, 6, 33, 3, 1, 1);  /* stride 1 */
    check_pool(1, 5, 64, 3, 2, 0);
}

/* The vector tanh (nn/act.c) against tanh in double: at most 2 ulp of the float result (it
 * measured 1.34 over every float in [0, 11]; the margin is for a compiler that contracts to
 * fused multiply-adds) on a sweep of both signs from 0 to past the clamp at 10 and on the edges
 * of its two formulas and of the clamp; the values whose tanh is exact in float exactly, sign
 * included; a count that is no multiple of 4, on 1 to 3 threads (other tails). */
static void test_tanh(void **state)
{
    (void)state;
    const float exact[] = {0.0f, -0.0f, INFINITY, -INFINITY, 1e-30f, -1e-30f, 20.0f, -10.5f};
    const float edges[] = {0.625f, 0.62499994f, 9.0f, 9.02f, 10.0f, 10.000001f};
    const size_t ne = sizeof exact / sizeof exact[0], ng = sizeof edges / sizeof edges[0];
    const size_t n = ne + ng + 2 * (0x41300000u / 4099 + 1) + 1; /* + NaN */
    float *x = malloc(sizeof(float) * n);
    memcpy(x, exact, sizeof exact);
    memcpy(x + ne, edges, sizeof edges);
    size_t m = ne + ng;
    for (uint32_t bits = 0; bits <= 0x41300000u; bits += 4099) { /* 0 to 11, both signs */
        float v;
        memcpy(&v, &bits, sizeof v);
        x[m++] = v;
        x[m++] = -v;
    }
    x[m++] = NAN;
    assert_int_equal(m, n);
    nn_shape shape = {1, 1, (int)n, 1, 1};
    nn_net *net = nn_net_build_text("layers = ( { type = \"tanh\"; } );", "tanh", &shape);
    if (!net) fail_msg("build failed: %s", sc_err_msg());
    for (int threads = 1; threads <= 3; threads++) {
        nn_set_threads(threads);
        const float *y = nn_forward(net, x, 1, 0);
        for (size_t e = 0; e < n; e++) {
            const double want = tanh((double)x[e]);
            if (isnan(x[e])) {
                if (!isnan(y[e])) fail_msg("tanh(NaN) is %g", y[e]);
                continue;
            }
            const float wf = (float)want;
            const double ulp = (double)nextafterf(fabsf(wf), INFINITY) - fabsf(wf);
            if (e < ne ? y[e] != wf || signbit(y[e]) != signbit(wf)
                       : fabs((double)y[e] - want) > 2.0 * ulp)
                fail_msg("tanh(%.9g) is %.9g, not %.9g (%d threads)", x[e], y[e], want, threads);
        }
    }
    nn_set_threads(1);
    nn_net_free(net);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_im2col_col2im),
        cmocka_unit_test(test_maxpool_paths),
        cmocka_unit_test(test_tanh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
