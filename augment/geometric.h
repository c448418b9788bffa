/* augment/geometric.h: the geometric augmentation of the dSPIC group's pipeline — horizontal
 * mirror, translation, small rotation (and optional scaling) — applied to training images only,
 * with an optional count-level one: binomial thinning (a shorter acquisition).
 *
 * The paper enlarged the training set with transformed copies; here a training set of n scans
 * becomes n * (1 + copies) samples: copy 0 is the original, copy c >= 1 a transform whose
 * parameters are a pure function of (seed, scan, copy).  So the enlarged set is fixed for a
 * job (as a pre-computed augmented data set would be) and independent of batch order.
 *
 * The transform is one movement of the patient, drawn in the frame of the first view.  A view
 * stored left-right mirrored (the posterior view of a whole-body scan, seen from behind; the data
 * set's view_mirrored, data/dataset.h) sees that movement mirrored: a shift of dx pixels is one
 * of -dx there, a rotation by a is one by -a; a vertical shift, a scaling and the mirror itself
 * are the same in every view. */
#ifndef SC_AUGMENT_GEOMETRIC_H
#define SC_AUGMENT_GEOMETRIC_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int copies;       /* transformed copies per training scan (>= 0) */
    int mirror;       /* 1: mirror left-right with probability 1/2 */
    float shift;      /* max translation as a fraction of width/height (0.025 ~ 6 px of 256) */
    float rotate_deg; /* max rotation in degrees (uniform in [-r, r]) */
    float scale;      /* max relative scaling (uniform in [1-s, 1+s]); 0 = none */
    float thin;       /* binomial thinning: each copy keeps a fraction of its counts uniform in
                         [thin, 1]; 0 = none (aug_geo_thin) */
} aug_geo_cfg;

typedef struct {
    int mirror;
    float dx, dy;    /* translation in pixels */
    float angle_rad; /* rotation */
    float zoom;      /* scaling factor */
    float keep;      /* fraction of the counts kept (1: no thinning) */
} aug_geo_params;

/* Defaults: 4 copies, mirror, shift 0.025, rotation 5 degrees, no scaling, no thinning. */
void aug_geo_defaults(aug_geo_cfg *cfg);

/* Parameters of copy `copy` (>= 1) of scan `scan` for an image of h x w. */
void aug_geo_draw(const aug_geo_cfg *cfg, uint64_t seed, int64_t scan, int copy, int h, int w,
                  aug_geo_params *p);

/* Apply p to a [c][h][w] image: out = in sampled at the inverse-transformed coordinates,
 * bilinear, zero outside; channel ch mirrored[ch] (may be NULL: none) gets the mirrored
 * movement (see above).  in and out must not overlap. */
void aug_geo_apply(const aug_geo_params *p, const float *in, int c, int h, int w,
                   const int *mirrored, float *out);

/* Binomial thinning of x [c][hw] in place (nothing when p->keep == 1): channel ch holds
 * intensities whose counts are round(x * count_scale[ch]) (round(expm1(x) * count_scale[ch])
 * when log_intensity: data.normalize = "log"); each count is kept with probability p->keep, and
 * the survivors are divided by p->keep, so that every pixel keeps its expected value (the
 * acquisition is shorter, the image is not dimmer).  The draws come from (seed, scan, copy). */
void aug_geo_thin(const aug_geo_params *p, uint64_t seed, int64_t scan, int copy, float *x, int c,
                  size_t hw, const float *count_scale, int log_intensity);

#endif
