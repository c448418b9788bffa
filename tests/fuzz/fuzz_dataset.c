/* tests/fuzz/fuzz_dataset.c: a dataset file as raw bytes through the project's reader (h5.h,
 * fz_read_dataset).  Most mutations stop in HDF5's own parser; fuzz_dataset_h5mut reaches the
 * project's validation. */
#include "tests/fuzz/common.h"
#include "tests/fuzz/h5.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_mpi_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    fz_write("input.h5", data, size, path, sizeof path);
    fz_read_dataset(path);
    return 0;
}
