/*
 * microkernels_portable.c: plain C micro-kernels for CPUs without AVX2+FMA (and non-x86 hosts).
 * Written so a compiler can keep the accumulators in registers and vectorise the inner loop
 * for whatever baseline it targets.
 */
#include "microkernels.h"

void mdk_kernel_f64_portable(int64_t kc, const double *restrict a, const double *restrict b,
                             double *restrict c, int64_t ldc) {
    double acc[MDK_F64_MR][MDK_F64_NR] = {{0}};
    for (int64_t k = 0; k < kc; ++k) {
        for (int i = 0; i < MDK_F64_MR; ++i) {
            const double ai = a[i];
            for (int j = 0; j < MDK_F64_NR; ++j) acc[i][j] += ai * b[j];
        }
        a += MDK_F64_MR;
        b += MDK_F64_NR;
    }
    for (int i = 0; i < MDK_F64_MR; ++i) {
        for (int j = 0; j < MDK_F64_NR; ++j) c[i * ldc + j] += acc[i][j];
    }
}

void mdk_kernel_f64n_portable(int64_t kc, const double *restrict a, const double *restrict b,
                              double *restrict c, int64_t ldc) {
    double acc[MDK_F64N_MR][MDK_F64N_NR] = {{0}};
    for (int64_t k = 0; k < kc; ++k) {
        for (int i = 0; i < MDK_F64N_MR; ++i) {
            const double ai = a[i];
            for (int j = 0; j < MDK_F64N_NR; ++j) acc[i][j] += ai * b[j];
        }
        a += MDK_F64N_MR;
        b += MDK_F64N_NR;
    }
    for (int i = 0; i < MDK_F64N_MR; ++i) {
        for (int j = 0; j < MDK_F64N_NR; ++j) c[i * ldc + j] += acc[i][j];
    }
}

void mdk_kernel_f32_portable(int64_t kc, const float *restrict a, const float *restrict b,
                             float *restrict c, int64_t ldc) {
    float acc[MDK_F32_MR][MDK_F32_NR] = {{0}};
    for (int64_t k = 0; k < kc; ++k) {
        for (int i = 0; i < MDK_F32_MR; ++i) {
            const float ai = a[i];
            for (int j = 0; j < MDK_F32_NR; ++j) acc[i][j] += ai * b[j];
        }
        a += MDK_F32_MR;
        b += MDK_F32_NR;
    }
    for (int i = 0; i < MDK_F32_MR; ++i) {
        for (int j = 0; j < MDK_F32_NR; ++j) c[i * ldc + j] += acc[i][j];
    }
}
