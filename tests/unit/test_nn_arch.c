/* tests/unit/test_nn_arch.c: architecture files: the shipped ones build at the input sizes we
 * use (parameter counts checked against torch's), variants change what they say, shapes
 * propagate, and bad files fail with file:line and the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "tests/unit/nn_gradcheck.h"
#include "util/error.h"

static nn_net *build(const char *arch, int c, int h, int w, int n_out)
{
    nn_shape s = {c, h, w, n_out, 2};
    nn_net *net = nn_net_build(nn_test_arch(arch), &s);
    if (!net) fail_msg("%s %dx%dx%d: %s", arch, c, h, w, sc_err_msg());
    return net;
}

static void test_shipped_architectures(void **state)
{
    (void)state;
    /* torchvision.models.alexnet(num_classes=1000) has 61,100,840 parameters. */
    nn_net *net = build("alexnet", 3, 224, 224, 1000);
    assert_int_equal(nn_net_num_params(net), 61100840);
    /* 0.714 GMAC forward at 224 x 224 (conv 0.655 + fc 0.0587). */
    assert_true(nn_net_forward_macs(net) > 0.71e9 && nn_net_forward_macs(net) < 0.72e9);
    nn_net_free(net);
    /* torchvision resnet18: 11,689,512 parameters, 1.814 GMAC; vgg11_bn: 132,868,840. */
    net = build("resnet18", 3, 224, 224, 1000);
    assert_int_equal(nn_net_num_params(net), 11689512);
    assert_true(nn_net_forward_macs(net) > 1.81e9 && nn_net_forward_macs(net) < 1.82e9);
    nn_net_free(net);
    net = build("vgg11", 3, 224, 224, 1000);
    assert_int_equal(nn_net_num_params(net), 132868840);
    nn_net_free(net);
    net = build("alexnet", 2, 64, 64, 3); /* the smallest sizes it accepts are 63 x 63 */
    nn_net_free(net);
    net = build("alexnet_half", 2, 256, 64, 3);
    nn_net_free(net);

    /* dspic: 8 conv/dense weight layers, BN, CBAM; any input size where the shapes allow. */
    const int sizes[][2] = {{1024, 256}, {256, 64}, {64, 32}, {48, 32}};
    size_t n_full = 0;
    for (int i = 0; i < 4; i++) {
        net = build("dspic", 2, sizes[i][0], sizes[i][1], 3);
        size_t n = nn_net_num_params(net);
        if (i == 0) n_full = n;
        assert_int_equal(n, n_full); /* no layer depends on the input size */
        nn_net_free(net);
    }
    /* conv 2*49*32 + 32*9*64 + 64*9*64 + 64*9*128 + 128*9*128 + 128*9*256 + 2 * 256*9*256,
     * BN 2*(32+2*64+2*128+3*256), CBAM 256*16+16+16*256+256+2*49+1, fc 256*256+256+256*3+3 */
    const size_t want = 3136 + 18432 + 36864 + 73728 + 147456 + 294912 + 2 * 589824 +
                        2 * (32 + 128 + 256 + 768) + (4096 + 16 + 4096 + 256 + 98 + 1) +
                        (65536 + 256 + 768 + 3);
    assert_int_equal(n_full, want);

    char desc[8192];
    net = build("dspic_noattention", 2, 256, 64, 3);
    assert_int_equal(nn_net_num_params(net), want - (4096 + 16 + 4096 + 256 + 98 + 1));
    nn_net_describe(net, desc, sizeof desc);
    assert_null(strstr(desc, "attention"));
    nn_net_free(net);

    net = build("dspic_nobn", 2, 256, 64, 3);
    nn_net_describe(net, desc, sizeof desc);
    assert_null(strstr(desc, "batchnorm"));
    size_t nb;
    /* Without a following batch norm, the convolutions have biases. */
    assert_non_null(nn_net_param(net, "conv1", "bias", &nb, 0));
    assert_int_equal(nb, 32);
    nn_net_free(net);

    net = build("dspic_half", 2, 256, 64, 3);
    nn_net_describe(net, desc, sizeof desc);
    assert_non_null(strstr(desc, "conv1                conv             ->   16 x  128 x   32"));
    assert_non_null(nn_net_param(net, "fc2", "weight", &nb, 0));
    assert_int_equal(nb, 128 * 3); /* the output keeps n_out */
    nn_net_free(net);

    net = build("dspic", 2, 256, 64, 3);
    assert_null(nn_net_param(net, "conv1", "bias", NULL, 0)); /* BN follows: no bias */
    const char *json = nn_net_arch_json(net);
    assert_non_null(strstr(json, "\"input\": [2, 256, 64], \"n_out\": 3"));
    assert_non_null(strstr(json, "{\"type\": \"cbam\", \"name\": \"attention\", \"reduction\": 16"));
    assert_non_null(strstr(json, "\"name\": \"fc2\", \"out\": 3, \"bias\": true"));
    assert_non_null(strstr(nn_net_arch_text(net), "RECONSTRUCTION"));
    nn_net_free(net);
}

