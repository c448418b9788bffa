/* tests/unit/test_preprocess.c: area and bilinear resizing, normalization, geometric
 * augmentation (per view geometry) and binomial thinning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "augment/geometric.h"
#include "data/preprocess.h"

static void test_resize_block_mean(void **state)
{
    (void)state;
    float in[16], out[4];
    for (int i = 0; i < 16; i++) in[i] = (float)i;
    sc_resize_area(in, 4, 4, out, 2, 2);
    /* Each output is the mean of a 2x2 block. */
    assert_float_equal(out[0], (0 + 1 + 4 + 5) / 4.0f, 1e-6);
    assert_float_equal(out[1], (2 + 3 + 6 + 7) / 4.0f, 1e-6);
    assert_float_equal(out[2], (8 + 9 + 12 + 13) / 4.0f, 1e-6);
    assert_float_equal(out[3], (10 + 11 + 14 + 15) / 4.0f, 1e-6);
}

static void test_resize_preserves_mean_for_any_ratio(void **state)
{
    (void)state;
    int h = 37, w = 23, oh = 10, ow = 7;
    float *in = malloc(sizeof(float) * h * w), *out = malloc(sizeof(float) * oh * ow);
    double s = 0;
    for (int i = 0; i < h * w; i++) s += in[i] = (float)((i * 7919) % 101);
    sc_resize_area(in, h, w, out, oh, ow);
    double so = 0;
    for (int i = 0; i < oh * ow; i++) so += out[i];
    assert_float_equal(so / (oh * ow), s / (h * w), 1e-3);
    /* A point source keeps its total (integral) when downsampled. */
    memset(in, 0, sizeof(float) * h * w);
    in[17 * w + 11] = 1000.0f;
    sc_resize_area(in, h, w, out, oh, ow);
    so = 0;
    for (int i = 0; i < oh * ow; i++) so += out[i];
    assert_float_equal(so * ((double)h * w) / (oh * ow), 1000.0, 1e-2);
    free(in);
    free(out);
}

static void test_normalize(void **state)
{
    (void)state;
    float v[4] = {1, 2, 3, 6};
    sc_normalize_view(v, 4, SC_NORM_MEAN);
    assert_float_equal(v[0], 1 / 3.0f, 1e-6);
    assert_float_equal(v[3], 2.0f, 1e-6);
    float m[4] = {1, 2, 3, 8};
    sc_normalize_view(m, 4, SC_NORM_MAX);
    assert_float_equal(m[3], 1.0f, 1e-6);
    assert_float_equal(m[0], 0.125f, 1e-6);
    float z[3] = {0, 0, 0};
    sc_normalize_view(z, 3, SC_NORM_MEAN);
    assert_float_equal(z[1], 0.0f, 0); /* empty view stays 0, not NaN */
    float g[2] = {1, 3};
    sc_normalize_view(g, 2, SC_NORM_LOG);
    assert_float_equal(g[1], log1pf(1.5f), 1e-6);
    sc_norm n;
    assert_int_equal(sc_norm_parse("max", &n), 0);
    assert_int_equal(n, SC_NORM_MAX);
    assert_int_equal(sc_norm_parse("zscore", &n), -1);
}

static void test_geometric_identity_mirror_shift(void **state)
{
    (void)state;
    enum { C = 2, H = 9, W = 6 };
    float in[C * H * W], out[C * H * W], back[C * H * W];
    for (int i = 0; i < C * H * W; i++) in[i] = (float)(i % 13) + 0.5f * (float)(i / 13);
    aug_geo_params id = {0, 0, 0, 0, 1, 1};
    aug_geo_apply(&id, in, C, H, W, NULL, out);
    for (int i = 0; i < C * H * W; i++) assert_float_equal(out[i], in[i], 1e-5);
    aug_geo_params mir = {1, 0, 0, 0, 1, 1};
    aug_geo_apply(&mir, in, C, H, W, NULL, out);
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                assert_float_equal(out[(c * H + y) * W + x], in[(c * H + y) * W + (W - 1 - x)],
                                   1e-5);
    aug_geo_apply(&mir, out, C, H, W, NULL, back);
    for (int i = 0; i < C * H * W; i++) assert_float_equal(back[i], in[i], 1e-5);
    /* Shift right by 2 and down by 1: content moves, the uncovered border is 0. */
    aug_geo_params sh = {0, 2, 1, 0, 1, 1};
    aug_geo_apply(&sh, in, C, H, W, NULL, out);
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                float want = (x >= 2 && y >= 1) ? in[(c * H + y - 1) * W + x - 2] : 0.0f;
                assert_float_equal(out[(c * H + y) * W + x], want, 1e-5);
            }
}

