/* data/image_read.c: dispatch by magic bytes to the per-format readers (image_read.h).
 *
 * DICOM goes through data/dicom.h (GDCM). */
#include "data/image_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "data/dicom.h"

const char *sc_image_format_name(sc_image_format f)
{
    switch (f) {
    case SC_IMG_PGM: return "PGM";
    case SC_IMG_PNG: return "PNG";
    case SC_IMG_JPEG: return "JPEG";
    case SC_IMG_DICOM: return "DICOM";
    }
    return "?";
}

void sc_image_free(sc_image *img)
{
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src);
}

static int read_dicom(const char *path, sc_image *img)
{
    sc_dicom_image d;
    memset(&d, 0, sizeof d);
    if (sc_dicom_read(path, &d)) return -1;
    if (d.frames < 1 || d.frames > SC_IMG_MAX_FRAMES) {
        sc_err_set(NULL, 0, "%s: %d frames, expected 1 to %d (one per view)", path, d.frames,
                   SC_IMG_MAX_FRAMES);
        sc_dicom_free(&d);
        return -1;
    }
    img->frames = d.frames;
    img->h = d.h;
    img->w = d.w;
    img->pixels = d.pixels; /* ownership moves to img */
    d.pixels = NULL;
    img->bits = d.bits_stored;
    img->n_clipped = d.n_clipped;
    for (int f = 0; f < d.frames; f++) {
        copy_str(img->view[f], sizeof img->view[f], d.view[f]);
        img->mirrored[f] = d.mirrored[f] != 0;
    }
    img->spacing_row = d.spacing_row;
    img->spacing_col = d.spacing_col;
    copy_str(img->transfer_syntax, sizeof img->transfer_syntax, d.transfer_syntax);
    copy_str(img->sop_instance_uid, sizeof img->sop_instance_uid, d.sop_instance_uid);
    copy_str(img->series_instance_uid, sizeof img->series_instance_uid, d.series_instance_uid);
    copy_str(img->study_instance_uid, sizeof img->study_instance_uid, d.study_instance_uid);
    sc_dicom_free(&d);
    return 0;
}

int sc_image_read(const char *path, sc_image *img)
{
    memset(img, 0, sizeof *img);
    unsigned char m[132];
    FILE *f = fopen(path, "rb");
    SC_CHECK(f, "%s: cannot open: %s", path, strerror(errno));
    size_t got = fread(m, 1, sizeof m, f);
    fclose(f);
    int rc;
    if (got >= 8 && !memcmp(m, "\x89PNG\r\n\x1a\n", 8)) {
        img->format = SC_IMG_PNG;
        rc = sc_image_read_png(path, img);
    } else if (got >= 3 && m[0] == 0xFF && m[1] == 0xD8 && m[2] == 0xFF) {
        img->format = SC_IMG_JPEG;
        rc = sc_image_read_jpeg(path, img);
    } else if (got >= 3 && m[0] == 'P' && m[1] == '5' &&
               (m[2] == ' ' || m[2] == '\t' || m[2] == '\n' || m[2] == '\r' || m[2] == '#')) {
        img->format = SC_IMG_PGM;
        rc = sc_image_read_pgm(path, img);
    }
    else if (sc_dicom_sniff(path) == 1) {
        img->format = SC_IMG_DICOM;
        rc = read_dicom(path, img);
    }
    else if (got >= 2 && m[0] == 'P' && m[1] >= '1' && m[1] <= '7') {
        SC_FAIL("%s: Netpbm 'P%c' file: only binary greyscale PGM (P5) is read", path, m[1]);
    } else {
        SC_FAIL("%s: not a PGM, PNG, JPEG or DICOM file (unrecognized first bytes)", path);
    }
    if (rc) goto fail;
    return 0;
fail:
    sc_image_free(img);
    return -1;
}
