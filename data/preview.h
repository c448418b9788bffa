/* data/preview.h: a PNG a person can read, of one two-view scan: anterior and posterior side
 * by side in inverse grey, with a title (e.g. the labels) and view names. */
#ifndef SC_DATA_PREVIEW_H
#define SC_DATA_PREVIEW_H

#include <stdint.h>

/* image: counts [2][h][w].  title: A-Z, 0-9 and + - . : / = (other characters are blank). */
int sc_preview_write(const char *path, const uint16_t *image, int h, int w, const char *title);

/* A grid of two-view scans, drawn as sc_preview_write draws one (inverse grey, a window whose
 * top is the 99th percentile of the body, gamma 0.6; each scan its own window), from float
 * intensities: scans [rows * cols] point to [2][h][w] each (NULL: an empty cell).  row_titles
 * [rows] (may be NULL) above each row; col_titles (may be NULL) above every group of col_group
 * columns; title on top.  Text as for sc_preview_write. */
int sc_preview_grid(const char *path, const float *const *scans, int rows, int cols, int h, int w,
                    const char *const *row_titles, const char *const *col_titles, int col_group,
                    const char *title);

#endif
