/* data/image_png.c: greyscale PNG through libpng.  Bit depths 1, 2, 4 are unpacked without
 * scaling (values 0..2^depth-1), 8 and 16 are kept, 16-bit samples are swapped to host order.
 * Colour types other than plain grey are refused: RGB and palette images are colour (or a
 * rendering of counts through a colour map, which cannot be inverted), and grey+alpha carries a
 * transparency that has no meaning for counts.  A tRNS chunk is ignored (the samples stand).
 * libpng reports errors by longjmp, so the state that outlives the setjmp is volatile. */
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image_read.h"
#include "util/error.h"

static void on_error(png_structp png, png_const_charp msg)
{
    sc_err_set(NULL, 0, "libpng: %s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static const char *color_name(int t)
{
    switch (t) {
    case PNG_COLOR_TYPE_RGB: return "RGB colour";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "RGBA colour";
    case PNG_COLOR_TYPE_PALETTE: return "palette (indexed colour)";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "grey+alpha";
    }
    return "unknown colour type";
}

int sc_image_read_png(const char *path, sc_image *img)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sc_err_set(NULL, 0, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *volatile rows = NULL;
    uint8_t *volatile buf = NULL;
    if (!png || !info) {
        sc_err_set(NULL, 0, "%s: libpng: cannot allocate the reader", path);
        goto fail;
    }
    if (setjmp(png_jmpbuf(png))) {
        sc_err_prefix("%s", path);
        goto fail;
    }
    png_init_io(png, f);
    png_set_user_limits(png, SC_IMG_MAX_SIDE, SC_IMG_MAX_SIDE);
    png_read_info(png, info);
    const png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    const int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
    if (type != PNG_COLOR_TYPE_GRAY) {
        sc_err_set(NULL, 0, "%s: PNG is %s; only greyscale PNG (1 to 16 bits) holds counts "
                   "(convert it to greyscale first)", path, color_name(type));
        goto fail;
    }
    if (depth < 8) png_set_packing(png); /* one byte per sample, value unscaled */
    if (depth == 16) png_set_swap(png);  /* PNG is big-endian; make it host order */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const size_t n = (size_t)w * h;
    img->pixels = sc_xmalloc(n * sizeof *img->pixels);
    rows = sc_xmalloc(h * sizeof *rows);
    /* 16-bit samples straight into the pixels; 8-bit ones into a byte buffer, widened after
     * (an interlaced file needs the whole image for its passes) */
    if (depth != 16) buf = sc_xmalloc(n);
    for (png_uint_32 r = 0; r < h; r++)
        rows[r] = depth == 16 ? (png_bytep)(img->pixels + (size_t)r * w) : buf + (size_t)r * w;
    png_read_image(png, rows);
    if (depth != 16)
        for (size_t k = 0; k < n; k++) img->pixels[k] = buf[k];
    png_read_end(png, NULL);
    free(rows);
    free(buf);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    img->frames = 1;
    img->h = (int)h;
    img->w = (int)w;
    img->bits = depth;
    return 0;
fail:
    free(rows);
    free(buf);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return -1;
}
