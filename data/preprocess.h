/* data/preprocess.h: what happens to a scan between the file and the network: resizing to the
 * architecture's input size and per-view intensity normalization.  Applied identically to
 * training and test images (no statistics are fitted, so nothing leaks across folds). */
#ifndef SC_DATA_PREPROCESS_H
#define SC_DATA_PREPROCESS_H

#include <stdint.h>

#include "data/dataset.h"

typedef enum {
    SC_NORM_NONE = 0, /* raw counts */
    SC_NORM_MEAN,     /* divide each view by its mean count (total counts vary 1.5-3 M) */
    SC_NORM_MAX,      /* divide each view by its maximum (as the dSPIC group did) */
    SC_NORM_LOG       /* log1p of the mean-normalized view (compresses the bladder) */
} sc_norm;

/* Parse "none", "mean", "max", "log"; -1 if unknown. */
int sc_norm_parse(const char *s, sc_norm *out);
const char *sc_norm_name(sc_norm n);

/* Area-weighted resampling of one h x w plane to oh x ow: every output pixel is the mean of the
 * input area it covers (exact fractional overlaps), so downsampling preserves mean counts and
 * does not alias hot spots away. */
void sc_resize_area(const float *in, int h, int w, float *out, int oh, int ow);

/* Bilinear resampling (cell centres aligned, edges clamped: torch's interpolate, mode
 * "bilinear", align_corners = False): for enlarging, where the area rule would repeat pixels
 * in blocks. */
void sc_resize_bilinear(const float *in, int h, int w, float *out, int oh, int ow);
/* Area resampling when neither side grows, bilinear otherwise (a GAN's samples made at a lower
 * resolution than the classifier's input). */
void sc_resize(const float *in, int h, int w, float *out, int oh, int ow);

/* Normalize one view of n pixels in place; returns the value it was divided by (its mean or
 * maximum; 1 for "none"; 0 for an empty view, which stays 0). */
double sc_normalize_view(float *view, int64_t n, sc_norm norm);

/* Read scans [first, first + count) of ds into the caller's buffers, resizing each view to
 * oh x ow and normalizing it: out [count][v][oh][ow]; count_scale (if not NULL) [count][v]: the
 * counts an output pixel holds per unit of intensity (the normalization's divisor times the
 * input pixels an output pixel covers), so that counts = intensity x scale (expm1(intensity) x
 * scale for "log"): binomial thinning needs the counts; scan_hash (if not NULL) [count]: per
 * scan, sc_hash of its raw pixels as read (float32, native byte order), every stored view
 * (v is the number of views used: sc_ds_select_views).  Each scan's output
 * depends on that scan alone, so any split of the scans among processes gives the same values.
 * Independent reads (parallel HDF5): each rank may load its own range. */
int sc_ds_load_range(sc_dataset *ds, int64_t first, int64_t count, int oh, int ow, sc_norm norm,
                     float *out, float *count_scale, uint64_t *scan_hash);

/* The data set's content hash (results files store it as dataset_hash, docs/formats.md):
 * ds->meta_hash (shape, names, labels, patients), then the n per-scan hashes of
 * sc_ds_load_range in scan order.  Hashing per scan lets each rank hash only the scans it
 * reads; the value is the same whoever read which scan. */
uint64_t sc_ds_content_hash(const sc_dataset *ds, const uint64_t *scan_hash /*[n]*/);

/* The whole data set in one process: sc_ds_load_range over every scan into malloc'd arrays
 * (*out [n][v][oh][ow], *count_scale [n][v] if not NULL) and *content_hash (if not NULL) from
 * sc_ds_content_hash.  `run` shares one copy per node instead (pipeline/shared_data.h). */
int sc_ds_load(sc_dataset *ds, int oh, int ow, sc_norm norm, float **out, uint64_t *content_hash,
               float **count_scale);

#endif
