#include "DoppelKernels.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DOPPEL_X86 1
#endif

// Single-precision GEMM, row-major: C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C.
//
// Blocking (Goto/van de Geijn): the K dimension is cut into KC-deep slices; for each slice the whole
// of op(B) is packed into 16-column panels (zero-padded) and MC-row blocks of op(A) into 6-row panels.
// A 6×16 register tile (12 AVX2 accumulators) walks the packed panels. The packing absorbs the
// transposes, so the micro-kernel sees one layout for all four forms.

enum { MR = 6, NR = 16, KC = 256, MC = 96 };
// The transposed path of doppel_sgemm recurses with M' = N ≥ 256, which must not take that path again.
_Static_assert(MC < 256, "doppel_sgemm's transposed path needs MC < 256");

static inline size_t roundUp64(size_t n) { return (n + 63) / 64 * 64; }

static inline float opA(const float *A, int64_t lda, int transA, int64_t i, int64_t k) {
    return transA ? A[k * lda + i] : A[i * lda + k];
}
static inline float opB(const float *B, int64_t ldb, int transB, int64_t k, int64_t j) {
    return transB ? B[j * ldb + k] : B[k * ldb + j];
}

// Packs op(B)[k0..k0+kc, 0..N] into ceil(N/16) panels of kc×16 floats each.
static void packB(const float *B, int64_t ldb, int transB, int64_t k0, int64_t kc, int64_t N, float *dst) {
    for (int64_t j0 = 0; j0 < N; j0 += NR) {
        int64_t nr = N - j0 < NR ? N - j0 : NR;
        if (!transB && nr == NR) {
            for (int64_t k = 0; k < kc; k++) memcpy(dst + k * NR, B + (k0 + k) * ldb + j0, NR * sizeof(float));
        } else if (transB) {
            // 16 source rows are read side by side (their cache lines stay in L1 across 16 k) and each
            // k's 16 values are written contiguously.
            const float *src[NR];
            for (int64_t j = 0; j < NR; j++) src[j] = B + (j0 + (j < nr ? j : 0)) * ldb + k0;
            for (int64_t k = 0; k < kc; k++) {
                float *d = dst + k * NR;
                for (int64_t j = 0; j < NR; j++) d[j] = j < nr ? src[j][k] : 0;
            }
        } else {
            for (int64_t k = 0; k < kc; k++) {
                const float *src = B + (k0 + k) * ldb + j0;
                int64_t j = 0;
                for (; j < nr; j++) dst[k * NR + j] = src[j];
                for (; j < NR; j++) dst[k * NR + j] = 0;
            }
        }
        dst += kc * NR;
    }
}

// Packs op(A)[i0..i0+mc, k0..k0+kc] into ceil(mc/6) panels of kc×6 floats each.
static void packA(const float *A, int64_t lda, int transA, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float *dst) {
    for (int64_t p = 0; p < mc; p += MR) {
        int64_t mr = mc - p < MR ? mc - p : MR;
        if (transA) {
            for (int64_t k = 0; k < kc; k++) {
                const float *src = A + (k0 + k) * lda + i0 + p;
                int64_t r = 0;
                for (; r < mr; r++) dst[k * MR + r] = src[r];
                for (; r < MR; r++) dst[k * MR + r] = 0;
            }
        } else {
            for (int64_t r = 0; r < MR; r++) {
                if (r < mr) {
                    const float *src = A + (i0 + p + r) * lda + k0;
                    for (int64_t k = 0; k < kc; k++) dst[k * MR + r] = src[k];
                } else {
                    for (int64_t k = 0; k < kc; k++) dst[k * MR + r] = 0;
                }
            }
        }
        dst += kc * MR;
    }
}

// Writes a finished tile: C = alpha·acc + beta·C (beta == 0 never reads C); acc's rows are `as` apart.
static inline void storeTileStrided(const float *acc, int64_t as, int64_t mr, int64_t nr, float alpha, float beta,
                                    float *C, int64_t ldc) {
    for (int64_t r = 0; r < mr; r++) {
        float *c = C + r * ldc;
        const float *a = acc + r * as;
        if (beta == 0) { for (int64_t j = 0; j < nr; j++) c[j] = alpha * a[j]; }
        else if (beta == 1) { for (int64_t j = 0; j < nr; j++) c[j] += alpha * a[j]; }
        else { for (int64_t j = 0; j < nr; j++) c[j] = alpha * a[j] + beta * c[j]; }
    }
}

