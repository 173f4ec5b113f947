#include "DoppelKernels.h"
#include <math.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DOPPEL_X86 1
#endif

// One pass of multinomial logistic regression over rows stored in blocks of 8 (see the header).
// Per block: logits z_c = b_c + Σ_f x_f w_{f,c} for the 8 rows side by side, softmax, the loss of
// the real rows, residuals r_c = p_c − [y = c] (0 on padding rows), then lanes_{f,c} += x_f r_c.

static void residuals(double *z, int64_t k, int rows, const int32_t *y, double *loss) {
    for (int r = 0; r < 8; r++) {
        double m = z[r];
        for (int64_t c = 1; c < k; c++) if (z[c * 8 + r] > m) m = z[c * 8 + r];
        double s = 0;
        for (int64_t c = 0; c < k; c++) { double e = exp(z[c * 8 + r] - m); z[c * 8 + r] = e; s += e; }
        if (r < rows) {
            double p = z[y[r] * 8 + r] / s;
            *loss -= log(p > 1e-300 ? p : 1e-300);
        }
        for (int64_t c = 0; c < k; c++) {
            double v = z[c * 8 + r] / s;
            if (r >= rows) v = 0; else if (y[r] == c) v -= 1;
            z[c * 8 + r] = v;
        }
    }
}

static void pass_portable(const double *xb, int64_t n, int64_t d, int64_t k, const double *w, const int32_t *y,
                          double *lanes, double *loss, double *z) {
    int64_t blocks = (n + 7) / 8;
    for (int64_t b = 0; b < blocks; b++) {
        const double *blk = xb + b * d * 8;
        int rows = n - b * 8 < 8 ? (int)(n - b * 8) : 8;
        for (int64_t c = 0; c < k; c++) for (int r = 0; r < 8; r++) z[c * 8 + r] = w[d * k + c];
        for (int64_t f = 0; f < d; f++)
            for (int64_t c = 0; c < k; c++) { double wc = w[f * k + c]; for (int r = 0; r < 8; r++) z[c * 8 + r] += blk[f * 8 + r] * wc; }
        residuals(z, k, rows, y + b * 8, loss);
        for (int64_t c = 0; c < k; c++) for (int r = 0; r < 8; r++) lanes[(d * k + c) * 8 + r] += z[c * 8 + r];
        for (int64_t f = 0; f < d; f++)
            for (int64_t c = 0; c < k; c++) for (int r = 0; r < 8; r++) lanes[(f * k + c) * 8 + r] += blk[f * 8 + r] * z[c * 8 + r];
    }
}

#ifdef DOPPEL_X86
__attribute__((target("avx2,fma")))
static void pass_avx2(const double *xb, int64_t n, int64_t d, int64_t k, const double *w, const int32_t *y,
                      double *lanes, double *loss, double *z) {
    int64_t blocks = (n + 7) / 8;
    for (int64_t b = 0; b < blocks; b++) {
        const double *blk = xb + b * d * 8;
        int rows = n - b * 8 < 8 ? (int)(n - b * 8) : 8;
        if (k == 2) {
            __m256d z0a = _mm256_set1_pd(w[2 * d]), z0b = z0a, z1a = _mm256_set1_pd(w[2 * d + 1]), z1b = z1a;
            for (int64_t f = 0; f < d; f++) {
                __m256d va = _mm256_loadu_pd(blk + f * 8), vb = _mm256_loadu_pd(blk + f * 8 + 4);
                __m256d w0 = _mm256_set1_pd(w[2 * f]), w1 = _mm256_set1_pd(w[2 * f + 1]);
                z0a = _mm256_fmadd_pd(va, w0, z0a); z0b = _mm256_fmadd_pd(vb, w0, z0b);
                z1a = _mm256_fmadd_pd(va, w1, z1a); z1b = _mm256_fmadd_pd(vb, w1, z1b);
            }
            _mm256_storeu_pd(z, z0a); _mm256_storeu_pd(z + 4, z0b); _mm256_storeu_pd(z + 8, z1a); _mm256_storeu_pd(z + 12, z1b);
            residuals(z, 2, rows, y + b * 8, loss);
            __m256d r0a = _mm256_loadu_pd(z), r0b = _mm256_loadu_pd(z + 4), r1a = _mm256_loadu_pd(z + 8), r1b = _mm256_loadu_pd(z + 12);
            for (int64_t f = 0; f <= d; f++) {
                double *g = lanes + f * 16;
                __m256d va, vb;
                if (f < d) { va = _mm256_loadu_pd(blk + f * 8); vb = _mm256_loadu_pd(blk + f * 8 + 4); }
                else { va = _mm256_set1_pd(1.0); vb = va; }
                _mm256_storeu_pd(g, _mm256_fmadd_pd(va, r0a, _mm256_loadu_pd(g)));
                _mm256_storeu_pd(g + 4, _mm256_fmadd_pd(vb, r0b, _mm256_loadu_pd(g + 4)));
                _mm256_storeu_pd(g + 8, _mm256_fmadd_pd(va, r1a, _mm256_loadu_pd(g + 8)));
                _mm256_storeu_pd(g + 12, _mm256_fmadd_pd(vb, r1b, _mm256_loadu_pd(g + 12)));
            }
            continue;
        }
        for (int64_t c = 0; c < k; c++) { __m256d bc = _mm256_set1_pd(w[d * k + c]); _mm256_storeu_pd(z + c * 8, bc); _mm256_storeu_pd(z + c * 8 + 4, bc); }
        for (int64_t f = 0; f < d; f++) {
            __m256d va = _mm256_loadu_pd(blk + f * 8), vb = _mm256_loadu_pd(blk + f * 8 + 4);
            for (int64_t c = 0; c < k; c++) {
                __m256d wc = _mm256_set1_pd(w[f * k + c]);
                _mm256_storeu_pd(z + c * 8, _mm256_fmadd_pd(va, wc, _mm256_loadu_pd(z + c * 8)));
                _mm256_storeu_pd(z + c * 8 + 4, _mm256_fmadd_pd(vb, wc, _mm256_loadu_pd(z + c * 8 + 4)));
            }
        }
        residuals(z, k, rows, y + b * 8, loss);
        for (int64_t f = 0; f <= d; f++) {
            __m256d va, vb;
            if (f < d) { va = _mm256_loadu_pd(blk + f * 8); vb = _mm256_loadu_pd(blk + f * 8 + 4); }
            else { va = _mm256_set1_pd(1.0); vb = va; }
            for (int64_t c = 0; c < k; c++) {
                double *g = lanes + (f * k + c) * 8;
                _mm256_storeu_pd(g, _mm256_fmadd_pd(va, _mm256_loadu_pd(z + c * 8), _mm256_loadu_pd(g)));
                _mm256_storeu_pd(g + 4, _mm256_fmadd_pd(vb, _mm256_loadu_pd(z + c * 8 + 4), _mm256_loadu_pd(g + 4)));
            }
        }
    }
}
#endif

void doppel_logistic_pass(const double *xb, int64_t n, int64_t d, int64_t k, const double *w, const int32_t *y,
                          double *lanes, double *loss, double *scratch) {
    *loss = 0;
#ifdef DOPPEL_X86
    if (doppel_has_avx2()) { pass_avx2(xb, n, d, k, w, y, lanes, loss, scratch); return; }
#endif
    pass_portable(xb, n, d, k, w, y, lanes, loss, scratch);
}
