/* tests/fuzz/fuzz_pgm.c: the PGM reader (data/image_pgm.c) on any bytes; its corpus is
 * tests/fuzz/corpus/pgm (tests/fuzz/make_corpus.py). */
#include "tests/fuzz/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_image_one(data, size, "image.pgm", sc_image_read_pgm);
    return 0;
}
