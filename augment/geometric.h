/* augment/geometric.h: the geometric augmentation of the dSPIC group's pipeline — horizontal
 * mirror, translation, small rotation (and optional scaling) — applied to training images only.
 *
 * The paper enlarged the training set with transformed copies; here a training set of n scans
 * becomes n * (1 + copies) samples: copy 0 is the original, copy c >= 1 a transform whose
 * parameters are a pure function of (seed, scan, copy).  So the enlarged set is fixed for a
 * job (as a pre-computed augmented data set would be) and independent of batch order. */
#ifndef SC_AUGMENT_GEOMETRIC_H
#define SC_AUGMENT_GEOMETRIC_H

#include <stdint.h>

typedef struct {
    int copies;       /* transformed copies per training scan (>= 0) */
    int mirror;       /* 1: mirror left-right with probability 1/2 */
    float shift;      /* max translation as a fraction of width/height (0.025 ~ 6 px of 256) */
    float rotate_deg; /* max rotation in degrees (uniform in [-r, r]) */
    float scale;      /* max relative scaling (uniform in [1-s, 1+s]); 0 = none */
} aug_geo_cfg;

typedef struct {
    int mirror;
    float dx, dy;    /* translation in pixels */
    float angle_rad; /* rotation */
    float zoom;      /* scaling factor */
} aug_geo_params;

/* Defaults: 4 copies, mirror, shift 0.025, rotation 5 degrees, no scaling. */
void aug_geo_defaults(aug_geo_cfg *cfg);

/* Parameters of copy `copy` (>= 1) of scan `scan` for an image of h x w. */
void aug_geo_draw(const aug_geo_cfg *cfg, uint64_t seed, int64_t scan, int copy, int h, int w,
                  aug_geo_params *p);

/* Apply p to a [c][h][w] image (all views get the same transform): out = in sampled at the
 * inverse-transformed coordinates, bilinear, zero outside.  in and out must not overlap. */
void aug_geo_apply(const aug_geo_params *p, const float *in, int c, int h, int w, float *out);

#endif
