/* augment/geometric.c: see geometric.h. */
#include "augment/geometric.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "util/rng.h"
#include "util/seeds.h"

void aug_geo_defaults(aug_geo_cfg *cfg)
{
    cfg->copies = 4;
    cfg->mirror = 1;
    cfg->shift = 0.025f;
    cfg->rotate_deg = 5.0f;
    cfg->scale = 0.0f;
    cfg->thin = 0.0f;
}

void aug_geo_draw(const aug_geo_cfg *cfg, uint64_t seed, int64_t scan, int copy, int h, int w,
                  aug_geo_params *p)
{
    sc_rng r;
    sc_rng_seed(&r, sc_seed4(seed, SC_SEED_GEO, (uint64_t)scan, (uint64_t)copy, 0));
    p->mirror = cfg->mirror ? (int)(sc_rng_u64(&r) >> 63) : 0;
    p->dx = (float)((2.0 * sc_rng_uniform(&r) - 1.0) * cfg->shift * w);
    p->dy = (float)((2.0 * sc_rng_uniform(&r) - 1.0) * cfg->shift * h);
    p->angle_rad = (float)((2.0 * sc_rng_uniform(&r) - 1.0) * cfg->rotate_deg * M_PI / 180.0);
    p->zoom = (float)(1.0 + (2.0 * sc_rng_uniform(&r) - 1.0) * cfg->scale);
    /* drawn last, and only when asked: the other parameters stay what they were without it */
    p->keep = cfg->thin > 0 ? (float)(cfg->thin + (1.0 - cfg->thin) * sc_rng_uniform(&r)) : 1.0f;
}

/* One channel: out = in at the inverse-transformed coordinates. */
static void apply_plane(const aug_geo_params *p, const float *src, int h, int w, float *dst)
{
    /* Pixel centres in a frame centred on the image; the height is in pixels as well, so a
     * rotation of a tall whole-body image stays a rotation (no shear). */
    const float cx = 0.5f * (float)(w - 1), cy = 0.5f * (float)(h - 1);
    const float cs = cosf(p->angle_rad) / p->zoom, sn = sinf(p->angle_rad) / p->zoom;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            /* Inverse map: output (x, y) -> source (sx, sy). */
            float ox = (float)x - cx - p->dx, oy = (float)y - cy - p->dy;
            float sx = cs * ox + sn * oy + cx;
            float sy = -sn * ox + cs * oy + cy;
            if (p->mirror) sx = (float)(w - 1) - sx;
            int x0 = (int)floorf(sx), y0 = (int)floorf(sy);
            float fx = sx - (float)x0, fy = sy - (float)y0;
            float v = 0;
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    int xx = x0 + dx, yy = y0 + dy;
                    if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue;
                    float wt = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
                    v += wt * src[(size_t)yy * w + xx];
                }
            dst[(size_t)y * w + x] = v;
        }
}

void aug_geo_apply(const aug_geo_params *p, const float *in, int c, int h, int w,
                   const int *mirrored, float *out)
{
    aug_geo_params pm = *p; /* the movement as a mirrored view sees it */
    pm.dx = -p->dx;
    pm.angle_rad = -p->angle_rad;
    for (int ch = 0; ch < c; ch++)
        apply_plane(mirrored && mirrored[ch] ? &pm : p, in + (size_t)ch * h * w, h, w,
                    out + (size_t)ch * h * w);
}

/* GSL's binomial sampler drawing from the project's generator (util/rng.h), so that the draws
 * are those of one sc_rng stream on every platform. */
static void rng_set(void *state, unsigned long seed) { sc_rng_seed(state, seed); }
static unsigned long rng_get(void *state) { return (unsigned long)(sc_rng_u64(state) >> 32); }
static double rng_get_double(void *state) { return sc_rng_uniform(state); }
static const gsl_rng_type sc_gsl_type = {"spectcv-xoshiro256**", 0xffffffffUL, 0, sizeof(sc_rng),
                                         rng_set, rng_get, rng_get_double};

void aug_geo_thin(const aug_geo_params *p, uint64_t seed, int64_t scan, int copy, float *x, int c,
                  size_t hw, const float *count_scale, int log_intensity)
{
    if (!(p->keep < 1.0f)) return;
    gsl_rng *r = gsl_rng_alloc(&sc_gsl_type);
    if (!r) return; /* out of memory: GSL's handler is off; the copy stays unthinned */
    sc_rng_seed(r->state, sc_seed4(seed, SC_SEED_THIN, (uint64_t)scan, (uint64_t)copy, 0));
    for (int ch = 0; ch < c; ch++) {
        float *v = x + (size_t)ch * hw;
        const double s = count_scale[ch];
        if (!(s > 0)) continue; /* an empty view */
        for (size_t i = 0; i < hw; i++) {
            const double counts = (log_intensity ? expm1((double)v[i]) : (double)v[i]) * s;
            const unsigned int n = counts > 0 ? (unsigned int)lround(counts) : 0;
            const unsigned int k = n ? gsl_ran_binomial(r, p->keep, n) : 0;
            const double kept = (double)k / p->keep / s;
            v[i] = (float)(log_intensity ? log1p(kept) : kept);
        }
    }
    gsl_rng_free(r);
}
