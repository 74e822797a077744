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

/* Taps [k, k + 8) of eight float rows (`depth` apart) into double rows `ldd` apart (tap by tap, the eight
 * rows' values together): an 8 x 8 block transposed in registers and converted exactly. */
__attribute__((target("avx2"), always_inline)) static inline void pack_block8(const float *src, int64_t depth,
                                                                              int64_t k, double *dst, int64_t ldd) {
    __m256 r0 = _mm256_loadu_ps(src + k), r1 = _mm256_loadu_ps(src + depth + k);
    __m256 r2 = _mm256_loadu_ps(src + 2 * depth + k), r3 = _mm256_loadu_ps(src + 3 * depth + k);
    __m256 r4 = _mm256_loadu_ps(src + 4 * depth + k), r5 = _mm256_loadu_ps(src + 5 * depth + k);
    __m256 r6 = _mm256_loadu_ps(src + 6 * depth + k), r7 = _mm256_loadu_ps(src + 7 * depth + k);
    /* Rows i, taps k..k+7 -> taps k..k+7, rows 0..7. */
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    /* u0: tap 0 of rows 0-3 | tap 4 of rows 0-3 (low, high lanes); u4: the same for rows 4-7. */
    const __m128 taps[8][2] = {
        {_mm256_castps256_ps128(u0), _mm256_castps256_ps128(u4)},
        {_mm256_castps256_ps128(u1), _mm256_castps256_ps128(u5)},
        {_mm256_castps256_ps128(u2), _mm256_castps256_ps128(u6)},
        {_mm256_castps256_ps128(u3), _mm256_castps256_ps128(u7)},
        {_mm256_extractf128_ps(u0, 1), _mm256_extractf128_ps(u4, 1)},
        {_mm256_extractf128_ps(u1, 1), _mm256_extractf128_ps(u5, 1)},
        {_mm256_extractf128_ps(u2, 1), _mm256_extractf128_ps(u6, 1)},
        {_mm256_extractf128_ps(u3, 1), _mm256_extractf128_ps(u7, 1)},
    };
    for (int t = 0; t < 8; ++t) {
        _mm256_storeu_pd(dst + t * ldd, _mm256_cvtps_pd(taps[t][0]));
        _mm256_storeu_pd(dst + t * ldd + 4, _mm256_cvtps_pd(taps[t][1]));
    }
}

/* `groups` groups of eight float rows (src, src + 8 * depth, ...), taps [0, kc), into double rows `ldd`
 * apart, group g at dst + 8 * g. Group after group, so that eight source rows are read at a time (as
 * many streams as the prefetchers follow well). */
MDK_AVX2 void mdk_pack_rows_wf32_avx2(const float *src, int64_t depth, int64_t groups, int64_t kc, double *dst,
                                      int64_t ldd) {
    for (int64_t g = 0; g < groups; ++g, src += 8 * depth, dst += 8) {
        int64_t k = 0;
        for (; k + 8 <= kc; k += 8) pack_block8(src, depth, k, dst + k * ldd, ldd);
        for (; k < kc; ++k) {
            for (int64_t i = 0; i < 8; ++i) dst[k * ldd + i] = (double)src[i * depth + k];
        }
    }
}

/* The same for double rows: 4 x 4 blocks of rows 0-3 and 4-7 transposed in registers. */
MDK_AVX2 void mdk_pack_rows_f64_avx2(const double *src, int64_t depth, int64_t groups, int64_t kc, double *dst,
                                     int64_t ldd) {
    for (int64_t g = 0; g < groups; ++g, src += 8 * depth, dst += 8) {
        int64_t k = 0;
        for (; k + 4 <= kc; k += 4) {
            for (int half = 0; half < 2; ++half) {
                const double *rows = src + 4 * half * depth + k;
                const __m256d r0 = _mm256_loadu_pd(rows), r1 = _mm256_loadu_pd(rows + depth);
                const __m256d r2 = _mm256_loadu_pd(rows + 2 * depth), r3 = _mm256_loadu_pd(rows + 3 * depth);
                /* t0 = r0[0] r1[0] r0[2] r1[2], t1 = r0[1] r1[1] r0[3] r1[3]; likewise t2, t3 from r2, r3. */
                const __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
                const __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
                double *out = dst + k * ldd + 4 * half;
                _mm256_storeu_pd(out, _mm256_permute2f128_pd(t0, t2, 0x20));
                _mm256_storeu_pd(out + ldd, _mm256_permute2f128_pd(t1, t3, 0x20));
                _mm256_storeu_pd(out + 2 * ldd, _mm256_permute2f128_pd(t0, t2, 0x31));
                _mm256_storeu_pd(out + 3 * ldd, _mm256_permute2f128_pd(t1, t3, 0x31));
            }
        }
        for (; k < kc; ++k) {
            for (int64_t i = 0; i < 8; ++i) dst[k * ldd + i] = src[i * depth + k];
        }
    }
}