static inline void storeTile(const float *acc, int64_t mr, int64_t nr, float alpha, float beta, float *C, int64_t ldc) {
    storeTileStrided(acc, NR, mr, nr, alpha, beta, C, ldc);
}

static void kernel_portable(int64_t kc, const float *A, int64_t rs, int64_t ks, const float *Bp, int64_t bs, float *acc) {
    for (int i = 0; i < MR * NR; i++) acc[i] = 0;
    for (int64_t k = 0; k < kc; k++) {
        const float *b = Bp + k * bs;
        for (int r = 0; r < MR; r++) {
            float ar = A[r * rs + k * ks];
            for (int j = 0; j < NR; j++) acc[r * NR + j] += ar * b[j];
        }
    }
}

#ifdef DOPPEL_X86
// The 6×16 tile: C[0..6, 0..16] = alpha·(Ap·Bp) + beta·C when `C` is given (a full tile), else the
// product goes to `acc` for storeTile (edge tiles).
__attribute__((target("avx2,fma")))
static void kernel_avx2(int64_t kc, const float *A, int64_t rs, int64_t ks, const float *Bp, int64_t bs, float *acc, float *C, int64_t ldc, float alpha, float beta) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const int64_t o1 = rs, o2 = 2 * rs, o3 = 3 * rs, o4 = 4 * rs, o5 = 5 * rs;
    const float *a = A;
    const float *bk = Bp;
    for (int64_t k = 0; k < kc; k++, a += ks, bk += bs) {
        __m256 b0 = _mm256_loadu_ps(bk), b1 = _mm256_loadu_ps(bk + 8);
        // One broadcast live at a time: 12 accumulators + 2 B vectors + 1 A value = 15 of the 16 ymm
        // registers (two live broadcasts made the compiler spill accumulators to the stack).
        __m256 av;
        av = _mm256_broadcast_ss(a); c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
        av = _mm256_broadcast_ss(a + o1); c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
        av = _mm256_broadcast_ss(a + o2); c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
        av = _mm256_broadcast_ss(a + o3); c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
        av = _mm256_broadcast_ss(a + o4); c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
        av = _mm256_broadcast_ss(a + o5); c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
    }
    if (!C) {
        _mm256_storeu_ps(acc + 0 * NR, c00); _mm256_storeu_ps(acc + 0 * NR + 8, c01);
        _mm256_storeu_ps(acc + 1 * NR, c10); _mm256_storeu_ps(acc + 1 * NR + 8, c11);
        _mm256_storeu_ps(acc + 2 * NR, c20); _mm256_storeu_ps(acc + 2 * NR + 8, c21);
        _mm256_storeu_ps(acc + 3 * NR, c30); _mm256_storeu_ps(acc + 3 * NR + 8, c31);
        _mm256_storeu_ps(acc + 4 * NR, c40); _mm256_storeu_ps(acc + 4 * NR + 8, c41);
        _mm256_storeu_ps(acc + 5 * NR, c50); _mm256_storeu_ps(acc + 5 * NR + 8, c51);
        return;
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#define DOPPEL_STORE_ROW(r, x0, x1) do { \
        float *row = C + (r) * ldc; \
        __m256 y0 = _mm256_mul_ps(va, x0), y1 = _mm256_mul_ps(va, x1); \
        if (beta != 0) { y0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row), y0); y1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8), y1); } \
        _mm256_storeu_ps(row, y0); _mm256_storeu_ps(row + 8, y1); } while (0)
    DOPPEL_STORE_ROW(0, c00, c01); DOPPEL_STORE_ROW(1, c10, c11); DOPPEL_STORE_ROW(2, c20, c21);
    DOPPEL_STORE_ROW(3, c30, c31); DOPPEL_STORE_ROW(4, c40, c41); DOPPEL_STORE_ROW(5, c50, c51);
#undef DOPPEL_STORE_ROW
}

