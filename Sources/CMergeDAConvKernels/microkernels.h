/*
 * microkernels.h (internal): the register-tiled inner kernels of the matrix multiply.
 *
 * Each computes c[i * ldc + j] += sum over k of a[k * MR + i] * b[k * NR + j] for one MR x NR
 * micro-tile, reading a packed panel of A (MR values per k) and of B (NR values per k).
 */
#ifndef MDK_MICROKERNELS_H
#define MDK_MICROKERNELS_H

#include <stdint.h>
#include "merge_daconv_kernels.h"

typedef void (*mdk_kernel_f64)(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
typedef void (*mdk_kernel_f32)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);

void mdk_kernel_f64_portable(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
/* MDK_F64N_MR x MDK_F64N_NR tiles, same contract (narrow panels). */
void mdk_kernel_f64n_portable(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
void mdk_kernel_f32_portable(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define MDK_HAVE_AVX2_KERNELS 1
void mdk_kernel_f64_avx2(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
void mdk_kernel_f32_avx2(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);
void mdk_kernel_f64n_avx2(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
/* One full narrow weight panel: taps [0, kc) of rows src, src + depth, ..., src + 7 * depth, converted
 * from float, written as dst[k * MDK_F64N_MR + i] (what the generic packing writes). */
void mdk_pack_panel_f64n_wf32_avx2(const float *src, int64_t depth, int64_t kc, double *dst);
#endif

#endif
