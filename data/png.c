/* data/png.c: 8-bit grayscale PNG writer (see png.h).  libpng reports errors by longjmp, so the
 * state that outlives the setjmp is volatile and released after it. */
#include "data/png.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>

#include "util/error.h"
#include "util/sys.h"

static void on_error(png_structp png, png_const_charp msg)
{
    sc_err_set(NULL, 0, "libpng: %s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings do not fail a preview */
}

int sc_png_write_gray(const char *path, const uint8_t *pix, int h, int w)
{
    char tmp[4096];
    if (h < 1 || w < 1) {
        sc_err_set(NULL, 0, "%s: invalid image size %dx%d", path, h, w);
        return -1;
    }
    FILE *volatile f = sc_open_tmp(path, tmp, sizeof tmp);
    if (!f) return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        sc_err_set(NULL, 0, "%s: libpng: cannot allocate the writer", path);
        png_destroy_write_struct(&png, &info);
        sc_discard_tmp(f, tmp);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        sc_err_prefix("%s", path);
        png_destroy_write_struct(&png, &info);
        sc_discard_tmp(f, tmp);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int r = 0; r < h; r++) png_write_row(png, (png_const_bytep)(pix + (size_t)r * w));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return sc_commit_tmp(f, tmp, path);
}
