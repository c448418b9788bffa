/* data/preprocess.c: resizing and normalization (see preprocess.h). */
#include "data/preprocess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/hash.h"

static const char *const norm_names[] = {"none", "mean", "max", "log"};

int sc_norm_parse(const char *s, sc_norm *out)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, norm_names[i])) {
            *out = (sc_norm)i;
            return 0;
        }
    return -1;
}

const char *sc_norm_name(sc_norm n) { return norm_names[n]; }

/* Weights of a 1-D area resampling from n to m cells: output i covers [i*n/m, (i+1)*n/m) in
 * input units; first[i] is the first input cell, cnt[i] how many, wt[i*maxc + k] their
 * overlap fractions divided by the covered length. */
typedef struct {
    int *first, *cnt, maxc;
    float *wt;
} area_weights;

static void area_weights_make(int n, int m, area_weights *a)
{
    double scale = (double)n / m;
    a->maxc = (int)ceil(scale) + 2;
    a->first = sc_xmalloc((size_t)m * sizeof(int));
    a->cnt = sc_xmalloc((size_t)m * sizeof(int));
    a->wt = sc_xcalloc((size_t)m * (size_t)a->maxc, sizeof(float));
    for (int i = 0; i < m; i++) {
        double lo = i * scale, hi = (i + 1) * scale;
        int f = (int)floor(lo), c = 0;
        for (int j = f; j < n && j < hi && c < a->maxc; j++, c++) {
            double ov = fmin(hi, j + 1.0) - fmax(lo, (double)j);
            a->wt[(size_t)i * a->maxc + c] = (float)(ov / scale);
        }
        a->first[i] = f;
        a->cnt[i] = c;
    }
}

static void area_weights_free(area_weights *a)
{
    free(a->first);
    free(a->cnt);
    free(a->wt);
}

void sc_resize_area(const float *in, int h, int w, float *out, int oh, int ow)
{
    if (h == oh && w == ow) {
        memcpy(out, in, (size_t)h * (size_t)w * sizeof *out);
        return;
    }
    area_weights ax, ay;
    area_weights_make(w, ow, &ax);
    area_weights_make(h, oh, &ay);
    float *tmp = sc_xmalloc((size_t)h * (size_t)ow * sizeof *tmp); /* rows resized in x */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < ow; x++) {
            const float *wt = ax.wt + (size_t)x * ax.maxc;
            const float *row = in + (size_t)y * w + ax.first[x];
            float s = 0;
            for (int k = 0; k < ax.cnt[x]; k++) s += wt[k] * row[k];
            tmp[(size_t)y * ow + x] = s;
        }
    for (int y = 0; y < oh; y++) {
        float *o = out + (size_t)y * ow;
        memset(o, 0, (size_t)ow * sizeof *o);
        const float *wt = ay.wt + (size_t)y * ay.maxc;
        for (int k = 0; k < ay.cnt[y]; k++) {
            const float *t = tmp + (size_t)(ay.first[y] + k) * ow;
            for (int x = 0; x < ow; x++) o[x] += wt[k] * t[x];
        }
    }
    free(tmp);
    area_weights_free(&ax);
    area_weights_free(&ay);
}

/* Source coordinate of output cell i of m over n input cells (cell centres aligned, as torch's
 * interpolate with align_corners = False), clamped to the first and last cell. */
static void bilinear_tap(int i, int n, int m, int *i0, int *i1, float *f)
{
    double s = ((double)i + 0.5) * n / m - 0.5;
    if (s < 0) s = 0;
    if (s > n - 1) s = n - 1;
    *i0 = (int)s;
    *i1 = *i0 + 1 < n ? *i0 + 1 : *i0;
    *f = (float)(s - *i0);
}

void sc_resize_bilinear(const float *in, int h, int w, float *out, int oh, int ow)
{
    for (int y = 0; y < oh; y++) {
        int y0, y1;
        float fy;
        bilinear_tap(y, h, oh, &y0, &y1, &fy);
        for (int x = 0; x < ow; x++) {
            int x0, x1;
            float fx;
            bilinear_tap(x, w, ow, &x0, &x1, &fx);
            const float *r0 = in + (size_t)y0 * w, *r1 = in + (size_t)y1 * w;
            float top = r0[x0] + fx * (r0[x1] - r0[x0]), bot = r1[x0] + fx * (r1[x1] - r1[x0]);
            out[(size_t)y * ow + x] = top + fy * (bot - top);
        }
    }
}

