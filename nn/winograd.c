/* nn/winograd.c: F(2x2, 3x3) convolutions (see winograd.h; the transforms are in
 * winograd_xform.c).
 *
 * The work goes in chunks of about NN_WINO_TILES tiles, whole tile rows taken in order across
 * the images (tile row ti of image n covers output rows 2 ti and 2 ti + 1): the transformed
 * inputs V [16][T][c], then 16 GEMMs M [16][T][oc] = V U^T with the transformed weights
 * U [16][oc][c], then the outputs.  Channel-last planes keep every transform a loop over
 * contiguous channels, whatever the size of the map (dspic's last maps are 2 tiles wide). */
#include "nn/winograd.h"

#include <cblas.h>

#include "nn/winograd_xform.h"

#define NP 16 /* transform points */

int nn_wino_ok(const nn_conv_geom *g)
{
    return !g->gemm && g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->ph >= 0 &&
           g->ph <= 2 && g->pw >= 0 && g->pw <= 2 && g->oh >= 1 && g->ow >= 1;
}

/* The convolution whose output is the input gradient of g: dy [oc][oh][ow] to [c][h][w]. */
static nn_conv_geom grad_geom(const nn_conv_geom *g, int oc)
{
    return (nn_conv_geom){oc, g->oh, g->ow, 3, 3, 1, 1, 2 - g->ph, 2 - g->pw,
                          g->h, g->w, g->gemm};
}

typedef struct {
    int th, tw; /* tile rows and columns of one image */
    int tr;     /* tile rows per chunk */
} tiling;

static tiling tiles_of(const nn_conv_geom *g, int batch)
{
    tiling t = {(g->oh + 1) / 2, (g->ow + 1) / 2, 0};
    t.tr = (NN_WINO_TILES + t.tw - 1) / t.tw;
    if (t.tr > batch * t.th) t.tr = batch * t.th;
    return t;
}

static size_t chunk_max(tiling t) { return (size_t)t.tr * t.tw; }

/* The workspace: U, dU (backward), V, M, then the tile-row scratch; offsets in floats. */
typedef struct {
    size_t du, v, m, scratch, total;
} ws_layout;

static ws_layout layout(const nn_conv_geom *g, int oc, int batch, int backward)
{
    const int cmax = g->c > oc ? g->c : oc;
    size_t tmax = chunk_max(tiles_of(g, batch)), rs = nn_wino_row_scratch(g, oc);
    if (backward) {
        const nn_conv_geom f = grad_geom(g, oc);
        const size_t tf = chunk_max(tiles_of(&f, batch)), rf = nn_wino_row_scratch(&f, g->c);
        if (tf > tmax) tmax = tf;
        if (rf > rs) rs = rf;
    }
    ws_layout l;
    const size_t u = (size_t)NP * oc * g->c;
    l.du = u;
    l.v = u + (backward ? u : 0);
    l.m = l.v + (size_t)NP * cmax * tmax;
    l.scratch = l.m + (size_t)NP * cmax * tmax;
    l.total = l.scratch + rs;
    return l;
}

size_t nn_wino_ws(const nn_conv_geom *g, int oc, int batch)
{
    return layout(g, oc, batch, 1).total;
}

/* The transform point of the kernel rotated by 180 degrees: G J = Q G with Q swapping the
 * first and the last point, so rot(g) has U' [4 i + j] = U [4 q(i) + q(j)]. */
static int rotated(int xi)
{
    static const int q[4] = {3, 1, 2, 0};
    return 4 * q[xi / 4] + q[xi % 4];
}

/* V [16][T][c] of the tile rows [q0, q1) of x [b][c][h][w] (masked by mask > 0 if mask), tile
 * rows counted across the images. */
static void input_chunk(const nn_conv_geom *g, const tiling *t, const float *x, const float *mask,
                        int q0, int q1, float *v, float *scratch, nn_wino_rows *held)
{
    const size_t in_sz = (size_t)g->c * g->h * g->w, T = (size_t)(q1 - q0) * t->tw;
    for (int q = q0; q < q1; q++) {
        const size_t n = (size_t)(q / t->th), off = (size_t)(q - q0) * t->tw;
        nn_wino_input_row(g, x + n * in_sz, mask ? mask + n * in_sz : NULL, q % t->th,
                          v + off * g->c, T * g->c, scratch, held);
    }
}

/* y [b][oc][oh][ow] (+)= conv(x [b][c][h][w]) from the transformed weights u: [16][oc][c], or
 * with rot = 1 the transformed weights [16][c][oc] of the convolution this one is the input
 * gradient of (the kernels then rotated and transposed).  x is masked by mask > 0 if mask.
 * Per chunk of T tiles: V [16][T][c], then M [16][T][oc] = V U^T, then the outputs. */
