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

/// The same search with every coordinate's distance capped at 1: Σₖ min(|qₖ − rₖ|, 1). With numbers
/// scaled to [0, 1] and categories stored as distinct integer codes this is the Gower distance
/// (times the number of columns).
void doppel_gower_nearest2(const float *queries, int64_t nq, const float *refs, int64_t nr, int64_t d,
                           const int64_t *exclude, float *best, float *second, int64_t *bestIndex);

/// Hints the CPU to fetch the cache line at p (used when walking a column of a parsed CSV, whose
/// fields lie far apart in memory).
static inline void doppel_prefetch(const void *p) { __builtin_prefetch(p, 0, 0); }

/// Fused all-pairs Gower search between queries (nq × d, row-major) and references stored in blocks
/// of 8 (`refsBlocked[(b·d + k)·8 + lane]` = coordinate k of reference 8b + lane; nr references, the
/// last block padded). Per-coordinate distance min(|q − r|, 1). Writes, per query: the nearest and
/// second-nearest distances and the nearest index, and (when `subset` is non-NULL, one byte per
/// reference) the nearest distance among references whose subset byte is 1. Per reference it lowers
/// `refBest[j]` to the nearest query distance (caller initialises it). One pass serves both directions.
/// When `startBlock` is non-NULL it holds a start block per query: a group of queries (four here, eight
/// in `doppel_gower_cross_q16`) scans the reference blocks from its first query's start onwards,
/// wrapping around (the outputs do not depend on it; pruning does).
/// `scanBlocks` > 0 limits every group to that many blocks (a partial search, to seed `refBest`).
/// Pairs that can no longer change any output are abandoned part-way (exact; see Distances.c).
void doppel_gower_cross(const float *queries, int64_t nq, const float *refsBlocked, int64_t nr, int64_t d,
                        const uint8_t *subset, const int64_t *startBlock, int64_t scanBlocks, float *best, float *second, int64_t *bestIndex,
                        float *bestSubset, float *refBest);

/// One loss-and-gradient pass of multinomial logistic regression. Rows are stored in blocks of 8,
/// feature-major within a block: `xb[(b·d + f)·8 + r]` is feature f of row 8b + r (n rows, the last
/// block zero-padded). `w` holds (d + 1) × k weights, row f = feature f, row d = intercepts. Adds
/// x_f · (p_c − [y = c]) to `lanes[((f·k + c)·8 + r]` (row d: the intercept, x = 1; caller zeroes it
/// and sums the 8 lanes) and writes −Σ log p_{y} to `loss`. `y` has one label per row padded to a
/// multiple of 8; `scratch` holds 8·k doubles. AVX2/FMA when the CPU has it, portable C otherwise.
void doppel_logistic_pass(const double *xb, int64_t n, int64_t d, int64_t k, const double *w, const int32_t *y,
                          double *lanes, double *loss, double *scratch);

/// 16-bit form of Gower coordinates for `doppel_gower_cross_q16`: clamp(round(256·x), ±32000).
void doppel_gower_quantize(const float *x, int64_t n, int16_t *out);

/// `doppel_gower_cross` with a 16-bit lower-bound filter ahead of the exact float sums (outputs
/// bit-identical to it). `queries16` is `queries` quantised (row-major); `refsBlocked16` holds the
/// quantised references in blocks of 16 (`[(B·d + k)·16 + lane]`, the last block padded). Falls back
/// to `doppel_gower_cross` (and returns 0) without AVX2 or when d > 120; returns 1 otherwise.
int doppel_gower_cross_q16(const float *queries, const int16_t *queries16, int64_t nq, const float *refsBlocked,
                           const int16_t *refsBlocked16, int64_t nr, int64_t d, const uint8_t *subset,
                           const int64_t *startBlock, int64_t scanBlocks, float *best, float *second, int64_t *bestIndex,
                           float *bestSubset, float *refBest);

/// Single-precision matrix product, row-major: C[M×N] = alpha · op(A) · op(B) + beta · C, where
/// op(A) is A[M×K] (row stride lda) or, with transA, the transpose of A[K×M]; likewise op(B) is
/// B[K×N] or the transpose of B[N×K]. beta == 0 never reads C. Packed panels and a 6×32 AVX-512 or
/// 6×16 AVX2/FMA register tile when the CPU has them (chosen at run time; the two give identical bits),
/// portable C otherwise. Single-threaded.
void doppel_sgemm(int transA, int transB, int64_t M, int64_t N, int64_t K, float alpha,
                  const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                  float *C, int64_t ldc);

