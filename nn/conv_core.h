/* nn/conv_core.h: convolution as im2col + cblas_sgemm, shared by the conv, transposed conv and
 * CBAM layers.
 *
 * Layout NCHW.  A convolution with geometry g maps x [c][h][w] to y [oc][oh][ow] with weights
 * W [oc][c*kh*kw] (PyTorch's OIHW, flattened): per image, col = im2col(x) [c*kh*kw][oh*ow] and
 * y = W col.  A 1x1 stride-1 unpadded convolution uses x itself as col.
 *
 * The GEMMs run on chunks of about NN_CONV_COLUMNS output positions (conv_core.c): blocks of
 * output rows of large images, or several small images side by side.  nn_conv_forward and
 * nn_conv_backward run 3x3 stride-1 convolutions by Winograd's F(2x2, 3x3) instead
 * (winograd.h) unless g->gemm. */
#ifndef SC_NN_CONV_CORE_H
#define SC_NN_CONV_CORE_H

#include <stddef.h>

typedef struct {
    int c, h, w;    /* input image */
    int kh, kw, sh, sw, ph, pw;
    int oh, ow;     /* output positions */
    int gemm;       /* 1: im2col + GEMM even where Winograd applies (winograd.h) */
} nn_conv_geom;

/* Rows of the column matrix (c*kh*kw) and its columns (oh*ow). */
static inline size_t nn_geom_k(const nn_conv_geom *g) { return (size_t)g->c * g->kh * g->kw; }
static inline size_t nn_geom_n(const nn_conv_geom *g) { return (size_t)g->oh * g->ow; }
/* 1 if im2col is the identity (1x1 kernel, stride 1, no padding). */
int nn_geom_is_pointwise(const nn_conv_geom *g);

#ifndef NN_CONV_COLUMNS
#define NN_CONV_COLUMNS 1024
#endif

/* col [c*kh*kw][(r1 - r0) * ow] (rows ld floats apart) for the output rows [r0, r1) from
 * img [c][h][w]; the padding reads 0.  pad: scratch of nn_im2col_pad(g, r1 - r0) floats.
 * (im2col.c) */
void nn_im2col(const nn_conv_geom *g, const float *img, int r0, int r1, float *col, size_t ld,
               float *pad);
/* Scratch floats nn_im2col and nn_col2im need for `rows` output rows. */
size_t nn_im2col_pad(const nn_conv_geom *g, int rows);
/* The adjoint: img [c][h][w] += the col entries of output rows [r0, r1) at the positions they
 * came from (entries that belong to the padding are ignored).  pad as for nn_im2col. */
void nn_col2im(const nn_conv_geom *g, const float *col, size_t ld, int r0, int r1, float *img,
               float *pad);

/* dst [j * ldd + i] = (beta ? dst [j * ldd + i] : 0) + src [i * lds + j] for i < rows,
 * j < cols: a transposition in 4 x 4 blocks (im2col.c; the weight gradient of nn_conv_backward,
 * the channel-last copies of winograd_xform.c). */
void nn_transpose(const float *src, size_t lds, float *dst, size_t ldd, int rows, int cols,
                  int beta);
/* The sum of r [i] over i < n where mask [i] > 0 (all of them if mask is NULL), in 16 float
 * lanes (conv_core.c). */
float nn_masked_sum(const float *r, const float *mask, size_t n);

/* Workspace floats nn_conv_forward / nn_conv_backward need for oc outputs, up to `batch`
 * images (including room for a fused ReLU's masked gradient). */
size_t nn_conv_ws(const nn_conv_geom *g, int oc, int batch);

/* y [b][oc][oh][ow] = conv(x [b][c][h][w]) with w [oc][c*kh*kw], plus bias [oc] if not NULL,
 * plus y itself if acc (the input gradient of a transposed convolution, conv.c), then
 * max(0, .) if relu. */
void nn_conv_forward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                     const float *bias, int relu, int acc, float *y, float *ws);

/* nn_conv_forward without bias or ReLU (y skipped if NULL), and dw (if not NULL) = the weight
 * gradient of the convolution at x for the output gradient gy [b][oc][oh][ow], overwritten
 * (beta_p = 0) or added to (beta_p = 1), from the same column matrices: the backward pass of a
 * transposed convolution (conv.c), whose input and weight gradients both multiply
 * im2col(its output gradient). */
void nn_conv_forward_dw(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                        int acc, float *y, const float *gy, float *dw, int beta_p, float *ws);

/* Gradients of the convolution above from dy [b][oc][oh][ow] (masked by y_relu > 0 when the
 * ReLU was fused: y_relu is then the forward output, and ws needs oc*oh*ow more floats):
 *   dx (if not NULL): overwritten (acc_dx = 0) or added to (acc_dx = 1);
 *   dw, db (if not NULL): overwritten (beta_p = 0) or added to (beta_p = 1). */
void nn_conv_backward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                      const float *dy, const float *y_relu, float *dx, int acc_dx, float *dw,
                      float *db, int beta_p, float *ws);

#endif
