/* tests/unit/test_phantom_model.c: the phantom's anatomy, depth weighting, rendering pieces
 * (Poisson sampler, blur, binning, totals) and geometry scaling with the output size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "data/phantom.h"
#include "data/phantom_model.h"
#include "util/rng.h"

static void small_params(sc_phantom_params *p, int h, int w)
{
    sc_phantom_defaults(p);
    p->patients = 40;
    p->h = h;
    p->w = w;
}

/* The skeleton has the same primitives in the same order for every anatomy (lesions refer to
 * hosts by index), stays inside the field of view, and is left-right symmetric without
 * scoliosis. */
static void test_skeleton_structure(void **state)
{
    (void)state;
    sc_phantom_params p;
    small_params(&p, 256, 64);
    ph_scene a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ph_patient pa, pb;
    ph_make_patient(&p, 0, &pa);
    ph_make_patient(&p, 7, &pb);
    const double still[2] = {0, 0};
    ph_build_skeleton(&pa.an, still, &a);
    ph_build_skeleton(&pb.an, still, &b);
    assert_true(a.bone.n > 300);
    assert_int_equal(a.bone.n, b.bone.n);
    assert_int_equal(a.n_joints, b.n_joints);
    for (int i = 0; i < a.bone.n; i++) {
        assert_int_equal(a.bone.v[i].site, b.bone.v[i].site);
        assert_int_equal(a.bone.v[i].kind, b.bone.v[i].kind);
        assert_true(a.bone.v[i].dens > 0);
    }
    /* every joint type the findings use exists on both sides */
    for (int t = 0; t < JT_N; t++)
        for (int s = -1; s <= 1; s += 2) {
            int digit = (t == JT_MCP || t == JT_PIP || t == JT_MTP) ? 1
                        : (t == JT_DIP ? 2 : 0);
            assert_non_null(ph_find_joint(&a, t, digit, s));
        }
    /* symmetric anatomy: every joint has a mirror twin */
    ph_anatomy sym = pa.an;
    sym.scol_amp = 0;
    sym.head_tilt = 0;
    for (int i = 0; i < 2; i++) {
        sym.arm_ang[i] = 0.08;
        sym.fore_ang[i] = 0.05;
        sym.leg_ang[i] = 0.02;
        sym.foot_ang[i] = 0.3;
    }
    ph_build_skeleton(&sym, still, &a);
    for (int i = 0; i < a.n_joints; i++) {
        const ph_joint *j = &a.joints[i];
        if (!j->side) continue;
        const ph_joint *m = ph_find_joint(&a, j->type, j->digit, -j->side);
        assert_non_null(m);
        assert_true(fabs(j->x + m->x) < 1e-3 && fabs(j->y - m->y) < 1e-3);
        assert_true(fabs(j->x) < PH_FOV_W / 2 && j->y > 0 && j->y < PH_FOV_H);
    }
    ph_scene_free(&a);
    ph_scene_free(&b);
}

/* Depth weighting: the spine and scapulae are brighter on the posterior view, the sternum
 * and pubis on the anterior view. */
static void test_depth_weights(void **state)
{
    (void)state;
    sc_phantom_params p;
    small_params(&p, 256, 64);
    ph_patient pt;
    ph_make_patient(&p, 3, &pt);
    ph_scene s;
    memset(&s, 0, sizeof s);
    const double still[2] = {0, 0};
    ph_build_skeleton(&pt.an, still, &s);
    int spine = 0, sternum = 0;
    for (int i = 0; i < s.bone.n; i++) {
        const ph_prim *b = &s.bone.v[i];
        if (b->site == S_TSPINE || b->site == S_SACRUM || b->site == S_SCAPULA) {
            if (b->site != S_SCAPULA || b->kind == PK_TRIANGLE) assert_true(b->wp > b->wa);
            spine++;
        }
        if (b->site == S_STERNUM) {
            assert_true(b->wa > 2 * b->wp);
            sternum++;
        }
    }
    assert_true(spine > 50 && sternum == 4);
    const ph_joint *sc = ph_find_joint(&s, JT_SC, 0, 1);
    assert_true(sc->wa > sc->wp);
    ph_scene_free(&s);
}

static void test_poisson_moments(void **state)
{
    (void)state;
    const double mus[] = {0.3, 4.0, 9.9, 10.1, 50.0, 800.0};
    sc_rng r;
    sc_rng_seed(&r, 11);
    const int n = 200000;
    for (size_t k = 0; k < sizeof mus / sizeof mus[0]; k++) {
        double mu = mus[k], s = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            double x = ph_poisson(&r, mu);
            s += x;
            s2 += x * x;
        }
        double mean = s / n, var = s2 / n - mean * mean;
        assert_true(fabs(mean - mu) < 5 * sqrt(mu / n));
        assert_true(fabs(var / mu - 1) < 0.03);
    }
    assert_int_equal(ph_poisson(&r, 0.0), 0);
    assert_int_equal(ph_poisson(&r, -1.0), 0);
    assert_int_equal(ph_poisson(&r, NAN), 0);
}

