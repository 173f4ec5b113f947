#include "DoppelKernels.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DOPPEL_X86 1
#endif

// Element-wise kernels of neural training. Every operation is a single correctly rounded IEEE operation
// in a fixed order (no fused multiply-add), so the AVX2 and portable paths give the same bits.
#pragma clang fp contract(off)

// ---- Adam ----------------------------------------------------------------------------------------

static void adam_portable(float *theta, const float *grad, float *m, float *v, int64_t from, int64_t n,
                          float lr, float b1, float b2, float c1, float c2, float eps, float wd) {
    for (int64_t i = from; i < n; i++) {
        float g = grad[i] + wd * theta[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        theta[i] -= lr * (m[i] / c1) / (sqrtf(v[i] / c2) + eps);
    }
}

#ifdef DOPPEL_X86
__attribute__((target("avx2")))
static void adam_avx2(float *theta, const float *grad, float *m, float *v, int64_t n,
                      float lr, float b1, float b2, float c1, float c2, float eps, float wd) {
    const __m256 vb1 = _mm256_set1_ps(b1), vb2 = _mm256_set1_ps(b2), va1 = _mm256_set1_ps(1 - b1), va2 = _mm256_set1_ps(1 - b2);
    const __m256 vlr = _mm256_set1_ps(lr), vc1 = _mm256_set1_ps(c1), vc2 = _mm256_set1_ps(c2), veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(wd);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i);
        __m256 g = _mm256_add_ps(_mm256_loadu_ps(grad + i), _mm256_mul_ps(vwd, t));
        __m256 mi = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(va1, g));
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(va2, g), g));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        __m256 step = _mm256_div_ps(_mm256_mul_ps(vlr, _mm256_div_ps(mi, vc1)), _mm256_add_ps(_mm256_sqrt_ps(_mm256_div_ps(vi, vc2)), veps));
        _mm256_storeu_ps(theta + i, _mm256_sub_ps(t, step));
    }
    adam_portable(theta, grad, m, v, i, n, lr, b1, b2, c1, c2, eps, wd);
}
#endif

void doppel_adam_update(float *theta, const float *grad, float *m, float *v, int64_t n,
                        float lr, float beta1, float beta2, float c1, float c2, float eps, float wd) {
#ifdef DOPPEL_X86
    if (doppel_has_avx2()) { adam_avx2(theta, grad, m, v, n, lr, beta1, beta2, c1, c2, eps, wd); return; }
#endif
    adam_portable(theta, grad, m, v, 0, n, lr, beta1, beta2, c1, c2, eps, wd);
}

// ---- Gumbel noise ------------------------------------------------------------------------------
// log x for finite x > 0: x = 2^e·m with m in [√½, √2), f = m − 1, and
// log x = e·ln 2 + f − f²/2 + f³·P(f), P the degree-8 minimax polynomial of Cephes' logf (relative
// error about 1e-7 on the interval); ln 2 is split in two parts so that e·ln 2 stays exact.

static const float LOG_P[9] = {
    7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f, 1.4249322787e-1f,
    -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f };
static const float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;

static float log_portable(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    int32_t e = (int32_t)((bits >> 23) & 0xff) - 126;   // x = 2^e · m, m in [½, 1)
    bits = (bits & 0x007fffffu) | 0x3f000000u;
    float m;
    memcpy(&m, &bits, 4);
    if (m < 0.70710678f) { e -= 1; m = m + m - 1.0f; } else { m = m - 1.0f; }
    float z = m * m;
    float p = LOG_P[0];
    for (int k = 1; k < 9; k++) p = p * m + LOG_P[k];
    float y = m * z * p;
    float ef = (float)e;
    y = y + ef * LN2_LO;
    y = y - 0.5f * z;
    return m + y + ef * LN2_HI;
}

static void gumbel_portable(const float *u, int64_t from, int64_t n, float *out) {
    for (int64_t i = from; i < n; i++) out[i] = -log_portable(-log_portable(u[i]));
}

#ifdef DOPPEL_X86
__attribute__((target("avx2")))
static inline __m256 log_avx2(__m256 x) {
    __m256i bits = _mm256_castps_si256(x);
    __m256i e = _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(126));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f000000)));
    __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(0.70710678f), _CMP_LT_OQ);
    e = _mm256_add_epi32(e, _mm256_castps_si256(small));   // −1 where small (all ones = −1)
    __m256 one = _mm256_set1_ps(1.0f);
    m = _mm256_blendv_ps(_mm256_sub_ps(m, one), _mm256_sub_ps(_mm256_add_ps(m, m), one), small);
    __m256 z = _mm256_mul_ps(m, m);
    __m256 p = _mm256_set1_ps(LOG_P[0]);
    for (int k = 1; k < 9; k++) p = _mm256_add_ps(_mm256_mul_ps(p, m), _mm256_set1_ps(LOG_P[k]));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(m, z), p);
    __m256 ef = _mm256_cvtepi32_ps(e);
    y = _mm256_add_ps(y, _mm256_mul_ps(ef, _mm256_set1_ps(LN2_LO)));
    y = _mm256_sub_ps(y, _mm256_mul_ps(_mm256_set1_ps(0.5f), z));
    return _mm256_add_ps(_mm256_add_ps(m, y), _mm256_mul_ps(ef, _mm256_set1_ps(LN2_HI)));
}

