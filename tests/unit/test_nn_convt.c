/* tests/unit/test_nn_convt.c: the conv_transpose layer (nn/conv.c, through conv_core.c) against
 * the definition of a transposed convolution and of its gradients, computed in double.
 *
 * Each case is a network of two conv_transpose layers side by side on the same input, their
 * outputs concatenated, so that in backward one of them writes the input gradient and the other
 * adds into it (L->acc), and the two get different weights.  Forward, then two backward passes
 * without nn_zero_grad in between (the first overwrites the parameter gradients, the second adds
 * to them: beta_p), then one without parameter gradients (they must stay as they were), all on
 * 1, 2 and 3 nn threads (the workspace sized for 3).  Geometries: the GAN's 4x4/2 pad 1 and
 * (4,1)/1 from a 1x1 input, 3x3/2 with output_pad 1, 1x1 kernels at strides 1 and 2, unequal
 * kernels, strides, paddings and output paddings on odd sizes, 3x3/1 (Winograd's path), 5x5/1
 * (the flipped path without a bias), inputs of 320 positions (4 images per GEMM: 7 images are
 * chunks of 4 and 3, or split across threads) and of 1200 (row blocks of an image), and batches
 * of 1 to 37.
 *
 * Tolerance: |got - want| <= 1e-5 of the sum of the absolute values of the terms of that
 * output, + 1e-6.  Each output is a float sum of at most a few thousand products (the weight
 * gradient over batch x positions), taken in the GEMM kernels' order and per-thread partial
 * sums; its rounding error stays far under 1e-5 of that sum in practice (the worst-case bound,
 * terms x 2^-24, would be about 1e-4 for the largest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/nn.h"
#include "tests/unit/nn_gradcheck.h"
#include "util/error.h"

static uint64_t lcg = 777;
static float uniform(void) { return nn_test_uniform(&lcg); }
static float *randoms(size_t n) { return nn_test_randoms(&lcg, n); }

typedef struct {
    int cin, h, w, cout;
    int kh, kw, sh, sw, ph, pw, oph, opw;
    int bias, b;
} ccase;

static int out_h(const ccase *k) { return (k->h - 1) * k->sh - 2 * k->ph + k->kh + k->oph; }
static int out_w(const ccase *k) { return (k->w - 1) * k->sw - 2 * k->pw + k->kw + k->opw; }

/* The sums of a transposed convolution with weights w [cin][cout][kh][kw], in double, with the
 * sum of the absolute values of their terms: y [b][cout][oh][ow] from x (with bias), and from dy
 * [b][cout][oh][ow]: dx [b][cin][h][w], dw [cin][cout][kh][kw], db [cout]. */
typedef struct {
    double *y, *ys, *dx, *dxs, *dw, *dws, *db, *dbs;
} sums;

static sums reference(const ccase *k, const float *x, const float *w, const float *bias,
                      const float *dy)
{
    const int OH = out_h(k), OW = out_w(k);
    const size_t ny = (size_t)k->b * k->cout * OH * OW, nx = (size_t)k->b * k->cin * k->h * k->w;
    const size_t nw = (size_t)k->cin * k->cout * k->kh * k->kw;
    sums s = {calloc(ny, 8), calloc(ny, 8), calloc(nx, 8), calloc(nx, 8),
              calloc(nw, 8), calloc(nw, 8), calloc(k->cout, 8), calloc(k->cout, 8)};
    for (int n = 0; n < k->b; n++)
        for (int o = 0; o < k->cout; o++)
            for (size_t p = 0; p < (size_t)OH * OW; p++) {
                const size_t at = ((size_t)n * k->cout + o) * OH * OW + p;
                if (bias) s.y[at] = bias[o], s.ys[at] = fabs(bias[o]);
                s.db[o] += dy[at];
                s.dbs[o] += fabs(dy[at]);
            }
    for (int n = 0; n < k->b; n++)
        for (int c = 0; c < k->cin; c++)
            for (int iy = 0; iy < k->h; iy++)
                for (int ix = 0; ix < k->w; ix++) {
                    const size_t xi = (((size_t)n * k->cin + c) * k->h + iy) * k->w + ix;
                    for (int o = 0; o < k->cout; o++)
                        for (int ky = 0; ky < k->kh; ky++)
                            for (int kx = 0; kx < k->kw; kx++) {
                                const int oy = iy * k->sh - k->ph + ky;
                                const int ox = ix * k->sw - k->pw + kx;
                                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                                const size_t wi =
                                    (((size_t)c * k->cout + o) * k->kh + ky) * k->kw + kx;
                                const size_t yi = (((size_t)n * k->cout + o) * OH + oy) * OW + ox;
                                const double t = (double)x[xi] * w[wi], g = (double)dy[yi] * w[wi],
                                             d = (double)x[xi] * dy[yi];
                                s.y[yi] += t, s.ys[yi] += fabs(t);
                                s.dx[xi] += g, s.dxs[xi] += fabs(g);
                                s.dw[wi] += d, s.dws[wi] += fabs(d);
                            }
                }
    return s;
}

