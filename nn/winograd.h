/* nn/winograd.h: 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3)
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016).
 *
 * Each 2x2 block of outputs ("tile") of one output channel is A^T [sum_c U_c (.) V_c] A, with
 * U = G g G^T the 4x4 transform of a 3x3 kernel and V = B^T d B the transform of the 4x4 input
 * patch under the tile.  Summed over the channels, the 16 elementwise products are 16 GEMMs
 * (oc x c by c x tiles): 16 multiply-adds per tile and channel pair where a direct convolution
 * spends 36, so 2.25x fewer, for a few additions per input and output value.  The results
 * differ from im2col + GEMM in rounding only (a few float ulps, the transforms' constants are
 * 1 and 1/2).
 *
 * The input gradient is the same kind of convolution of the output gradient with the kernels
 * rotated by 180 degrees and padding 2 - p; in the transformed domain the rotation is a
 * permutation of the 16 points, so it reuses U.  The weight gradient is G^T [sum over tiles of
 * (A dY A^T) (.) V] G: 16 GEMMs oc x tiles by tiles x c.
 *
 * Same layouts, arguments and workspace convention as nn_conv_forward / nn_conv_backward
 * (conv_core.h), which call these when nn_wino_ok(g). */
#ifndef SC_NN_WINOGRAD_H
#define SC_NN_WINOGRAD_H

#include <stddef.h>

#include "nn/conv_core.h"

/* Tiles per GEMM (rounded up to whole tile rows): their transformed inputs and outputs stay
 * in the cache between the transforms and the GEMMs. */
#ifndef NN_WINO_TILES
#define NN_WINO_TILES 128
#endif

/* 1 if g is a 3x3 stride-1 convolution with padding <= 2 (what this file computes). */
int nn_wino_ok(const nn_conv_geom *g);
/* Workspace floats of nn_wino_forward and nn_wino_backward for oc outputs and up to `batch`
 * images. */
size_t nn_wino_ws(const nn_conv_geom *g, int oc, int batch);

void nn_wino_forward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                     const float *bias, int relu, int acc, float *y, float *ws);
void nn_wino_backward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                      const float *dy, const float *y_relu, float *dx, int acc_dx, float *dw,
                      float *db, int beta_p, float *ws);

#endif
