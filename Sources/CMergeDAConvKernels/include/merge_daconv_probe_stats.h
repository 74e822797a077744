#ifndef MERGE_DACONV_PROBE_STATS_H
#define MERGE_DACONV_PROBE_STATS_H
/*
 * The fold of a float32 DAConv together with what its equivalence probe needs from the same data: each
 * branch's kernel tap sums (the 1x1 reference kernels) and per-output-channel norms. Output channels are
 * folded a few at a time and their statistics taken while the data is still in cache, so the weights
 * travel from memory once instead of six times.
 */
#include <stdint.h>
#include "merge_daconv_fold.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Weights are [rows, kernels_per_row * taps]. For branch b: tap_sums[b] gets rows * kernels_per_row sums
 * (double, tap order) and branch_l1[b] gets rows sums of |w|. For the folded output: merged_l2 and merged_l1
 * get each row's Euclidean norm and sum of |w|. The fold itself is mdk_fold_f32's, bit for bit. */
void mdk_fold_with_probe_stats_f32(mdk_isa isa, const mdk_fold_branch *branches, int64_t branch_count,
                                   mdk_fold_layout layout, int64_t rows, int64_t kernels_per_row, float *output,
                                   double *const *tap_sums, double *const *branch_l1, double *merged_l2,
                                   double *merged_l1);

#ifdef __cplusplus
}
#endif

#endif