/* Counts image: saturates at 65535, exact zeros where the mean is 0. */
static void test_sample_counts(void **state)
{
    (void)state;
    float mean[4] = {0, 5, 1e6f, 70000};
    uint16_t out[4];
    sc_rng r;
    sc_rng_seed(&r, 2);
    ph_sample_counts(&r, mean, out, 4);
    assert_int_equal(out[0], 0);
    assert_true(out[1] < 40);
    assert_int_equal(out[2], 65535);
    assert_int_equal(out[3], 65535);
}

/* Rendering: totals match the drawn counts per view, the background is low, the blur
 * preserves mass (a centred blob loses nothing). */
static void test_render_totals(void **state)
{
    (void)state;
    sc_phantom_params p;
    small_params(&p, 256, 64);
    sc_phantom *g = sc_phantom_new(&p);
    assert_non_null(g);
    float *e = malloc(sizeof(float) * 2 * 256 * 64);
    for (int pt = 0; pt < 5; pt++) {
        sc_phantom_truth t;
        assert_int_equal(sc_phantom_expected(g, pt, 0, e, &t), 0);
        for (int v = 0; v < 2; v++) {
            assert_true(t.expected_total[v] >= p.counts_min * 0.999);
            assert_true(t.expected_total[v] <= p.counts_max * 1.001);
            /* top corners: outside the body, background only (16x native pixel area) */
            double corner = 0;
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 6; c++) corner += e[(size_t)v * 256 * 64 + r * 64 + c];
            assert_true(corner / 48 < 2.0 * 16);
        }
    }
    free(e);
    sc_phantom_free(g);

    ph_raster ra;
    ph_raster_init(&ra, 256, 64);
    assert_int_equal(ra.k, 4); /* 600 mm / 64 px = 9.4 mm: rendered at 2.3 mm */
    ph_scene s;
    memset(&s, 0, sizeof s);
    ph_prim *b = ph_push(&s.add, PK_GAUSS, S_NONE, 0, 1.0f, 1.0f, 0.5f);
    b->p[0] = 0;
    b->p[1] = 1000;
    b->p[2] = b->p[3] = 20;
    ph_pose po = {.counts = {1e6, 1e6}, .bg = 0};
    float *out = malloc(sizeof(float) * 2 * 256 * 64);
    ph_render(&ra, &s, &po, out);
    double sa = 0, sp = 0, peak_c = 0;
    int peak = 0;
    for (int i = 0; i < 256 * 64; i++) {
        sa += out[i];
        sp += out[256 * 64 + i];
        if (out[i] > peak_c) {
            peak_c = out[i];
            peak = i;
        }
    }
    assert_true(fabs(sa - 1e6) < 1 && fabs(sp - 1e6) < 1);
    assert_int_equal(peak / 64, (int)(1000 / (PH_FOV_H / 256))); /* row of the blob */
    ph_scene_free(&s);
    ph_raster_free(&ra);
    free(out);
}

/* The same anatomy at every size: the native expected image binned 4 x 4 is close to the
 * 256 x 64 one. */
static void test_size_scaling(void **state)
{
    (void)state;
    sc_phantom_params big, small;
    small_params(&big, 1024, 256);
    small_params(&small, 256, 64);
    sc_phantom *gb = sc_phantom_new(&big), *gs = sc_phantom_new(&small);
    float *eb = malloc(sizeof(float) * 2 * 1024 * 256), *es = malloc(sizeof(float) * 2 * 256 * 64);
    assert_int_equal(sc_phantom_expected(gb, 4, 0, eb, NULL), 0);
    assert_int_equal(sc_phantom_expected(gs, 4, 0, es, NULL), 0);
    double diff = 0, tot = 0;
    for (int v = 0; v < 2; v++)
        for (int r = 0; r < 256; r++)
            for (int c = 0; c < 64; c++) {
                double acc = 0;
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        acc += eb[(size_t)v * 1024 * 256 + (size_t)(4 * r + i) * 256 + 4 * c + j];
                double x = es[(size_t)v * 256 * 64 + r * 64 + c];
                diff += fabs(acc - x);
                tot += x;
            }
    assert_true(diff / tot < 0.08);
    free(eb);
    free(es);
    sc_phantom_free(gb);
    sc_phantom_free(gs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skeleton_structure), cmocka_unit_test(test_depth_weights),
        cmocka_unit_test(test_poisson_moments),    cmocka_unit_test(test_sample_counts),
        cmocka_unit_test(test_render_totals),      cmocka_unit_test(test_size_scaling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
