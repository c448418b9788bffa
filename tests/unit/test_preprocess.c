/* tests/unit/test_preprocess.c: area resizing, normalization, geometric augmentation. */
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
    aug_geo_params id = {0, 0, 0, 0, 1};
    aug_geo_apply(&id, in, C, H, W, out);
    for (int i = 0; i < C * H * W; i++) assert_float_equal(out[i], in[i], 1e-5);
    aug_geo_params mir = {1, 0, 0, 0, 1};
    aug_geo_apply(&mir, in, C, H, W, out);
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                assert_float_equal(out[(c * H + y) * W + x], in[(c * H + y) * W + (W - 1 - x)],
                                   1e-5);
    aug_geo_apply(&mir, out, C, H, W, back);
    for (int i = 0; i < C * H * W; i++) assert_float_equal(back[i], in[i], 1e-5);
    /* Shift right by 2 and down by 1: content moves, the uncovered border is 0. */
    aug_geo_params sh = {0, 2, 1, 0, 1};
    aug_geo_apply(&sh, in, C, H, W, out);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resize_block_mean),
        cmocka_unit_test(test_resize_preserves_mean_for_any_ratio),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_geometric_identity_mirror_shift),
        cmocka_unit_test(test_geometric_draws_are_deterministic_and_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
