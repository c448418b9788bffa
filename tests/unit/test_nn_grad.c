/* tests/unit/test_nn_grad.c: numeric gradient checks of every layer type (input and parameter
 * gradients, element by element) and of whole networks (dspic, alexnet) along random
 * directions.  Method: tests/unit/nn_gradcheck.c.  Per layer: central differences with step
 * 1e-2, |analytic - numeric| <= 1e-2 * max(|analytic|, |numeric|, 1), the upstream gradient
 * scaled so that the largest gradient is >= 1.  Whole networks: for the input and each
 * parameter tensor, the derivative along one direction (mostly the gradient's, plus a random
 * unit vector) with a step that moves the loss by 1e-5, relative error < 3e-2 (float forward
 * passes through ReLU and max-pool kinks limit the precision). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nn/nn.h"
#include "tests/unit/nn_gradcheck.h"
#include "util/error.h"

typedef struct {
    const char *name;
    const char *layers; /* the inside of `layers = ( ... );` */
    int c, h, w, batch;
    int train;
    nn_gc_input input;
    double max_skipped; /* fraction of kinks allowed (CBAM's internal max and ReLU only) */
} layer_case;

static void run_case(const layer_case *lc)
{
    char text[4096];
    snprintf(text, sizeof text, "layers = ( %s );", lc->layers);
    nn_shape shape = {lc->c, lc->h, lc->w, 3, lc->batch};
    nn_net *net = nn_net_build_text(text, lc->name, &shape);
    if (!net) fail_msg("%s: build failed: %s", lc->name, sc_err_msg());
    nn_gc_opts o;
    nn_gc_defaults(&o);
    o.train = lc->train;
    o.input = lc->input;
    o.seed = 7;
    nn_gc_result r;
    nn_gc_check_net(net, lc->batch, &o, &r);
    nn_net_free(net);
    print_message("%-28s checked %5d skipped %3d failed %d max|g| %.3g\n", lc->name, r.checked,
                  r.skipped, r.failed, r.max_abs_grad);
    if (r.failed) fail_msg("%s: %d gradients wrong, first: %s", lc->name, r.failed, r.first_failure);
    assert_true(r.checked > 0);
    assert_true(r.max_abs_grad > 0.1); /* the check is sensitive at this scale */
    assert_true(r.skipped <= lc->max_skipped * (r.checked + r.skipped));
}

#define T(NAME, LAYERS, C, H, W, B, TRAIN, ...)                                                    \
    {.name = NAME, .layers = LAYERS, .c = C, .h = H, .w = W, .batch = B, .train = TRAIN, __VA_ARGS__}
