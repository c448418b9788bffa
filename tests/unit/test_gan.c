/* tests/unit/test_gan.c: the conditional GAN (augment/gan*.c).
 *
 * Against PyTorch 1.13 (tests/fixtures/torch_gan.h5, written by make_gan_fixture.py with
 * scripts/spectcv_torch.gan_step): two steps of tiny networks with SGD (lr 0.05), so that every
 * weight's change is its gradient times the learning rate, without and with the mismatch term.  The losses and D's outputs of each
 * step must agree to 1e-5 (relative; they are computed in double from float logits), the
 * weight changes of both networks to 1e-6 + 1e-3 max |change| per tensor (the tolerance of
 * test_nn_torch.c's gradients), the batch-norm statistics to 1e-5 (D's are updated three times
 * per step: real, fake, and the G step's pass), and the generator's eval-mode output after the
 * steps to 1e-5.  A wrong step order, gradients leaking from G's step into D's, or batch norm
 * mixing real and fake batches each break these.
 *
 * Then the pieces around the networks: training is a pure function of its seed, samples of
 * their noise; label sets, the intensity mapping, histograms, W1, mean scans; the shape checks
 * of aug_gan_build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment/gan.h"
#include "augment/gan_data.h"
#include "augment/gan_train.h"
#include "nn/layer.h"
#include "nn/weights.h"
#include "tests/unit/nn_gradcheck.h"
#include "tests/unit/torch_fixture.h"
#include "util/error.h"

static void arch_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/tests/fixtures/archs/%s", nn_test_root(), name);
}

/* The change of every parameter of net since `init` against torch's (init -> after). */
static void compare_steps(nn_net *net, hid_t init, hid_t after, const char *which)
{
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        for (int j = 0; j < L->n_par; j++) {
            char name[256], label[300];
            snprintf(name, sizeof name, "%s/%s", L->name, L->par[j].name);
            snprintf(label, sizeof label, "%s %s: change after the steps", which, name);
            size_t n;
            float *w0 = tf_floats(init, name, &n), *w1 = tf_floats(after, name, NULL);
            float *dc = malloc(sizeof(float) * n), *dt = malloc(sizeof(float) * n);
            assert_int_equal(n, L->par[j].n);
            for (size_t k = 0; k < n; k++) dc[k] = L->par[j].w[k] - w0[k], dt[k] = w1[k] - w0[k];
            tf_compare(label, dc, dt, n, 1e-6, 1e-3);
            free(w0), free(w1), free(dc), free(dt);
        }
        if (!L->n_stat) continue;
        const char *st[2] = {"running_mean", "running_var"};
        for (int k = 0; k < 2; k++) {
            char name[256], label[300];
            snprintf(name, sizeof name, "%s/%s", L->name, st[k]);
            snprintf(label, sizeof label, "%s %s", which, name);
            float *t = tf_floats(after, name, NULL);
            tf_compare(label, L->stat + k * L->n_stat / 2, t, L->n_stat / 2, 1e-5, 1e-5);
            free(t);
        }
        char name[256];
        snprintf(name, sizeof name, "%s/num_batches_tracked", L->name);
        float *nbt = tf_floats(after, name, NULL);
        assert_int_equal(L->batches_tracked, (int64_t)nbt[0]);
        free(nbt);
    }
}

/* One case of the fixture: G and D from the initial weights, the case's steps, then the
 * comparisons. */
