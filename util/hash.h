/* util/hash.h: a stable 64-bit content hash (FNV-1a with a final mix), used for the experiment
 * hash, the data set hash and fixture checks.  Stable across platforms and releases. */
#ifndef SC_UTIL_HASH_H
#define SC_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SC_HASH_INIT 0xcbf29ce484222325ULL

uint64_t sc_hash_update(uint64_t h, const void *data, size_t n);
uint64_t sc_hash_final(uint64_t h);
/* Hash of a whole buffer. */
uint64_t sc_hash(const void *data, size_t n);
/* Hex string of a hash, 16 chars + NUL. */
void sc_hash_hex(uint64_t h, char out[17]);

#endif
