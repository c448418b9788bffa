/* data/preview.h: a PNG a person can read, of one two-view scan: anterior and posterior side
 * by side in inverse grey, with a title (e.g. the labels) and view names. */
#ifndef SC_DATA_PREVIEW_H
#define SC_DATA_PREVIEW_H

#include <stdint.h>

/* image: counts [2][h][w].  title: A-Z, 0-9 and + - . : / = (other characters are blank). */
int sc_preview_write(const char *path, const uint16_t *image, int h, int w, const char *title);

#endif