/* Write `text` to NAME in the current (temporary) folder. */
static const char *write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return name;
}

static void expect_error(const char *file, const char *text, int c, int h, int w,
                         const char *must1, const char *must2)
{
    write_file(file, text);
    nn_shape s = {c, h, w, 3, 2};
    sc_err_clear();
    nn_net *net = nn_net_build(file, &s);
    if (net) fail_msg("%s: expected an error", file);
    const char *m = sc_err_msg();
    print_message("%s\n", m);
    if (!strstr(m, must1) || (must2 && !strstr(m, must2)))
        fail_msg("%s: message '%s' lacks '%s' / '%s'", file, m, must1, must2 ? must2 : "");
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_error("syntax.cfg", "layers = (\n  { type = \"conv\"; out = 4; kernel = 3;\n);\n", 1, 8,
                 8, "syntax.cfg:3: syntax error", NULL);
    expect_error("dspic_small.cfg", "base = \"dspic\";\n", 2, 33, 17,
                 "dspic.cfg:59: maxpool layer 'maxpool4' (input 256x2x1", "key 'kernel': width 2");
    expect_error("unknown_key.cfg",
                 "layers = (\n  { type = \"conv\";\n    out = 4;\n    kernal = 3; }\n);\n", 1, 8, 8,
                 "unknown_key.cfg:4: unknown key 'kernal' for conv layer", "allowed: type, name, out");
    expect_error("wrong_type.cfg", "layers = (\n  { type = \"conv\"; out = 4;\n kernel = \"3\"; }\n);\n",
                 1, 8, 8, "wrong_type.cfg:3: key 'kernel' of conv layer",
                 "expected a positive integer or a list [h, w]");
    expect_error("wrong_type2.cfg", "layers = (\n { type = \"dropout\"; p = 1.5; }\n);\n", 1, 8, 8,
                 "wrong_type2.cfg:2: key 'p' of dropout layer", "[0, 1)");
    expect_error("bias_type.cfg", "layers = ( { type = \"dense\"; name = \"head\";\n out = 2; bias = 1; } );\n",
                 1, 8, 8, "bias_type.cfg:2: key 'bias' of dense layer 'head'", "true or false");
    expect_error("algo.cfg", "layers = (\n { type = \"conv\"; out = 4; kernel = 3;\n algo = \"fast\"; }\n);\n",
                 1, 8, 8, "algo.cfg:3: key 'algo' of conv layer", "\"auto\" (Winograd");
    expect_error("algo_pool.cfg", "layers = (\n { type = \"maxpool\"; kernel = 2; algo = \"gemm\"; }\n);\n",
                 1, 8, 8, "algo_pool.cfg:2: unknown key 'algo' for maxpool layer", NULL);
    expect_error("unknown_type.cfg", "layers = (\n\n  { type = \"convolution\"; out = 4; }\n);\n", 1,
                 8, 8, "unknown_type.cfg:3: key 'type': unknown layer type 'convolution'",
                 "conv, conv_transpose");
    expect_error("shape.cfg",
                 "layers = (\n { type = \"conv\"; out = 4; kernel = 3; },\n { type = \"maxpool\"; "
                 "kernel = 2; },\n { type = \"conv\"; name = \"big\"; out = 4; kernel = 5; }\n);\n",
                 1, 10, 10, "shape.cfg:4: conv layer 'big' (input 4x4x4", "key 'kernel': height 5 "
                 "is larger than its padded input 4");
    expect_error("missing.cfg", "layers = (\n { type = \"conv\"; kernel = 3; }\n);\n", 1, 8, 8,
                 "missing.cfg:2: conv layer 'conv1': missing key 'out'", NULL);
    expect_error("dup.cfg", "layers = (\n { type = \"relu\"; name = \"a\"; },\n { type = \"tanh\"; "
                 "name = \"a\"; }\n);\n", 1, 8, 8, "dup.cfg:3: layer name 'a' is already used at dup.cfg:2",
                 NULL);
    expect_error("toplevel.cfg", "layers = ( { type = \"relu\"; } );\nlayer = 3;\n", 1, 8, 8,
                 "toplevel.cfg:2: unknown key 'layer' in an architecture", NULL);
    expect_error("residual.cfg", "layers = (\n { type = \"residual\"; name = \"block\";\n  body = ( { "
                 "type = \"conv\"; out = 5; kernel = 3; pad = 1; } ); }\n);\n", 4, 6, 6,
                 "residual.cfg:2: residual layer 'block'", "does not match the shortcut's 4x6x6");
    expect_error("concat.cfg", "layers = (\n { type = \"concat\"; branches = ( ( { type = \"maxpool\"; "
                 "kernel = 2; } ), ( ) ); }\n);\n", 4, 6, 6, "concat.cfg:2: concat layer 'concat1'",
                 "branch 2 gives 6x6 positions");
    expect_error("pool_pad.cfg", "layers = ( { type = \"maxpool\"; kernel = 2; pad = 2; } );\n", 1,
                 8, 8, "pool_pad.cfg:1: maxpool layer 'maxpool1'", "at most half the kernel");
    /* alexnet below 63 x 63: the last max pool has nothing to pool. */
    expect_error("small_alexnet.cfg", "base = \"alexnet\";\n", 2, 62, 62, "alexnet.cfg:", "key 'kernel'");
    /* Variants. */
    expect_error("v_remove.cfg", "base = \"dspic\";\nremove = [ \"attention\",\n \"nonesuch\" ];\n", 2,
                 64, 32, "v_remove.cfg:2: key 'remove': no layer named 'nonesuch'", NULL);
    expect_error("v_override.cfg", "base = \"dspic\";\noverride = {\n  conv1 = {\n    kernal = 5; };\n};\n",
                 2, 64, 32, "v_override.cfg:4: override of 'conv1': unknown key 'kernal'", NULL);
    expect_error("v_override2.cfg", "base = \"dspic\";\noverride = { conv1 = { kernel = 0; }; };\n", 2,
                 64, 32, "v_override2.cfg:2: key 'kernel' of conv layer 'conv1'", NULL);
    expect_error("v_base.cfg", "base = \"nonesuch\";\n", 2, 64, 32,
                 "v_base.cfg:1: key 'base': architecture 'nonesuch' not found", NULL);
    expect_error("v_layers.cfg", "base = \"dspic\";\nlayers = ( );\n", 2, 64, 32,
                 "v_layers.cfg:2: unknown key 'layers' in a variant architecture", NULL);
    expect_error("v_width.cfg", "base = \"dspic\";\nwidth = -1;\n", 2, 64, 32,
                 "v_width.cfg:2: key 'width'", NULL);
    expect_error("v_cycle.cfg", "base = \"v_cycle.cfg\";\n", 2, 64, 32, "more than 16 levels", NULL);
    expect_error("nofile.cfg", "", 2, 64, 32, "nofile.cfg: no 'layers' list", NULL);
    nn_shape s = {2, 64, 32, 3, 2};
    assert_null(nn_net_build("does_not_exist.cfg", &s));
    assert_non_null(strstr(sc_err_msg(), "does_not_exist.cfg: cannot open"));
}

