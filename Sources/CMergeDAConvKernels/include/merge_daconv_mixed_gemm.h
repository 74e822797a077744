/*
 * merge_daconv_mixed_gemm.h: the convolution multiply in double arithmetic over float weights.
 *
 * Checkpoints store their weights in float32, while the DAConv check computes in float64. Instead
 * of converting whole weight tensors to double first (a fresh copy twice the size, written and read
 * again), these functions convert each weight exactly while packing it into the micro-kernel's
 * MR-row panels. Every value then goes through the same double arithmetic as in mdk_conv_gemm_f64,
 * so the results are bit-identical to converting first.
 *
 * Contract as mdk_conv_gemm_f64 in merge_daconv_kernels.h (validated sizes, no allocation).
 */
#ifndef MERGE_DACONV_MIXED_GEMM_H
#define MERGE_DACONV_MIXED_GEMM_H

#include <stdint.h>
#include "merge_daconv_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* mdk_conv_gemm_f64 with float32 `weight` and (optional, may be NULL) `bias`; double panels,
 * workspace (ceil(rows / MDK_F64_MR) * MDK_F64_MR * kc doubles) and output. */
void mdk_conv_gemm_f64_wf32(const mdk_conv_shape *shape, mdk_isa isa, const float *weight,
                            const float *bias, const double *panels, mdk_column_chunk chunk,
                            mdk_gemm_block block, double *workspace, double *output);
/* The same over narrow panels (mdk_pack_columns_f64n; workspace as for mdk_conv_gemm_f64n). */
void mdk_conv_gemm_f64n_wf32(const mdk_conv_shape *shape, mdk_isa isa, const float *weight,
                             const float *bias, const double *panels, mdk_column_chunk chunk,
                             mdk_gemm_block block, double *workspace, double *output);

#ifdef __cplusplus
}
#endif

#endif
