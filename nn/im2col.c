/* nn/im2col.c: im2col and its adjoint col2im for a range of output rows (see conv_core.h).
 *
 * Two fast paths, each with scratch `pad` (nn_im2col_pad):
 * - stride 1 with the output as wide as the input ("same" padding, as 3x3 pad 1): a (c, i, j)
 *   row of col is the input plane shifted by (i - ph) rows and (j - pw) columns, one masked
 *   vector copy of the valid span (the mask clears the columns that wrapped around from the
 *   neighbouring row; im2col_same);
 * - stride > 1: copies from a phase-split copy of the input rows (im2col_strided), and for
 *   col2im adds into one (col2im_strided).
 * Anything else goes through the plain loops at the end. */
#include <stdint.h>
#include <string.h>

#include "nn/conv_core.h"
#include "nn/layer.h"

/* Range [lo, hi) of output columns ow whose input column ow*sw - pw + j lies in [0, w). */
static void valid_range(int ow_n, int sw, int pw, int j, int w, int *lo, int *hi)
{
    int off = j - pw; /* input column of output 0 */
    int a = off >= 0 ? 0 : (-off + sw - 1) / sw;
    int b = (w - off + sw - 1) / sw; /* first ow with ow*sw + off >= w */
    if (w - off <= 0) b = 0;
    if (b > ow_n) b = ow_n;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

static int same_width(const nn_conv_geom *g) { return g->sh == 1 && g->sw == 1 && g->ow == g->w; }

/* Valid output rows [*a, *b) (within [r0, r1)) of kernel row i, and valid columns [*lo, *hi)
 * of kernel column j, in the same-width case. */
static inline void same_ranges(const nn_conv_geom *g, int i, int j, int r0, int r1, int *a, int *b,
                        int *lo, int *hi)
{
    const int dr = i - g->ph, dc = j - g->pw;
    *a = dr < 0 ? -dr : 0;
    *b = g->h - dr < g->oh ? g->h - dr : g->oh;
    if (*a < r0) *a = r0;
    if (*a > r1) *a = r1; /* a kernel row entirely in the padding (tiny maps, large kernels) */
    if (*b > r1) *b = r1;
    if (*b < *a) *b = *a;
    *lo = dc < 0 ? -dc : 0;
    if (*lo > g->ow) *lo = g->ow;
    *hi = g->w - dc < g->ow ? g->w - dc : g->ow;
    if (*hi < *lo) *hi = *lo;
}

/* Mostly a float or two at a row's ends: a memset call per span costs more than the stores.
 * GCC turns a plain zeroing loop into such a call (-ftree-loop-distribute-patterns, on at -O2;
 * perf showed memset at 5% of a dspic step at 2x256x64); the empty asm on the index hides the
 * pattern.  Long spans still go to memset. */
static inline void zero(float *p, size_t n)
{
    if (n >= 64) {
        memset(p, 0, sizeof(float) * n);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        p[k] = 0.0f;
#if defined(__GNUC__)
        __asm__("" : "+r"(k));
#endif
    }
}

/* mask [kw][n], n = rows * ow: all ones where output column (p mod ow) of kernel column j
 * reads the image, 0 where it reads the padding. */
static void column_masks(const nn_conv_geom *g, int rows, uint32_t *mask)
{
    const int OW = g->ow;
    for (int j = 0; j < g->kw; j++) {
        int a, b, lo, hi;
        same_ranges(g, 0, j, 0, 0, &a, &b, &lo, &hi);
        uint32_t *m = mask + (size_t)j * rows * OW;
        for (int r = 0; r < rows; r++)
            for (int ow = 0; ow < OW; ow++)
                m[(size_t)r * OW + ow] = ow >= lo && ow < hi ? 0xffffffffu : 0u;
    }
}

/* dst = src where the mask is set, else +0: a bitwise and, not a product (a NaN in the image
 * next to the padding must not leak into it) and not a comparison (GCC -O2 does not vectorize
 * that select); four floats at a time in GCC's generic vectors (SSE2 on x86-64). */
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef float v4 __attribute__((vector_size(16)));
typedef int i4 __attribute__((vector_size(16)));
/* Two-vector shuffle: GCC's builtin, or clang's (the fuzz targets are built with clang). */
#ifdef __clang__
#define SHUF4(a, b, i0, i1, i2, i3) __builtin_shufflevector(a, b, i0, i1, i2, i3)
#else
#define SHUF4(a, b, i0, i1, i2, i3) __builtin_shuffle(a, b, (i4){i0, i1, i2, i3})
#endif

/* dst = src for the rows of im2col_strided (1 to 128 floats).  GCC -O2 copies a plain loop
 * element by element where the two might overlap (37% of im2col's time), and turns one it can
 * prove safe, even of vectors, into a memmove call per row (7% of a GAN step): vectors, with
 * the empty asm of zero() on the indices. */
static inline void copy(float *restrict dst, const float *restrict src, size_t n)
{
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        f32x4 v;
        memcpy(&v, src + k, sizeof v);
        memcpy(dst + k, &v, sizeof v);
#if defined(__GNUC__)
        __asm__("" : "+r"(k));
#endif
    }
    for (; k < n; k++) {
        dst[k] = src[k];
#if defined(__GNUC__)
        __asm__("" : "+r"(k));
#endif
    }
}

