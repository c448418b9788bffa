/* tests/fuzz/fuzz_dataset_h5mut.c: structure-aware: the input is a script of mutations
 * (h5_mutate.c) applied with the HDF5 API to a copy of a valid dataset file made at start,
 * which is then read with the project's reader (fz_read_dataset). */
#include <stdlib.h>

#include "tests/fuzz/common.h"
#include "tests/fuzz/h5.h"

static char seed[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_mpi_init();
    fz_path("seed.h5", seed, sizeof seed);
    fz_seed_dataset(seed);
    /* make_corpus.sh keeps the seed as the raw target's corpus */
    const char *keep = getenv("FUZZ_SAVE_SEED");
    if (keep) fz_copy(seed, keep);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    fz_path("mutated.h5", path, sizeof path);
    fz_copy(seed, path);
    fz_h5_mutate(path, data, size);
    fz_read_dataset(path);
    return 0;
}
