/* tests/unit/test_nn_train.c: losses, optimizers, schedules, the training loop (determinism,
 * learning a separable toy problem, batching rules, NaN and fill errors) and prediction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/nn.h"
#include "tests/unit/nn_gradcheck.h"
#include "util/error.h"
#include "util/rng.h"

/* ---- losses ---- */

static void test_bce_values_and_gradient(void **state)
{
    (void)state;
    const float x[6] = {0.0f, 2.0f, -3.0f, 100.0f, -100.0f, 0.5f};
    const float y[6] = {1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.3f};
    const float pw[3] = {2.0f, 1.0f, 0.5f};
    double want = 0.0;
    for (int i = 0; i < 6; i++) { /* textbook form, fine for these values in double */
        double s = 1.0 / (1.0 + exp(-(double)x[i]));
        double w = pw[i % 3]; /* torch: -(pw y log s + (1 - y) log(1 - s)) */
        double lp = x[i] > 50 ? 0.0 : x[i] < -50 ? x[i] : log(s);
        double lq = x[i] > 50 ? -x[i] : x[i] < -50 ? 0.0 : log(1.0 - s);
        want -= w * y[i] * lp + (1.0 - y[i]) * lq;
    }
    want /= 6.0;
    float g[6];
    double got = nn_loss_bce_logits(x, y, 2, 3, pw, g);
    assert_true(fabs(got - want) < 1e-9 * fmax(1.0, fabs(want)));
    assert_true(isfinite(got));
    /* log 2 at x = 0 without weights. */
    assert_true(fabs(nn_loss_bce_logits(x, y, 1, 1, NULL, NULL) - log(2.0)) < 1e-12);
    /* Gradient by central differences in double. */
    for (int i = 0; i < 6; i++) {
        float xp[6], xm[6];
        memcpy(xp, x, sizeof xp);
        memcpy(xm, x, sizeof xm);
        xp[i] += 1e-2f;
        xm[i] -= 1e-2f;
        double num = (nn_loss_bce_logits(xp, y, 2, 3, pw, NULL) -
                      nn_loss_bce_logits(xm, y, 2, 3, pw, NULL)) / ((double)xp[i] - xm[i]);
        assert_true(fabs(num - g[i]) < 1e-5);
    }
}

static void test_softmax_ce(void **state)
{
    (void)state;
    const float x[6] = {1.0f, 1.0f, 1.0f, 0.0f, 1000.0f, -5.0f};
    const float y[6] = {0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f};
    float g[6];
    double l = nn_loss_softmax_ce(x, y, 2, 3, g);
    assert_true(fabs(l - (log(3.0) + 0.0) / 2.0) < 1e-9); /* second row: p = 1 for its class */
    assert_true(fabs(g[0] - (1.0 / 3.0) / 2.0) < 1e-7);
    assert_true(fabs(g[1] - (1.0 / 3.0 - 1.0) / 2.0) < 1e-7);
    assert_true(fabs(g[4]) < 1e-7 && fabs(g[3]) < 1e-7);
}

/* ---- optimizers: one dense layer, 3 inputs -> 2 outputs: 8 parameters ---- */

static nn_net *tiny_dense(void)
{
    nn_shape s = {3, 1, 1, 2, 4};
    nn_net *net = nn_net_build_text("layers = ( { type = \"dense\"; out = \"n_out\"; } );",
                                    "tiny", &s);
    assert_non_null(net);
    assert_int_equal(nn_net_num_params(net), 8);
    return net;
}

static void set_grads(nn_net *net, const float *g)
{
    nn_zero_grad(net);
    memcpy(nn_net_grads(net), g, sizeof(float) * 8);
}

