/* tests/unit/test_nn_torch.c: nn against PyTorch 1.13 reference values
 * (the .h5 files of tests/fixtures, written by tests/fixtures/make_torch_fixtures.py; torch is not needed
 * here).
 *
 * Per layer type: outputs, input gradients, parameter gradients and batch-norm running
 * statistics, max |nn - torch| <= 1e-5 + 1e-4 * max |torch| per tensor (the values are O(1);
 * the absolute part covers gradients that are 0 up to rounding, e.g. a conv bias before BN).
 * dspic and alexnet (reduced width, dropout off), one training step: the resolved architecture
 * equals the one torch was built from; logits, loss (1e-5 relative), every parameter gradient
 * (1e-6 + 1e-3 * max |torch| per tensor), the weights after one Adam step (per element
 * 1e-6 + lr * min(2, 2 delta / |g|): the first Adam step is lr * g / |g|, so a gradient known to
 * delta = 1e-3 max |g| moves it by at most that), the running statistics, and the eval-mode
 * logits after the step (1e-3). */
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

#include "nn/layer.h"
#include "nn/nn.h"
#include "nn/weights.h"
#include "tests/unit/nn_gradcheck.h"
#include "tests/unit/torch_fixture.h"
#include "util/error.h"

/* Compare every parameter gradient of net with GROUP/<layer>/<param>. */
static void compare_params(nn_net *net, hid_t group, int grads, double atol, double rtol,
                           const char *what)
{
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        for (int j = 0; j < L->n_par; j++) {
            char name[256], label[300];
            snprintf(name, sizeof name, "%s/%s", L->name, L->par[j].name);
            snprintf(label, sizeof label, "%s %s", what, name);
            size_t n;
            float *t = tf_floats(group, name, &n);
            assert_int_equal(n, L->par[j].n);
            tf_compare(label, grads ? nn_net_grads(net) + L->par[j].off : L->par[j].w, t, n, atol,
                    rtol);
            free(t);
        }
    }
}

static void compare_stats(nn_net *net, hid_t after, double rtol, const char *what)
{
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        if (!L->n_stat) continue;
        const size_t c = L->n_stat / 2;
        char name[256], label[300];
        const char *st[2] = {"running_mean", "running_var"};
        for (int k = 0; k < 2; k++) {
            snprintf(name, sizeof name, "%s/%s", L->name, st[k]);
            snprintf(label, sizeof label, "%s %s", what, name);
            size_t n;
            float *t = tf_floats(after, name, &n);
            assert_int_equal(n, c);
            tf_compare(label, L->stat + k * c, t, c, 1e-6, rtol);
            free(t);
        }
        snprintf(name, sizeof name, "%s/num_batches_tracked", L->name);
        float *nbt = tf_floats(after, name, NULL);
        assert_int_equal(L->batches_tracked, (int64_t)nbt[0]);
        free(nbt);
    }
}

static void run_layer_case(hid_t f, const char *name)
{
    hid_t g = H5Gopen2(f, name, H5P_DEFAULT);
    assert_true(g >= 0);
    char *arch = tf_string_attr(g, "arch");
    int in[3], batch, train;
    tf_int_attr(g, "input", in);
    tf_int_attr(g, "batch", &batch);
    tf_int_attr(g, "train", &train);
    nn_shape s = {in[0], in[1], in[2], 3, batch};
    nn_net *net = nn_net_build_text(arch, name, &s);
    if (!net) fail_msg("%s: %s", name, sc_err_msg());
    hid_t init = H5Gopen2(g, "init", H5P_DEFAULT);
    if (nn_weights_read_group(net, init, name) != 0) fail_msg("%s", sc_err_msg());
    H5Gclose(init);
    size_t nx, ny, ndy, ndx;
    float *x = tf_floats(g, "x", &nx), *y = tf_floats(g, "y", &ny);
    float *dy = tf_floats(g, "dy", &ndy), *dx = tf_floats(g, "dx", &ndx);
    float *cdx = malloc(sizeof(float) * ndx);
    char label[4400];
    nn_zero_grad(net);
    const float *cy = nn_forward(net, x, batch, train);
    assert_non_null(cy);
    snprintf(label, sizeof label, "%s: output", name);
    tf_compare(label, cy, y, ny, 1e-5, 1e-4);
    assert_int_equal(nn_backward(net, dy, cdx, 0), 0);
    snprintf(label, sizeof label, "%s: input gradient", name);
    tf_compare(label, cdx, dx, ndx, 1e-5, 1e-4);
    hid_t grad = H5Gopen2(g, "grad", H5P_DEFAULT), after = H5Gopen2(g, "after", H5P_DEFAULT);
    snprintf(label, sizeof label, "%s: gradient of", name);
    compare_params(net, grad, 1, 1e-5, 1e-4, label);
    snprintf(label, sizeof label, "%s: after forward,", name);
    compare_stats(net, after, 1e-4, label);
    H5Gclose(grad);
    H5Gclose(after);
    free(x), free(y), free(dy), free(dx), free(cdx), free(arch);
    nn_net_free(net);
    H5Gclose(g);
}

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    char (*names)[64] = data;
    int i = 0;
    while (names[i][0]) i++;
    if (i < 63) snprintf(names[i], 64, "%s", name);
    return 0;
}

