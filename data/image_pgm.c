/* data/image_pgm.c: binary greyscale PGM ("P5", Netpbm spec): a header of whitespace-separated
 * decimal width, height and maxval (comments from '#' to the end of a line), one whitespace
 * byte, then the raster: one byte per sample when maxval < 256, else two, most significant
 * first.  One image per file: bytes after the raster are refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image_read.h"
#include "util/error.h"

/* The next header number (skipping whitespace and comments); -1 if none. */
static long header_number(FILE *f)
{
    int ch;
    for (;;) {
        ch = getc(f);
        if (ch == '#') {
            while (ch != '\n' && ch != '\r' && ch != EOF) ch = getc(f);
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f')
            continue;
        break;
    }
    if (ch < '0' || ch > '9') return -1;
    long v = 0;
    while (ch >= '0' && ch <= '9') {
        v = v * 10 + (ch - '0');
        if (v > 1000000000L) return -1;
        ch = getc(f);
    }
    /* exactly one whitespace byte ends the number (the last one starts the raster) */
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\v' && ch != '\f')
        return -1;
    return v;
}

int sc_image_read_pgm(const char *path, sc_image *img)
{
    int rc = -1;
    unsigned char *raw = NULL;
    FILE *f = fopen(path, "rb");
    SC_CHECK(f, "%s: cannot open: %s", path, strerror(errno));
    SC_CHECK(getc(f) == 'P' && getc(f) == '5', "%s: not a binary PGM (P5) file", path);
    long w = header_number(f), h = header_number(f), maxval = header_number(f);
    SC_CHECK(w >= 1 && h >= 1 && maxval >= 1,
             "%s: PGM header: expected positive width, height and maxval", path);
    SC_CHECK(maxval <= 65535, "%s: PGM header: maxval %ld above 65535", path, maxval);
    SC_CHECK(w <= SC_IMG_MAX_SIDE && h <= SC_IMG_MAX_SIDE, "%s: PGM image %ldx%ld larger than "
             "%d on a side", path, w, h, SC_IMG_MAX_SIDE);
    const int bytes = maxval < 256 ? 1 : 2;
    const size_t n = (size_t)w * (size_t)h;
    raw = sc_xmalloc(n * bytes);
    SC_CHECK(fread(raw, bytes, n, f) == n, "%s: PGM raster truncated (expected %zu bytes)", path,
             n * bytes);
    SC_CHECK(getc(f) == EOF, "%s: bytes after the PGM raster (one image per file)", path);
    img->pixels = sc_xmalloc(n * sizeof *img->pixels);
    for (size_t k = 0; k < n; k++) {
        unsigned v = bytes == 1 ? raw[k] : (unsigned)raw[2 * k] << 8 | raw[2 * k + 1];
        SC_CHECK(v <= (unsigned)maxval, "%s: PGM pixel %zu (row %zu) is %u, above maxval %ld",
                 path, k, k / (size_t)w, v, maxval);
        img->pixels[k] = (uint16_t)v;
    }
    img->frames = 1;
    img->h = (int)h;
    img->w = (int)w;
    img->bits = bytes * 8;
    rc = 0;
fail:
    free(raw);
    if (f) fclose(f);
    return rc;
}
