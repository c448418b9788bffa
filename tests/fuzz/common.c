/* tests/fuzz/common.c: see common.h. */
#include "tests/fuzz/common.h"

#include <ftw.h>
#include <mpi.h>
#include <sanitizer/lsan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"

#ifndef FUZZ_SRC_DIR
#define FUZZ_SRC_DIR "."
#endif

static char dir[64];

void fz_die(const char *what)
{
    fprintf(stderr, "fuzz harness: %s\n", what);
    abort();
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void cleanup(void)
{
    if (dir[0]) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fz_dir(void)
{
    if (!dir[0]) {
        strcpy(dir, "/tmp/spectcv-fuzz.XXXXXX");
        if (!mkdtemp(dir)) fz_die("mkdtemp");
        atexit(cleanup);
    }
    return dir;
}

void fz_path(const char *name, char *out, size_t n)
{
    if ((size_t)snprintf(out, n, "%s/%s", fz_dir(), name) >= n) fz_die("path too long");
}

void fz_write(const char *name, const uint8_t *data, size_t size, char *out, size_t n)
{
    fz_path(name, out, n);
    FILE *f = fopen(out, "wb");
    if (!f) fz_die("cannot create the input file");
    if (size && fwrite(data, 1, size, f) != size) fz_die("cannot write the input file");
    if (fclose(f)) fz_die("cannot write the input file");
}

void fz_copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) fz_die("cannot copy the seed file");
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, got, out) != got) fz_die("cannot copy the seed file");
    fclose(in);
    if (fclose(out)) fz_die("cannot copy the seed file");
}

void fz_mpi_init(void)
{
    int done = 0;
    MPI_Initialized(&done);
    if (done) return;
    /* Open MPI leaks a few one-off allocations at MPI_Init and when it loads its MPI-IO
     * components at the first file open (done here once, on a scratch file).  They are made
     * with LeakSanitizer off, so that its checks after each input see only leaks of the code
     * under test.  MPI is never finalized, for the same reason (its references would go). */
    __lsan_disable();
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS) fz_die("MPI_Init");
    char path[4096];
    fz_path("mpi-io-warmup", path, sizeof path);
    MPI_File fh;
    if (MPI_File_open(MPI_COMM_SELF, path, MPI_MODE_CREATE | MPI_MODE_RDWR, MPI_INFO_NULL, &fh) !=
            MPI_SUCCESS ||
        MPI_File_close(&fh) != MPI_SUCCESS)
        fz_die("MPI-IO warm-up");
    __lsan_enable();
}

const char *fz_src_dir(void) { return FUZZ_SRC_DIR; }

void fz_image_one(const uint8_t *data, size_t size, const char *name,
                  int (*read)(const char *path, sc_image *img))
{
    char path[4096];
    fz_write(name, data, size, path, sizeof path);
    sc_image img;
    memset(&img, 0, sizeof img); /* sc_image_read zeroes it; the per-format readers do not */
    if (read(path, &img) == 0) {
        /* every pixel it says it has must be there (ASan catches a short buffer) */
        const size_t n = (size_t)img.frames * img.h * img.w;
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) sum += img.pixels[i];
        (void)sum;
    }
    sc_image_free(&img); /* on an error too, as sc_image_read does after a per-format reader */
    sc_err_clear();
}
