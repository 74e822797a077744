/*
 * merge_daconv_kernels.h: the vectorised arithmetic behind DAConvVerify's convolution engine, and the
 * CRC-32 that CheckpointContainers checksums zip records with (at the end of this file).
 *
 * A convolution is computed as, per group, OUT[rows, columns] = W[rows, K] * COLS[K, columns] (+ bias),
 * where K = in_channels_per_group * kernel_height * kernel_width and a column is one output pixel of
 * one batch image (column j = n * out_height * out_width + oh * out_width + ow).
 *
 * COLS is never stored as a plain matrix: mdk_pack_columns_* writes it directly in the layout the
 * matrix-multiply micro-kernel reads ("panels" of NR columns, K rows, NR values per row contiguous).
 * The multiply (mdk_conv_gemm_*) computes one block of output rows for a run of panels; the Swift
 * side splits the work into such blocks and runs them on several threads.
 *
 * The instruction set is chosen at run time (mdk_best_isa) so this target compiles for baseline
 * x86-64 and stays usable as a dependency; AVX2+FMA code sits in functions compiled for that target.
 *
 * All sizes are int64_t and must have been validated by the caller (Swift): no function here
 * checks for overflow or negative sizes. Nothing here allocates memory.
 */
#ifndef MERGE_DACONV_KERNELS_H
#define MERGE_DACONV_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Micro-tile sizes: a micro-kernel computes MR output rows x NR output columns. */
#define MDK_F64_MR 6
#define MDK_F64_NR 8
#define MDK_F32_MR 6
#define MDK_F32_NR 16
/* The narrow double layout, for outputs of few pixels (a probe's 2 x 3 x 3 = 18 columns fill three
 * panels of 6 exactly, where panels of 8 compute 24): the same arithmetic, value for value, with
 * the accumulators' vectors along output channels instead of pixels. */
#define MDK_F64N_MR 8
#define MDK_F64N_NR 6

/* Instruction sets the kernels can use. */
typedef enum mdk_isa {
    MDK_ISA_PORTABLE = 0, /* plain C, compiled for the baseline target */
    MDK_ISA_AVX2_FMA = 1  /* x86-64 AVX2 + FMA */
} mdk_isa;

/* The best instruction set this CPU supports (computed once, thread-safe). */
mdk_isa mdk_best_isa(void);

/* A validated convolution problem: NCHW input, [out_channels, in_channels/groups, kh, kw] weight. */
typedef struct mdk_conv_shape {
    int64_t batch, in_channels, in_height, in_width;
    int64_t out_channels, kernel_height, kernel_width;
    int64_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
    int64_t groups;
    int64_t out_height, out_width;
} mdk_conv_shape;

/* Output columns [column_begin, column_end) of groups [group_begin, group_end) whose packed
 * panels live in one buffer: for each group in turn, panel_count panels of K x NR values.
 * panel_count = ceil((column_end - column_begin) / NR). */
typedef struct mdk_column_chunk {
    int64_t group_begin, group_end, column_begin, column_end, panel_count;
} mdk_column_chunk;

/* One task of the multiply: output rows [row_begin, row_end) of group `group` (relative to the
 * group's first output channel), chunk panels [panel_begin, panel_end), cache blocking depth kc. */
typedef struct mdk_gemm_block {
    int64_t group, row_begin, row_end, panel_begin, panel_end, kc;
} mdk_gemm_block;

/* Packs chunk panels [panel_begin, panel_end) of group `group` (inside the chunk's groups) from
 * `input` into `panels` (im2col into micro-kernel layout). Columns past column_end read as zeros. */
void mdk_pack_columns_f64(const mdk_conv_shape *shape, const double *input, mdk_column_chunk chunk,
                          int64_t group, int64_t panel_begin, int64_t panel_end, double *panels);
void mdk_pack_columns_f32(const mdk_conv_shape *shape, const float *input, mdk_column_chunk chunk,
                          int64_t group, int64_t panel_begin, int64_t panel_end, float *panels);