static void wino_conv(const nn_conv_geom *g, int oc, int b, const float *x, const float *mask,
                      const float *u, int rot, const float *bias, int relu, int acc, float *y,
                      float *ws, const ws_layout *l)
{
    const tiling t = tiles_of(g, b);
    const size_t out_sz = (size_t)oc * g->oh * g->ow;
    float *v = ws + l->v, *m = ws + l->m, *scratch = ws + l->scratch;
    const int rows = b * t.th, c = g->c;
    nn_wino_rows held = {NULL, 0};
    for (int q0 = 0; q0 < rows; q0 += t.tr) {
        const int q1 = q0 + t.tr < rows ? q0 + t.tr : rows;
        const size_t T = (size_t)(q1 - q0) * t.tw;
        input_chunk(g, &t, x, mask, q0, q1, v, scratch, &held);
        for (int xi = 0; xi < NP; xi++) {
            const float *vx = v + (size_t)xi * T * c;
            float *mx = m + (size_t)xi * T * oc;
            if (rot)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, oc, c, 1.0f, vx, c,
                            u + (size_t)rotated(xi) * oc * c, oc, 0.0f, mx, oc);
            else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)T, oc, c, 1.0f, vx, c,
                            u + (size_t)xi * oc * c, c, 0.0f, mx, oc);
        }
        for (int q = q0; q < q1; q++) {
            const size_t n = (size_t)(q / t.th), off = (size_t)(q - q0) * t.tw;
            nn_wino_output_row(g, oc, m + off * oc, T * oc, q % t.th, bias, relu, acc,
                               y + n * out_sz, scratch);
        }
    }
}

void nn_wino_forward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                     const float *bias, int relu, int acc, float *y, float *ws)
{
    const ws_layout l = layout(g, oc, b, 0);
    nn_wino_weights(w, (size_t)oc * g->c, ws);
    wino_conv(g, oc, b, x, NULL, ws, 0, bias, relu, acc, y, ws, &l);
}

void nn_wino_backward(const nn_conv_geom *g, int oc, int b, const float *x, const float *w,
                      const float *dy, const float *y_relu, float *dx, int acc_dx, float *dw,
                      float *db, int beta_p, float *ws)
{
    const ws_layout l = layout(g, oc, b, 1);
    const size_t N = (size_t)g->oh * g->ow;
    const size_t out_sz = (size_t)oc * N, pairs = (size_t)oc * g->c;
    if (db)
        for (int o = 0; o < oc; o++) {
            float s = 0.0f;
            for (int n = 0; n < b; n++) {
                const size_t at = (size_t)n * out_sz + (size_t)o * N;
                s += nn_masked_sum(dy + at, y_relu ? y_relu + at : NULL, N);
            }
            db[o] = (beta_p ? db[o] : 0.0f) + s;
        }
    if (dx) { /* dx = conv(dy, rotated W^T), padding 2 - p */
        const nn_conv_geom f = grad_geom(g, oc);
        nn_wino_weights(w, pairs, ws);
        wino_conv(&f, g->c, b, dy, y_relu, ws, 1, NULL, 0, acc_dx, dx, ws, &l);
    }
    if (!dw) return;
    /* dU [16][oc][c] = sum over tiles of (A dY A^T) [16][T][oc]^T V [16][T][c] */
    const tiling t = tiles_of(g, b);
    float *du = ws + l.du, *v = ws + l.v, *dz = ws + l.m, *scratch = ws + l.scratch;
    const int rows = b * t.th, c = g->c;
    nn_wino_rows held = {NULL, 0};
    for (int q0 = 0; q0 < rows; q0 += t.tr) {
        const int q1 = q0 + t.tr < rows ? q0 + t.tr : rows;
        const size_t T = (size_t)(q1 - q0) * t.tw;
        input_chunk(g, &t, x, NULL, q0, q1, v, scratch, &held);
        for (int q = q0; q < q1; q++) {
            const size_t n = (size_t)(q / t.th), off = (size_t)(q - q0) * t.tw;
            nn_wino_grad_row(g, oc, dy + n * out_sz, y_relu ? y_relu + n * out_sz : NULL,
                             q % t.th, dz + off * oc, T * oc, scratch);
        }
        for (int xi = 0; xi < NP; xi++)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, oc, c, (int)T, 1.0f,
                        dz + (size_t)xi * T * oc, oc, v + (size_t)xi * T * c, c,
                        q0 ? 1.0f : 0.0f, du + (size_t)xi * pairs, c);
    }
    nn_wino_weight_grads(du, pairs, dw, beta_p);
}