MDK_AVX2 void mdk_pack_panel_f64n_wf32_avx2(const float *src, int64_t depth, int64_t kc, double *dst) {
    mdk_pack_rows_wf32_avx2(src, depth, 1, kc, dst, MDK_F64N_MR);
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

/* The tap-list kernels (microkernels.h): each entry's k addresses the packed weights (24 per k), its NR
 * input values follow the previous entry's; the sums continue from the tile and go back to it.
 * Multiply-adds as in the narrow dense kernel: a * b + c, fused. Both full tiles are twelve vectors,
 * vector v at tile + 4 * v (8 x 6: column j's rows at 2j, 2j + 1; 24 x 2: column j's at 6j ... 6j + 5). */
#define MDK_AVX2_INLINE_TILE __attribute__((target("avx2,fma"), always_inline)) static inline

MDK_AVX2_INLINE_TILE void load_tile12(const double *tile, __m256d c[12]) {
    for (int v = 0; v < 12; ++v) c[v] = _mm256_loadu_pd(tile + 4 * v);
}

MDK_AVX2_INLINE_TILE void store_tile12(const __m256d c[12], double *tile) {
    for (int v = 0; v < 12; ++v) _mm256_storeu_pd(tile + 4 * v, c[v]);
}

MDK_AVX2 void mdk_tap_kernel_8x6_avx2(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile) {
    __m256d c[12];
    load_tile12(tile, c);
    for (int64_t e = 0; e < n; ++e, b += 6) {
        const double *ak = a + (int64_t)ks[e] * MDK_TAP_ROW;
        const __m256d a0 = _mm256_loadu_pd(ak), a1 = _mm256_loadu_pd(ak + 4);
        for (int j = 0; j < 6; ++j) {
            const __m256d bj = _mm256_broadcast_sd(b + j);
            c[2 * j] = _mm256_fmadd_pd(a0, bj, c[2 * j]);
            c[2 * j + 1] = _mm256_fmadd_pd(a1, bj, c[2 * j + 1]);
        }
    }
    store_tile12(c, tile);
}

MDK_AVX2 void mdk_tap_kernel_24x2_avx2(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile) {
    __m256d c[12];
    load_tile12(tile, c);
    for (int64_t e = 0; e < n; ++e, b += 2) {
        const double *ak = a + (int64_t)ks[e] * MDK_TAP_ROW;
        const __m256d b0 = _mm256_broadcast_sd(b), b1 = _mm256_broadcast_sd(b + 1);
        /* One load of four rows' weights, two multiply-adds. */
        for (int v = 0; v < 6; ++v) {
            const __m256d x = _mm256_loadu_pd(ak + 4 * v);
            c[v] = _mm256_fmadd_pd(x, b0, c[v]);
            c[6 + v] = _mm256_fmadd_pd(x, b1, c[6 + v]);
        }
    }
    store_tile12(c, tile);
}

MDK_AVX2 void mdk_tap_kernel_8x2_avx2(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile) {
    __m256d c00 = _mm256_loadu_pd(tile), c01 = _mm256_loadu_pd(tile + 4);
    __m256d c10 = _mm256_loadu_pd(tile + 8), c11 = _mm256_loadu_pd(tile + 12);
    for (int64_t e = 0; e < n; ++e, b += 2) {
        const double *ak = a + (int64_t)ks[e] * MDK_TAP_ROW;
        const __m256d a0 = _mm256_loadu_pd(ak), a1 = _mm256_loadu_pd(ak + 4);
        __m256d bj;
        COLUMN_F64N(0); COLUMN_F64N(1);
    }
    _mm256_storeu_pd(tile, c00);
    _mm256_storeu_pd(tile + 4, c01);
    _mm256_storeu_pd(tile + 8, c10);
    _mm256_storeu_pd(tile + 12, c11);
}

#endif