void sc_resize(const float *in, int h, int w, float *out, int oh, int ow)
{
    if (oh <= h && ow <= w) sc_resize_area(in, h, w, out, oh, ow);
    else sc_resize_bilinear(in, h, w, out, oh, ow);
}

double sc_normalize_view(float *view, int64_t n, sc_norm norm)
{
    if (norm == SC_NORM_NONE || n <= 0) return 1.0;
    double ref = 0;
    if (norm == SC_NORM_MAX) {
        for (int64_t i = 0; i < n; i++)
            if (view[i] > ref) ref = view[i];
    } else {
        for (int64_t i = 0; i < n; i++) ref += view[i];
        ref /= (double)n;
    }
    /* An empty view (all zeros) stays zero rather than becoming NaN. */
    float inv = ref > 0 ? (float)(1.0 / ref) : 0.0f;
    for (int64_t i = 0; i < n; i++) view[i] *= inv;
    if (norm == SC_NORM_LOG)
        for (int64_t i = 0; i < n; i++) view[i] = log1pf(view[i]);
    return ref > 0 ? ref : 0.0;
}

int sc_ds_load_range(sc_dataset *ds, int64_t first, int64_t count, int oh, int ow, sc_norm norm,
                     float *out, float *count_scale, uint64_t *scan_hash)
{
    /* A few native scans at a time: this buffer is all the memory loading takes besides the
     * caller's (2 MB per scan of 2 x 1024 x 256). */
    const int64_t chunk = 8;
    size_t native = (size_t)ds->v_file * (size_t)ds->h * (size_t)ds->w; /* every stored view */
    size_t resized = (size_t)ds->v * (size_t)oh * (size_t)ow;            /* the used ones */
    const double area = (double)ds->h * ds->w / ((double)oh * ow); /* input pixels per output */
    SC_CHECK(first >= 0 && count >= 0 && first + count <= ds->n,
             "%s: scans [%lld, %lld) out of range (N = %lld)", ds->path, (long long)first,
             (long long)(first + count), (long long)ds->n);
    if (count == 0) return 0;
    float *buf = sc_xmalloc((size_t)(count < chunk ? count : chunk) * native * sizeof *buf);
    for (int64_t at = 0; at < count; at += chunk) {
        int64_t cnt = count - at < chunk ? count - at : chunk;
        if (sc_ds_read(ds, first + at, cnt, buf)) {
            free(buf);
            return -1;
        }
        for (int64_t i = 0; i < cnt; i++) {
            const float *raw = buf + (size_t)i * native;
            if (scan_hash) scan_hash[at + i] = sc_hash(raw, native * sizeof *raw);
            for (int v = 0; v < ds->v; v++) {
                float *dst = out + (size_t)(at + i) * resized + (size_t)v * oh * ow;
                sc_resize_area(raw + (size_t)ds->view_index[v] * ds->h * ds->w, ds->h, ds->w,
                               dst, oh, ow);
                double ref = sc_normalize_view(dst, (int64_t)oh * ow, norm);
                if (count_scale) count_scale[(size_t)(at + i) * ds->v + v] = (float)(ref * area);
            }
        }
    }
    free(buf);
    return 0;
fail:
    return -1;
}

uint64_t sc_ds_content_hash(const sc_dataset *ds, const uint64_t *scan_hash)
{
    uint64_t h = SC_HASH_INIT;
    h = sc_hash_update(h, &ds->meta_hash, sizeof ds->meta_hash);
    h = sc_hash_update(h, scan_hash, (size_t)ds->n * sizeof *scan_hash);
    return sc_hash_final(h);
}

int sc_ds_load(sc_dataset *ds, int oh, int ow, sc_norm norm, float **out, uint64_t *content_hash,
               float **count_scale)
{
    size_t resized = (size_t)ds->v * (size_t)oh * (size_t)ow;
    float *res = sc_xmalloc((size_t)ds->n * resized * sizeof *res);
    float *scale = count_scale ? sc_xmalloc((size_t)ds->n * (size_t)ds->v * sizeof *scale) : NULL;
    uint64_t *hashes = content_hash ? sc_xmalloc((size_t)ds->n * sizeof *hashes) : NULL;
    if (sc_ds_load_range(ds, 0, ds->n, oh, ow, norm, res, scale, hashes)) {
        free(res);
        free(scale);
        free(hashes);
        return -1;
    }
    if (content_hash) *content_hash = sc_ds_content_hash(ds, hashes);
    free(hashes);
    *out = res;
    if (count_scale) *count_scale = scale;
    return 0;
}