/* dst += src for the rows of col2im_strided: blocks of 16 that GCC vectorizes, then of 4 in
 * SSE vectors, as most rows are narrower than 16 (the GAN's maps are 1 to 64 wide). */
static inline void add(float *restrict dst, const float *restrict src, size_t n)
{
    size_t k = 0;
    for (; k + 16 <= n; k += 16)
        for (size_t e = k; e < k + 16; e++) dst[e] += src[e];
    for (; k + 4 <= n; k += 4) {
        f32x4 a, b;
        memcpy(&a, dst + k, sizeof a);
        memcpy(&b, src + k, sizeof b);
        a += b;
        memcpy(dst + k, &a, sizeof a);
    }
    for (; k < n; k++) dst[k] += src[k];
}

static inline void masked_copy(float *restrict dst, const float *restrict src,
                               const uint32_t *restrict m, size_t n)
{
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        u32x4 v, mv;
        memcpy(&v, src + k, sizeof v);
        memcpy(&mv, m + k, sizeof mv);
        v &= mv;
        memcpy(dst + k, &v, sizeof v);
    }
    for (; k < n; k++) dst[k] = m[k] ? src[k] : 0.0f;
}

static inline void masked_add(float *restrict dst, const float *restrict src,
                              const uint32_t *restrict m, size_t n)
{
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        u32x4 v, mv;
        f32x4 d;
        memcpy(&v, src + k, sizeof v);
        memcpy(&mv, m + k, sizeof mv);
        memcpy(&d, dst + k, sizeof d);
        v &= mv;
        d += (f32x4)v;
        memcpy(dst + k, &d, sizeof d);
    }
    for (; k < n; k++) dst[k] += m[k] ? src[k] : 0.0f;
}

/* The same-width case, kernel offset (i, j): the row of col is the span [first, last) of the
 * shifted plane (the valid rows, from the first valid column of the first to the last of the
 * last), with the columns that wrapped around from the neighbouring input row masked, and zeros
 * before and after.  One vector loop per (c, i, j) row: narrow maps (ow of 2 to 16 in dspic's
 * deep layers) would otherwise cost a loop or call per output row. */
typedef struct {
    size_t first, last; /* span in the chunk's positions */
    long src;           /* plane offset of position first */
} same_span;

static inline same_span span_of(const nn_conv_geom *g, int i, int j, int r0, int r1)
{
    int a, b, lo, hi;
    same_ranges(g, i, j, r0, r1, &a, &b, &lo, &hi);
    same_span s = {0, 0, 0};
    if (b == a || hi == lo) return s;
    s.first = (size_t)(a - r0) * g->ow + lo;
    s.last = (size_t)(b - 1 - r0) * g->ow + hi;
    s.src = (long)a * g->w + lo + (long)(i - g->ph) * g->w + (j - g->pw);
    return s;
}

static void im2col_same(const nn_conv_geom *g, const float *img, int r0, int r1, float *col,
                        size_t ld, uint32_t *mask)
{
    const size_t n = (size_t)(r1 - r0) * g->ow;
    column_masks(g, r1 - r0, mask);
    for (int c = 0; c < g->c; c++) {
        const float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                const same_span s = span_of(g, i, j, r0, r1);
                zero(row, s.first);
                masked_copy(row + s.first, plane + s.src, mask + (size_t)j * n + s.first,
                            s.last - s.first);
                zero(row + s.last, n - s.last);
            }
    }
}

