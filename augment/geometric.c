/* augment/geometric.c: see geometric.h. */
#include "augment/geometric.h"

#include <math.h>
#include <string.h>

#include "util/rng.h"

void aug_geo_defaults(aug_geo_cfg *cfg)
{
    cfg->copies = 4;
    cfg->mirror = 1;
    cfg->shift = 0.025f;
    cfg->rotate_deg = 5.0f;
    cfg->scale = 0.0f;
}

void aug_geo_draw(const aug_geo_cfg *cfg, uint64_t seed, int64_t scan, int copy, int h, int w,
                  aug_geo_params *p)
{
    sc_rng r;
    sc_rng_seed(&r, sc_seed4(seed, 0x6E0, (uint64_t)scan, (uint64_t)copy, 0));
    p->mirror = cfg->mirror ? (int)(sc_rng_u64(&r) >> 63) : 0;
    p->dx = (float)((2.0 * sc_rng_uniform(&r) - 1.0) * cfg->shift * w);
    p->dy = (float)((2.0 * sc_rng_uniform(&r) - 1.0) * cfg->shift * h);
    p->angle_rad = (float)((2.0 * sc_rng_uniform(&r) - 1.0) * cfg->rotate_deg * M_PI / 180.0);
    p->zoom = (float)(1.0 + (2.0 * sc_rng_uniform(&r) - 1.0) * cfg->scale);
}

void aug_geo_apply(const aug_geo_params *p, const float *in, int c, int h, int w, float *out)
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
            for (int ch = 0; ch < c; ch++) {
                const float *src = in + (size_t)ch * h * w;
                float v = 0;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        int xx = x0 + dx, yy = y0 + dy;
                        if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue;
                        float wt = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
                        v += wt * src[(size_t)yy * w + xx];
                    }
                out[(size_t)ch * h * w + (size_t)y * w + x] = v;
            }
        }
}