static void run_case(hid_t f, const char *name, int mismatch)
{
    char gp[4300], dp[4300];
    const int V = 2, L = 2, Z = 4, B = 5, S = 2;
    arch_path(gp, sizeof gp, "gan_tiny_g.cfg");
    arch_path(dp, sizeof dp, "gan_tiny_d.cfg");
    nn_set_threads(1);
    aug_gan *g = aug_gan_build(gp, dp, V, L, Z, B);
    if (!g) fail_msg("%s", sc_err_msg());
    nn_net *G = aug_gan_generator(g), *D = aug_gan_discriminator(g);
    char *gj = tf_string_attr(f, "g_arch_json"), *dj = tf_string_attr(f, "d_arch_json");
    if (strcmp(nn_net_arch_json(G), gj) || strcmp(nn_net_arch_json(D), dj))
        fail_msg("the tiny architectures differ from the fixture's: regenerate it "
                 "(tests/fixtures/make_gan_fixture.py)");
    hid_t c = H5Gopen2(f, name, H5P_DEFAULT);
    hid_t gi = H5Gopen2(f, "g_init", H5P_DEFAULT), di = H5Gopen2(f, "d_init", H5P_DEFAULT);
    hid_t ga = H5Gopen2(c, "g_after", H5P_DEFAULT), da = H5Gopen2(c, "d_after", H5P_DEFAULT);
    if (nn_weights_read_group(G, gi, "g_init") || nn_weights_read_group(D, di, "d_init"))
        fail_msg("%s", sc_err_msg());
    aug_gan_cfg cfg;
    aug_gan_defaults(&cfg);
    cfg.z = Z;
    cfg.batch = B;
    cfg.optim.kind = NN_OPT_SGD;
    cfg.optim.lr = 0.05f;
    cfg.real_target = 0.9f;
    cfg.mismatch = mismatch;
    size_t nr;
    float *real = tf_floats(c, "real", &nr), *lab = tf_floats(c, "labels", NULL);
    float *wrong = tf_floats(c, "wrong", NULL), *noise = tf_floats(c, "noise", NULL);
    hid_t sd = H5Dopen2(c, "stats", H5P_DEFAULT);
    double stats[2][5];
    assert_true(H5Dread(sd, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, stats) >= 0);
    H5Dclose(sd);
    const size_t per = nr / (size_t)(S * B);
    for (int s = 0; s < S; s++) {
        aug_gan_stats st;
        assert_int_equal(aug_gan_step(g, &cfg, cfg.optim.lr, real + (size_t)s * B * per,
                                      lab + (size_t)s * B * L,
                                      mismatch ? wrong + (size_t)s * B * L : NULL,
                                      noise + (size_t)s * B * Z, B, &st),
                         0);
        const double got[5] = {st.d_loss, st.g_loss, st.d_real, st.d_fake, st.d_wrong};
        for (int k = 0; k < 5; k++) {
            if (isnan(stats[s][k]) && isnan(got[k])) continue; /* d_wrong without mismatch */
            if (!(fabs(got[k] - stats[s][k]) <= 1e-5 * fabs(stats[s][k])))
                fail_msg("%s, step %d, figure %d: nn %.9g, torch %.9g", name, s + 1, k, got[k],
                         stats[s][k]);
        }
    }
    char what[64];
    snprintf(what, sizeof what, "%s: G", name);
    compare_steps(G, gi, ga, what);
    snprintf(what, sizeof what, "%s: D", name);
    compare_steps(D, di, da, what);
    size_t ne;
    float *en = tf_floats(c, "eval_noise", NULL), *el = tf_floats(c, "eval_labels", NULL);
    float *eo = tf_floats(c, "eval_out", &ne), *out = malloc(sizeof(float) * ne);
    assert_int_equal(aug_gan_generate(g, el, en, 3, out), 0);
    snprintf(what, sizeof what, "%s: G in eval mode after the steps", name);
    tf_compare(what, out, eo, ne, 1e-5, 1e-5);
    free(real), free(lab), free(wrong), free(noise), free(en), free(el), free(eo), free(out);
    free(gj), free(dj);
    H5Gclose(gi), H5Gclose(di), H5Gclose(ga), H5Gclose(da), H5Gclose(c);
    aug_gan_free(g);
}

static void test_steps_match_torch(void **state)
{
    (void)state;
    hid_t f = tf_open("torch_gan.h5");
    run_case(f, "plain", 0);
    run_case(f, "mismatch", 1);
    H5Fclose(f);
}

/* A tiny training run: a pure function of the seed (one thread), the histories filled, and
 * samples a function of their noise alone. */
