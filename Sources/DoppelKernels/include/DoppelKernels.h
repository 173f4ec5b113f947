#ifndef DOPPEL_KERNELS_H
#define DOPPEL_KERNELS_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// For each query row q (nq rows of dim d, row-major float), the two smallest L1 distances to the
/// reference rows (nr rows of dim d) and the index of the nearest. Rows of the reference whose index
/// equals `exclude[i]` (when exclude is non-NULL) are skipped for query i (leave-one-out).
/// Uses AVX2 when the CPU has it (chosen at run time), portable C otherwise.
void doppel_l1_nearest2(const float *queries, int64_t nq, const float *refs, int64_t nr, int64_t d,
                        const int64_t *exclude, float *best, float *second, int64_t *bestIndex);

/// Hints the CPU to fetch the cache line at p (used when walking a column of a parsed CSV, whose
/// fields lie far apart in memory).
static inline void doppel_prefetch(const void *p) { __builtin_prefetch(p, 0, 0); }

/// 1 when the running CPU supports AVX2 and FMA (the fast kernel path), 0 otherwise.
int doppel_has_avx2(void);

#ifdef __cplusplus
}
#endif
#endif
