/*
 * microkernels_portable.c: plain C micro-kernels for CPUs without AVX2+FMA (and non-x86 hosts).
 * Written so a compiler can keep the accumulators in registers and vectorise the inner loop
 * for whatever baseline it targets.
 */
#include "microkernels.h"

/* c[i * ldc + j] += sum_k a[k * MR + i] * b[k * NR + j] for one MR x NR tile of type T. */
#define MDK_PORTABLE_KERNEL(name, T, MR, NR)                                                        \
    void name(int64_t kc, const T *restrict a, const T *restrict b, T *restrict c, int64_t ldc) {   \
        T acc[MR][NR] = {{0}};                                                                      \
        for (int64_t k = 0; k < kc; ++k) {                                                          \
            for (int i = 0; i < MR; ++i) {                                                          \
                const T ai = a[i];                                                                  \
                for (int j = 0; j < NR; ++j) acc[i][j] += ai * b[j];                                \
            }                                                                                       \
            a += MR;                                                                                \
            b += NR;                                                                                \
        }                                                                                           \
        for (int i = 0; i < MR; ++i) {                                                              \
            for (int j = 0; j < NR; ++j) c[i * ldc + j] += acc[i][j];                               \
        }                                                                                           \
    }

MDK_PORTABLE_KERNEL(mdk_kernel_f64_portable, double, MDK_F64_MR, MDK_F64_NR)
MDK_PORTABLE_KERNEL(mdk_kernel_f64n_portable, double, MDK_F64N_MR, MDK_F64N_NR)
MDK_PORTABLE_KERNEL(mdk_kernel_f32_portable, float, MDK_F32_MR, MDK_F32_NR)

/* The tap-list kernels: R rows x NR columns, weights MDK_TAP_ROW per tap. */
#define MDK_PORTABLE_TAP_KERNEL(name, R, NR)                                                                  \
    void name(int64_t n, const int32_t *restrict ks, const double *restrict a, const double *restrict b,      \
              double *restrict tile) {                                                                        \
        double acc[NR][R];                                                                                    \
        for (int j = 0; j < NR; ++j) {                                                                        \
            for (int i = 0; i < R; ++i) acc[j][i] = tile[j * R + i];                                          \
        }                                                                                                     \
        for (int64_t e = 0; e < n; ++e, b += NR) {                                                            \
            const double *ak = a + (int64_t)ks[e] * MDK_TAP_ROW;                                              \
            for (int i = 0; i < R; ++i) {                                                                     \
                const double ai = ak[i];                                                                      \
                for (int j = 0; j < NR; ++j) acc[j][i] += ai * b[j];                                          \
            }                                                                                                 \
        }                                                                                                     \
        for (int j = 0; j < NR; ++j) {                                                                        \
            for (int i = 0; i < R; ++i) tile[j * R + i] = acc[j][i];                                          \
        }                                                                                                     \
    }

MDK_PORTABLE_TAP_KERNEL(mdk_tap_kernel_8x6_portable, 8, 6)
MDK_PORTABLE_TAP_KERNEL(mdk_tap_kernel_24x2_portable, 24, 2)
MDK_PORTABLE_TAP_KERNEL(mdk_tap_kernel_8x2_portable, 8, 2)