static void set_arch_path(void);

static void test_variant_semantics(void **state)
{
    (void)state;
    /* A variant next to its base: override one key, scale widths, remove a type. */
    write_file("base.cfg", "init = \"xavier_uniform\";\nlayers = (\n { type = \"conv\"; name = \"c1\"; "
               "out = 8; kernel = 3; },\n { type = \"batchnorm\"; },\n { type = \"relu\"; },\n"
               " { type = \"maxpool\"; kernel = 2; },\n { type = \"dense\"; name = \"head\"; "
               "out = \"n_out\"; }\n);\n");
    write_file("var.cfg", "base = \"base\";\nwidth = 0.5;\nremove_types = [ \"batchnorm\" ];\n"
               "override = { c1 = { kernel = 5; pad = 2; algo = \"gemm\"; }; maxpool1 = { kernel = 3; }; };\n"
               "init = \"kaiming_normal\";\n");
    nn_shape s = {1, 9, 9, 2, 2};
    nn_net *net = nn_net_build("var.cfg", &s);
    if (!net) fail_msg("%s", sc_err_msg());
    const char *j = nn_net_arch_json(net);
    print_message("%s\n", j);
    assert_non_null(strstr(j, "\"init\": \"kaiming_normal\""));
    assert_non_null(strstr(j, "{\"type\": \"conv\", \"name\": \"c1\", \"out\": 4, \"kernel\": [5, 5], "
                              "\"stride\": [1, 1], \"pad\": [2, 2], \"bias\": true"));
    /* algo is in the description only when it is not the default */
    assert_non_null(strstr(j, "\"bias\": true, \"init\": \"kaiming_normal\", \"algo\": \"gemm\"}"));
    assert_null(strstr(strstr(j, "algo") + 1, "algo"));
    /* maxpool's stride follows its new kernel: 9 -> 3. */
    assert_non_null(strstr(j, "\"kernel\": [3, 3], \"stride\": [3, 3]"));
    assert_null(strstr(j, "batchnorm"));
    size_t n;
    assert_non_null(nn_net_param(net, "head", "weight", &n, 0));
    assert_int_equal(n, 2 * 4 * 3 * 3);
    nn_net_free(net);
    /* SPECTCV_ARCH_PATH comes first in the search path. */
    char path[256];
    setenv("SPECTCV_ARCH_PATH", ".", 1);
    assert_int_equal(nn_arch_resolve("base", NULL, path, sizeof path), 0);
    assert_string_equal(path, "./base.cfg");
    unsetenv("SPECTCV_ARCH_PATH");
    assert_int_equal(nn_arch_resolve("var.cfg", NULL, path, sizeof path), 0);
    assert_string_equal(path, "var.cfg");
    assert_int_equal(nn_arch_resolve("dspic", "/nonexistent", path, sizeof path), -1);
    assert_non_null(strstr(sc_err_msg(), "architecture 'dspic' not found"));
    assert_non_null(strstr(sc_err_msg(), "/nonexistent, ./configs/archs"));
    set_arch_path();
}

