/* augment/gan_data.c: label sets, the intensity mapping and the quality figures (gan_data.h). */
#include "augment/gan_data.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/hash.h"

int aug_label_set_find(const uint8_t *sets, int n_sets, int l, const uint8_t *y)
{
    for (int s = 0; s < n_sets; s++)
        if (!memcmp(sets + (size_t)s * l, y, (size_t)l)) return s;
    return -1;
}

int aug_label_sets(const uint8_t *truth, int l, const int64_t *idx, int64_t n, uint8_t *sets,
                   int64_t *count)
{
    int n_sets = 0;
    for (int64_t i = 0; i < n; i++) {
        const uint8_t *y = truth + (size_t)idx[i] * l;
        int s = aug_label_set_find(sets, n_sets, l, y);
        if (s >= 0) {
            if (count) count[s]++;
            continue;
        }
        /* insert in order (few sets: at most 2^l, and n_sets <= n) */
        int at = n_sets;
        while (at > 0 && memcmp(sets + (size_t)(at - 1) * l, y, (size_t)l) > 0) at--;
        memmove(sets + (size_t)(at + 1) * l, sets + (size_t)at * l, (size_t)(n_sets - at) * l);
        memcpy(sets + (size_t)at * l, y, (size_t)l);
        if (count) {
            memmove(count + at + 1, count + at, sizeof *count * (size_t)(n_sets - at));
            count[at] = 1;
        }
        n_sets++;
    }
    return n_sets;
}

void aug_gan_intensity_max(const float *scans, int64_t n, int v, size_t hw, float *m)
{
    for (int c = 0; c < v; c++) m[c] = FLT_MIN;
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < v; c++) {
            const float *p = scans + ((size_t)i * v + c) * hw;
            for (size_t k = 0; k < hw; k++)
                if (p[k] > m[c]) m[c] = p[k];
        }
}

void aug_gan_to_gan(float *scans, int64_t n, int v, size_t hw, const float *m)
{
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < v; c++) {
            float *p = scans + ((size_t)i * v + c) * hw;
            const float inv = 1.0f / m[c];
            for (size_t k = 0; k < hw; k++) {
                float u = p[k] * inv;
                u = u < 0.0f ? 0.0f : u > 1.0f ? 1.0f : u;
                p[k] = 2.0f * sqrtf(u) - 1.0f;
            }
        }
}

void aug_gan_from_gan(float *scans, int64_t n, int v, size_t hw, const float *m)
{
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < v; c++) {
            float *p = scans + ((size_t)i * v + c) * hw;
            for (size_t k = 0; k < hw; k++) {
                float t = p[k] < -1.0f ? -1.0f : p[k] > 1.0f ? 1.0f : p[k];
                const float r = 0.5f * (t + 1.0f);
                p[k] = m[c] * r * r;
            }
        }
}

void aug_histograms(const float *scans, int64_t n, int v, size_t hw, int bins, float *hist)
{
    double *cnt = sc_xcalloc((size_t)v * bins, sizeof *cnt);
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < v; c++) {
            const float *p = scans + ((size_t)i * v + c) * hw;
            double *h = cnt + (size_t)c * bins;
            for (size_t k = 0; k < hw; k++) {
                int b = (int)floorf((p[k] + 1.0f) * 0.5f * (float)bins);
                h[b < 0 ? 0 : b >= bins ? bins - 1 : b] += 1.0;
            }
        }
    const double total = (double)n * (double)hw;
    for (size_t k = 0; k < (size_t)v * bins; k++) hist[k] = total > 0 ? (float)(cnt[k] / total) : 0;
    free(cnt);
}

double aug_hist_w1(const float *a, const float *b, int bins)
{
    double fa = 0, fb = 0, w = 0;
    for (int k = 0; k < bins; k++) {
        fa += a[k];
        fb += b[k];
        w += fabs(fa - fb);
    }
    return w * 2.0 / bins; /* bin width in [-1, 1] */
}

void aug_mean_images(const float *scans, const uint8_t *y, int64_t n, int l, size_t per,
                     const uint8_t *sets, int n_sets, float *mean)
{
    double *acc = sc_xcalloc((size_t)n_sets * per, sizeof *acc);
    int64_t *cnt = sc_xcalloc((size_t)n_sets, sizeof *cnt);
    for (int64_t i = 0; i < n; i++) {
        int s = aug_label_set_find(sets, n_sets, l, y + (size_t)i * l);
        if (s < 0) continue;
        cnt[s]++;
        const float *p = scans + (size_t)i * per;
        double *a = acc + (size_t)s * per;
        for (size_t k = 0; k < per; k++) a[k] += p[k];
    }
    for (int s = 0; s < n_sets; s++)
        for (size_t k = 0; k < per; k++)
            mean[(size_t)s * per + k] = cnt[s] ? (float)(acc[(size_t)s * per + k] / cnt[s]) : NAN;
    free(acc);
    free(cnt);
}

double aug_rmse(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        const double d = (double)a[k] - b[k];
        s += d * d;
    }
    return n ? sqrt(s / (double)n) : 0.0;
}

uint64_t aug_samples_hash(const float *samples, size_t n_floats, const uint8_t *labels,
                          size_t n_labels)
{
    uint64_t h = sc_hash_update(SC_HASH_INIT, samples, sizeof(float) * n_floats);
    return sc_hash_final(sc_hash_update(h, labels, n_labels));
}