static void test_adam_adamw_sgd(void **state)
{
    (void)state;
    nn_net *net = tiny_dense();
    float *p = nn_net_param(net, "dense1", "weight", NULL, 0);
    const float g1[8] = {0.5f, -2.0f, 1e-3f, 0.0f, 3.0f, -0.1f, 0.25f, 1.0f};
    const float g2[8] = {-0.5f, 1.0f, 2e-3f, 1.0f, 3.0f, 0.2f, -0.25f, 0.0f};
    float p0[8], ref[8], m[8] = {0}, v[8] = {0}, buf[8] = {0};
    memcpy(p0, p, sizeof p0);

    /* Adam with L2 weight decay (torch.optim.Adam), two steps, by the formulas. */
    nn_optim_cfg c;
    nn_optim_defaults(&c);
    c.lr = 0.01f;
    c.weight_decay = 0.1f;
    memcpy(ref, p0, sizeof ref);
    for (int t = 1; t <= 2; t++) {
        const float *g = t == 1 ? g1 : g2;
        set_grads(net, g);
        nn_optim_step(net, &c, c.lr);
        for (int i = 0; i < 8; i++) {
            double gi = g[i] + 0.1 * ref[i];
            m[i] = (float)(0.9 * m[i] + 0.1 * gi);
            v[i] = (float)(0.999 * v[i] + 0.001 * gi * gi);
            double mh = m[i] / (1 - pow(0.9, t)), vh = v[i] / (1 - pow(0.999, t));
            ref[i] = (float)(ref[i] - 0.01 * mh / (sqrt(vh) + 1e-8));
        }
    }
    for (int i = 0; i < 8; i++) assert_true(fabs(p[i] - ref[i]) < 1e-6);

    /* AdamW: decoupled decay, p <- p (1 - lr wd) before the Adam update. */
    memcpy(p, p0, sizeof p0);
    nn_optim_reset(net);
    c.kind = NN_OPT_ADAMW;
    memcpy(ref, p0, sizeof ref);
    memset(m, 0, sizeof m);
    memset(v, 0, sizeof v);
    for (int t = 1; t <= 2; t++) {
        const float *g = t == 1 ? g1 : g2;
        set_grads(net, g);
        nn_optim_step(net, &c, c.lr);
        for (int i = 0; i < 8; i++) {
            ref[i] *= (float)(1.0 - 0.01 * 0.1);
            m[i] = (float)(0.9 * m[i] + 0.1 * g[i]);
            v[i] = (float)(0.999 * v[i] + 0.001 * g[i] * g[i]);
            double mh = m[i] / (1 - pow(0.9, t)), vh = v[i] / (1 - pow(0.999, t));
            ref[i] = (float)(ref[i] - 0.01 * mh / (sqrt(vh) + 1e-8));
        }
    }
    for (int i = 0; i < 8; i++) assert_true(fabs(p[i] - ref[i]) < 1e-6);

    /* SGD, momentum 0.9, Nesterov, weight decay: torch's buffer starts as the first gradient. */
    memcpy(p, p0, sizeof p0);
    nn_optim_reset(net);
    c.kind = NN_OPT_SGD;
    c.momentum = 0.9f;
    c.nesterov = 1;
    c.lr = 0.1f;
    memcpy(ref, p0, sizeof ref);
    for (int t = 1; t <= 2; t++) {
        const float *g = t == 1 ? g1 : g2;
        set_grads(net, g);
        nn_optim_step(net, &c, c.lr);
        for (int i = 0; i < 8; i++) {
            double d = g[i] + 0.1 * ref[i];
            buf[i] = (float)(t == 1 ? d : 0.9 * buf[i] + d);
            ref[i] = (float)(ref[i] - 0.1 * (d + 0.9 * buf[i]));
        }
    }
    for (int i = 0; i < 8; i++) assert_true(fabs(p[i] - ref[i]) < 1e-6);
    nn_net_free(net);
}

static void test_clip_and_schedules(void **state)
{
    (void)state;
    nn_net *net = tiny_dense();
    const float g[8] = {3.0f, 4.0f, 0, 0, 0, 0, 0, 0}; /* norm 5 */
    float *p = nn_net_param(net, "dense1", "weight", NULL, 0), p0 = p[0];
    nn_optim_cfg c;
    nn_optim_defaults(&c);
    c.kind = NN_OPT_SGD;
    c.lr = 1.0f;
    c.clip_norm = 1.0f;
    set_grads(net, g);
    double norm = nn_optim_step(net, &c, 1.0f);
    assert_true(fabs(norm - 5.0) < 1e-6);
    assert_true(fabs((p0 - p[0]) - 3.0 / (5.0 + 1e-6)) < 1e-6); /* clipped to norm 1 */
    nn_net_free(net);

    nn_optim_defaults(&c);
    c.lr = 0.1f;
    assert_true(nn_optim_lr(&c, 7, 10) == 0.1f);
    c.schedule = NN_SCHED_STEP;
    c.step_size = 3;
    c.gamma = 0.5f;
    assert_true(fabsf(nn_optim_lr(&c, 2, 10) - 0.1f) < 1e-9f);
    assert_true(fabsf(nn_optim_lr(&c, 3, 10) - 0.05f) < 1e-9f);
    assert_true(fabsf(nn_optim_lr(&c, 7, 10) - 0.025f) < 1e-9f);
    c.schedule = NN_SCHED_COSINE;
    assert_true(fabsf(nn_optim_lr(&c, 0, 10) - 0.1f) < 1e-9f);
    assert_true(fabsf(nn_optim_lr(&c, 5, 10) - 0.05f) < 1e-8f);
    assert_true(fabsf(nn_optim_lr(&c, 9, 10) - 0.1f * (1 + cosf(0.9f * (float)M_PI)) / 2) < 1e-8f);
    c.lr = -1.0f;
    assert_int_equal(nn_optim_check(&c), -1);
    assert_non_null(strstr(sc_err_msg(), "lr"));
}

