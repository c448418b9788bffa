/* nn/winograd_xform.h: the transforms of the F(2x2, 3x3) convolutions (winograd_xform.c),
 * used by winograd.c only.
 *
 * Transformed data are channel-last: the 16 points xi = 4 a + b of a tile are 16 planes, the
 * tiles of a chunk rows of a plane, the channels contiguous (V [16][T][c]).  A tile row of
 * the image (tile row ti covers output rows 2 ti and 2 ti + 1) is first copied channel-last,
 * then transformed tile by tile, 8 channels at a time. */
#ifndef SC_NN_WINOGRAD_XFORM_H
#define SC_NN_WINOGRAD_XFORM_H

#include <stddef.h>

#include "nn/conv_core.h"

/* u [16][n] = G g G^T for the n kernels w [n][3][3]. */
void nn_wino_weights(const float *w, size_t n, float *u);
/* dw [n][3][3] (+ dw if beta) = G^T du G for du [16][n]. */
void nn_wino_weight_grads(const float *du, size_t n, float *dw, int beta);

/* Scratch floats of the row functions below for geometry g with oc outputs. */
size_t nn_wino_row_scratch(const nn_conv_geom *g, int oc);

/* Which image rows the input scratch holds: consecutive tile rows of one image share two
 * input rows, copied once.  Reset (img = NULL) before a pass. */
typedef struct {
    const float *img;
    int ti;
} nn_wino_rows;

/* The transformed inputs of tile row ti of img [c][h][w] (masked by mask > 0 if mask is not
 * NULL): tile j at v + j * c, point xi at + xi * ldv. */
void nn_wino_input_row(const nn_conv_geom *g, const float *img, const float *mask, int ti,
                       float *v, size_t ldv, float *scratch, nn_wino_rows *held);
/* The transformed output gradient A dY A^T of tile row ti of dy [oc][oh][ow] (masked if mask):
 * tile j at z + j * oc, point xi at + xi * ldz. */
void nn_wino_grad_row(const nn_conv_geom *g, int oc, const float *dy, const float *mask, int ti,
                      float *z, size_t ldz, float *scratch);
/* Output rows 2 ti, 2 ti + 1 of y [oc][oh][ow] from the products of tile row ti (tile j at
 * m + j * oc, point xi at + xi * ldm): y (+ y if acc) = A^T M A + bias, then max(0, .) if
 * relu. */
void nn_wino_output_row(const nn_conv_geom *g, int oc, const float *m, size_t ldm, int ti,
                        const float *bias, int relu, int acc, float *y, float *scratch);

#endif
