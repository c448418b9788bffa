/* data/image_jpeg.c: greyscale JPEG through libjpeg(-turbo).  A one-component file is read as
 * is.  A three-component YCbCr file is accepted only when its chroma is neutral everywhere
 * (|Cb - 128| and |Cr - 128| at most SC_JPEG_CHROMA_TOL): a grey picture that a converter saved
 * as colour, as many do; its luminance Y is kept, which is what `djpeg -grayscale` outputs.
 * Anything else (real colour, CMYK, 12-bit) is refused.  libjpeg reports errors by calling
 * error_exit, which must not return: it longjmps back here. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "data/image_read.h"
#include "util/error.h"

/* Chroma deviation from neutral that still counts as grey (lossy coding moves it a little). */
#define SC_JPEG_CHROMA_TOL 2

struct err_mgr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void on_error_exit(j_common_ptr cinfo)
{
    struct err_mgr *e = (struct err_mgr *)cinfo->err;
    char msg[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, msg);
    sc_err_set(NULL, 0, "libjpeg: %s", msg);
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo)
{
    (void)cinfo; /* warnings (e.g. extraneous bytes) do not fail a read */
}

int sc_image_read_jpeg(const char *path, sc_image *img)
{
    struct jpeg_decompress_struct cinfo;
    struct err_mgr err;
    JSAMPLE *volatile line = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        sc_err_set(NULL, 0, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    memset(&cinfo, 0, sizeof cinfo); /* destroying it before it was created is then a no-op */
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error_exit;
    err.pub.output_message = on_message;
    if (setjmp(err.jump)) {
        sc_err_prefix("%s", path);
        goto fail;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_read_header(&cinfo, TRUE);
    const int comps = cinfo.num_components;
    const J_COLOR_SPACE cs = cinfo.jpeg_color_space;
    if (cinfo.data_precision != 8) {
        sc_err_set(NULL, 0, "%s: %d-bit JPEG; only 8-bit JPEG is read", path,
                   cinfo.data_precision);
        goto fail;
    }
    if (!(comps == 1 && cs == JCS_GRAYSCALE) && !(comps == 3 && cs == JCS_YCbCr)) {
        sc_err_set(NULL, 0, "%s: JPEG with %d components (colour space %d); only greyscale "
                   "JPEG holds counts", path, comps, (int)cs);
        goto fail;
    }
    /* YCbCr out as is (no conversion), so the chroma can be checked and Y kept */
    cinfo.out_color_space = comps == 1 ? JCS_GRAYSCALE : JCS_YCbCr;
    jpeg_start_decompress(&cinfo);
    const int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    if (w > SC_IMG_MAX_SIDE || h > SC_IMG_MAX_SIDE) {
        sc_err_set(NULL, 0, "%s: JPEG image %dx%d larger than %d on a side", path, w, h,
                   SC_IMG_MAX_SIDE);
        goto fail;
    }
    img->pixels = sc_xmalloc((size_t)w * h * sizeof *img->pixels);
    line = sc_xmalloc((size_t)w * comps);
    while ((int)cinfo.output_scanline < h) {
        const int r = (int)cinfo.output_scanline;
        JSAMPROW rows[1] = {line};
        jpeg_read_scanlines(&cinfo, rows, 1);
        uint16_t *out = img->pixels + (size_t)r * w;
        for (int x = 0; x < w; x++) {
            const JSAMPLE *p = line + (size_t)x * comps;
            if (comps == 3 && (abs(p[1] - 128) > SC_JPEG_CHROMA_TOL ||
                               abs(p[2] - 128) > SC_JPEG_CHROMA_TOL)) {
                sc_err_set(NULL, 0, "%s: colour JPEG (pixel at row %d, column %d has chroma "
                           "Cb %d, Cr %d); only greyscale JPEG holds counts", path, r, x, p[1],
                           p[2]);
                goto fail;
            }
            out[x] = p[0];
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(line);
    fclose(f);
    img->frames = 1;
    img->h = h;
    img->w = w;
    img->bits = 8;
    return 0;
fail:
    jpeg_destroy_decompress(&cinfo);
    free(line);
    fclose(f);
    return -1;
}
