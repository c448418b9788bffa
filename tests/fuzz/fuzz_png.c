/* tests/fuzz/fuzz_png.c: the PNG reader (data/image_png.c) on any bytes; its corpus is
 * tests/fuzz/corpus/png (tests/fuzz/make_corpus.py). */
#include "tests/fuzz/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_image_one(data, size, "image.png", sc_image_read_png);
    return 0;
}