static void test_initializers(void **state)
{
    (void)state;
    nn_shape s = {4, 6, 6, 3, 2};
    nn_net *net = nn_net_build_text(
        "layers = ( { type = \"conv\"; name = \"t\"; out = 300; kernel = 3; }, "
        "{ type = \"conv\"; name = \"k\"; out = 300; kernel = 3; init = \"kaiming_normal\"; }, "
        "{ type = \"conv\"; name = \"x\"; out = 300; kernel = 1; init = \"xavier_uniform\"; }, "
        "{ type = \"batchnorm\"; name = \"b\"; init = \"dcgan\"; } );", "init", &s);
    assert_non_null(net);
    nn_net_init(net, 1);
    size_t n;
    /* torch: U(+-1/sqrt(fan_in)), fan_in = 4*9 = 36; bias the same bound. */
    float *w = nn_net_param(net, "t", "weight", &n, 0), mx = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) mx = fabsf(w[i]) > mx ? fabsf(w[i]) : mx;
    assert_true(mx <= 1.0f / 6.0f && mx > 0.98f / 6.0f);
    w = nn_net_param(net, "t", "bias", &n, 0);
    for (size_t i = 0; i < n; i++) assert_true(fabsf(w[i]) <= 1.0f / 6.0f);
    /* kaiming_normal (fan_out = 300*9): sd sqrt(2/2700); bias 0. */
    w = nn_net_param(net, "k", "weight", &n, 0);
    for (size_t i = 0; i < n; i++) s2 += w[i] * w[i];
    assert_true(fabs(sqrt(s2 / n) / sqrt(2.0 / 2700) - 1.0) < 0.02);
    w = nn_net_param(net, "k", "bias", &n, 0);
    for (size_t i = 0; i < n; i++) assert_true(w[i] == 0.0f);
    /* xavier_uniform: bound sqrt(6/(300+300)). */
    w = nn_net_param(net, "x", "weight", &n, 0);
    mx = 0;
    for (size_t i = 0; i < n; i++) mx = fabsf(w[i]) > mx ? fabsf(w[i]) : mx;
    assert_true(mx <= sqrtf(6.0f / 600) && mx > 0.98f * sqrtf(6.0f / 600));
    /* dcgan BN: gamma N(1, 0.02). */
    w = nn_net_param(net, "b", "weight", &n, 0);
    for (size_t i = 0; i < n; i++) assert_true(fabsf(w[i] - 1.0f) < 0.15f && w[i] != 1.0f);
    /* Same seed, same values; the running statistics are reset. */
    float first = nn_net_param(net, "t", "weight", NULL, 0)[17];
    nn_net_init(net, 2);
    assert_true(nn_net_param(net, "t", "weight", NULL, 0)[17] != first);
    nn_net_init(net, 1);
    assert_true(nn_net_param(net, "t", "weight", NULL, 0)[17] == first);
    assert_true(nn_net_param(net, "b", "running_var", &n, 0)[0] == 1.0f);
    nn_net_free(net);
}

static void set_arch_path(void)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/configs/archs", nn_test_root());
    setenv("SPECTCV_ARCH_PATH", dir, 1);
}

int main(void)
{
    set_arch_path(); /* tests run in a temporary folder; variants name "dspic", "alexnet" */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_architectures),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_variant_semantics),
        cmocka_unit_test(test_initializers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