/// The same product by a plain triple loop with double accumulation (the tests' reference).
void doppel_sgemm_reference(int transA, int transB, int64_t M, int64_t N, int64_t K, float alpha,
                            const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                            float *C, int64_t ldc);

/// One Adam step over n weights, in place (PyTorch's `Adam` with L2 weight decay wd):
/// g = grad + wd·θ; m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; θ −= lr·(m/c1)/(√(v/c2) + eps), where c1 and c2
/// are the bias corrections 1 − βᵗ. Same bits on the AVX2 and portable paths.
void doppel_adam_update(float *theta, const float *grad, float *m, float *v, int64_t n,
                        float lr, float beta1, float beta2, float c1, float c2, float eps, float wd);

/// Gumbel noise out[i] = −log(−log u[i]) for u[i] in (0, 1), with a polynomial logarithm (relative error
/// about 1e-7); same bits on the AVX2 and portable paths.
void doppel_gumbel_noise(const float *u, int64_t n, float *out);

/// The scalar logarithm used by `doppel_gumbel_noise` (for tests).
float doppel_log(float x);

/// Row-wise softmax of (x + g)/τ over `width` columns of each of `rows` rows (row stride `ld`), in place:
/// softmax(v)_c = exp(v_c − max v)/Σ exp(v − max v), with the polynomial exponential of `doppel_exp`.
/// `g` (rows × width, side by side) may be NULL; `invTau` = 1/τ; `tmp` holds rows × width floats.
/// `logNormalizer`, if not NULL, receives each row's log Σ exp v = max v + log Σ exp(v − max v).
void doppel_softmax_span(float *x, int64_t ld, int64_t rows, int64_t width, const float *g, float invTau, float *tmp, float *logNormalizer);

/// exp x for x ≤ 0 as `doppel_softmax_span` computes it (Cephes' expf polynomial; inputs below −87 are
/// taken as −87). For tests.
float doppel_exp(float x);

/// Batch normalisation of an n × f batch: with `training`, writes the column means and (biased)
/// variances; then 1/√(variance + ε), x̂ = (x − mean)/σ and y = γ·x̂ + β (without `training`, `mean` and
/// `variance` are read: the running statistics).
void doppel_batchnorm_forward(const float *x, int64_t n, int64_t f, const float *gamma, const float *beta,
                              float epsilon, int training, float *mean, float *variance, float *inverseStd,
                              float *xhat, float *y);

/// Its backward pass: ΣG and ΣG·x̂ per column, and ∂L/∂x = γ/σ·(g − ΣG/n − x̂·ΣGx̂/n).
void doppel_batchnorm_backward(const float *grad, const float *xhat, int64_t n, int64_t f, const float *gamma,
                               const float *inverseStd, float *sumG, float *sumGX, float *dx);

/// ReLU's backward pass from its output y: out = g where y > 0, else 0 (`out` may be `g`).
void doppel_relu_backward(const float *y, const float *g, float *out, int64_t n);

/// Leaky ReLU's backward pass from its input x: out = g where x > 0, else slope·g (`out` may be `g`).
void doppel_leaky_relu_backward(const float *x, const float *g, float *out, int64_t n, float slope);

/// Adds `row` (length `cols`) to every row of the rows × cols matrix `x` (the two must not overlap).
void doppel_add_row(float *x, int64_t rows, int64_t cols, const float *row);

/// The sum of each column of the rows × cols matrix `x`, over rows in order, into `sums` (not overlapping `x`).
void doppel_column_sums(const float *x, int64_t rows, int64_t cols, float *sums);

/// 1 when the running CPU supports AVX2 and FMA (the fast kernel path), 0 otherwise.
int doppel_has_avx2(void);

/// 1 when the running CPU supports AVX-512F (doppel_sgemm's 6×32 tile, unless the environment sets
/// DOPPEL_NO_AVX512), 0 otherwise.
int doppel_has_avx512(void);

/// 0 keeps doppel_sgemm on its AVX2 tile even where AVX-512 is present; 1 (the default) allows the
/// AVX-512 tile. For tests that check the two paths give the same bits; not for use while products run.
void doppel_sgemm_allow_avx512(int allow);

/// The register tile doppel_sgemm uses now ("6x32 AVX-512", "6x16 AVX2" or "portable C"), after the CPU,
/// DOPPEL_NO_AVX512 and doppel_sgemm_allow_avx512 have had their say.
const char *doppel_sgemm_tile(void);

#ifdef __cplusplus
}
#endif
#endif
