/* tests/fuzz/h5.h: the HDF5 side of the fuzz targets: the project's readers of a data set
 * and of a results file, driven as `spectcv info` / `run` drive them, the valid seed files, and
 * the structure-aware mutator (the input is a script of changes applied with the HDF5 API to a
 * copy of a valid file, so the project's validation is reached instead of HDF5's own parser). */
#ifndef TESTS_FUZZ_H5_H
#define TESTS_FUZZ_H5_H

#include <stddef.h>
#include <stdint.h>

/* sc_ds_open on MPI_COMM_SELF, label counts, a view selection and sc_ds_read of every scan
 * (scans too large to hold are skipped), sc_ds_close. */
void fz_read_dataset(const char *path);
/* What `info` does with a results file: open, provenance, job table, every done job's outputs,
 * validation table, GAN outputs, the summary table; all printed to /dev/null. */
void fz_read_results(const char *path);

/* Write the valid seeds (6 scans of 2 views 16 x 8, 2 labels; the report tests' results file)
 * to path. */
void fz_seed_dataset(const char *path);
void fz_seed_results(const char *path);

/* Apply the input as a script of mutations (tests/fuzz/README.md lists them) to the HDF5 file
 * at path. */
void fz_h5_mutate(const char *path, const uint8_t *data, size_t size);

/* The two kinds of HDF5 target, for a file kind given by its reader and seed writer (libFuzzer
 * needs one binary, so one pair of entry points, per target):
 *   FZ_H5_RAW_TARGET(read):  the input is the file's bytes;
 *   FZ_H5_MUT_TARGET(seed, read):  the input is a mutation script applied to a copy of a valid
 *   file written at start (make_corpus.sh keeps that file, FUZZ_SAVE_SEED, as the raw target's
 *   corpus). */
#define FZ_H5_RAW_TARGET(read)                                                                     \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                              \
    {                                                                                              \
        (void)argc, (void)argv;                                                                    \
        fz_mpi_init();                                                                             \
        return 0;                                                                                  \
    }                                                                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                   \
    {                                                                                              \
        char path[4096];                                                                           \
        fz_write("input.h5", data, size, path, sizeof path);                                       \
        read(path);                                                                                \
        return 0;                                                                                  \
    }

#define FZ_H5_MUT_TARGET(make_seed, read)                                                          \
    static char seed[4096];                                                                        \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                              \
    {                                                                                              \
        (void)argc, (void)argv;                                                                    \
        fz_mpi_init();                                                                             \
        fz_path("seed.h5", seed, sizeof seed);                                                     \
        make_seed(seed);                                                                           \
        const char *keep = getenv("FUZZ_SAVE_SEED");                                               \
        if (keep) fz_copy(seed, keep);                                                             \
        return 0;                                                                                  \
    }                                                                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                   \
    {                                                                                              \
        char path[4096];                                                                           \
        fz_path("mutated.h5", path, sizeof path);                                                  \
        fz_copy(seed, path);                                                                       \
        fz_h5_mutate(path, data, size);                                                            \
        read(path);                                                                                \
        return 0;                                                                                  \
    }

#endif
