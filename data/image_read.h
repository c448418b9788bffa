/* data/image_read.h: read one scan image file as uint16 counts, whatever its format.
 *
 * The format is told by the file's first bytes, never by its name: PGM (binary "P5", 8 or 16
 * bit, maxval up to 65535, 16-bit samples big-endian as the Netpbm spec says), PNG (greyscale
 * of 1 to 16 bits, values kept; colour, palette and grey+alpha are refused), JPEG (greyscale;
 * a 3-component YCbCr file is accepted when its chroma is neutral, i.e. a grey picture saved as
 * colour, and its luminance is kept; real colour, CMYK and 12-bit files are refused) and DICOM
 * (data/dicom.h; multi-frame: one frame per view).  Values are kept as stored: an 8-bit image
 * gives 0..255, nothing is rescaled. */
#ifndef SC_DATA_IMAGE_READ_H
#define SC_DATA_IMAGE_READ_H

#include <stdint.h>

#define SC_IMG_MAX_FRAMES 8

typedef enum { SC_IMG_PGM = 1, SC_IMG_PNG, SC_IMG_JPEG, SC_IMG_DICOM } sc_image_format;

typedef struct {
    sc_image_format format;
    int frames, h, w;
    uint16_t *pixels; /* [frames][h][w] */
    int bits;         /* significant bits of the source (8, 16, DICOM's BitsStored, ...) */
    /* DICOM only (zero or empty otherwise) */
    int64_t n_clipped;                        /* negative values clipped to 0 */
    char view[SC_IMG_MAX_FRAMES][16];         /* "anterior", "posterior" or "" per frame */
    int mirrored[SC_IMG_MAX_FRAMES];          /* frame stored left-right mirrored */
    double spacing_row, spacing_col;          /* mm, 0 when unknown */
    char transfer_syntax[65], sop_instance_uid[65], series_instance_uid[65],
        study_instance_uid[65];
} sc_image;

/* Read path into img (zeroed first).  0, or -1 with a message naming the file. */
int sc_image_read(const char *path, sc_image *img);
void sc_image_free(sc_image *img);
const char *sc_image_format_name(sc_image_format f);

/* The per-format readers (path already known to hold that format); each fills frames, h, w,
 * pixels and bits. */
int sc_image_read_pgm(const char *path, sc_image *img);
int sc_image_read_png(const char *path, sc_image *img);
int sc_image_read_jpeg(const char *path, sc_image *img);

/* The largest view side accepted (a guard against absurd headers before allocating). */
#define SC_IMG_MAX_SIDE 16384

#endif
