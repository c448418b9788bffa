/* tests/unit/test_nn_weights.c: model weights in HDF5: round trip (parameters, running
 * statistics, outputs bit-identical), writing into a group of another file, the stored
 * attributes, and errors for weights of another architecture.
 *
 * With SPECTCV_NN_EXPORT=DIR it also writes DIR/{dspic,alexnet}.h5 (weights) and
 * DIR/{dspic,alexnet}_check.h5 (x and nn's eval outputs y_eval) for
 * scripts/load_weights_torch.py (tests/integration/t_nn_torch_weights.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/nn.h"
#include "nn/weights.h"
#include "tests/unit/nn_gradcheck.h"
#include "util/error.h"
#include "util/rng.h"

typedef struct {
    int c, h, w;
} dims;

static int fill(void *ctx, const int64_t *idx, int b, float *x, float *y)
{
    const dims *d = ctx;
    for (int i = 0; i < b; i++) {
        sc_rng r;
        sc_rng_seed(&r, (uint64_t)idx[i] + 1);
        for (int k = 0; k < d->c * d->h * d->w; k++)
            x[(size_t)i * d->c * d->h * d->w + k] = (float)sc_rng_uniform(&r);
        for (int j = 0; j < 3; j++) y[i * 3 + j] = (float)(sc_rng_uniform(&r) < 0.5);
    }
    return 0;
}

/* A net trained for one epoch on 8 random images (so that BN statistics are not 0 / 1). */
static nn_net *trained(const char *arch, int c, int h, int w)
{
    nn_shape s = {c, h, w, 3, 4};
    nn_net *net = nn_net_build(nn_test_arch(arch), &s);
    if (!net) fail_msg("%s", sc_err_msg());
    nn_net_init(net, 3);
    dims d = {c, h, w};
    nn_train_cfg t;
    memset(&t, 0, sizeof t);
    t.epochs = 1;
    t.batch = 4;
    t.seed = 1;
    nn_optim_defaults(&t.optim);
    float hist[1];
    assert_int_equal(nn_fit(net, &t, 8, fill, &d, hist), 0);
    return net;
}

static float *inputs(int n, int c, int h, int w)
{
    float *x = malloc(sizeof(float) * (size_t)n * c * h * w);
    int64_t idx[64];
    for (int i = 0; i < n; i++) idx[i] = 100 + i;
    float y[64 * 3];
    dims d = {c, h, w};
    fill(&d, idx, n, x, y);
    return x;
}

static void assert_same_state(nn_net *a, nn_net *b)
{
    assert_int_equal(a->n_params, b->n_params);
    assert_memory_equal(a->params, b->params, sizeof(float) * a->n_params);
    assert_memory_equal(a->state, b->state, sizeof(float) * a->n_state);
    for (int i = 0; i < a->n_layers; i++)
        assert_int_equal(a->L[i].batches_tracked, b->L[i].batches_tracked);
}

static void test_round_trip(void **state)
{
    (void)state;
    nn_net *a = trained("dspic", 2, 64, 32);
    assert_int_equal(nn_weights_save(a, "w.h5"), 0);
    nn_shape s = {2, 64, 32, 3, 4};
    nn_net *b = nn_net_build(nn_test_arch("dspic"), &s);
    nn_net_init(b, 99);
    assert_int_equal(nn_weights_load(b, "w.h5"), 0);
    assert_same_state(a, b);
    float *x = inputs(4, 2, 64, 32), pa[12], pb[12];
    assert_int_equal(nn_predict(a, x, 4, pa), 0);
    assert_int_equal(nn_predict(b, x, 4, pb), 0);
    assert_memory_equal(pa, pb, sizeof pa);
    nn_net_free(b);
    /* Another input size: the same parameters fit (no layer depends on the size). */
    nn_shape big = {2, 128, 64, 3, 2};
    b = nn_net_build(nn_test_arch("dspic"), &big);
    assert_int_equal(nn_weights_load(b, "w.h5"), 0);
    assert_memory_equal(a->params, b->params, sizeof(float) * a->n_params);
    nn_net_free(b);

    /* Attributes describing the architecture. */
    hid_t f = H5Fopen("w.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    int shape[3], n_out;
    long long np;
    hid_t at = H5Aopen(f, "input_shape", H5P_DEFAULT);
    H5Aread(at, H5T_NATIVE_INT, shape);
    H5Aclose(at);
    at = H5Aopen(f, "n_out", H5P_DEFAULT);
    H5Aread(at, H5T_NATIVE_INT, &n_out);
    H5Aclose(at);
    at = H5Aopen(f, "num_params", H5P_DEFAULT);
    H5Aread(at, H5T_NATIVE_LLONG, &np);
    H5Aclose(at);
    assert_true(shape[0] == 2 && shape[1] == 64 && shape[2] == 32 && n_out == 3);
    assert_int_equal(np, (long long)nn_net_num_params(a));
    for (const char **k = (const char *[]){"format", "arch_text", "arch_json", NULL}; *k; k++)
        assert_true(H5Aexists(f, *k) > 0);
    /* PyTorch layouts: conv OIHW, dense [out][in], BN statistics. */
    hsize_t dimsv[4];
    hid_t d = H5Dopen2(f, "conv1/weight", H5P_DEFAULT), sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_dims(sp, dimsv, NULL), 4);
    assert_true(dimsv[0] == 32 && dimsv[1] == 2 && dimsv[2] == 7 && dimsv[3] == 7);
    H5Sclose(sp), H5Dclose(d);
    d = H5Dopen2(f, "fc1/weight", H5P_DEFAULT), sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_dims(sp, dimsv, NULL), 2);
    assert_true(dimsv[0] == 256 && dimsv[1] == 256);
    H5Sclose(sp), H5Dclose(d);
    assert_true(H5Lexists(f, "bn3/num_batches_tracked", H5P_DEFAULT) > 0);
    assert_true(H5Lexists(f, "attention/mlp1.weight", H5P_DEFAULT) > 0);
    assert_true(H5Lexists(f, "relu1", H5P_DEFAULT) == 0); /* no group without parameters */
    H5Fclose(f);
    free(x);
    nn_net_free(a);
}

