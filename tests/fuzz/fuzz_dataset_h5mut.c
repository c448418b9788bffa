/* tests/fuzz/fuzz_dataset_h5mut.c: structure-aware: the input is a script of mutations
 * (h5_mutate.c) applied with the HDF5 API to a copy of a valid dataset file made at start,
 * which is then read with the project's reader (fz_read_dataset). */
#include <stdlib.h>

#include "tests/fuzz/common.h"
#include "tests/fuzz/h5.h"

FZ_H5_MUT_TARGET(fz_seed_dataset, fz_read_dataset)
