/* nn/winograd_xform.c: the F(2x2, 3x3) transforms (see winograd_xform.h).
 *
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   (input:  V = B^T d B)
 *   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] (kernel: U = G g G^T)
 *   A^T = [1 1 1 0; 0 1 -1 -1]                      (output: Y = A^T M A)
 *
 * The arithmetic runs on 8 floats at a time in GCC vector types (two SSE registers in the
 * portable build).  Loads and stores go through memcpy, so that neither alignment nor
 * aliasing is assumed (GCC does not vectorize the plain loops: restrict on local pointers
 * does not reach its alias analysis), and a tail of k < 8 is read into and written from
 * zero-padded vectors by the same code. */
#include "nn/winograd_xform.h"

#include <string.h>

/* (static inline functions only: the note on passing AVX-sized vectors does not apply) */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v8 __attribute__((vector_size(32)));

#define INLINE static inline __attribute__((always_inline))

INLINE v8 ld(const float *p, size_t k)
{
    v8 r = {0};
    memcpy(&r, p, sizeof(float) * k);
    return r;
}

INLINE void st(float *p, v8 v, size_t k) { memcpy(p, &v, sizeof(float) * k); }

/* for (i = 0; i < n; i += 8) FN(args, i, k) with k = min(8, n - i): the full vectors with a
 * constant k, then the tail */
#define BY8(FN, n, ...)                                                                            \
    do {                                                                                           \
        size_t i_ = 0;                                                                             \
        for (; i_ + 8 <= (n); i_ += 8) FN(__VA_ARGS__, i_, 8);                                     \
        if (i_ < (n)) FN(__VA_ARGS__, i_, (n) - i_);                                               \
    } while (0)

/* ---- kernels ---- */

#define KB 64 /* kernels per block: their 9 taps are gathered into rows, in L1 */

/* G r for a 3-vector r: [a; (a + b + c) / 2; (a - b + c) / 2; c] */
INLINE void g3(v8 a, v8 b, v8 c, v8 out[4])
{
    out[0] = a;
    out[1] = 0.5f * (a + b + c);
    out[2] = 0.5f * (a - b + c);
    out[3] = c;
}

INLINE void weight_vec(float (*k)[KB], float *u, size_t ldu, size_t i, size_t n)
{
    v8 t[4][3], r[4];
    for (int j = 0; j < 3; j++) { /* G g, column j */
        g3(ld(k[j] + i, n), ld(k[3 + j] + i, n), ld(k[6 + j] + i, n), r);
        for (int a = 0; a < 4; a++) t[a][j] = r[a];
    }
    for (int a = 0; a < 4; a++) { /* (G g) G^T, row a */
        g3(t[a][0], t[a][1], t[a][2], r);
        for (int b = 0; b < 4; b++) st(u + (size_t)(4 * a + b) * ldu + i, r[b], n);
    }
}

void nn_wino_weights(const float *w, size_t n, float *u)
{
    float k[9][KB];
    for (size_t p0 = 0; p0 < n; p0 += KB) {
        const size_t m = n - p0 < KB ? n - p0 : KB;
        for (size_t p = 0; p < m; p++)
            for (int e = 0; e < 9; e++) k[e][p] = w[(p0 + p) * 9 + e];
        BY8(weight_vec, m, k, u + p0, n);
    }
}

/* G^T r for a 4-vector r: [a + (b + c) / 2; (b - c) / 2; (b + c) / 2 + d] */
INLINE void gt4(v8 a, v8 b, v8 c, v8 d, v8 out[3])
{
    out[0] = a + 0.5f * (b + c);
    out[1] = 0.5f * (b - c);
    out[2] = 0.5f * (b + c) + d;
}

INLINE void weight_grad_vec(const float *du, size_t ldu, float (*k)[KB], size_t i, size_t n)
{
    v8 t[3][4], r[3];
    for (int b = 0; b < 4; b++) { /* G^T dU, column b */
        gt4(ld(du + b * ldu + i, n), ld(du + (4 + b) * ldu + i, n),
            ld(du + (8 + b) * ldu + i, n), ld(du + (12 + b) * ldu + i, n), r);
        for (int a = 0; a < 3; a++) t[a][b] = r[a];
    }
    for (int a = 0; a < 3; a++) { /* (G^T dU) G, row a */
        gt4(t[a][0], t[a][1], t[a][2], t[a][3], r);
        for (int j = 0; j < 3; j++) st(k[3 * a + j] + i, r[j], n);
    }
}

void nn_wino_weight_grads(const float *du, size_t n, float *dw, int beta)
{
    float k[9][KB];
    for (size_t p0 = 0; p0 < n; p0 += KB) {
        const size_t m = n - p0 < KB ? n - p0 : KB;
        BY8(weight_grad_vec, m, du + p0, n, k);
        for (size_t p = 0; p < m; p++)
            for (int e = 0; e < 9; e++) {
                float *d = dw + (p0 + p) * 9 + e;
                *d = (beta ? *d : 0.0f) + k[e][p];
            }
    }
}

