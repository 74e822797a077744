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