static const layer_case cases[] = {
    T("conv 3x3 pad 1 bias", "{ type = \"conv\"; out = 4; kernel = 3; pad = 1; }", 3, 5, 6, 2, 1),
    T("conv 3x2 stride 2x3 pad 1x0", "{ type = \"conv\"; out = 3; kernel = [3, 2]; stride = [2, 3]; "
      "pad = [1, 0]; bias = false; }", 2, 7, 8, 2, 1),
    /* out <= in, odd kernels, same padding: the input gradient as the flipped convolution
     * (3x3 on the im2col path: algo = "gemm"; by default it is Winograd's) */
    T("conv 3x3 pad 1, out <= in", "{ type = \"conv\"; out = 3; kernel = 3; pad = 1; "
      "algo = \"gemm\"; }", 3, 5, 6, 2, 1),
    T("conv 3x5 pad 1x2, out < in", "{ type = \"conv\"; out = 2; kernel = [3, 5]; pad = [1, 2]; "
      "bias = false; }", 4, 4, 7, 3, 1),
    T("conv 1x1 (no im2col)", "{ type = \"conv\"; out = 5; kernel = 1; }", 4, 3, 3, 2, 1),
    T("conv 5x5 stride 4 pad 2", "{ type = \"conv\"; out = 3; kernel = 5; stride = 4; pad = 2; }",
      2, 9, 10, 2, 1),
    T("conv_transpose 4/2 pad 1", "{ type = \"conv_transpose\"; out = 2; kernel = 4; stride = 2; "
      "pad = 1; }", 3, 3, 4, 2, 1),
    T("conv_transpose 3/2 output_pad 1", "{ type = \"conv_transpose\"; out = 3; kernel = 3; "
      "stride = 2; pad = 1; output_pad = 1; bias = false; }", 2, 3, 3, 2, 1),
    T("conv_transpose 1x1", "{ type = \"conv_transpose\"; out = 3; kernel = 1; }", 2, 3, 3, 2, 1),
    T("batchnorm train", "{ type = \"batchnorm\"; }", 3, 4, 5, 3, 1),
    T("batchnorm train dense", "{ type = \"dense\"; out = 4; }, { type = \"batchnorm\"; }", 5, 1,
      1, 4, 1),
    T("batchnorm eval", "{ type = \"batchnorm\"; }", 3, 4, 5, 2, 0),
    T("relu", "{ type = \"relu\"; }", 2, 4, 5, 2, 1, .input = NN_GC_INPUT_SPACED),
    /* ReLUs fused into the layer before them (net.c): every perturbation can cross a ReLU kink
     * of the output, so up to 10% of the elements may be skipped as kinks. */
    T("conv + relu (fused)", "{ type = \"conv\"; out = 4; kernel = 3; pad = 1; }, "
      "{ type = \"relu\"; }, { type = \"conv\"; out = 2; kernel = 1; }", 3, 5, 4, 2, 1,
      .max_skipped = 0.1),
    T("conv + relu, grouped images", "{ type = \"conv\"; out = 3; kernel = 2; stride = 2; }, "
      "{ type = \"relu\"; }, { type = \"conv\"; out = 2; kernel = 1; }", 2, 4, 4, 5, 1,
      .max_skipped = 0.1),
    T("batchnorm + relu (fused)", "{ type = \"batchnorm\"; }, { type = \"relu\"; }, "
      "{ type = \"conv\"; out = 2; kernel = 1; }", 3, 4, 5, 3, 1, .max_skipped = 0.1),
    T("dense + relu (fused)", "{ type = \"dense\"; out = 6; }, { type = \"relu\"; }, "
      "{ type = \"dense\"; out = 3; }", 2, 3, 2, 3, 1, .max_skipped = 0.05),
    T("leaky_relu", "{ type = \"leaky_relu\"; slope = 0.2; }", 2, 4, 5, 2, 1, .input = NN_GC_INPUT_SPACED),
    T("tanh", "{ type = \"tanh\"; }", 2, 4, 5, 2, 1),
    T("sigmoid", "{ type = \"sigmoid\"; }", 2, 4, 5, 2, 1),
    T("maxpool 3/2 pad 1", "{ type = \"maxpool\"; kernel = 3; stride = 2; pad = 1; }", 2, 7, 6, 2,
      1, .input = NN_GC_INPUT_SPACED),
    T("maxpool 2", "{ type = \"maxpool\"; kernel = 2; }", 3, 4, 5, 2, 1, .input = NN_GC_INPUT_SPACED),
    T("avgpool 3/2 pad 1", "{ type = \"avgpool\"; kernel = 3; stride = 2; pad = 1; }", 2, 7, 6, 2,
      1),
    T("adaptive_avgpool 3x2", "{ type = \"adaptive_avgpool\"; size = [3, 2]; }", 2, 5, 7, 2, 1),
    T("adaptive_avgpool upsampling", "{ type = \"adaptive_avgpool\"; size = 4; }", 2, 3, 3, 2, 1),
    T("global_avgpool", "{ type = \"global_avgpool\"; }", 3, 4, 5, 2, 1),
    T("dense", "{ type = \"dense\"; out = 5; }", 2, 3, 2, 3, 1),
    T("flatten + dense", "{ type = \"flatten\"; }, { type = \"dense\"; out = 4; bias = false; }",
      2, 2, 3, 2, 1),
    T("dropout train", "{ type = \"dropout\"; p = 0.3; }", 2, 4, 5, 2, 1),
    T("dropout eval", "{ type = \"dropout\"; p = 0.3; }", 2, 4, 5, 2, 0),
    T("cbam", "{ type = \"cbam\"; reduction = 2; kernel = 3; }", 6, 4, 5, 2, 1, .input = NN_GC_INPUT_SPACED,
      .max_skipped = 0.05),
    T("cbam 7x7 no bias", "{ type = \"cbam\"; reduction = 4; bias = false; }", 8, 5, 6, 2, 1,
      .input = NN_GC_INPUT_SPACED, .max_skipped = 0.05),
    T("residual projection", "{ type = \"residual\"; body = ( { type = \"conv\"; out = 4; "
      "kernel = 3; stride = 2; pad = 1; }, { type = \"batchnorm\"; }, { type = \"tanh\"; }, "
      "{ type = \"conv\"; out = 4; kernel = 3; pad = 1; } ); shortcut = ( { type = \"conv\"; "
      "out = 4; kernel = 1; stride = 2; } ); }", 3, 5, 6, 2, 1),
    T("residual identity", "{ type = \"conv\"; out = 3; kernel = 1; }, { type = \"residual\"; "
      "body = ( { type = \"conv\"; out = 3; kernel = 3; pad = 1; }, { type = \"sigmoid\"; } ); }",
      3, 4, 4, 2, 1),
    T("concat", "{ type = \"concat\"; branches = ( ( { type = \"conv\"; out = 2; kernel = 3; "
      "pad = 1; } ), ( ), ( { type = \"avgpool\"; kernel = 3; stride = 1; pad = 1; } ) ); }, "
      "{ type = \"conv\"; out = 2; kernel = 1; }", 2, 4, 5, 2, 1),
};

static void test_layer_gradients(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
}

/* dloss: how much the step should move the loss (1e-5: the float noise of the loss is ~1e-7,
 * and ReLU / max-pool kinks grow with the step). */
static void check_whole(const char *arch, int c, int h, int w, int batch, double dloss)
{
    nn_shape shape = {c, h, w, 3, batch};
    nn_net *net = nn_net_build(nn_test_arch(arch), &shape);
    if (!net) fail_msg("%s: %s", arch, sc_err_msg());
    nn_net_init(net, 3);
    char what[256];
    double worst = nn_gc_check_direction(net, batch, 11, dloss, what, sizeof what);
    print_message("%s %dx%dx%d: worst relative error of the directional derivatives %.3g (%s)\n",
                  arch, c, h, w, worst, what);
    nn_net_free(net);
    assert_true(worst < 3e-2);
}

static void test_dspic_direction(void **state)
{
    (void)state;
    check_whole("dspic", 2, 64, 32, 2, 1e-5);
}

static void test_alexnet_direction(void **state)
{
    (void)state;
    check_whole("alexnet", 2, 64, 64, 2, 1e-5);
}

static void test_resnet18_direction(void **state)
{
    (void)state;
    /* Residual blocks with projection shortcuts.  Not smaller: batch norm over 1 x 1 maps of 2
     * images is nearly a step function, where no finite difference is meaningful. */
    check_whole("resnet18", 2, 64, 64, 4, 1e-4);
}

int main(void)
{
    nn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_gradients),
        cmocka_unit_test(test_dspic_direction),
        cmocka_unit_test(test_alexnet_direction),
        cmocka_unit_test(test_resnet18_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