/* ---- the training loop ---- */

typedef struct {
    int c, h, w, n_out;
    int calls;
    int nan_at;   /* sample index whose image is NaN (-1: none) */
    int fail_at;  /* call number that fails (0: none) */
    int toy;      /* 1: separable toy problem; 0: random data */
} data_ctx;

static int fill(void *vctx, const int64_t *idx, int b, float *x, float *y)
{
    data_ctx *d = vctx;
    d->calls++;
    if (d->fail_at && d->calls == d->fail_at) {
        sc_err_set(NULL, 0, "sample %lld: unreadable", (long long)idx[0]);
        return -1;
    }
    const int sz = d->c * d->h * d->w;
    for (int i = 0; i < b; i++) {
        sc_rng r;
        sc_rng_seed(&r, (uint64_t)idx[i] * 7919 + 1);
        int label = (int)(idx[i] % 2);
        for (int k = 0; k < sz; k++) {
            float v = (float)sc_rng_uniform(&r);
            /* toy: label 1 brightens the top half, label 0 the bottom half */
            if (d->toy) v = 0.5f * v + ((k % (d->h * d->w)) / d->w < d->h / 2 ? label : 1 - label);
            x[(size_t)i * sz + k] = idx[i] == d->nan_at ? NAN : v;
        }
        for (int j = 0; j < d->n_out; j++)
            y[(size_t)i * d->n_out + j] = d->toy ? (float)(j == 0 ? label : 1 - label)
                                                 : (float)(sc_rng_uniform(&r) < 0.5);
    }
    return 0;
}

static nn_train_cfg train_cfg(int epochs, int batch, uint64_t seed)
{
    nn_train_cfg t;
    memset(&t, 0, sizeof t);
    t.epochs = epochs;
    t.batch = batch;
    t.seed = seed;
    nn_optim_defaults(&t.optim);
    return t;
}

/* Train dspic for two epochs; returns every parameter and running statistic (*n floats). */
static float *train_dspic(uint64_t seed, float *history, size_t *n)
{
    nn_shape s = {2, 64, 32, 3, 4};
    nn_net *net = nn_net_build(nn_test_arch("dspic"), &s);
    assert_non_null(net);
    nn_net_init(net, 5);
    data_ctx d = {2, 64, 32, 3, 0, -1, 0, 0};
    nn_train_cfg t = train_cfg(2, 4, seed);
    assert_int_equal(nn_fit(net, &t, 10, fill, &d, history), 0);
    *n = net->n_params + net->n_state;
    float *w = malloc(sizeof(float) * *n);
    memcpy(w, net->params, sizeof(float) * net->n_params);
    memcpy(w + net->n_params, net->state, sizeof(float) * net->n_state);
    nn_net_free(net);
    return w;
}

static void test_determinism(void **state)
{
    (void)state;
    float h1[2], h2[2], h3[2];
    size_t na, nb, nc;
    float *a = train_dspic(42, h1, &na), *b = train_dspic(42, h2, &nb), *c = train_dspic(43, h3, &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, sizeof(float) * na); /* bit-identical */
    assert_memory_equal(h1, h2, sizeof h1);
    assert_true(memcmp(a, c, sizeof(float) * na) != 0); /* the seed matters */
    free(a), free(b), free(c);
}

