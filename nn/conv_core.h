/* nn/conv_core.h: convolution as im2col + cblas_sgemm, shared by the conv, transposed conv and
 * CBAM layers.
 *
 * Layout NCHW.  A convolution with geometry g maps x [c][h][w] to y [oc][oh][ow] with weights
 * W [oc][c*kh*kw] (PyTorch's OIHW, flattened): per image, col = im2col(x) [c*kh*kw][oh*ow] and
 * y = W col.  A 1x1 stride-1 unpadded convolution uses x itself as col. */
#ifndef SC_NN_CONV_CORE_H
#define SC_NN_CONV_CORE_H

#include <stddef.h>

typedef struct {
    int c, h, w;    /* input image */
    int kh, kw, sh, sw, ph, pw;
    int oh, ow;     /* output positions */
} nn_conv_geom;

/* Rows of the column matrix (c*kh*kw) and its columns (oh*ow). */
static inline size_t nn_geom_k(const nn_conv_geom *g) { return (size_t)g->c * g->kh * g->kw; }
static inline size_t nn_geom_n(const nn_conv_geom *g) { return (size_t)g->oh * g->ow; }
/* 1 if im2col is the identity (1x1 kernel, stride 1, no padding). */
int nn_geom_is_pointwise(const nn_conv_geom *g);

/* col [c*kh*kw][oh*ow] from img [c][h][w]; positions in the padding read 0. */
void nn_im2col(const nn_conv_geom *g, const float *img, float *col);
/* The adjoint: img [c][h][w] (+)= the sum of col entries over the positions they came from. */
void nn_col2im(const nn_conv_geom *g, const float *col, float *img, int acc);

/* Workspace floats nn_conv_forward / nn_conv_backward need. */
size_t nn_conv_ws(const nn_conv_geom *g);

/* y [b][oc][oh][ow] = conv(x [b][c][h][w]) with w [oc][c*kh*kw], plus bias [oc] if not NULL. */
void nn_conv_forward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                     const float *bias, float *y, float *ws);

/* Gradients of the convolution above from dy [b][oc][oh][ow]:
 *   dx (if not NULL): overwritten (acc_dx = 0) or added to (acc_dx = 1);
 *   dw, db (if not NULL): overwritten (beta_p = 0) or added to (beta_p = 1). */
void nn_conv_backward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                      const float *dy, float *dx, int acc_dx, float *dw, float *db, int beta_p,
                      float *ws);

#endif
