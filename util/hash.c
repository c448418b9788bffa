/* util/hash.c: FNV-1a 64 with a splitmix finalizer (see hash.h). */
#include "util/hash.h"

#include <stdio.h>

#include "util/rng.h"

uint64_t sc_hash_update(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t sc_hash_final(uint64_t h) { return sc_mix64(h); }

uint64_t sc_hash(const void *data, size_t n)
{
    return sc_hash_final(sc_hash_update(SC_HASH_INIT, data, n));
}

void sc_hash_hex(uint64_t h, char out[17]) { snprintf(out, 17, "%016llx", (unsigned long long)h); }
