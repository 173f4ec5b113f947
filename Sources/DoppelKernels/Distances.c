#include "DoppelKernels.h"
#include <float.h>
#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DOPPEL_X86 1
#endif

int doppel_has_avx2(void) {
#ifdef DOPPEL_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

static inline void update2(float dist, int64_t j, float *b1, float *b2, int64_t *bi) {
    if (dist < *b1) { *b2 = *b1; *b1 = dist; *bi = j; }
    else if (dist < *b2) { *b2 = dist; }
}

static void l1_portable(const float *q, int64_t nq, const float *r, int64_t nr, int64_t d,
                        const int64_t *exclude, float *best, float *second, int64_t *bestIndex) {
    for (int64_t i = 0; i < nq; i++) {
        const float *qi = q + i * d;
        float b1 = FLT_MAX, b2 = FLT_MAX; int64_t bi = -1;
        int64_t ex = exclude ? exclude[i] : -1;
        for (int64_t j = 0; j < nr; j++) {
            if (j == ex) continue;
            const float *rj = r + j * d;
            float s = 0;
            for (int64_t k = 0; k < d; k++) s += fabsf(qi[k] - rj[k]);
            update2(s, j, &b1, &b2, &bi);
        }
        best[i] = b1; second[i] = b2; bestIndex[i] = bi;
    }
}

#ifdef DOPPEL_X86
// Four queries against one reference row at a time: each reference row is loaded once per 4 queries.
// Dimensions are processed 8 at a time; the caller pads d to a multiple of 8 with zeros.
__attribute__((target("avx2,fma")))
static void l1_avx2(const float *q, int64_t nq, const float *r, int64_t nr, int64_t d,
                    const int64_t *exclude, float *best, float *second, int64_t *bestIndex) {
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    const int64_t blockR = 512;
    for (int64_t i = 0; i < nq; i++) { best[i] = FLT_MAX; second[i] = FLT_MAX; bestIndex[i] = -1; }
    for (int64_t j0 = 0; j0 < nr; j0 += blockR) {
        int64_t j1 = j0 + blockR < nr ? j0 + blockR : nr;
        int64_t i = 0;
        for (; i + 4 <= nq; i += 4) {
            const float *q0 = q + i * d, *q1 = q0 + d, *q2 = q1 + d, *q3 = q2 + d;
            for (int64_t j = j0; j < j1; j++) {
                const float *rj = r + j * d;
                __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                for (int64_t k = 0; k < d; k += 8) {
                    __m256 rv = _mm256_loadu_ps(rj + k);
                    a0 = _mm256_add_ps(a0, _mm256_andnot_ps(signMask, _mm256_sub_ps(_mm256_loadu_ps(q0 + k), rv)));
                    a1 = _mm256_add_ps(a1, _mm256_andnot_ps(signMask, _mm256_sub_ps(_mm256_loadu_ps(q1 + k), rv)));
                    a2 = _mm256_add_ps(a2, _mm256_andnot_ps(signMask, _mm256_sub_ps(_mm256_loadu_ps(q2 + k), rv)));
                    a3 = _mm256_add_ps(a3, _mm256_andnot_ps(signMask, _mm256_sub_ps(_mm256_loadu_ps(q3 + k), rv)));
                }
                float t[4][8];
                _mm256_storeu_ps(t[0], a0); _mm256_storeu_ps(t[1], a1);
                _mm256_storeu_ps(t[2], a2); _mm256_storeu_ps(t[3], a3);
                for (int u = 0; u < 4; u++) {
                    if (exclude && exclude[i + u] == j) continue;
                    float s = ((t[u][0] + t[u][1]) + (t[u][2] + t[u][3])) + ((t[u][4] + t[u][5]) + (t[u][6] + t[u][7]));
                    update2(s, j, &best[i + u], &second[i + u], &bestIndex[i + u]);
                }
            }
        }
        for (; i < nq; i++) {
            const float *qi = q + i * d;
            for (int64_t j = j0; j < j1; j++) {
                if (exclude && exclude[i] == j) continue;
                const float *rj = r + j * d;
                __m256 a = _mm256_setzero_ps();
                for (int64_t k = 0; k < d; k += 8)
                    a = _mm256_add_ps(a, _mm256_andnot_ps(signMask, _mm256_sub_ps(_mm256_loadu_ps(qi + k), _mm256_loadu_ps(rj + k))));
                float t[8]; _mm256_storeu_ps(t, a);
                float s = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
                update2(s, j, &best[i], &second[i], &bestIndex[i]);
            }
        }
    }
}
#endif

void doppel_l1_nearest2(const float *queries, int64_t nq, const float *refs, int64_t nr, int64_t d,
                        const int64_t *exclude, float *best, float *second, int64_t *bestIndex) {
#ifdef DOPPEL_X86
    if ((d % 8) == 0 && doppel_has_avx2()) {
        l1_avx2(queries, nq, refs, nr, d, exclude, best, second, bestIndex);
        return;
    }
#endif
    l1_portable(queries, nq, refs, nr, d, exclude, best, second, bestIndex);
}