/* One forward/backward of dspic built with `threads` threads; returns logits and gradients. */
static float *grads_with_threads(int threads, size_t *n, float *logits)
{
    nn_set_threads(threads);
    nn_shape s = {2, 64, 32, 3, 5};
    nn_net *net = nn_net_build(nn_test_arch("dspic"), &s);
    assert_non_null(net);
    nn_net_init(net, 8);
    float *x = malloc(sizeof(float) * 5 * 2 * 64 * 32), y[15], dy[15];
    int64_t idx[5] = {0, 1, 2, 3, 4};
    data_ctx d = {2, 64, 32, 3, 0, -1, 0, 0};
    fill(&d, idx, 5, x, y);
    nn_net_seed_dropout(net, 3);
    nn_zero_grad(net);
    const float *out = nn_forward(net, x, 5, 1);
    memcpy(logits, out, sizeof(float) * 15);
    nn_loss_bce_logits(out, y, 5, 3, NULL, dy);
    assert_int_equal(nn_backward(net, dy, NULL, 0), 0);
    *n = net->n_params;
    float *g = malloc(sizeof(float) * *n);
    memcpy(g, nn_net_grads(net), sizeof(float) * *n);
    nn_net_free(net);
    free(x);
    nn_set_threads(1);
    return g;
}

/* With 2 threads: training is bit-identical between runs, and one step's logits and gradients
 * equal those of 1 thread up to the order in which the images' contributions to the conv
 * weight gradients are summed (5 images: the threads get 3 and 2). */
static void test_threads(void **state)
{
    (void)state;
    float h1[2], h2[2], l1[15], l2[15];
    size_t na, nb, n1, n2;
    nn_set_threads(2);
    float *a = train_dspic(42, h1, &na), *b = train_dspic(42, h2, &nb);
    nn_set_threads(1);
    assert_memory_equal(a, b, sizeof(float) * na);
    assert_memory_equal(h1, h2, sizeof h1);
    float *g1 = grads_with_threads(1, &n1, l1), *g2 = grads_with_threads(2, &n2, l2);
    assert_int_equal(n1, n2);
    double gmax = 0.0, err = 0.0;
    for (size_t i = 0; i < n1; i++) {
        gmax = fmax(gmax, fabs(g1[i]));
        err = fmax(err, fabs((double)g1[i] - g2[i]));
    }
    print_message("2 threads vs 1: gradients differ by at most %.3g (largest gradient %.3g)\n", err,
                  gmax);
    assert_true(err <= 1e-4 * gmax);
    for (int i = 0; i < 15; i++) assert_true(fabsf(l1[i] - l2[i]) <= 1e-5f * fmaxf(1.0f, fabsf(l1[i])));
    free(a), free(b), free(g1), free(g2);
}

static void test_learns_separable_toy(void **state)
{
    (void)state;
    nn_shape s = {1, 8, 8, 2, 16};
    nn_net *net = nn_net_build_text(
        "layers = ( { type = \"conv\"; out = 4; kernel = 3; pad = 1; }, { type = \"relu\"; },"
        " { type = \"maxpool\"; kernel = 2; }, { type = \"dense\"; out = \"n_out\"; } );",
        "toy", &s);
    assert_non_null(net);
    nn_net_init(net, 1);
    data_ctx d = {1, 8, 8, 2, 0, -1, 0, 1};
    nn_train_cfg t = train_cfg(30, 16, 3);
    t.optim.lr = 1e-2f;
    float hist[30];
    assert_int_equal(nn_fit(net, &t, 64, fill, &d, hist), 0);
    print_message("toy loss: first epoch %.4f, last %.4f\n", hist[0], hist[29]);
    assert_true(hist[29] < 0.2f * hist[0]);
    /* And it predicts: probabilities of the right label above 0.5 on fresh samples. */
    float x[16 * 64], y[16 * 2], pr[16 * 2];
    int64_t idx[16];
    for (int i = 0; i < 16; i++) idx[i] = 1000 + i;
    fill(&d, idx, 16, x, y);
    assert_int_equal(nn_predict(net, x, 16, pr), 0);
    int right = 0;
    for (int i = 0; i < 16; i++) right += (pr[2 * i] > 0.5f) == (y[2 * i] > 0.5f);
    assert_true(right >= 15);
    nn_net_free(net);
}