/* ---- layout changes ---- */

/* Row y of img [c][h][w] channel-last: dst [x'][c] for the padded columns x' < wp (column x'
 * is image column x' - p), 0 outside the image and where mask <= 0 if mask is not NULL. */
static void channel_last_row(const float *img, const float *mask, int c, int h, int w, int y,
                             int p, int wp, float *dst)
{
    const size_t plane = (size_t)h * w;
    if (y < 0 || y >= h) {
        memset(dst, 0, sizeof(float) * wp * c);
        return;
    }
    const int x1 = wp - p < w ? wp - p : w; /* image columns [0, x1) are in the row */
    if (p > 0) memset(dst, 0, sizeof(float) * p * c);
    if (p + x1 < wp) memset(dst + (size_t)(p + x1) * c, 0, sizeof(float) * (wp - p - x1) * c);
    const float *src = img + (size_t)y * w;
    float *d = dst + (size_t)p * c;
    if (!mask) {
        nn_transpose(src, plane, d, (size_t)c, c, x1, 0);
        return;
    }
    const float *m = mask + (size_t)y * w;
    for (int ch = 0; ch < c; ch++)
        for (int x = 0; x < x1; x++) {
            const size_t at = (size_t)ch * plane + x;
            d[(size_t)x * c + ch] = m[at] > 0.0f ? src[at] : 0.0f;
        }
}

/* ---- tiles ---- */

/* B^T d B for channels [i, i + k) of one tile: d (a, b) at s + off [4 a + b], point xi to
 * v + xi * ldv. */
INLINE void input_vec(const float *s, const size_t *off, float *v, size_t ldv, size_t i, size_t k)
{
    v8 t[4][4];
    for (int b = 0; b < 4; b++) { /* B^T d, column b: [d0 - d2; d1 + d2; d2 - d1; d1 - d3] */
        const v8 d0 = ld(s + off[b] + i, k), d1 = ld(s + off[4 + b] + i, k),
                 d2 = ld(s + off[8 + b] + i, k), d3 = ld(s + off[12 + b] + i, k);
        t[0][b] = d0 - d2;
        t[1][b] = d1 + d2;
        t[2][b] = d2 - d1;
        t[3][b] = d1 - d3;
    }
    for (int a = 0; a < 4; a++) { /* (B^T d) B, row a */
        float *r = v + (size_t)(4 * a) * ldv + i;
        st(r, t[a][0] - t[a][2], k);
        st(r + ldv, t[a][1] + t[a][2], k);
        st(r + 2 * ldv, t[a][2] - t[a][1], k);
        st(r + 3 * ldv, t[a][1] - t[a][3], k);
    }
}

/* A^T M A for channels [i, i + k) of one tile: M (a, b) at m + (4 a + b) * ldm, output (r, c)
 * to y + off [2 r + c]. */
INLINE void output_vec(const float *m, size_t ldm, float *y, const size_t *off, size_t i,
                       size_t k)
{
    v8 u[4], e[4];
    for (int b = 0; b < 4; b++) { /* A^T M, column b: [m0 + m1 + m2; m1 - m2 - m3] */
        const v8 m0 = ld(m + b * ldm + i, k), m1 = ld(m + (4 + b) * ldm + i, k),
                 m2 = ld(m + (8 + b) * ldm + i, k), m3 = ld(m + (12 + b) * ldm + i, k);
        u[b] = m0 + m1 + m2;
        e[b] = m1 - m2 - m3;
    }
    st(y + off[0] + i, u[0] + u[1] + u[2], k);
    st(y + off[1] + i, u[1] - u[2] - u[3], k);
    st(y + off[2] + i, e[0] + e[1] + e[2], k);
    st(y + off[3] + i, e[1] - e[2] - e[3], k);
}

/* A dY A^T for channels [i, i + k) of one tile: dY (r, c) at s + off [2 r + c], point xi to
 * z + xi * ldz. */
INLINE void grad_vec(const float *s, const size_t *off, float *z, size_t ldz, size_t i, size_t k)
{
    const v8 g00 = ld(s + off[0] + i, k), g01 = ld(s + off[1] + i, k),
             g10 = ld(s + off[2] + i, k), g11 = ld(s + off[3] + i, k);
    /* A dY = [g0; g0 + g1; g0 - g1; -g1], in the even column e and the odd one o */
    const v8 e[4] = {g00, g00 + g10, g00 - g10, -g10}, o[4] = {g01, g01 + g11, g01 - g11, -g11};
    for (int a = 0; a < 4; a++) { /* (A dY) A^T, row a: [e, e + o, e - o, -o] */
        float *r = z + (size_t)(4 * a) * ldz + i;
        st(r, e[a], k);
        st(r + ldz, e[a] + o[a], k);
        st(r + 2 * ldz, e[a] - o[a], k);
        st(r + 3 * ldz, -o[a], k);
    }
}