// The 6×32 tile over two adjacent 16-column panels of B (B0, B1, both with row stride bs), for CPUs with
// AVX-512, whose 512-bit fused multiply-add doubles the 256-bit one's throughput here (a register-only
// loop: 106–110 GFLOP/s per core with AVX2, 214–220 with AVX-512). Each element of C is the same chain of
// fused multiply-adds over k, in the same order, as in kernel_avx2, and is stored by the same formula, so
// the two kernels give identical bits. Full tiles are stored to C; otherwise the product goes to `acc`
// (rows 2·NR apart).
__attribute__((target("avx512f")))
static void kernel_avx512(int64_t kc, const float *A, int64_t rs, int64_t ks, const float *B0, const float *B1, int64_t bs,
                          float *acc, float *C, int64_t ldc, float alpha, float beta) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const int64_t o1 = rs, o2 = 2 * rs, o3 = 3 * rs, o4 = 4 * rs, o5 = 5 * rs;
    const float *a = A;
    int64_t off = 0;
    for (int64_t k = 0; k < kc; k++, a += ks, off += bs) {
        __m512 b0 = _mm512_loadu_ps(B0 + off), b1 = _mm512_loadu_ps(B1 + off);
        __m512 av;
        av = _mm512_set1_ps(a[0]); c00 = _mm512_fmadd_ps(av, b0, c00); c01 = _mm512_fmadd_ps(av, b1, c01);
        av = _mm512_set1_ps(a[o1]); c10 = _mm512_fmadd_ps(av, b0, c10); c11 = _mm512_fmadd_ps(av, b1, c11);
        av = _mm512_set1_ps(a[o2]); c20 = _mm512_fmadd_ps(av, b0, c20); c21 = _mm512_fmadd_ps(av, b1, c21);
        av = _mm512_set1_ps(a[o3]); c30 = _mm512_fmadd_ps(av, b0, c30); c31 = _mm512_fmadd_ps(av, b1, c31);
        av = _mm512_set1_ps(a[o4]); c40 = _mm512_fmadd_ps(av, b0, c40); c41 = _mm512_fmadd_ps(av, b1, c41);
        av = _mm512_set1_ps(a[o5]); c50 = _mm512_fmadd_ps(av, b0, c50); c51 = _mm512_fmadd_ps(av, b1, c51);
    }
    if (!C) {
        _mm512_storeu_ps(acc + 0 * 2 * NR, c00); _mm512_storeu_ps(acc + 0 * 2 * NR + NR, c01);
        _mm512_storeu_ps(acc + 1 * 2 * NR, c10); _mm512_storeu_ps(acc + 1 * 2 * NR + NR, c11);
        _mm512_storeu_ps(acc + 2 * 2 * NR, c20); _mm512_storeu_ps(acc + 2 * 2 * NR + NR, c21);
        _mm512_storeu_ps(acc + 3 * 2 * NR, c30); _mm512_storeu_ps(acc + 3 * 2 * NR + NR, c31);
        _mm512_storeu_ps(acc + 4 * 2 * NR, c40); _mm512_storeu_ps(acc + 4 * 2 * NR + NR, c41);
        _mm512_storeu_ps(acc + 5 * 2 * NR, c50); _mm512_storeu_ps(acc + 5 * 2 * NR + NR, c51);
        return;
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#define DOPPEL_STORE_ROW(r, x0, x1) do { \
        float *row = C + (r) * ldc; \
        __m512 y0 = _mm512_mul_ps(va, x0), y1 = _mm512_mul_ps(va, x1); \
        if (beta != 0) { y0 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(row), y0); y1 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(row + NR), y1); } \
        _mm512_storeu_ps(row, y0); _mm512_storeu_ps(row + NR, y1); } while (0)
    DOPPEL_STORE_ROW(0, c00, c01); DOPPEL_STORE_ROW(1, c10, c11); DOPPEL_STORE_ROW(2, c20, c21);
    DOPPEL_STORE_ROW(3, c30, c31); DOPPEL_STORE_ROW(4, c40, c41); DOPPEL_STORE_ROW(5, c50, c51);
#undef DOPPEL_STORE_ROW
}
#endif

static void kernel_portable_store(int64_t kc, const float *A, int64_t rs, int64_t ks, const float *Bp, int64_t bs, float *acc, float *C, int64_t ldc, float alpha, float beta) {
    kernel_portable(kc, A, rs, ks, Bp, bs, acc);
    if (C) storeTile(acc, MR, NR, alpha, beta, C, ldc);
}

typedef void (*gemm_kernel)(int64_t, const float *, int64_t, int64_t, const float *, int64_t, float *, float *, int64_t, float, float);

typedef void (*gemm_kernel_wide)(int64_t, const float *, int64_t, int64_t, const float *, const float *, int64_t, float *, float *, int64_t, float, float);

static gemm_kernel chooseKernel(void) {
#ifdef DOPPEL_X86
    if (doppel_has_avx2()) return kernel_avx2;
#endif
    return kernel_portable_store;
}