/* The adjoint of im2col_same. */
static void col2im_same(const nn_conv_geom *g, const float *col, size_t ld, int r0, int r1,
                        float *img, uint32_t *mask)
{
    const size_t n = (size_t)(r1 - r0) * g->ow;
    column_masks(g, r1 - r0, mask);
    for (int c = 0; c < g->c; c++) {
        float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                const same_span s = span_of(g, i, j, r0, r1);
                masked_add(plane + s.src, row + s.first, mask + (size_t)j * n + s.first,
                           s.last - s.first);
            }
    }
}

/* Strided convolutions (dspic's and AlexNet's first layers, the GAN's 4x4/2) read every sw-th
 * input column: a gather per float.  Instead, per channel, the input rows the chunk reads are
 * copied once into `pad`, zero-padded and split into sw phases (phase q holds padded columns
 * q, q + sw, ...), so that a row of col, padded column ow * sw + j for ow = 0, 1, ..., is the
 * contiguous run from column j / sw of phase j % sw, without a gather per float.  col2im adds
 * the rows of col into such a split copy, then adds that into the image: one scattered add per
 * image float instead of one per col float (kh kw / (sh sw) times as many). */
static int phase_len(const nn_conv_geom *g) { return (g->w + 2 * g->pw + g->sw - 1) / g->sw; }
static int pad_rows(const nn_conv_geom *g, int rows) { return (rows - 1) * g->sh + g->kh; }

size_t nn_im2col_pad(const nn_conv_geom *g, int rows)
{
    if (same_width(g)) return (size_t)g->kw * rows * g->ow; /* column_masks */
    if (g->sw == 1) return 0;
    return (size_t)pad_rows(g, rows) * g->sw * phase_len(g);
}

/* Entries [*lo, *hi) of phase q that hold image columns: entry t is column q + t * sw - pw. */
static void phase_range(const nn_conv_geom *g, int q, int *lo, int *hi)
{
    const int sw = g->sw, pl = phase_len(g);
    *lo = g->pw > q ? (g->pw - q + sw - 1) / sw : 0;
    *hi = (g->w + g->pw - q + sw - 1) / sw;
    if (*hi > pl) *hi = pl;
    if (*lo > *hi) *lo = *hi;
}

/* Padded row r of the split copy, phase q: row r is image row r0 * sh - ph + r. */
static float *phase_row(const nn_conv_geom *g, float *pad, int r, int q)
{
    return pad + ((size_t)r * g->sw + q) * phase_len(g);
}

/* The entry of the split copy that column 0 of col row (i, j) reads for the chunk's first
 * output row; each next output row reads tap_step floats further. */
static float *tap(const nn_conv_geom *g, float *pad, int i, int j)
{
    return phase_row(g, pad, i, j % g->sw) + j / g->sw;
}

static size_t tap_step(const nn_conv_geom *g) { return (size_t)g->sh * g->sw * phase_len(g); }

/* Stride 2 (the GAN's, dspic's conv1): an image row's even columns go to one phase and its odd
 * columns to the other, eight floats at a time by SSE shuffles, instead of two strided gathers
 * (the gathers were a third of im2col's time, their adjoint a quarter of col2im's).  Column iw
 * is padded column iw + pw: phase (iw + pw) % 2, entry (iw + pw) / 2. */
static void split2(const float *src, int w, int pw, float *ph0, float *ph1)
{
    float *ev = (pw & 1 ? ph1 : ph0) + pw / 2, *od = (pw & 1 ? ph0 : ph1) + (pw + 1) / 2;
    int u = 0;
    for (; 2 * u + 8 <= w; u += 4) {
        v4 a, b;
        memcpy(&a, src + 2 * u, sizeof a);
        memcpy(&b, src + 2 * u + 4, sizeof b);
        const v4 e = SHUF4(a, b, 0, 2, 4, 6);
        const v4 o = SHUF4(a, b, 1, 3, 5, 7);
        memcpy(ev + u, &e, sizeof e);
        memcpy(od + u, &o, sizeof o);
    }
    for (; 2 * u < w; u++) {
        ev[u] = src[2 * u];
        if (2 * u + 1 < w) od[u] = src[2 * u + 1];
    }
}

