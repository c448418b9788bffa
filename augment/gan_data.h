/* augment/gan_data.h: what goes into and comes out of the GAN, around the networks: the label
 * sets it is conditioned on, the mapping between the classifier's intensities and the GAN's
 * [-1, 1], and the figures that compare its samples with the real scans.
 *
 * Intensity mapping.  The classifier sees scans in the experiment's normalized intensities
 * (data.normalize: every value >= 0; docs/config.md).  The generator ends in tanh, so the GAN
 * works in [-1, 1]: per view,  t = 2 sqrt(x / m) - 1  with m the largest value of that view over
 * the GAN's training scans (values above m, which only samples can reach, map to 1), and back
 * x = m ((t + 1) / 2)^2.  The square root is the variance-stabilizing transform of Poisson
 * counts (Anscombe's, up to constants): the faint skeleton, which carries the diagnosis, gets
 * as much of the range as the bladder and the hot spots, and the noise is about as strong at
 * every intensity, which suits a network that outputs a bounded value with a uniform loss.
 * m comes from the training part only (the test fold never informs the GAN). */
#ifndef SC_AUGMENT_GAN_DATA_H
#define SC_AUGMENT_GAN_DATA_H

#include <stddef.h>
#include <stdint.h>

/* The distinct label sets of the scans idx [n] (rows of truth [.][l]) in lexicographic order of
 * their 0/1 vectors: sets [n_sets][l] (room for n rows), count [n_sets] scans each (may be
 * NULL).  Returns n_sets. */
int aug_label_sets(const uint8_t *truth, int l, const int64_t *idx, int64_t n, uint8_t *sets,
                   int64_t *count);
/* Index of a label set in sets [n_sets][l], -1 if absent. */
int aug_label_set_find(const uint8_t *sets, int n_sets, int l, const uint8_t *y);

/* m [v]: the largest value of each view over scans [n][v][hw] (at least FLT_MIN, so that an
 * empty view maps to -1 rather than dividing by zero). */
void aug_gan_intensity_max(const float *scans, int64_t n, int v, size_t hw, float *m);
/* In place, every scan [n][v][hw]: normalized intensities to the GAN's [-1, 1], and back. */
void aug_gan_to_gan(float *scans, int64_t n, int v, size_t hw, const float *m);
void aug_gan_from_gan(float *scans, int64_t n, int v, size_t hw, const float *m);

/* A GAN job's samples [n_floats] and their labels [n_labels] as one hash: the GAN job reports it,
 * the classifier jobs that read the samples back check it. */
uint64_t aug_samples_hash(const float *samples, size_t n_floats, const uint8_t *labels,
                          size_t n_labels);

/* ---- quality figures (in the GAN's [-1, 1] for histograms, normalized intensities for mean
 * images; docs/gan.md says how to read them) ---- */

/* hist [v][bins]: the share of the pixels of each view of scans [n][v][hw] (GAN space) in each
 * of `bins` equal bins of [-1, 1] (values outside go to the end bins); every row sums to 1. */
void aug_histograms(const float *scans, int64_t n, int v, size_t hw, int bins, float *hist);
/* Wasserstein-1 distance between two histograms of [-1, 1] (the area between their cumulative
 * distributions), in units of the GAN's intensity: 0 = identical, 2 = all mass at opposite
 * ends. */
double aug_hist_w1(const float *a, const float *b, int bins);
/* mean [n_sets][v][hw]: the mean scan of each label set, over scans [n] with label rows y [n][l]
 * (NaN for a set with no scan, so that a figure computed from it is NaN, not a number). */
void aug_mean_images(const float *scans, const uint8_t *y, int64_t n, int l, size_t per,
                     const uint8_t *sets, int n_sets, float *mean);
/* Root mean square of a - b over n values (NaN if a value is). */
double aug_rmse(const float *a, const float *b, size_t n);

#endif