// 1: the 6×32 AVX-512 tile may be used when the CPU has it; 0: never (tests compare the two paths).
static int wideAllowed = 1;

void doppel_sgemm_allow_avx512(int allow) { __atomic_store_n(&wideAllowed, allow, __ATOMIC_RELEASE); }

int doppel_has_avx512(void) {
#ifdef DOPPEL_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

// The environment variable DOPPEL_NO_AVX512 (any value) keeps the AVX2 tile: the results are the same
// bits, so it only serves to measure the two tiles (or to rule the wide one out).
static gemm_kernel_wide chooseWideKernel(void) {
#ifdef DOPPEL_X86
    if (doppel_has_avx512() && !getenv("DOPPEL_NO_AVX512")) return kernel_avx512;
#endif
    return NULL;
}

const char *doppel_sgemm_tile(void) {
    if (__atomic_load_n(&wideAllowed, __ATOMIC_ACQUIRE) && chooseWideKernel()) return "6x32 AVX-512";
#ifdef DOPPEL_X86
    if (chooseKernel() == kernel_avx2) return "6x16 AVX2";
#endif
    return "portable C";
}

void doppel_sgemm(int transA, int transB, int64_t M, int64_t N, int64_t K, float alpha,
                  const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                  float *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0) {
        for (int64_t i = 0; i < M; i++) {
            float *c = C + i * ldc;
            if (beta == 0) memset(c, 0, (size_t)N * sizeof(float));
            else if (beta != 1) for (int64_t j = 0; j < N; j++) c[j] *= beta;
        }
        return;
    }
    // Few rows against a wide transposed B (an input gradient G·Wᵀ through a wide layer): packing B would
    // copy all of W for a handful of rows. Its transpose T = B·op(A)ᵀ reads W where it lies; C = Tᵀ.
    // Every element is the same chain of fused multiply-adds (the product of two factors commutes), so
    // C is bit-identical; beta = 0 only, where C is written without being read.
    if (transB && beta == 0 && M <= MC && N >= 256) {
        static _Thread_local float *bufT = NULL;
        static _Thread_local size_t capT = 0;
        size_t needT = roundUp64((size_t)(M * N) * sizeof(float));
        if (needT > capT) { free(bufT); bufT = (float *)aligned_alloc(64, needT); capT = needT; }
        doppel_sgemm(0, transA ? 0 : 1, N, M, K, alpha, B, ldb, A, lda, 0.0f, bufT, M);
        for (int64_t i = 0; i < M; i++) {
            float *c = C + i * ldc;
            for (int64_t j = 0; j < N; j++) c[j] = bufT[j * M + i];
        }
        return;
    }
    // Chosen once; calls from several threads may race to choose, so the pointer is read and written
    // atomically (they all store the same kernel).
    static gemm_kernel chosen = NULL;
    gemm_kernel kernel = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (!kernel) { kernel = chooseKernel(); __atomic_store_n(&chosen, kernel, __ATOMIC_RELEASE); }
    static int wideChosen = 0;
    static gemm_kernel_wide wideKernel = NULL;
    if (!__atomic_load_n(&wideChosen, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&wideKernel, chooseWideKernel(), __ATOMIC_RELEASE);
        __atomic_store_n(&wideChosen, 1, __ATOMIC_RELEASE);
    }
    gemm_kernel_wide wide = __atomic_load_n(&wideAllowed, __ATOMIC_ACQUIRE) ? __atomic_load_n(&wideKernel, __ATOMIC_ACQUIRE) : NULL;

    int64_t panelsB = (N + NR - 1) / NR;
    int64_t kcMax = K < KC ? K : KC;
    // Packing buffers are kept per thread and grown on demand: a fresh allocation of a few hundred KB
    // per call is an mmap with page faults on every product.
    static _Thread_local float *bufB = NULL, *bufA = NULL;
    static _Thread_local size_t capB = 0, capA = 0;
    size_t needB = roundUp64((size_t)(panelsB * NR * kcMax) * sizeof(float));
    size_t needA = roundUp64((size_t)(((MC + MR - 1) / MR) * MR * kcMax) * sizeof(float));
    if (needB > capB) { free(bufB); bufB = (float *)aligned_alloc(64, needB); capB = needB; }
    if (needA > capA) { free(bufA); bufA = (float *)aligned_alloc(64, needA); capA = needA; }
    float *Bp = bufB, *Ap = bufA;
    float acc[MR * 2 * NR] __attribute__((aligned(64)));

    for (int64_t k0 = 0; k0 < K; k0 += KC) {
        int64_t kc = K - k0 < KC ? K - k0 : KC;
        float b = k0 == 0 ? beta : 1.0f;
        // With few rows of A each B panel is used once or twice: read full panels of an untransposed B
        // where they lie instead of copying all of B first (the copy cost as much as the product for
        // the critic's 50 × 4,670 × 256 layers). Only a partial last panel is packed.
        int inPlace = !transB && M <= MC;
        int64_t fullPanels = N / NR;
        if (!inPlace) packB(B, ldb, transB, k0, kc, N, Bp);
        else if (fullPanels < panelsB) packB(B + fullPanels * NR, ldb, 0, k0, kc, N - fullPanels * NR, Bp + fullPanels * kc * NR);
        for (int64_t i0 = 0; i0 < M; i0 += MC) {
            int64_t mc = M - i0 < MC ? M - i0 : MC;
            // Full 6-row tiles read op(A) where it lies (row stride rs, depth stride ks); only a last,
            // partial tile is packed (zero-padded) so the kernel never reads past A.
            int64_t rs = transA ? 1 : lda, ks = transA ? lda : 1;
            int64_t full = mc / MR * MR;
            if (full < mc) packA(A, lda, transA, i0 + full, mc - full, k0, kc, Ap);
            for (int64_t jp = 0; jp < panelsB; jp++) {
                int64_t j0 = jp * NR;
                int64_t nr = N - j0 < NR ? N - j0 : NR;
                int bPacked = !inPlace || jp >= fullPanels;
                const float *bPanel = bPacked ? Bp + jp * kc * NR : B + k0 * ldb + j0;
                int64_t bs = bPacked ? NR : ldb;
                // Two full panels (both packed, or both read in place): one 6×32 tile.
                if (wide && jp + 1 < fullPanels) {
                    const float *bNext = bPacked ? Bp + (jp + 1) * kc * NR : bPanel + NR;
                    for (int64_t p = 0; p < mc; p += MR) {
                        int64_t mr = mc - p < MR ? mc - p : MR;
                        const float *aTile = p < full ? A + (transA ? k0 * lda + i0 + p : (i0 + p) * lda + k0) : Ap;
                        int64_t trs = p < full ? rs : 1, tks = p < full ? ks : MR;
                        float *tile = C + (i0 + p) * ldc + j0;
                        if (mr == MR) {
                            wide(kc, aTile, trs, tks, bPanel, bNext, bs, acc, tile, ldc, alpha, b);
                        } else {
                            wide(kc, aTile, trs, tks, bPanel, bNext, bs, acc, NULL, 0, alpha, b);
                            storeTileStrided(acc, 2 * NR, mr, NR, alpha, b, tile, ldc);
                            storeTileStrided(acc + NR, 2 * NR, mr, NR, alpha, b, tile + NR, ldc);
                        }
                    }
                    jp++;
                    continue;
                }
                for (int64_t p = 0; p < mc; p += MR) {
                    int64_t mr = mc - p < MR ? mc - p : MR;
                    const float *aTile = p < full ? A + (transA ? k0 * lda + i0 + p : (i0 + p) * lda + k0) : Ap;
                    int64_t trs = p < full ? rs : 1, tks = p < full ? ks : MR;
                    float *tile = C + (i0 + p) * ldc + j0;
                    if (mr == MR && nr == NR) {
                        kernel(kc, aTile, trs, tks, bPanel, bs, acc, tile, ldc, alpha, b);
                    } else {
                        kernel(kc, aTile, trs, tks, bPanel, bs, acc, NULL, 0, alpha, b);
                        storeTile(acc, mr, nr, alpha, b, tile, ldc);
                    }
                }
            }
        }
    }
}

// Reference triple loop (tests compare the blocked kernel against it).
void doppel_sgemm_reference(int transA, int transB, int64_t M, int64_t N, int64_t K, float alpha,
                            const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                            float *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            double s = 0;
            for (int64_t k = 0; k < K; k++) s += (double)opA(A, lda, transA, i, k) * opB(B, ldb, transB, k, j);
            float *c = C + i * ldc + j;
            *c = beta == 0 ? alpha * (float)s : alpha * (float)s + beta * *c;
        }
    }
}