/* The adjoint: dst (the image row) += the two phases, interleaved. */
static void merge2(const float *ph0, const float *ph1, int w, int pw, float *dst)
{
    const float *ev = (pw & 1 ? ph1 : ph0) + pw / 2, *od = (pw & 1 ? ph0 : ph1) + (pw + 1) / 2;
    int u = 0;
    for (; 2 * u + 8 <= w; u += 4) {
        v4 e, o, d0, d1;
        memcpy(&e, ev + u, sizeof e);
        memcpy(&o, od + u, sizeof o);
        memcpy(&d0, dst + 2 * u, sizeof d0);
        memcpy(&d1, dst + 2 * u + 4, sizeof d1);
        d0 += SHUF4(e, o, 0, 4, 1, 5);
        d1 += SHUF4(e, o, 2, 6, 3, 7);
        memcpy(dst + 2 * u, &d0, sizeof d0);
        memcpy(dst + 2 * u + 4, &d1, sizeof d1);
    }
    for (; 2 * u < w; u++) {
        dst[2 * u] += ev[u];
        if (2 * u + 1 < w) dst[2 * u + 1] += od[u];
    }
}

static void im2col_strided(const nn_conv_geom *g, const float *img, int r0, int r1, float *col,
                           size_t ld, float *pad)
{
    const int sw = g->sw, pl = phase_len(g), nr = pad_rows(g, r1 - r0), ih0 = r0 * g->sh - g->ph;
    const int two = sw == 2 && g->w >= 8; /* narrower rows: the gathers were faster */
    const size_t step = tap_step(g);
    for (int c = 0; c < g->c; c++) {
        const float *plane = img + (size_t)c * g->h * g->w;
        for (int q = 0; q < sw; q++) { /* the ranges out of the row loop: two divisions each */
            int lo, hi;
            phase_range(g, q, &lo, &hi);
            for (int r = 0; r < nr; r++) {
                float *d = phase_row(g, pad, r, q);
                const int ih = ih0 + r;
                if (ih < 0 || ih >= g->h) {
                    zero(d, (size_t)pl);
                    continue;
                }
                const float *src = plane + (size_t)ih * g->w + q - g->pw;
                zero(d, (size_t)lo);
                if (!two)
                    for (int t = lo; t < hi; t++) d[t] = src[t * sw];
                zero(d + hi, (size_t)(pl - hi));
            }
        }
        if (two)
            for (int r = 0; r < nr; r++)
                if (ih0 + r >= 0 && ih0 + r < g->h)
                    split2(plane + (size_t)(ih0 + r) * g->w, g->w, g->pw, phase_row(g, pad, r, 0),
                           phase_row(g, pad, r, 1));
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                const float *src = tap(g, pad, i, j);
                for (int oh = r0; oh < r1; oh++, src += step, row += g->ow)
                    copy(row, src, (size_t)g->ow);
            }
    }
}

static void col2im_strided(const nn_conv_geom *g, const float *col, size_t ld, int r0, int r1,
                           float *img, float *pad)
{
    const int sw = g->sw, nr = pad_rows(g, r1 - r0), ih0 = r0 * g->sh - g->ph;
    const size_t step = tap_step(g);
    for (int c = 0; c < g->c; c++) {
        float *plane = img + (size_t)c * g->h * g->w;
        zero(pad, (size_t)nr * sw * phase_len(g));
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                float *dst = tap(g, pad, i, j);
                for (int oh = r0; oh < r1; oh++, dst += step, row += g->ow)
                    add(dst, row, (size_t)g->ow);
            }
        if (sw == 2) { /* whatever the width (2 to 64 measured) */
            for (int r = 0; r < nr; r++)
                if (ih0 + r >= 0 && ih0 + r < g->h)
                    merge2(phase_row(g, pad, r, 0), phase_row(g, pad, r, 1), g->w, g->pw,
                           plane + (size_t)(ih0 + r) * g->w);
            continue;
        }
        for (int q = 0; q < sw; q++) {
            int lo, hi;
            phase_range(g, q, &lo, &hi);
            for (int r = 0; r < nr; r++) {
                const int ih = ih0 + r;
                if (ih < 0 || ih >= g->h) continue;
                const float *d = phase_row(g, pad, r, q);
                float *dst = plane + (size_t)ih * g->w + q - g->pw;
                for (int t = lo; t < hi; t++) dst[t * sw] += d[t];
            }
        }
    }
}