static void test_batching_rules_and_errors(void **state)
{
    (void)state;
    nn_shape s = {2, 4, 4, 3, 4};
    const char *with_bn = "layers = ( { type = \"conv\"; out = 2; kernel = 3; }, "
                          "{ type = \"batchnorm\"; }, { type = \"dense\"; out = \"n_out\"; } );";
    const char *no_bn = "layers = ( { type = \"conv\"; out = 2; kernel = 3; }, "
                        "{ type = \"dense\"; out = \"n_out\"; } );";
    float hist[2];
    for (int bn = 0; bn < 2; bn++) {
        nn_net *net = nn_net_build_text(bn ? with_bn : no_bn, "t", &s);
        assert_non_null(net);
        data_ctx d = {2, 4, 4, 3, 0, -1, 0, 0};
        nn_train_cfg t = train_cfg(2, 4, 1);
        assert_int_equal(nn_fit(net, &t, 9, fill, &d, hist), 0);
        /* 9 samples in batches of 4: 4 + 4 + 1; the single last sample is skipped with BN. */
        assert_int_equal(d.calls, bn ? 4 : 6);
        nn_net_free(net);
    }
    nn_net *net = nn_net_build_text(no_bn, "t", &s);
    /* NaN input -> NaN loss, named by epoch and step. */
    data_ctx d = {2, 4, 4, 3, 0, 5, 0, 0};
    nn_train_cfg t = train_cfg(1, 9, 1);
    t.batch = 4;
    sc_err_clear();
    assert_int_equal(nn_fit(net, &t, 9, fill, &d, hist), -1);
    assert_non_null(strstr(sc_err_msg(), "epoch 1, step "));
    assert_non_null(strstr(sc_err_msg(), ": loss is NaN"));
    /* A failing fill is reported with its position. */
    data_ctx e = {2, 4, 4, 3, 0, -1, 2, 0};
    assert_int_equal(nn_fit(net, &t, 9, fill, &e, hist), -1);
    assert_non_null(strstr(sc_err_msg(), "epoch 1, step 2: sample "));
    assert_non_null(strstr(sc_err_msg(), ": unreadable"));
    /* Bad configurations. */
    t.batch = 5;
    assert_int_equal(nn_fit(net, &t, 9, fill, &d, hist), -1);
    assert_non_null(strstr(sc_err_msg(), "batch 5"));
    t.batch = 4;
    t.epochs = 0;
    assert_int_equal(nn_fit(net, &t, 9, fill, &d, hist), -1);
    nn_net_free(net);
}

static void test_predict_is_eval_mode(void **state)
{
    (void)state;
    nn_shape s = {2, 64, 32, 3, 3};
    nn_net *net = nn_net_build(nn_test_arch("dspic"), &s);
    assert_non_null(net);
    nn_net_init(net, 9);
    float x[3 * 2 * 64 * 32], p1[9], p2[9], l[9];
    sc_rng r;
    sc_rng_seed(&r, 4);
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = (float)sc_rng_uniform(&r);
    assert_int_equal(nn_predict(net, x, 3, p1), 0);
    assert_int_equal(nn_predict(net, x, 3, p2), 0); /* no dropout, no batch statistics */
    assert_memory_equal(p1, p2, sizeof p1);
    assert_int_equal(nn_predict_logits(net, x, 3, l), 0);
    for (int i = 0; i < 9; i++) {
        assert_true(p1[i] > 0.0f && p1[i] < 1.0f);
        assert_true(fabsf(p1[i] - 1.0f / (1.0f + expf(-l[i]))) < 1e-6f);
    }
    /* A single image predicts the same as inside a batch (eval: no batch statistics). */
    assert_int_equal(nn_predict(net, x + 2 * 64 * 32, 1, p2), 0);
    for (int j = 0; j < 3; j++) assert_true(fabsf(p2[j] - p1[3 + j]) < 1e-5f);
    assert_int_equal(nn_predict(net, x, 4, p2), -1); /* above the maximum batch */
    nn_net_free(net);
}

/* The lower-level API as the GAN uses it: G (noise -> image: transposed convs, batch norm,
 * tanh) and D (image -> logit); the generator step backpropagates through D without touching
 * D's gradients, and the chained gradient equals a finite difference of the composed loss.
 * Smooth activations here (ReLU kinks, checked per layer elsewhere, would blur the finite
 * difference of a whole composed loss), so the tolerance can be 0.5%. */
