/* util/rng.h: the project's counter-free pseudo-random generator and seed derivation.
 *
 * Every random stream in spectcv (weight init, batch order, dropout masks, augmentation, the
 * phantom) is an sc_rng seeded from a 64-bit value derived by sc_seed_mix() from coordinates
 * (base seed, repeat, fold, augmentation, architecture, ...), never from the MPI rank or the
 * order of dispatch: that is what makes results independent of the number of ranks.
 *
 * Generator: xoshiro256** (Blackman & Vigna), state filled by splitmix64.  Fast, 2^256 period,
 * and identical on every platform (only 64-bit integer arithmetic). */
#ifndef SC_UTIL_RNG_H
#define SC_UTIL_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
    int has_spare; /* Box-Muller produces normals in pairs */
    double spare;
} sc_rng;

/* splitmix64 finalizer: a bijective 64-bit mix. */
static inline uint64_t sc_mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* Fold a list of coordinates into one seed: h = mix(h ^ mix(c_i)) in order.  Fixed forever:
 * changing it changes every stored number. */
uint64_t sc_seed_mix(uint64_t base, int n, const uint64_t *coords);
/* Convenience for the common case of up to 4 coordinates. */
uint64_t sc_seed4(uint64_t base, uint64_t a, uint64_t b, uint64_t c, uint64_t d);

void sc_rng_seed(sc_rng *r, uint64_t seed);
uint64_t sc_rng_u64(sc_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double sc_rng_uniform(sc_rng *r);
/* Uniform float in [0, 1) with 24 random bits. */
float sc_rng_uniformf(sc_rng *r);
/* Uniform integer in [0, n), unbiased (rejection). n > 0. */
uint64_t sc_rng_below(sc_rng *r, uint64_t n);
/* Standard normal (Box-Muller, polar form). */
double sc_rng_normal(sc_rng *r);
/* Fisher-Yates shuffle of an int array. */
void sc_rng_shuffle_int(sc_rng *r, int *a, int n);

#endif
