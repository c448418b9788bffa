/* tests/fuzz/fuzz_arch.c: an architecture file (nn/arch.c, and nn/arch_variant.c when it names
 * a `base`, looked up in the shipped configs/archs) parsed, finalized and built into a network
 * for a small input (2 views of 32 x 16, 3 outputs, batch 1), then freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "tests/fuzz/common.h"
#include "util/error.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static char archs[4096];
    snprintf(archs, sizeof archs, "%s/configs/archs", fz_src_dir());
    setenv("SPECTCV_ARCH_PATH", archs, 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) fz_die("out of memory");
    memcpy(text, data, size);
    text[size] = '\0';
    const nn_shape shape = {.in_c = 2, .in_h = 32, .in_w = 16, .n_out = 3, .batch = 1};
    nn_net *net = nn_net_build_text(text, "fuzz.cfg", &shape);
    if (net) nn_net_free(net);
    sc_err_clear();
    free(text);
    return 0;
}
