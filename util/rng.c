/* util/rng.c: xoshiro256** and seed derivation (see rng.h). */
#include "util/rng.h"

#include <math.h>

uint64_t sc_seed_mix(uint64_t base, int n, const uint64_t *coords)
{
    uint64_t h = sc_mix64(base);
    for (int i = 0; i < n; i++) h = sc_mix64(h ^ sc_mix64(coords[i] + (uint64_t)i * 0x632BE59BD9B4E019ULL));
    return h;
}

uint64_t sc_seed4(uint64_t base, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    const uint64_t co[4] = {a, b, c, d};
    return sc_seed_mix(base, 4, co);
}

void sc_rng_seed(sc_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x += 0x9E3779B97F4A7C15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        r->s[i] = z ^ (z >> 31);
    }
    r->has_spare = 0;
    r->spare = 0.0;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sc_rng_u64(sc_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sc_rng_uniform(sc_rng *r) { return (double)(sc_rng_u64(r) >> 11) * 0x1.0p-53; }

float sc_rng_uniformf(sc_rng *r) { return (float)(sc_rng_u64(r) >> 40) * 0x1.0p-24f; }

uint64_t sc_rng_below(sc_rng *r, uint64_t n)
{
    /* Lemire-free simple rejection: reject the top partial bucket. */
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = sc_rng_u64(r);
    while (x >= lim);
    return x % n;
}

double sc_rng_normal(sc_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * sc_rng_uniform(r) - 1.0;
        v = 2.0 * sc_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = sqrt(-2.0 * log(s) / s);
    r->spare = v * m;
    r->has_spare = 1;
    return u * m;
}

void sc_rng_shuffle_int(sc_rng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)sc_rng_below(r, (uint64_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
