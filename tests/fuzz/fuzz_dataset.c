/* tests/fuzz/fuzz_dataset.c: a dataset file as raw bytes through the project's reader (h5.h,
 * fz_read_dataset).  Most mutations stop in HDF5's own parser; fuzz_dataset_h5mut reaches the
 * project's validation. */
#include <stdlib.h>

#include "tests/fuzz/common.h"
#include "tests/fuzz/h5.h"

FZ_H5_RAW_TARGET(fz_read_dataset)
