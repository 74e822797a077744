/*
 * merge_daconv_fold.h: the DAConv fold of float32 branch weights into one float32 weight, in one pass.
 *
 * For weights [out, in / groups, kh, kw] seen as `kernels` kernels of `taps` = kh * kw values each,
 * the folded weight is W = sum_b g_b * T_b(W_b) with T_add(W) = W + centre(sum_taps W),
 * T_difference(W) = W - centre(sum_taps W), T_vanilla(W) = W, computed in double and rounded once
 * to float. The operation order is DAConvFold.fold's (Swift), so the results are bit-identical to it:
 *   - per kernel and branch, the tap sum s = ((0.0 + w_0) + w_1) + ... in tap order;
 *   - the branch value v = w, or at the centre tap w + s (add) or w + (-s) (difference);
 *   - acc = 0.0, then acc = acc + g_b * v for b = 0, 1, ... in branch order (no fused multiply-add);
 *   - the output is (float)acc, rounded to nearest even.
 *
 * Weights are read and written as little-endian float32 at any alignment, so the caller can pass the
 * bytes of a checkpoint record as they are. The input is read once and the output written once:
 * the loop is bound by memory bandwidth. AVX2 is used when the caller asks for MDK_ISA_AVX2_FMA
 * (check mdk_best_isa first); fused multiply-adds are never used, since they would change the bits.
 *
 * Sizes must have been validated by the caller (Swift). Nothing here allocates memory.
 */
#ifndef MERGE_DACONV_FOLD_H
#define MERGE_DACONV_FOLD_H

#include <stdint.h>
#include "merge_daconv_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a branch's weight is transformed before it is scaled by its gate. */
typedef enum mdk_fold_kind {
    MDK_FOLD_VANILLA = 0,   /* W */
    MDK_FOLD_ADD = 1,       /* W + centre(sum_taps W) */
    MDK_FOLD_DIFFERENCE = 2 /* W - centre(sum_taps W) */
} mdk_fold_kind;

/* One branch: its weight (kernels * taps little-endian float32 values), its gate and kind. */
typedef struct mdk_fold_branch {
    const void *weight;
    double gate;
    mdk_fold_kind kind;
} mdk_fold_branch;

/* The kernels of a weight: `taps` values each (kh * kw, at least 1), the centre tap's index
 * (kh / 2 * kw + kw / 2, less than taps). */
typedef struct mdk_fold_layout {
    int64_t taps, centre;
} mdk_fold_layout;

/* Folds kernels [kernel_begin, kernel_end) of `branch_count` branches (0 gives zeros) into
 * `output` (little-endian float32, same element offsets as the branches). Disjoint kernel ranges
 * may be folded concurrently. */
void mdk_fold_f32(mdk_isa isa, const mdk_fold_branch *branches, int64_t branch_count,
                  mdk_fold_layout layout, int64_t kernel_begin, int64_t kernel_end, void *output);

#ifdef __cplusplus
}
#endif

#endif
