/* tests/fuzz/fuzz_dicom.c: the DICOM reader (data/dicom.cpp on GDCM) through sc_image_read,
 * which sniffs the preamble, calls sc_dicom_read and copies frames, views and UIDs; its corpus
 * is tests/fuzz/corpus/dicom (tests/fuzz/make_corpus.py). */
#include "tests/fuzz/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_image_one(data, size, "image.dcm", sc_image_read);
    return 0;
}