static void test_training_is_a_function_of_the_seed(void **state)
{
    (void)state;
    char gp[4300], dp[4300];
    arch_path(gp, sizeof gp, "gan_tiny_g.cfg");
    arch_path(dp, sizeof dp, "gan_tiny_d.cfg");
    enum { N = 13, V = 2, L = 2, PER = 2 * 4 * 2 };
    float real[N * PER], lab[N * L];
    for (int i = 0; i < N * PER; i++) real[i] = sinf((float)i * 0.37f);
    for (int i = 0; i < N * L; i++) lab[i] = (float)((i * 7) % 3 == 0);
    aug_gan_cfg cfg;
    aug_gan_defaults(&cfg);
    cfg.z = 4;
    cfg.batch = 4; /* 13 = 4 + 4 + 4 + 1: the last single scan is skipped */
    cfg.epochs = 3;
    float *state_of[3];
    float hist[3][3 * AUG_HIST_COLS];
    const uint64_t seeds[3] = {5, 5, 6};
    size_t ns = 0;
    for (int r = 0; r < 3; r++) {
        aug_gan *g = aug_gan_build(gp, dp, V, L, cfg.z, cfg.batch);
        assert_non_null(g);
        aug_gan_init(g, seeds[r]);
        assert_int_equal(aug_gan_train(g, &cfg, real, lab, N, seeds[r], hist[r], NULL), 0);
        ns = nn_state_size(aug_gan_generator(g));
        state_of[r] = malloc(sizeof(float) * ns);
        nn_state_get(aug_gan_generator(g), state_of[r]);
        aug_gan_free(g);
    }
    assert_memory_equal(state_of[0], state_of[1], sizeof(float) * ns);
    assert_memory_not_equal(state_of[0], state_of[2], sizeof(float) * ns);
    assert_memory_equal(hist[0], hist[1], sizeof hist[0]);
    for (int e = 0; e < 3; e++) {
        for (int k = 0; k < AUG_HIST_D_WRONG; k++) assert_true(isfinite(hist[0][e * AUG_HIST_COLS + k]));
        assert_true(isnan(hist[0][e * AUG_HIST_COLS + AUG_HIST_D_WRONG])); /* no mismatch */
        assert_true(hist[0][e * AUG_HIST_COLS + AUG_HIST_D_REAL] > 0);
        assert_true(hist[0][e * AUG_HIST_COLS + AUG_HIST_D_REAL] < 1);
    }
    for (int r = 0; r < 3; r++) free(state_of[r]);
    /* with the mismatch term: D's output on mismatched pairs is recorded, and still a function
     * of the seed */
    cfg.mismatch = 1;
    for (int r = 0; r < 2; r++) {
        aug_gan *g = aug_gan_build(gp, dp, V, L, cfg.z, cfg.batch);
        aug_gan_init(g, 5);
        assert_int_equal(aug_gan_train(g, &cfg, real, lab, N, 5, hist[r], NULL), 0);
        aug_gan_free(g);
    }
    assert_memory_equal(hist[0], hist[1], sizeof hist[0]);
    for (int k = 0; k < 3 * AUG_HIST_COLS; k++) assert_true(isfinite(hist[0][k]));
    cfg.mismatch = 0;
    float z1[4], z2[4], z3[4];
    aug_gan_sample_noise(9, 17, 4, z1);
    aug_gan_sample_noise(9, 17, 4, z2);
    aug_gan_sample_noise(9, 18, 4, z3);
    assert_memory_equal(z1, z2, sizeof z1);
    assert_memory_not_equal(z1, z3, sizeof z1);
    /* a bad configuration and a too small training part are errors */
    aug_gan *g = aug_gan_build(gp, dp, V, L, cfg.z, cfg.batch);
    aug_gan_init(g, 1);
    assert_int_equal(aug_gan_train(g, &cfg, real, lab, 1, 1, hist[0], NULL), -1);
    assert_non_null(strstr(sc_err_msg(), "at least 2 training scans"));
    cfg.real_target = 0.4f;
    assert_int_equal(aug_gan_train(g, &cfg, real, lab, N, 1, hist[0], NULL), -1);
    assert_non_null(strstr(sc_err_msg(), "gan.real_target"));
    aug_gan_free(g);
}

/* The generator must make the views from a 1 x 1 input; the discriminator must end in one
 * logit; each mismatch names the file. */
static void test_build_checks_shapes(void **state)
{
    (void)state;
    char gp[4300], dp[4300];
    arch_path(gp, sizeof gp, "gan_tiny_g.cfg");
    arch_path(dp, sizeof dp, "gan_tiny_d.cfg");
    assert_null(aug_gan_build(dp, dp, 2, 2, 4, 4)); /* a discriminator as the generator */
    assert_non_null(strstr(sc_err_msg(), "generator"));
    assert_null(aug_gan_build(gp, gp, 2, 2, 4, 4)); /* a generator as the discriminator */
    assert_non_null(strstr(sc_err_msg(), "gan_tiny_g.cfg"));
    aug_gan *g = aug_gan_build(gp, dp, 2, 2, 4, 4);
    assert_non_null(g);
    int h, w;
    aug_gan_dims(g, &h, &w);
    assert_int_equal(h, 4);
    assert_int_equal(w, 2);
    aug_gan_free(g);
}

static void test_label_sets(void **state)
{
    (void)state;
    const uint8_t truth[6 * 3] = {0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1};
    const int64_t idx[5] = {0, 1, 2, 3, 5}; /* scan 4 left out */
    uint8_t sets[6 * 3];
    int64_t count[6] = {0};
    int n = aug_label_sets(truth, 3, idx, 5, sets, count);
    assert_int_equal(n, 3);
    const uint8_t want[3 * 3] = {0, 0, 1, 1, 0, 0, 1, 1, 0}; /* lexicographic */
    assert_memory_equal(sets, want, sizeof want);
    assert_int_equal(count[0], 3);
    assert_int_equal(count[1], 1);
    assert_int_equal(count[2], 1);
    assert_int_equal(aug_label_set_find(sets, n, 3, truth + 9), 2);
    const uint8_t none[3] = {0, 1, 1};
    assert_int_equal(aug_label_set_find(sets, n, 3, none), -1);
}