static void free_sums(sums *s)
{
    free(s->y), free(s->ys), free(s->dx), free(s->dxs);
    free(s->dw), free(s->dws), free(s->db), free(s->dbs);
}

static int close_to(float got, double want, double scale, const char *what, size_t at)
{
    if (fabs((double)got - want) <= 1e-5 * scale + 1e-6) return 1;
    fprintf(stderr, "%s[%zu] = %.9g, want %.9g (scale %.3g)\n", what, at, got, want, scale);
    return 0;
}

/* got [i] against want [i] (+ more [i] if more) for n values, scales added likewise */
static int check(const char *what, const float *got, const double *want, const double *scale,
                 const double *more, const double *more_scale, size_t n)
{
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++)
        ok = close_to(got[i], want[i] + (more ? more[i] : 0.0),
                      scale[i] + (more ? more_scale[i] : 0.0), what, i);
    return ok;
}

static nn_layer *layer_named(nn_net *net, const char *name)
{
    for (int i = 0; i < net->n_layers; i++)
        if (!strcmp(net->L[i].name, name)) return &net->L[i];
    fail_msg("no layer '%s'", name);
    return NULL;
}

/* One branch's layer text. */
static void layer_text(char *buf, size_t n, const ccase *k, const char *name)
{
    snprintf(buf, n, "{ type = \"conv_transpose\"; name = \"%s\"; out = %d; kernel = [%d, %d]; "
             "stride = [%d, %d]; pad = [%d, %d]; output_pad = [%d, %d]; bias = %s; }", name,
             k->cout, k->kh, k->kw, k->sh, k->sw, k->ph, k->pw, k->oph, k->opw,
             k->bias ? "true" : "false");
}

/* The concatenated [b][2 cout][oh][ow] gradient's half for branch `half` into dst. */
static void split(const ccase *k, const float *dy2, int half, float *dst)
{
    const size_t plane = (size_t)k->cout * out_h(k) * out_w(k);
    for (int n = 0; n < k->b; n++)
        memcpy(dst + n * plane, dy2 + (2 * (size_t)n + half) * plane, sizeof(float) * plane);
}