static void test_group_of_another_file(void **state)
{
    (void)state;
    nn_net *a = trained("dspic_noattention", 2, 64, 32);
    hid_t f = H5Fcreate("results.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t jobs = H5Gcreate2(f, "jobs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(jobs, "0007", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_int_equal(nn_weights_write_group(a, g, "results.h5:/jobs/0007"), 0);
    assert_int_equal(nn_weights_write_group(a, g, "results.h5:/jobs/0007"), 0); /* rewrite */
    H5Gclose(g), H5Gclose(jobs), H5Fclose(f);
    f = H5Fopen("results.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    g = H5Gopen2(f, "/jobs/0007", H5P_DEFAULT);
    nn_shape s = {2, 64, 32, 3, 4};
    nn_net *b = nn_net_build(nn_test_arch("dspic_noattention"), &s);
    assert_int_equal(nn_weights_read_group(b, g, "results.h5:/jobs/0007"), 0);
    assert_same_state(a, b);
    nn_net_free(b);
    /* Weights of another architecture: a missing layer, or a shape that differs. */
    b = nn_net_build(nn_test_arch("dspic"), &s);
    assert_int_equal(nn_weights_read_group(b, g, "results.h5:/jobs/0007"), -1);
    assert_string_equal(sc_err_msg(), "results.h5:/jobs/0007: no group 'attention' for that "
                                      "layer (weights of another architecture?)");
    nn_net_free(b);
    b = nn_net_build(nn_test_arch("dspic_half"), &s);
    assert_int_equal(nn_weights_read_group(b, g, "results.h5:/jobs/0007"), -1);
    assert_string_equal(sc_err_msg(), "results.h5:/jobs/0007: /conv1/weight: expected shape "
                                      "[16][2][7][7], found [32][2][7][7] (weights of another "
                                      "architecture?)");
    H5Gclose(g), H5Fclose(f);
    assert_int_equal(nn_weights_load(b, "nonesuch.h5"), -1);
    assert_non_null(strstr(sc_err_msg(), "nonesuch.h5: cannot open the weights file"));
    nn_net_free(b);
    nn_net_free(a);
}

static void write_check(const char *path, const float *x, int n, int c, int h, int w,
                        const float *y)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dx[4] = {(hsize_t)n, (hsize_t)c, (hsize_t)h, (hsize_t)w}, dy[2] = {(hsize_t)n, 3};
    hid_t s = H5Screate_simple(4, dx, NULL);
    hid_t d = H5Dcreate2(f, "x", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0);
    H5Dclose(d), H5Sclose(s);
    s = H5Screate_simple(2, dy, NULL);
    d = H5Dcreate2(f, "y_eval", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0);
    H5Dclose(d), H5Sclose(s), H5Fclose(f);
}

static void test_export_for_torch(void **state)
{
    (void)state;
    const char *dir = getenv("SPECTCV_NN_EXPORT");
    assert_non_null(dir);
    const struct { const char *arch; int c, h, w; } nets[] = {{"dspic", 2, 64, 32},
                                                             {"alexnet", 2, 64, 64}};
    for (int i = 0; i < 2; i++) {
        nn_net *net = trained(nets[i].arch, nets[i].c, nets[i].h, nets[i].w);
        float *x = inputs(4, nets[i].c, nets[i].h, nets[i].w), logits[12];
        assert_int_equal(nn_predict_logits(net, x, 4, logits), 0);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.h5", dir, nets[i].arch);
        assert_int_equal(nn_weights_save(net, path), 0);
        snprintf(path, sizeof path, "%s/%s_check.h5", dir, nets[i].arch);
        write_check(path, x, 4, nets[i].c, nets[i].h, nets[i].w, logits);
        free(x);
        nn_net_free(net);
    }
}

int main(void)
{
    nn_set_threads(1);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages say what failed */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_group_of_another_file),
    };
    /* The export (a 228 MB alexnet) only when the integration test asks for it. */
    const struct CMUnitTest export[] = {cmocka_unit_test(test_export_for_torch)};
    if (getenv("SPECTCV_NN_EXPORT")) return cmocka_run_group_tests(export, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