static void test_two_nets_against_each_other(void **state)
{
    (void)state;
    nn_shape gs = {4, 1, 1, 1, 3}, ds = {1, 8, 8, 1, 3};
    nn_net *G = nn_net_build_text(
        "init = \"dcgan\"; layers = ( { type = \"conv_transpose\"; out = 4; kernel = 4; }, "
        "{ type = \"batchnorm\"; }, { type = \"tanh\"; }, { type = \"conv_transpose\"; "
        "out = 1; kernel = 4; stride = 2; pad = 1; }, { type = \"tanh\"; } );", "G", &gs);
    nn_net *D = nn_net_build_text(
        "init = \"dcgan\"; layers = ( { type = \"conv\"; out = 4; kernel = 4; stride = 2; "
        "pad = 1; }, { type = \"tanh\"; }, { type = \"dense\"; "
        "out = \"n_out\"; } );", "D", &ds);
    assert_non_null(G);
    assert_non_null(D);
    int c, h, w;
    nn_net_out_dims(G, &c, &h, &w);
    assert_true(c == 1 && h == 8 && w == 8);
    nn_net_init(G, 1);
    nn_net_init(D, 2);
    float z[3 * 4], ones[3] = {1, 1, 1}, dl[3], dfake[3 * 64];
    sc_rng r;
    sc_rng_seed(&r, 5);
    for (int i = 0; i < 12; i++) z[i] = (float)sc_rng_normal(&r);
    /* D has gradients from an earlier step; the generator step must leave them alone. */
    float *fake = (float *)nn_forward(G, z, 3, 1);
    nn_zero_grad(D);
    const float *logit = nn_forward(D, fake, 3, 1);
    nn_loss_bce_logits(logit, ones, 3, 1, NULL, dl);
    assert_int_equal(nn_backward(D, dl, NULL, 0), 0);
    size_t nd = D->n_params;
    float *dgrad = malloc(sizeof(float) * nd);
    memcpy(dgrad, nn_net_grads(D), sizeof(float) * nd);
    /* Generator step: real labels on fakes, through D to G. */
    nn_zero_grad(G);
    fake = (float *)nn_forward(G, z, 3, 1);
    logit = nn_forward(D, fake, 3, 1);
    double l0 = nn_loss_bce_logits(logit, ones, 3, 1, NULL, dl);
    assert_int_equal(nn_backward(D, dl, dfake, NN_BACKWARD_NO_PARAM_GRADS), 0);
    assert_memory_equal(dgrad, nn_net_grads(D), sizeof(float) * nd);
    assert_int_equal(nn_backward(G, dfake, NULL, 0), 0);
    /* The chained gradient of G's parameters against a central difference of the composed
     * loss, along d = g/|g| + u (u a random unit vector), with a step that moves the loss by
     * about 1e-4 (the recipe of tests/unit/nn_gradcheck.c). */
    const size_t ng = G->n_params;
    float *g0 = malloc(sizeof(float) * ng), *p0 = malloc(sizeof(float) * ng);
    double *d = malloc(sizeof(double) * ng), gg = 0.0, uu = 0.0, an = 0.0;
    memcpy(g0, nn_net_grads(G), sizeof(float) * ng);
    memcpy(p0, G->params, sizeof(float) * ng);
    for (size_t k = 0; k < ng; k++) {
        d[k] = sc_rng_normal(&r);
        gg += (double)g0[k] * g0[k];
        uu += d[k] * d[k];
    }
    for (size_t k = 0; k < ng; k++) {
        d[k] = g0[k] / sqrt(gg) + d[k] / sqrt(uu);
        an += g0[k] * d[k];
    }
    const double e = 1e-4 / an;
    double f[2];
    for (int sgn = 0; sgn < 2; sgn++) {
        for (size_t k = 0; k < ng; k++) G->params[k] = p0[k] + (float)((sgn ? -e : e) * d[k]);
        const float *o = nn_forward(D, nn_forward(G, z, 3, 1), 3, 1);
        f[sgn] = nn_loss_bce_logits(o, ones, 3, 1, NULL, NULL);
    }
    memcpy(G->params, p0, sizeof(float) * ng);
    const double num = (f[0] - f[1]) / (2.0 * e);
    print_message("G through D: directional derivative %.6g, finite difference %.6g\n", an, num);
    assert_true(fabs(num - an) <= 5e-3 * fabs(an));
    free(g0), free(p0), free(d);
    nn_optim_cfg opt;
    nn_optim_defaults(&opt);
    opt.lr = 2e-4f;
    opt.beta1 = 0.5f;
    nn_optim_step(G, &opt, opt.lr);
    const float *o = nn_forward(D, nn_forward(G, z, 3, 1), 3, 1);
    assert_true(nn_loss_bce_logits(o, ones, 3, 1, NULL, NULL) < l0); /* G fools D a bit more */
    free(dgrad);
    nn_net_free(G);
    nn_net_free(D);
}

int main(void)
{
    nn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bce_values_and_gradient),
        cmocka_unit_test(test_softmax_ce),
        cmocka_unit_test(test_adam_adamw_sgd),
        cmocka_unit_test(test_clip_and_schedules),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_learns_separable_toy),
        cmocka_unit_test(test_batching_rules_and_errors),
        cmocka_unit_test(test_predict_is_eval_mode),
        cmocka_unit_test(test_two_nets_against_each_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