static void test_geometric_draws_are_deterministic_and_bounded(void **state)
{
    (void)state;
    aug_geo_cfg cfg;
    aug_geo_defaults(&cfg);
    int mirrored = 0;
    for (int s = 0; s < 200; s++) {
        aug_geo_params a, b;
        aug_geo_draw(&cfg, 99, s, 1, 256, 64, &a);
        aug_geo_draw(&cfg, 99, s, 1, 256, 64, &b);
        assert_memory_equal(&a, &b, sizeof a);
        assert_true(fabsf(a.dx) <= cfg.shift * 64 + 1e-4f);
        assert_true(fabsf(a.dy) <= cfg.shift * 256 + 1e-4f);
        assert_true(fabsf(a.angle_rad) <= cfg.rotate_deg * (float)M_PI / 180.0f + 1e-6f);
        assert_float_equal(a.zoom, 1.0f, 1e-6);
        mirrored += a.mirror;
        aug_geo_draw(&cfg, 99, s, 2, 256, 64, &b);
        assert_memory_not_equal(&a, &b, sizeof a); /* copies differ */
    }
    assert_true(mirrored > 70 && mirrored < 130);
}

/* A posterior view stored mirrored (P = the left-right mirror of what the anterior geometry
 * shows) must move as the patient moves: transformed, it is still the mirror of the transformed
 * anterior view.  Without view_mirrored it would not be (a lateral shift or a rotation would move
 * the two views in opposite directions of the body). */
static void test_geometric_mirrored_view_moves_with_the_patient(void **state)
{
    (void)state;
    enum { H = 40, W = 16, N = H * W };
    float in[2 * N], out[2 * N], naive[2 * N];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float v = (float)((y * 7 + x * 13) % 17) + 0.25f * (float)x;
            in[y * W + x] = v;               /* anterior */
            in[N + y * W + (W - 1 - x)] = v; /* posterior, stored mirrored */
        }
    aug_geo_cfg cfg;
    aug_geo_defaults(&cfg);
    cfg.shift = 0.1f;
    cfg.rotate_deg = 8;
    const int mirrored[2] = {0, 1};
    int differs = 0;
    for (int copy = 1; copy <= 8; copy++) {
        aug_geo_params p;
        aug_geo_draw(&cfg, 7, 3, copy, H, W, &p);
        aug_geo_apply(&p, in, 2, H, W, mirrored, out);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                assert_float_equal(out[N + y * W + (W - 1 - x)], out[y * W + x], 1e-4);
        aug_geo_apply(&p, in, 2, H, W, NULL, naive); /* the same movement in both frames */
        for (int i = 0; i < N; i++)
            differs += fabsf(naive[N + (i / W) * W + (W - 1 - i % W)] - naive[i]) > 0.1f;
    }
    assert_true(differs > 0);
}

/* Binomial thinning keeps every pixel's expected value (the counts are rescaled by 1 / keep),
 * with the binomial variance n (1 - p) / p in intensity units; the same (seed, scan, copy)
 * gives the same draws. */