void nn_im2col(const nn_conv_geom *g, const float *img, int r0, int r1, float *col, size_t ld,
               float *pad)
{
    if (same_width(g)) {
        im2col_same(g, img, r0, r1, col, ld, (uint32_t *)pad);
        return;
    }
    if (g->sw > 1) {
        im2col_strided(g, img, r0, r1, col, ld, pad);
        return;
    }
    const int own = g->ow;
    for (int c = 0; c < g->c; c++) {
        const float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++) {
            for (int j = 0; j < g->kw; j++) {
                float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                int lo, hi;
                valid_range(own, g->sw, g->pw, j, g->w, &lo, &hi);
                for (int oh = r0; oh < r1; oh++) {
                    float *dst = row + (size_t)(oh - r0) * own;
                    int ih = oh * g->sh - g->ph + i;
                    if (ih < 0 || ih >= g->h) {
                        zero(dst, (size_t)own);
                        continue;
                    }
                    const float *src = plane + (size_t)ih * g->w;
                    const int off = j - g->pw;
                    zero(dst, (size_t)lo);
                    if (g->sw == 1) {
                        if (hi > lo) memcpy(dst + lo, src + lo + off, sizeof(float) * (hi - lo));
                    } else {
                        for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow * g->sw + off];
                    }
                    zero(dst + hi, (size_t)(own - hi));
                }
            }
        }
    }
}

void nn_col2im(const nn_conv_geom *g, const float *col, size_t ld, int r0, int r1, float *img,
               float *pad)
{
    if (same_width(g)) {
        col2im_same(g, col, ld, r0, r1, img, (uint32_t *)pad);
        return;
    }
    if (g->sw > 1) {
        col2im_strided(g, col, ld, r0, r1, img, pad);
        return;
    }
    const int own = g->ow;
    for (int c = 0; c < g->c; c++) {
        float *plane = img + (size_t)c * g->h * g->w;
        for (int i = 0; i < g->kh; i++) {
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + (((size_t)c * g->kh + i) * g->kw + j) * ld;
                int lo, hi;
                valid_range(own, g->sw, g->pw, j, g->w, &lo, &hi);
                for (int oh = r0; oh < r1; oh++) {
                    int ih = oh * g->sh - g->ph + i;
                    if (ih < 0 || ih >= g->h) continue;
                    const float *src = row + (size_t)(oh - r0) * own;
                    float *dst = plane + (size_t)ih * g->w;
                    const int off = j - g->pw;
                    if (g->sw == 1) {
                        for (int ow = lo; ow < hi; ow++) dst[ow + off] += src[ow];
                    } else {
                        for (int ow = lo; ow < hi; ow++) dst[ow * g->sw + off] += src[ow];
                    }
                }
            }
        }
    }
}

void nn_transpose(const float *src, size_t lds, float *dst, size_t ldd, int rows, int cols,
                  int beta)
{
    int i = 0;
    for (; i + 4 <= rows; i += 4) {
        const float *s = src + (size_t)i * lds;
        int j = 0;
        for (; j + 4 <= cols; j += 4) { /* 4 rows in, transposed by shuffles, 4 rows out */
            v4 r[4];
            for (int a = 0; a < 4; a++) memcpy(&r[a], s + a * lds + j, sizeof(v4));
            const v4 t0 = SHUF4(r[0], r[1], 0, 4, 1, 5),
                     t1 = SHUF4(r[0], r[1], 2, 6, 3, 7),
                     t2 = SHUF4(r[2], r[3], 0, 4, 1, 5),
                     t3 = SHUF4(r[2], r[3], 2, 6, 3, 7);
            v4 c[4] = {SHUF4(t0, t2, 0, 1, 4, 5),
                       SHUF4(t0, t2, 2, 3, 6, 7),
                       SHUF4(t1, t3, 0, 1, 4, 5),
                       SHUF4(t1, t3, 2, 3, 6, 7)};
            for (int b = 0; b < 4; b++) {
                float *d = dst + (size_t)(j + b) * ldd + i;
                if (beta) {
                    v4 old;
                    memcpy(&old, d, sizeof old);
                    c[b] += old;
                }
                memcpy(d, &c[b], sizeof(v4));
            }
        }
        for (; j < cols; j++)
            for (int a = 0; a < 4; a++) {
                float *d = dst + (size_t)j * ldd + i + a;
                *d = (beta ? *d : 0.0f) + s[a * lds + j];
            }
    }
    for (; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            float *d = dst + (size_t)j * ldd + i;
            *d = (beta ? *d : 0.0f) + src[(size_t)i * lds + j];
        }
}