/* ---- tile rows ---- */

static int tiles_per_row(const nn_conv_geom *g) { return (g->ow + 1) / 2; }

/* The scratch: the 4 input rows of a tile row channel-last (each 2 tw + 2 columns of c), the
 * 2 output (gradient) rows channel-last (2 tw columns of oc), one output row channel-first. */
size_t nn_wino_row_scratch(const nn_conv_geom *g, int oc)
{
    const size_t tw = (size_t)tiles_per_row(g);
    return 4 * (2 * tw + 2) * g->c + 2 * (2 * tw) * oc + (size_t)oc * g->ow;
}

static float *out_rows(const nn_conv_geom *g, float *scratch)
{
    return scratch + 4 * (2 * (size_t)tiles_per_row(g) + 2) * g->c;
}

void nn_wino_input_row(const nn_conv_geom *g, const float *img, const float *mask, int ti,
                       float *v, size_t ldv, float *scratch, nn_wino_rows *held)
{
    const int tw = tiles_per_row(g), wp = 2 * tw + 2, c = g->c;
    const size_t row = (size_t)wp * c;
    /* padded row R = 2 ti + a of the tile row lives in slot R % 4; the previous tile row of
     * the same image left rows 2 ti and 2 ti + 1 */
    const int a0 = held->img == img && held->ti == ti - 1 ? 2 : 0;
    for (int a = a0; a < 4; a++)
        channel_last_row(img, mask, c, g->h, g->w, 2 * ti + a - g->ph, g->pw, wp,
                         scratch + (size_t)((2 * ti + a) % 4) * row);
    held->img = img;
    held->ti = ti;
    for (int j = 0; j < tw; j++) {
        size_t off[16];
        for (int k = 0; k < 16; k++)
            off[k] = (size_t)((2 * ti + k / 4) % 4) * row + (size_t)(2 * j + k % 4) * c;
        BY8(input_vec, (size_t)c, scratch, off, v + (size_t)j * c, ldv);
    }
}

void nn_wino_grad_row(const nn_conv_geom *g, int oc, const float *dy, const float *mask, int ti,
                      float *z, size_t ldz, float *scratch)
{
    const int tw = tiles_per_row(g), wp = 2 * tw;
    float *yt = out_rows(g, scratch);
    for (int r = 0; r < 2; r++)
        channel_last_row(dy, mask, oc, g->oh, g->ow, 2 * ti + r, 0, wp, yt + (size_t)r * wp * oc);
    for (int j = 0; j < tw; j++) {
        const size_t off[4] = {(size_t)(2 * j) * oc, (size_t)(2 * j + 1) * oc,
                               (size_t)(wp + 2 * j) * oc, (size_t)(wp + 2 * j + 1) * oc};
        BY8(grad_vec, (size_t)oc, yt, off, z + (size_t)j * oc, ldz);
    }
}

void nn_wino_output_row(const nn_conv_geom *g, int oc, const float *m, size_t ldm, int ti,
                        const float *bias, int relu, int acc, float *y, float *scratch)
{
    const int tw = tiles_per_row(g), wp = 2 * tw;
    float *yt = out_rows(g, scratch), *ot = yt + (size_t)2 * wp * oc;
    for (int j = 0; j < tw; j++) {
        const size_t off[4] = {(size_t)(2 * j) * oc, (size_t)(2 * j + 1) * oc,
                               (size_t)(wp + 2 * j) * oc, (size_t)(wp + 2 * j + 1) * oc};
        BY8(output_vec, (size_t)oc, m + (size_t)j * oc, ldm, yt, off);
    }
    const size_t plane = (size_t)g->oh * g->ow, ow = (size_t)g->ow;
    const int rows = 2 * ti + 1 < g->oh ? 2 : 1;
    for (int r = 0; r < rows; r++) {
        float *d = y + (size_t)(2 * ti + r) * ow;
        if (!bias && !relu && !acc) { /* straight into the channel planes */
            nn_transpose(yt + (size_t)r * wp * oc, (size_t)oc, d, plane, g->ow, oc, 0);
            continue;
        }
        nn_transpose(yt + (size_t)r * wp * oc, (size_t)oc, ot, ow, g->ow, oc, 0);
        for (int o = 0; o < oc; o++) {
            const float bo = bias ? bias[o] : 0.0f;
            float *restrict dr = d + o * plane;
            const float *restrict s = ot + o * ow;
            if (acc)
                for (size_t x = 0; x < ow; x++) {
                    const float v = s[x] + bo + dr[x];
                    dr[x] = relu && !(v > 0.0f) ? 0.0f : v;
                }
            else
                for (size_t x = 0; x < ow; x++) {
                    const float v = s[x] + bo;
                    dr[x] = relu && !(v > 0.0f) ? 0.0f : v;
                }
        }
    }
}