static void test_thinning_keeps_the_expected_mean(void **state)
{
    (void)state;
    enum { HW = 64, COPIES = 2000 };
    float x[HW], y[HW];
    const float scale = 4.0f; /* 4 counts per unit of intensity */
    double sum[HW] = {0}, sum2[HW] = {0};
    for (int i = 0; i < HW; i++) x[i] = (float)(i * 3 + 1) / scale; /* counts 1, 4, ..., 190 */
    aug_geo_params p = {0, 0, 0, 0, 1, 0.4f};
    for (int copy = 1; copy <= COPIES; copy++) {
        memcpy(y, x, sizeof y);
        aug_geo_thin(&p, 11, 5, copy, y, 1, HW, &scale, 0);
        for (int i = 0; i < HW; i++) {
            sum[i] += y[i];
            sum2[i] += (double)y[i] * y[i];
            /* survivors of n counts: k / 0.4 counts, k an integer */
            double k = y[i] * scale * 0.4;
            assert_float_equal(k, round(k), 1e-3);
        }
    }
    double total = 0, want = 0;
    for (int i = 0; i < HW; i++) {
        const double n = x[i] * scale, mean = sum[i] / COPIES;
        const double var = n * 0.6 / 0.4 / (scale * scale); /* of one thinned pixel */
        assert_true(fabs(mean - x[i]) <= 5.0 * sqrt(var / COPIES) + 1e-9);
        const double v = sum2[i] / COPIES - mean * mean;
        assert_true(fabs(v - var) <= 0.15 * var + 1e-9);
        total += sum[i];
        want += (double)x[i] * COPIES;
    }
    assert_true(fabs(total / want - 1.0) < 0.005);
    /* deterministic; keep = 1 changes nothing; log intensities keep the expected counts */
    float a[HW], b[HW];
    memcpy(a, x, sizeof a);
    memcpy(b, x, sizeof b);
    aug_geo_thin(&p, 11, 5, 3, a, 1, HW, &scale, 0);
    aug_geo_thin(&p, 11, 5, 3, b, 1, HW, &scale, 0);
    assert_memory_equal(a, b, sizeof a);
    aug_geo_params none = {0, 0, 0, 0, 1, 1.0f};
    memcpy(a, x, sizeof a);
    aug_geo_thin(&none, 11, 5, 3, a, 1, HW, &scale, 0);
    assert_memory_equal(a, x, sizeof a);
    double c_sum = 0, c_want = 0;
    for (int copy = 1; copy <= 500; copy++) {
        for (int i = 0; i < HW; i++) y[i] = log1pf(x[i]);
        aug_geo_thin(&p, 11, 6, copy, y, 1, HW, &scale, 1);
        for (int i = 0; i < HW; i++) c_sum += expm1(y[i]) * scale, c_want += x[i] * scale;
    }
    assert_true(fabs(c_sum / c_want - 1.0) < 0.01);
}

static void test_thinning_draw(void **state)
{
    (void)state;
    aug_geo_cfg cfg;
    aug_geo_defaults(&cfg);
    aug_geo_params a, b;
    aug_geo_draw(&cfg, 5, 1, 1, 64, 16, &a);
    assert_float_equal(a.keep, 1.0f, 0); /* off by default */
    cfg.thin = 0.5f;
    aug_geo_draw(&cfg, 5, 1, 1, 64, 16, &b);
    assert_true(b.keep >= 0.5f && b.keep <= 1.0f);
    /* the transform is the same with or without thinning */
    assert_int_equal(a.mirror, b.mirror);
    assert_float_equal(a.dx, b.dx, 0);
    assert_float_equal(a.angle_rad, b.angle_rad, 0);
}

/* Bilinear enlarging as torch.nn.functional.interpolate(mode="bilinear", align_corners=False):
 * [1, 2] to 4 columns is [1, 1.25, 1.75, 2]; a constant stays constant; sc_resize takes the
 * area rule when shrinking. */
static void test_resize_bilinear(void **state)
{
    (void)state;
    const float row[2] = {1, 2};
    float out[4];
    sc_resize_bilinear(row, 1, 2, out, 1, 4);
    assert_float_equal(out[0], 1.0f, 1e-6);
    assert_float_equal(out[1], 1.25f, 1e-6);
    assert_float_equal(out[2], 1.75f, 1e-6);
    assert_float_equal(out[3], 2.0f, 1e-6);
    float c[6] = {3, 3, 3, 3, 3, 3}, big[5 * 7];
    sc_resize_bilinear(c, 2, 3, big, 5, 7);
    for (int i = 0; i < 35; i++) assert_float_equal(big[i], 3.0f, 1e-6);
    float in[16], a[4], b[4];
    for (int i = 0; i < 16; i++) in[i] = (float)i;
    sc_resize(in, 4, 4, a, 2, 2);
    sc_resize_area(in, 4, 4, b, 2, 2);
    assert_memory_equal(a, b, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resize_block_mean),
        cmocka_unit_test(test_resize_preserves_mean_for_any_ratio),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_geometric_identity_mirror_shift),
        cmocka_unit_test(test_geometric_draws_are_deterministic_and_bounded),
        cmocka_unit_test(test_geometric_mirrored_view_moves_with_the_patient),
        cmocka_unit_test(test_thinning_keeps_the_expected_mean),
        cmocka_unit_test(test_thinning_draw),
        cmocka_unit_test(test_resize_bilinear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