__attribute__((target("avx2")))
static void gumbel_avx2(const float *u, int64_t n, float *out) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 a = _mm256_xor_ps(log_avx2(_mm256_loadu_ps(u + i)), sign);
        _mm256_storeu_ps(out + i, _mm256_xor_ps(log_avx2(a), sign));
    }
    gumbel_portable(u, i, n, out);
}
#endif

void doppel_gumbel_noise(const float *u, int64_t n, float *out) {
#ifdef DOPPEL_X86
    if (doppel_has_avx2()) { gumbel_avx2(u, n, out); return; }
#endif
    gumbel_portable(u, 0, n, out);
}

float doppel_log(float x) { return log_portable(x); }

// ---- Softmax ----------------------------------------------------------------------------------
// exp x for x ≤ 0 (a softmax after its row maximum is subtracted): x = n·ln 2 + r with n = round(x/ln 2),
// |r| ≤ ln2/2, exp r = 1 + r + r²·Q(r) with Cephes' expf polynomial Q (relative error about 1e-7), then
// scaled by 2ⁿ through the exponent bits. Inputs below −87 give exp(−87) ≈ 1.6e-38 (a probability that
// small is zero for every purpose here) so that 2ⁿ stays a normal number.

static const float EXP_Q[6] = { 1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
                                1.6666665459e-1f, 5.0000001201e-1f };
static const float EXP_LN2_HI = 0.693359375f, EXP_LN2_LO = -2.12194440e-4f, LOG2E = 1.44269504088896341f;

static float exp_portable(float x) {
    if (x < -87.0f) x = -87.0f;
    float n = floorf(x * LOG2E + 0.5f);
    float r = x - n * EXP_LN2_HI;
    r = r - n * EXP_LN2_LO;
    float q = EXP_Q[0];
    for (int k = 1; k < 6; k++) q = q * r + EXP_Q[k];
    float y = r * r * q + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return y * scale;
}

#ifdef DOPPEL_X86
__attribute__((target("avx2")))
static inline __m256 exp_avx2(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
    __m256 n = _mm256_floor_ps(_mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _mm256_set1_ps(0.5f)));
    __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(EXP_LN2_HI)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(EXP_LN2_LO)));
    __m256 q = _mm256_set1_ps(EXP_Q[0]);
    for (int k = 1; k < 6; k++) q = _mm256_add_ps(_mm256_mul_ps(q, r), _mm256_set1_ps(EXP_Q[k]));
    __m256 y = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(r, r), q), r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(bits));
}

__attribute__((target("avx2")))
static void exp_block_avx2(float *t, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(t + i, exp_avx2(_mm256_loadu_ps(t + i)));
    for (; i < n; i++) t[i] = exp_portable(t[i]);
}
#endif

float doppel_exp(float x) { return exp_portable(x); }

void doppel_softmax_span(float *x, int64_t ld, int64_t rows, int64_t width, const float *g, float invTau, float *tmp, float *logNormalizer) {
    if (rows <= 0 || width <= 0) return;
    // t = (x + g)·(1/τ) minus its row maximum, side by side in tmp (rows × width).
    for (int64_t r = 0; r < rows; r++) {
        const float *row = x + r * ld;
        const float *gr = g ? g + r * width : NULL;
        float *t = tmp + r * width;
        float top = -INFINITY;
        for (int64_t c = 0; c < width; c++) {
            float v = (gr ? row[c] + gr[c] : row[c]) * invTau;
            t[c] = v;
            top = v > top ? v : top;
        }
        for (int64_t c = 0; c < width; c++) t[c] -= top;
        if (logNormalizer) logNormalizer[r] = top;
    }
    int64_t n = rows * width;
#ifdef DOPPEL_X86
    if (doppel_has_avx2()) exp_block_avx2(tmp, n);
    else
#endif
    for (int64_t i = 0; i < n; i++) tmp[i] = exp_portable(tmp[i]);
    for (int64_t r = 0; r < rows; r++) {
        float *row = x + r * ld;
        const float *t = tmp + r * width;
        float total = 0;
        for (int64_t c = 0; c < width; c++) total += t[c];
        float inv = 1.0f / total;
        for (int64_t c = 0; c < width; c++) row[c] = t[c] * inv;
        if (logNormalizer) logNormalizer[r] += logf(total);
    }
}

// ---- Batch normalisation -------------------------------------------------------------------------
// Column statistics and the normalisation of an n × f batch (row-major). Loops run over whole rows so
// that the compiler vectorises across columns; the sums are over rows in row order, as in a plain loop.