/* Panels of MDK_F64N_NR columns, for the narrow multiply. */
void mdk_pack_columns_f64n(const mdk_conv_shape *shape, const double *input, mdk_column_chunk chunk,
                           int64_t group, int64_t panel_begin, int64_t panel_end, double *panels);

/* Computes one block of the output: output = bias (or 0) + weight * packed columns, for the
 * block's rows and the columns of its panels. Blocks that do not overlap may run concurrently.
 * `bias` may be NULL. `workspace` holds ceil(rows / MR) * MR * kc elements, rows being
 * row_end - row_begin. */
void mdk_conv_gemm_f64(const mdk_conv_shape *shape, mdk_isa isa, const double *weight,
                       const double *bias, const double *panels, mdk_column_chunk chunk,
                       mdk_gemm_block block, double *workspace, double *output);
void mdk_conv_gemm_f32(const mdk_conv_shape *shape, mdk_isa isa, const float *weight,
                       const float *bias, const float *panels, mdk_column_chunk chunk,
                       mdk_gemm_block block, float *workspace, float *output);
/* mdk_conv_gemm_f64 over narrow panels (mdk_pack_columns_f64n); the workspace holds
 * ceil(rows / MDK_F64N_MR) * MDK_F64N_MR * kc doubles. Results equal mdk_conv_gemm_f64's bit for bit. */
void mdk_conv_gemm_f64n(const mdk_conv_shape *shape, mdk_isa isa, const double *weight,
                        const double *bias, const double *panels, mdk_column_chunk chunk,
                        mdk_gemm_block block, double *workspace, double *output);

/* ---- CRC-32 of the zip format (crc32_clmul.c) ----
 *
 * The same function as zlib's crc32 (reflected polynomial 0xEDB88320, register inverted before and
 * after): crc = mdk_crc32(0, a, n); crc = mdk_crc32(crc, b, m) gives the CRC of a followed by b.
 * On x86-64 with PCLMULQDQ it folds 64 or 128 bytes per step with carry-less multiplication (about
 * 10 GB/s per core against zlib's 2-4); elsewhere it goes a byte at a time through a table, and
 * callers that care should use zlib instead. The choice is made once, when the program loads. */

/* How the CRC is computed. Each implies the ones before it. */
typedef enum mdk_crc32_impl {
    MDK_CRC32_TABLE = 0,   /* a byte at a time, 256-entry table: any CPU */
    MDK_CRC32_PCLMUL = 1,  /* x86-64 PCLMULQDQ + SSE4.1: four 128-bit lanes */
    MDK_CRC32_VPCLMUL = 2  /* x86-64 VPCLMULQDQ + AVX2: four 256-bit lanes */
} mdk_crc32_impl;

/* The fastest implementation this CPU supports. */
mdk_crc32_impl mdk_crc32_best_impl(void);

/* A short name for an implementation ("table", "pclmulqdq", "vpclmulqdq"); static storage. */
const char *mdk_crc32_impl_name(mdk_crc32_impl impl);

/* The CRC-32 of data[0 ..< length], continuing from crc (0 for a new message), by the best
 * implementation. data may be NULL when length is 0. Thread-safe; allocates nothing. */
uint32_t mdk_crc32(uint32_t crc, const uint8_t *data, size_t length);

/* The same with a chosen implementation (lowered to the best one the CPU has), so tests can check
 * every path against a reference on one machine. */
uint32_t mdk_crc32_with(mdk_crc32_impl impl, uint32_t crc, const uint8_t *data, size_t length);

#ifdef __cplusplus
}
#endif

#endif

/* The fold kernel, the mixed-precision and tap-list multiplies, the reductions and verify's fold error bound, declared in
 * their own headers (included here so that every user of this header, and the module's cached interface,
 * sees them: a header only added to the include folder is missed by an existing module cache). */
#include "merge_daconv_fold.h"
#include "merge_daconv_mixed_gemm.h"
#include "merge_daconv_reductions.h"
#include "merge_daconv_fold_error_bound.h"
#include "merge_daconv_tap_gemm.h"
