/* nn/blas_core.c: which OpenBLAS kernels run (see nn.h, nn_blas_preferred_core).
 *
 * OpenBLAS picks its kernels once, when it is loaded, from the CPU, or from the environment
 * variable OPENBLAS_CORETYPE.  Debian 12's OpenBLAS (0.3.21) takes AMD Zen 4 (family 19h with
 * AVX-512) for Intel's Cooperlake and runs its AVX-512 kernels there; on that core they are
 * slower than its Haswell (AVX2) kernels, most of all on the thin GEMMs of a CNN (measured on an
 * EPYC Zen 4, one thread: 64 x 1024 x 288 73 -> 103 GFLOP/s, 32 x 1024 x 98 62 -> 95, 2048^3
 * 100 -> 107; dspic at 2x256x64 batch 32 +5%, alexnet +15%; BENCHMARKS.md, change 7).  Zen 4's
 * AVX-512 units are 256 bits wide, each 512-bit operation taking two, so the AVX2 kernels lose
 * nothing in width.  Zen 5 (family 1Ah) has full-width units and is left to OpenBLAS. */
#include "nn/nn.h"

#include <cblas.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static int amd_zen4(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    /* "AuthenticAMD" in ebx, edx, ecx */
    if (b != 0x68747541u || d != 0x69746e65u || c != 0x444d4163u) return 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned family = ((a >> 8) & 0xf) + ((a >> 20) & 0xff);
    if (family != 0x19) return 0;
    if (__get_cpuid_max(0, NULL) < 7 || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 16) & 1; /* AVX512F: Zen 4 (Zen 3, also family 19h, has none) */
}
#else
static int amd_zen4(void) { return 0; }
#endif

const char *nn_blas_preferred_core(void) { return amd_zen4() ? "Haswell" : NULL; }

const char *nn_blas_core(void) { return openblas_get_corename(); }

const char *nn_blas_config(void) { return openblas_get_config(); }