static void test_layers_match_torch(void **state)
{
    (void)state;
    hid_t f = tf_open("torch_layers.h5");
    char names[64][64];
    memset(names, 0, sizeof names);
    H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, names);
    int n = 0;
    for (; names[n][0]; n++) run_layer_case(f, names[n]);
    print_message("%d layer cases match torch\n", n);
    assert_true(n >= 25);
    H5Fclose(f);
}

static void run_net_case(const char *file)
{
    hid_t f = tf_open(file);
    char *text = tf_string_attr(f, "arch_text"), *json = tf_string_attr(f, "arch_json");
    int in[3], batch;
    float lr;
    tf_int_attr(f, "input", in);
    tf_int_attr(f, "batch", &batch);
    hid_t a = H5Aopen(f, "lr", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_FLOAT, &lr) >= 0);
    H5Aclose(a);
    nn_shape s = {in[0], in[1], in[2], 3, batch};
    nn_net *net = nn_net_build_text(text, file, &s);
    if (!net) fail_msg("%s: %s", file, sc_err_msg());
    if (strcmp(nn_net_arch_json(net), json))
        fail_msg("%s: the architecture differs from the one torch was built from; regenerate "
                 "the fixtures (tests/fixtures/make_torch_fixtures.py)", file);
    hid_t init = H5Gopen2(f, "init", H5P_DEFAULT);
    if (nn_weights_read_group(net, init, file) != 0) fail_msg("%s", sc_err_msg());
    H5Gclose(init);
    size_t nx, nt;
    float *x = tf_floats(f, "x", &nx), *t = tf_floats(f, "targets", &nt);
    float *logits = tf_floats(f, "logits", NULL), *logits_eval = tf_floats(f, "logits_eval", NULL);
    float *loss = tf_floats(f, "loss", NULL), *dl = malloc(sizeof(float) * nt);
    char label[4400];
    nn_zero_grad(net);
    const float *out = nn_forward(net, x, batch, 1);
    snprintf(label, sizeof label, "%s: logits", file);
    tf_compare(label, out, logits, nt, 1e-6, 1e-4);
    double l = nn_loss_bce_logits(out, t, batch, 3, NULL, dl);
    assert_true(fabs(l - loss[0]) <= 1e-5 * fabs(loss[0]));
    assert_int_equal(nn_backward(net, dl, NULL, 0), 0);
    hid_t grad = H5Gopen2(f, "grad", H5P_DEFAULT), after = H5Gopen2(f, "after", H5P_DEFAULT);
    snprintf(label, sizeof label, "%s: gradient of", file);
    compare_params(net, grad, 1, 1e-6, 1e-3, label);
    /* One Adam step (torch.optim.Adam defaults, lr from the fixture). */
    nn_optim_cfg opt;
    nn_optim_defaults(&opt);
    opt.lr = lr;
    nn_optim_step(net, &opt, lr);
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        for (int j = 0; j < L->n_par; j++) {
            char name[256];
            snprintf(name, sizeof name, "%s/%s", L->name, L->par[j].name);
            size_t n;
            float *w = tf_floats(after, name, &n), *g = tf_floats(grad, name, NULL);
            double gmax = 0.0;
            for (size_t k = 0; k < n; k++) gmax = fmax(gmax, fabs(g[k]));
            const double delta = 1e-3 * gmax + 1e-7;
            for (size_t k = 0; k < n; k++) {
                double tol = 1e-6 + lr * fmin(2.0, 2.0 * delta / fmax(fabs(g[k]), 1e-30));
                if (fabs((double)L->par[j].w[k] - w[k]) > tol)
                    fail_msg("%s: %s[%zu] after Adam: nn %.8g torch %.8g (gradient %.3g)", file,
                             name, k, L->par[j].w[k], w[k], g[k]);
            }
            free(w), free(g);
        }
    }
    snprintf(label, sizeof label, "%s: after the step,", file);
    compare_stats(net, after, 1e-4, label);
    out = nn_forward(net, x, batch, 0);
    snprintf(label, sizeof label, "%s: eval logits after the step", file);
    tf_compare(label, out, logits_eval, nt, 1e-6, 1e-3);
    H5Gclose(grad);
    H5Gclose(after);
    free(x), free(t), free(logits), free(logits_eval), free(loss), free(dl), free(text), free(json);
    nn_net_free(net);
    H5Fclose(f);
}

static void test_dspic_step_matches_torch(void **state)
{
    (void)state;
    run_net_case("torch_dspic.h5");
}

static void test_alexnet_step_matches_torch(void **state)
{
    (void)state;
    run_net_case("torch_alexnet.h5");
}

/* The same with nn's threads (images, channels and features split over 2 threads). */
static void test_two_threads_match_torch(void **state)
{
    (void)state;
    nn_set_threads(2);
    run_net_case("torch_dspic.h5");
    run_net_case("torch_alexnet.h5");
    nn_set_threads(1);
}

int main(void)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/configs/archs", nn_test_root());
    setenv("SPECTCV_ARCH_PATH", dir, 1);
    nn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers_match_torch),
        cmocka_unit_test(test_dspic_step_matches_torch),
        cmocka_unit_test(test_alexnet_step_matches_torch),
        cmocka_unit_test(test_two_threads_match_torch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
