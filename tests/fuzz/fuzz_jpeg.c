/* tests/fuzz/fuzz_jpeg.c: the JPEG reader (data/image_jpeg.c) on any bytes; its corpus is
 * tests/fuzz/corpus/jpeg (tests/fuzz/make_corpus.py). */
#include "tests/fuzz/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_image_one(data, size, "image.jpeg", sc_image_read_jpeg);
    return 0;
}