/* t = 2 sqrt(x / m) - 1 and back: 0 -> -1, m -> 1, m / 4 -> 0; values above m clip to 1. */
static void test_intensity_mapping(void **state)
{
    (void)state;
    float x[2 * 4] = {0, 1, 4, 2, 0, 0.5f, 8, 3}; /* 2 scans, 1 view of 4 pixels */
    float m[1];
    aug_gan_intensity_max(x, 2, 1, 4, m);
    assert_float_equal(m[0], 8.0f, 0);
    float t[8];
    memcpy(t, x, sizeof t);
    aug_gan_to_gan(t, 2, 1, 4, m);
    assert_float_equal(t[0], -1.0f, 1e-6);
    assert_float_equal(t[6], 1.0f, 1e-6);
    assert_float_equal(t[3], 0.0f, 1e-6); /* 2 = m / 4 */
    for (int i = 0; i < 8; i++) assert_true(t[i] >= -1.0f && t[i] <= 1.0f);
    aug_gan_from_gan(t, 2, 1, 4, m);
    for (int i = 0; i < 8; i++) assert_float_equal(t[i], x[i], 1e-5 * 8);
    float big[1] = {16};
    aug_gan_to_gan(big, 1, 1, 1, m);
    assert_float_equal(big[0], 1.0f, 0);
    float empty[3] = {0, 0, 0}, me[1];
    aug_gan_intensity_max(empty, 1, 1, 3, me);
    aug_gan_to_gan(empty, 1, 1, 3, me);
    for (int i = 0; i < 3; i++) assert_float_equal(empty[i], -1.0f, 0);
}

/* Histograms sum to 1; W1 is 0 for equal ones and the shift for shifted point masses; mean scans
 * per set, NaN for an absent set; the samples hash sees labels and pixels. */
static void test_quality_figures(void **state)
{
    (void)state;
    float a[4] = {-0.9f, -0.9f, 0.1f, 0.1f}, b[4] = {-0.4f, -0.4f, 0.6f, 0.6f};
    float ha[8], hb[8];
    aug_histograms(a, 1, 1, 4, 8, ha);
    aug_histograms(b, 1, 1, 4, 8, hb);
    double s = 0;
    for (int k = 0; k < 8; k++) s += ha[k];
    assert_float_equal(s, 1.0, 1e-6);
    assert_float_equal(aug_hist_w1(ha, ha, 8), 0.0, 0);
    assert_float_equal(aug_hist_w1(ha, hb, 8), 0.5, 1e-6); /* every value moved by 0.5 */
    assert_float_equal(aug_hist_w1(hb, ha, 8), 0.5, 1e-6);
    const float sc[3 * 2] = {1, 2, 3, 4, 10, 20};          /* 3 scans of 2 pixels */
    const uint8_t y[3 * 2] = {1, 0, 0, 1, 1, 0};           /* labels of 2: A, B, A */
    const uint8_t sets[3 * 2] = {1, 0, 1, 1, 0, 1};        /* {A}, {A, B} (absent), {B} */
    float mean[3 * 2];
    aug_mean_images(sc, y, 3, 2, 2, sets, 3, mean);
    assert_float_equal(mean[0], 5.5f, 1e-6); /* {A}: scans 0 and 2 */
    assert_float_equal(mean[1], 11.0f, 1e-6);
    assert_true(isnan(mean[2]) && isnan(mean[3]));
    assert_float_equal(mean[4], 3.0f, 1e-6); /* {B}: scan 1 */
    assert_true(isnan(aug_rmse(mean, mean + 2, 2)));
    assert_float_equal(aug_rmse(sc, sc + 2, 2), 2.0, 1e-12);
    const uint8_t l1[2] = {0, 1}, l2[2] = {1, 0};
    assert_true(aug_samples_hash(sc, 6, l1, 2) != aug_samples_hash(sc, 6, l2, 2));
    assert_true(aug_samples_hash(sc, 6, l1, 2) == aug_samples_hash(sc, 6, l1, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps_match_torch),
        cmocka_unit_test(test_training_is_a_function_of_the_seed),
        cmocka_unit_test(test_build_checks_shapes),
        cmocka_unit_test(test_label_sets),
        cmocka_unit_test(test_intensity_mapping),
        cmocka_unit_test(test_quality_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