void doppel_batchnorm_forward(const float *x, int64_t n, int64_t f, const float *gamma, const float *beta,
                              float epsilon, int training, float *mean, float *variance, float *inverseStd,
                              float *xhat, float *y) {
    if (training) {
        for (int64_t c = 0; c < f; c++) { mean[c] = 0; variance[c] = 0; }
        for (int64_t r = 0; r < n; r++) { const float *row = x + r * f; for (int64_t c = 0; c < f; c++) mean[c] += row[c]; }
        for (int64_t c = 0; c < f; c++) mean[c] /= (float)n;
        for (int64_t r = 0; r < n; r++) {
            const float *row = x + r * f;
            for (int64_t c = 0; c < f; c++) { float d = row[c] - mean[c]; variance[c] += d * d; }
        }
        for (int64_t c = 0; c < f; c++) variance[c] /= (float)n;
    }
    for (int64_t c = 0; c < f; c++) inverseStd[c] = 1.0f / sqrtf(variance[c] + epsilon);
    for (int64_t r = 0; r < n; r++) {
        const float *row = x + r * f;
        float *h = xhat + r * f, *o = y + r * f;
        for (int64_t c = 0; c < f; c++) {
            float z = (row[c] - mean[c]) * inverseStd[c];
            h[c] = z;
            o[c] = gamma[c] * z + beta[c];
        }
    }
}

void doppel_batchnorm_backward(const float *grad, const float *xhat, int64_t n, int64_t f, const float *gamma,
                               const float *inverseStd, float *sumG, float *sumGX, float *dx) {
    for (int64_t c = 0; c < f; c++) { sumG[c] = 0; sumGX[c] = 0; }
    for (int64_t r = 0; r < n; r++) {
        const float *d = grad + r * f, *h = xhat + r * f;
        for (int64_t c = 0; c < f; c++) { sumG[c] += d[c]; sumGX[c] += d[c] * h[c]; }
    }
    float invN = 1.0f / (float)n;
    for (int64_t r = 0; r < n; r++) {
        const float *d = grad + r * f, *h = xhat + r * f;
        float *o = dx + r * f;
        for (int64_t c = 0; c < f; c++)
            o[c] = gamma[c] * inverseStd[c] * (d[c] - sumG[c] * invN - h[c] * sumGX[c] * invN);
    }
}

// ---- Rectifier backward passes -------------------------------------------------------------------
// Compares and masks over whole arrays (clang leaves the plain loop scalar, as the ternary's load is
// conditional): a branch per element mispredicts on every other value of a half-negative activation.

#ifdef DOPPEL_X86
__attribute__((target("avx2")))
static int64_t relu_backward_avx2(const float *y, const float *g, float *out, int64_t n, int plain, float slope) {
    const __m256 zero = _mm256_setzero_ps(), s = _mm256_set1_ps(slope);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(g + i), positive = _mm256_cmp_ps(_mm256_loadu_ps(y + i), zero, _CMP_GT_OQ);
        // ReLU: +0 where y ≤ 0 (as the scalar select); leaky: slope·g there (−0 or NaN as g·slope gives).
        __m256 r = plain ? _mm256_and_ps(v, positive) : _mm256_blendv_ps(_mm256_mul_ps(v, s), v, positive);
        _mm256_storeu_ps(out + i, r);
    }
    return i;
}
#endif

void doppel_relu_backward(const float *y, const float *g, float *out, int64_t n) {
    int64_t i = 0;
#ifdef DOPPEL_X86
    if (doppel_has_avx2()) i = relu_backward_avx2(y, g, out, n, 1, 0);
#endif
    for (; i < n; i++) { float v = g[i]; out[i] = y[i] > 0 ? v : 0.0f; }
}

void doppel_leaky_relu_backward(const float *x, const float *g, float *out, int64_t n, float slope) {
    int64_t i = 0;
#ifdef DOPPEL_X86
    if (doppel_has_avx2()) i = relu_backward_avx2(x, g, out, n, 0, slope);
#endif
    for (; i < n; i++) { float v = g[i]; out[i] = x[i] > 0 ? v : v * slope; }
}

// ---- Row and column passes -----------------------------------------------------------------------
// One add per element in row order, written with restrict so that the compiler vectorises across
// columns (Swift cannot tell that the two buffers do not overlap and keeps these loops scalar).

void doppel_add_row(float *restrict x, int64_t rows, int64_t cols, const float *restrict row) {
    if (rows <= 0 || cols <= 0) return;
    for (int64_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        for (int64_t c = 0; c < cols; c++) xr[c] += row[c];
    }
}

void doppel_column_sums(const float *restrict x, int64_t rows, int64_t cols, float *restrict sums) {
    if (cols <= 0) return;
    for (int64_t c = 0; c < cols; c++) sums[c] = 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        for (int64_t c = 0; c < cols; c++) sums[c] += xr[c];
    }
}
