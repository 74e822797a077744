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
#include "merge_daconv_tap_gemm.h"

typedef void (*mdk_kernel_f64)(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
typedef void (*mdk_kernel_f32)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);

void mdk_kernel_f64_portable(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
/* MDK_F64N_MR x MDK_F64N_NR tiles, same contract (narrow panels). */
void mdk_kernel_f64n_portable(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
void mdk_kernel_f32_portable(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);

/* Tap-list kernels (merge_daconv_tap_gemm.h): for n entries e, with k = ks[e],
 * tile[j * R + i] += sum_e a[k * MDK_TAP_ROW + i] * b[e * NR + j] for R output channels (8 or 24) and NR
 * columns (6 or 2); products added one by one in entry order to the tile's running sums, as the dense
 * kernels add theirs to sums started at zero. */
typedef void (*mdk_tap_kernel)(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile);
void mdk_tap_kernel_8x6_portable(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile);
void mdk_tap_kernel_24x2_portable(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile);
void mdk_tap_kernel_8x2_portable(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define MDK_HAVE_AVX2_KERNELS 1
void mdk_tap_kernel_8x6_avx2(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile);
void mdk_tap_kernel_24x2_avx2(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile);
void mdk_tap_kernel_8x2_avx2(int64_t n, const int32_t *ks, const double *a, const double *b, double *tile);
void mdk_kernel_f64_avx2(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
void mdk_kernel_f32_avx2(int64_t kc, const float *a, const float *b, float *c, int64_t ldc);
void mdk_kernel_f64n_avx2(int64_t kc, const double *a, const double *b, double *c, int64_t ldc);
/* One full narrow weight panel: taps [0, kc) of rows src, src + depth, ..., src + 7 * depth, converted
 * from float, written as dst[k * MDK_F64N_MR + i] (what the generic packing writes). */
void mdk_pack_panel_f64n_wf32_avx2(const float *src, int64_t depth, int64_t kc, double *dst);
/* `groups` groups of eight rows written as dst[k * ldd + i] (row i of 8 * groups), eight taps at a time. */
void mdk_pack_rows_wf32_avx2(const float *src, int64_t depth, int64_t groups, int64_t kc, double *dst, int64_t ldd);
void mdk_pack_rows_f64_avx2(const double *src, int64_t depth, int64_t groups, int64_t kc, double *dst, int64_t ldd);
#endif

#endif
