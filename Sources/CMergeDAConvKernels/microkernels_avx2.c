/*
 * microkernels_avx2.c: AVX2+FMA micro-kernels (6 x 8 and 8 x 6 doubles, 6 x 16 floats).
 *
 * Twelve 256-bit accumulators, two loads of B and six broadcasts of A per step: enough
 * independent FMA chains to cover the FMA latency on two pipes. These functions are compiled
 * for AVX2+FMA through target attributes only, so the rest of the package keeps the baseline
 * target; they are called only after mdk_best_isa() reported MDK_ISA_AVX2_FMA.
 */
#include "microkernels.h"

#if defined(MDK_HAVE_AVX2_KERNELS)
#include <immintrin.h>

#define MDK_AVX2 __attribute__((target("avx2,fma")))

/* One row of the double tile: broadcast a[i], multiply-add with both halves of b. */
#define ROW_F64(i) \
    ai = _mm256_broadcast_sd(a + (i)); \
    c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0); \
    c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1)

#define STORE_F64(i) \
    _mm256_storeu_pd(c + (i) * ldc, _mm256_add_pd(_mm256_loadu_pd(c + (i) * ldc), c##i##0)); \
    _mm256_storeu_pd(c + (i) * ldc + 4, _mm256_add_pd(_mm256_loadu_pd(c + (i) * ldc + 4), c##i##1))

MDK_AVX2 void mdk_kernel_f64_avx2(int64_t kc, const double *a, const double *b, double *c, int64_t ldc) {
    __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256d c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int64_t k = 0; k < kc; ++k) {
        const __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
        __m256d ai;
        ROW_F64(0); ROW_F64(1); ROW_F64(2); ROW_F64(3); ROW_F64(4); ROW_F64(5);
        a += MDK_F64_MR;
        b += MDK_F64_NR;
    }
    STORE_F64(0); STORE_F64(1); STORE_F64(2); STORE_F64(3); STORE_F64(4); STORE_F64(5);
}

/* One column of the narrow double tile: broadcast b[j], multiply-add with both halves of a. Each
 * product is added in the same order as in the wide kernel, so the tiles hold the same values. */
#define COLUMN_F64N(j) \
    bj = _mm256_broadcast_sd(b + (j)); \
    c##j##0 = _mm256_fmadd_pd(a0, bj, c##j##0); \
    c##j##1 = _mm256_fmadd_pd(a1, bj, c##j##1)

#define SPILL_F64N(j) \
    _mm256_storeu_pd(tile[j], c##j##0); \
    _mm256_storeu_pd(tile[j] + 4, c##j##1)

MDK_AVX2 void mdk_kernel_f64n_avx2(int64_t kc, const double *a, const double *b, double *c, int64_t ldc) {
    __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256d c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int64_t k = 0; k < kc; ++k) {
        const __m256d a0 = _mm256_loadu_pd(a), a1 = _mm256_loadu_pd(a + 4);
        __m256d bj;
        COLUMN_F64N(0); COLUMN_F64N(1); COLUMN_F64N(2); COLUMN_F64N(3); COLUMN_F64N(4); COLUMN_F64N(5);
        a += MDK_F64N_MR;
        b += MDK_F64N_NR;
    }
    /* The accumulators hold columns; the output is row-major, so they go out through a small tile. */
    double tile[MDK_F64N_NR][MDK_F64N_MR];
    SPILL_F64N(0); SPILL_F64N(1); SPILL_F64N(2); SPILL_F64N(3); SPILL_F64N(4); SPILL_F64N(5);
    for (int i = 0; i < MDK_F64N_MR; ++i) {
        for (int j = 0; j < MDK_F64N_NR; ++j) c[i * ldc + j] += tile[j][i];
    }
}

#define ROW_F32(i) \
    ai = _mm256_broadcast_ss(a + (i)); \
    c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0); \
    c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1)

#define STORE_F32(i) \
    _mm256_storeu_ps(c + (i) * ldc, _mm256_add_ps(_mm256_loadu_ps(c + (i) * ldc), c##i##0)); \
    _mm256_storeu_ps(c + (i) * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + (i) * ldc + 8), c##i##1))

MDK_AVX2 void mdk_kernel_f32_avx2(int64_t kc, const float *a, const float *b, float *c, int64_t ldc) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int64_t k = 0; k < kc; ++k) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 ai;
        ROW_F32(0); ROW_F32(1); ROW_F32(2); ROW_F32(3); ROW_F32(4); ROW_F32(5);
        a += MDK_F32_MR;
        b += MDK_F32_NR;
    }
    STORE_F32(0); STORE_F32(1); STORE_F32(2); STORE_F32(3); STORE_F32(4); STORE_F32(5);
}

#endif
