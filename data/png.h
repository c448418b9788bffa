/* data/png.h: a small 8-bit grayscale PNG writer (libpng), for previews. */
#ifndef SC_DATA_PNG_H
#define SC_DATA_PNG_H

#include <stdint.h>

/* Write an h x w 8-bit grayscale image (rows top to bottom) to path, atomically (path.tmp,
 * then rename).  Sets the error and returns -1 on failure. */
int sc_png_write_gray(const char *path, const uint8_t *pix, int h, int w);

#endif
