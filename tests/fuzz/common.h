/* tests/fuzz/common.h: what the libFuzzer targets (tests/fuzz/fuzz_*.c) share: a private
 * scratch folder, the input written to a file in it (the project's parsers read files), MPI for
 * the HDF5 readers, and the repository's folder (shipped architectures).  See tests/fuzz/README.md. */
#ifndef TESTS_FUZZ_COMMON_H
#define TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "data/image_read.h"

/* This process's scratch folder (/tmp/spectcv-fuzz.XXXXXX), made on the first call and removed
 * at exit. */
const char *fz_dir(void);
/* fz_dir()/name, in a static buffer per call site's `out` (at least 4096 bytes). */
void fz_path(const char *name, char *out, size_t n);
/* Write data to fz_dir()/name; the path goes to out.  Aborts on a write error (not an input's
 * fault). */
void fz_write(const char *name, const uint8_t *data, size_t size, char *out, size_t n);
/* MPI_Init (once), for the targets whose readers open HDF5 through MPI-IO. */
void fz_mpi_init(void);
/* The repository the targets were built from (configs/archs lives there). */
const char *fz_src_dir(void);
/* Copy a file (the HDF5 mutation targets start each input from a fresh copy of their seed). */
void fz_copy(const char *from, const char *to);
/* Abort with a message: the harness itself failed (never an input's fault). */
void fz_die(const char *what) __attribute__((noreturn));

/* The image targets: write the input to fz_dir()/name, read it with `read` (a per-format reader
 * of data/image_read.h, or sc_image_read), free what it gave. */
void fz_image_one(const uint8_t *data, size_t size, const char *name,
                  int (*read)(const char *path, sc_image *img));

#endif