static void run_case(const ccase *k)
{
    char a[512], b[512], text[1200];
    layer_text(a, sizeof a, k, "a");
    layer_text(b, sizeof b, k, "b");
    snprintf(text, sizeof text,
             "layers = ( { type = \"concat\"; branches = ( ( %s ), ( %s ) ); } );", a, b);
    nn_set_threads(3);
    nn_shape shape = {k->cin, k->h, k->w, 1, k->b};
    nn_net *net = nn_net_build_text(text, "convt", &shape);
    if (!net) fail_msg("build failed: %s", sc_err_msg());
    nn_layer *La = layer_named(net, "a"), *Lb = layer_named(net, "b"), *Ls[2] = {La, Lb};
    assert_int_equal(La->acc[0] + Lb->acc[0], 1); /* one writes dx, the other adds into it */
    const int OH = out_h(k), OW = out_w(k);
    const size_t nx = (size_t)k->b * k->cin * k->h * k->w, ny = (size_t)k->b * k->cout * OH * OW;
    const size_t nw = La->par[0].n;
    float *x = randoms(nx), *dy[2] = {randoms(2 * ny), randoms(2 * ny)}, *dx = randoms(nx);
    float *half = malloc(sizeof(float) * ny);
    for (int l = 0; l < 2; l++)
        for (int p = 0; p < Ls[l]->n_par; p++)
            for (size_t i = 0; i < Ls[l]->par[p].n; i++) Ls[l]->par[p].w[i] = uniform();
    /* ref[pass][layer] */
    sums ref[2][2];
    for (int pass = 0; pass < 2; pass++)
        for (int l = 0; l < 2; l++) {
            split(k, dy[pass], l, half);
            ref[pass][l] = reference(k, x, Ls[l]->par[0].w, k->bias ? Ls[l]->par[1].w : NULL, half);
        }
    for (int threads = 1; threads <= 3; threads++) {
        nn_set_threads(threads);
        const float *y = nn_forward(net, x, k->b, 1);
        assert_non_null(y);
        int ok = 1;
        for (int l = 0; l < 2 && ok; l++) {
            split(k, y, l, half);
            ok = check("y", half, ref[0][l].y, ref[0][l].ys, NULL, NULL, ny);
        }
        nn_zero_grad(net);
        for (int pass = 0; pass < 2 && ok; pass++) {
            assert_int_equal(nn_backward(net, dy[pass], dx, 0), 0);
            ok = check("dx", dx, ref[pass][0].dx, ref[pass][0].dxs, ref[pass][1].dx,
                       ref[pass][1].dxs, nx);
            for (int l = 0; l < 2 && ok; l++) { /* pass 1 adds to pass 0's */
                const sums *p0 = &ref[0][l], *p1 = pass ? &ref[1][l] : NULL;
                ok = check("dw", Ls[l]->par[0].g, p0->dw, p0->dws, p1 ? p1->dw : NULL,
                           p1 ? p1->dws : NULL, nw);
                if (ok && k->bias)
                    ok = check("db", Ls[l]->par[1].g, p0->db, p0->dbs, p1 ? p1->db : NULL,
                               p1 ? p1->dbs : NULL, (size_t)k->cout);
            }
        }
        if (ok) { /* dx only: the parameter gradients stay */
            float *keep = malloc(sizeof(float) * nw);
            memcpy(keep, La->par[0].g, sizeof(float) * nw);
            assert_int_equal(nn_backward(net, dy[0], dx, NN_BACKWARD_NO_PARAM_GRADS), 0);
            ok = check("dx", dx, ref[0][0].dx, ref[0][0].dxs, ref[0][1].dx, ref[0][1].dxs, nx) &&
                 !memcmp(keep, La->par[0].g, sizeof(float) * nw);
            free(keep);
        }
        if (!ok)
            fail_msg("conv_transpose %d x %dx%d -> %d, kernel %dx%d stride %dx%d pad %dx%d "
                     "output_pad %dx%d bias %d, batch %d, %d threads", k->cin, k->h, k->w,
                     k->cout, k->kh, k->kw, k->sh, k->sw, k->ph, k->pw, k->oph, k->opw, k->bias,
                     k->b, threads);
    }
    for (int pass = 0; pass < 2; pass++)
        for (int l = 0; l < 2; l++) free_sums(&ref[pass][l]);
    nn_set_threads(1);
    nn_net_free(net);
    free(x), free(dy[0]), free(dy[1]), free(dx), free(half);
}

#define K4S2P1 4, 4, 2, 2, 1, 1, 0, 0
static const ccase cases[] = {
    /* cin, h, w, cout, kh, kw, sh, sw, ph, pw, oph, opw, bias, b */
    {3, 4, 3, 5, K4S2P1, 1, 5},
    {5, 4, 1, 4, K4S2P1, 0, 37},          /* up1's shape, many images per GEMM */
    {7, 1, 1, 6, 4, 1, 1, 1, 0, 0, 0, 0, 1, 9},     /* gan_g's project: (4,1) from 1x1 */
    {4, 5, 7, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 4},     /* 3x3/2, output_pad 1, odd sizes */
    {5, 3, 4, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 3},     /* 1x1: no im2col */
    {3, 3, 3, 2, 1, 1, 2, 2, 0, 0, 1, 0, 1, 2},     /* 1x1/2: outputs that only get the bias */
    {3, 5, 4, 4, 3, 2, 2, 3, 1, 0, 1, 2, 1, 3},     /* unequal everything */
    {3, 6, 5, 4, 3, 3, 1, 1, 1, 1, 0, 0, 1, 3},     /* 3x3/1: Winograd */
    {2, 5, 6, 3, 5, 5, 1, 1, 2, 2, 0, 0, 0, 2},     /* 5x5/1, cin <= cout: the flipped path */
    {2, 5, 6, 3, 5, 5, 1, 1, 2, 2, 0, 0, 1, 2},     /* the same with a bias (added into y) */
    {2, 16, 20, 3, K4S2P1, 1, 7},         /* 4 images per GEMM, 7 = 4 + 3 */
    {2, 40, 30, 3, K4S2P1, 0, 3},         /* 1200 positions: blocks of rows */
    {1, 2, 2, 1, K4S2P1, 1, 1},           /* one image: fewer images than threads */
};

static void test_convt(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
